package io.amptalk.monitoring.internal.health;

import io.amptalk.monitoring.health.Check;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthReport;
import io.amptalk.monitoring.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A check in a registry and its state: when it runs next, its run in flight, its history, and the
 * reported status, which follows the results only through the failure and success thresholds. All
 * state is guarded by one lock per check.
 */
public final class RegisteredCheck {
  private final String name;
  private final Check check;
  private final String description;
  private final CheckOptions options;
  private final Duration timeout;
  private final Duration interval;
  private final long sequence;
  final Object lock = new Object();
  private final ArrayDeque<CheckResult> history = new ArrayDeque<>();
  private Instant nextRun;
  Run current;
  private CheckResult last;
  private HealthStatus reported = HealthStatus.UNKNOWN;
  private int streak;
  private int streakDirection;
  private long skipped;

  /** A change of the reported status. */
  public record StatusChange(HealthStatus previous, HealthStatus current) {}

  public RegisteredCheck(
      String name,
      Check check,
      String description,
      CheckOptions options,
      Duration timeout,
      Duration interval,
      long sequence,
      Instant firstRun) {
    this.name = name;
    this.check = check;
    this.description = description;
    this.options = options;
    this.timeout = timeout;
    this.interval = interval;
    this.sequence = sequence;
    this.nextRun = firstRun;
  }

  public String name() {
    return name;
  }

  Check check() {
    return check;
  }

  Duration timeout() {
    return timeout;
  }

  /** How long a run may wait for a thread before the next is due: the check's interval. */
  Duration interval() {
    return interval;
  }

  /** The order of registration, which the report and {@code runAllChecks} follow. */
  public long sequence() {
    return sequence;
  }

  public Instant nextRun() {
    synchronized (lock) {
      return nextRun;
    }
  }

  /** Whether a periodic run is due at {@code now}; if so, books the next one. */
  public boolean takeDue(Instant now) {
    synchronized (lock) {
      if (now.isBefore(nextRun)) {
        return false;
      }
      nextRun = now.plus(interval);
      return true;
    }
  }

  /** Whether a run is in flight (or stuck past its timeout). */
  public boolean running() {
    synchronized (lock) {
      return current != null;
    }
  }

  /**
   * Adds a result to the history and applies the thresholds: the reported status moves toward the
   * result's only after {@code failureThreshold} worse (or {@code successThreshold} better) results
   * in a row; a first result no worse than the initial UNKNOWN is taken at once. Returns the
   * change, or null when the reported status stays.
   */
  public StatusChange record(CheckResult result, int historySize) {
    synchronized (lock) {
      history.addLast(result);
      while (history.size() > historySize) {
        history.removeFirst();
      }
      HealthStatus previous = reported;
      HealthStatus raw = result.status();
      if (last == null && raw.severity() <= reported.severity()) {
        // Leaving the initial UNKNOWN for HEALTHY needs no streak: a service is ready as soon as
        // its checks pass. Leaving it for worse still needs failureThreshold results, so a spike
        // at start-up raises nothing.
        reported = raw;
      } else if (raw == reported) {
        streak = 0;
      } else {
        int direction = Integer.signum(raw.severity() - reported.severity());
        streak = direction == streakDirection ? streak + 1 : 1;
        streakDirection = direction;
        int needed = direction > 0 ? options.failureThreshold() : options.successThreshold();
        if (streak >= needed) {
          reported = raw;
          streak = 0;
        }
      }
      last = result;
      return previous == reported ? null : new StatusChange(previous, reported);
    }
  }

  /**
   * Counts a periodic run skipped: it came due while the previous run still waited for a thread.
   * Neither the history nor the reported status changes: no result was had.
   */
  public void recordSkip() {
    synchronized (lock) {
      skipped++;
    }
  }

  /** The newest {@code limit} results, newest first. */
  public List<CheckResult> history(int limit) {
    synchronized (lock) {
      List<CheckResult> newestFirst = new ArrayList<>(Math.min(limit, history.size()));
      Iterator<CheckResult> it = history.descendingIterator();
      while (it.hasNext() && newestFirst.size() < limit) {
        newestFirst.add(it.next());
      }
      return List.copyOf(newestFirst);
    }
  }

  public void clearHistory() {
    synchronized (lock) {
      history.clear();
    }
  }

  public HealthReport.CheckReport report() {
    synchronized (lock) {
      return new HealthReport.CheckReport(
          reported,
          last == null ? "Not run yet" : last.message(),
          last == null ? null : last.time(),
          description,
          last == null ? Duration.ZERO : last.duration(),
          last == null ? Map.of() : last.details(),
          options.critical(),
          options.groups(),
          check.measurement(),
          pending(),
          skipped);
    }
  }

  /** The change the streak counts toward, while it is short of its threshold. Under the lock. */
  private Optional<HealthReport.Pending> pending() {
    if (streak == 0 || last == null) {
      return Optional.empty();
    }
    int needed = streakDirection > 0 ? options.failureThreshold() : options.successThreshold();
    return Optional.of(new HealthReport.Pending(last.status(), streak, needed));
  }
}
