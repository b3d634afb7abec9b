package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.alert.Backoff;
import io.amptalk.monitoring.internal.util.ControlCharacters;
import io.amptalk.monitoring.internal.util.DaemonThreads;
import io.amptalk.monitoring.internal.util.FatalErrors;
import io.amptalk.monitoring.internal.util.Throwables;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retries of the cluster members that refused an alert another member accepted. The alert
 * system counts such an alert delivered (Alertmanager's members gossip it among themselves), so its
 * queue retries nothing; each refusing member gets the alert again here, on its own backoff, and
 * only that member: those that accepted are not sent it twice.
 *
 * <p>At most one retry waits per member and alert (by its labels, Alertmanager's identity of an
 * alert): a newer state of the alert sent to that member replaces it, so a stale "firing" never
 * follows a resolution. What waits is bounded in count and in estimated bytes. A member that never
 * accepts (out of attempts, a permanent refusal, or no room to wait) is counted in {@link
 * #failures()} and logged; nothing is dropped unseen. The retries live in memory: a process that
 * exits drops them, as the cluster already holds the alert.
 *
 * <p>One daemon thread, started when a retry is scheduled and ended once none waits, so a healthy
 * cluster costs no thread.
 */
final class MemberRetries {
  private static final Logger LOG = LoggerFactory.getLogger(MemberRetries.class);

  /** The longest wait: the due times are read from an injected ticker that moves unannounced. */
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Rough cost of one waiting retry beyond its body (the entry, its key, the labels map). */
  private static final long ENTRY_BYTES = 256;

  /** One cluster member: its position in {@code urls}, where it takes alerts, how it is shown. */
  record Member(int index, java.net.URI alertsUri, String shown) {}

  /** Sends {@code body} to {@code member}: null when it accepted, else why not. */
  interface Post {
    DeliveryException post(Member member, String body) throws InterruptedException;
  }

  /** How the retries behave and what they may hold; tests shorten the waits and move the time. */
  record Limits(
      int maxAttempts,
      Backoff backoff,
      Duration maxRetryAfter,
      int maxCount,
      long maxBytes,
      LongSupplier nanoTime) {}

  private record Key(int member, Map<String, String> labels) {}

  private record Pending(
      Key key,
      Member member,
      String title,
      String body,
      int attempts,
      long dueNanos,
      long bytes,
      long sequence,
      boolean sending) {
    Pending sent() {
      return new Pending(key, member, title, body, attempts, dueNanos, bytes, sequence, true);
    }
  }

  private final String notifier;
  private final Limits limits;
  private final Post post;
  private final List<LongAdder> failures = new ArrayList<>();

  private final Object lock = new Object();

  /** Guarded by {@link #lock}, as are the fields below. */
  private final Map<Key, Pending> pending = new LinkedHashMap<>();

  private long bytes;
  private long sequence;
  private Thread worker;

  MemberRetries(String notifier, List<Member> members, Limits limits, Post post) {
    this.notifier = notifier;
    this.limits = limits;
    this.post = post;
    for (int i = 0; i < members.size(); i++) {
      failures.add(new LongAdder());
    }
  }

  /** {@code member} took this state of the alert: an older one waiting for it is moot. */
  void accepted(Member member, Map<String, String> labels) {
    synchronized (lock) {
      remove(new Key(member.index(), labels));
    }
  }

  /**
   * {@code member} refused the alert after {@code attempts} attempts: retried later when the
   * refusal may pass and attempts remain, else counted.
   */
  void refused(
      Member member,
      Map<String, String> labels,
      String title,
      String body,
      int attempts,
      DeliveryException refusal) {
    Key key = new Key(member.index(), labels);
    String gaveUp;
    synchronized (lock) {
      remove(key);
      gaveUp = scheduleOrGiveUp(key, member, title, body, attempts, refusal);
    }
    if (gaveUp != null) {
      failed(member, title, gaveUp);
    }
  }

  /**
   * Schedules the retry when the refusal may pass, attempts remain and there is room; else returns
   * why not. Called holding {@link #lock}, so that a newer state cannot slip in between.
   */
  private String scheduleOrGiveUp(
      Key key, Member member, String title, String body, int attempts, DeliveryException refusal) {
    if (!refusal.isRetryable() || attempts >= limits.maxAttempts()) {
      return refusal.getMessage() + attempts(attempts);
    }
    long size = ENTRY_BYTES + 2L * body.length();
    if (pending.size() >= limits.maxCount() || bytes + size > limits.maxBytes()) {
      return refusal.getMessage()
          + "; not retried: "
          + limits.maxCount()
          + " retries or "
          + limits.maxBytes()
          + " bytes already wait";
    }
    long due = limits.nanoTime().getAsLong() + delay(attempts, refusal).toNanos();
    pending.put(key, new Pending(key, member, title, body, attempts, due, size, ++sequence, false));
    bytes += size;
    if (worker == null) {
      worker = DaemonThreads.newThread(this::work, "amptalk-alertmanager-retry-" + notifier);
      worker.start();
    } else {
      lock.notifyAll();
    }
    return null;
  }

  private Duration delay(int attempts, DeliveryException refusal) {
    Duration asked = refusal.retryAfter().orElse(null);
    if (asked == null) {
      return limits.backoff().delay(attempts);
    }
    return asked.compareTo(limits.maxRetryAfter()) > 0 ? limits.maxRetryAfter() : asked;
  }

  private static String attempts(int attempts) {
    return " (after " + attempts + (attempts == 1 ? " attempt)" : " attempts)");
  }

  private void remove(Key key) {
    Pending old = pending.remove(key);
    if (old != null) {
      bytes -= old.bytes();
    }
  }

  private void failed(Member member, String title, String error) {
    failures.get(member.index()).increment();
    LOG.warn(
        "Alert '{}' could not be delivered to {} member {}: {}",
        ControlCharacters.escape(title),
        notifier,
        member.shown(),
        error);
  }

  private void work() {
    while (true) {
      Pending next;
      synchronized (lock) {
        next = takeDue();
        if (next == null) {
          if (pending.isEmpty()) {
            worker = null;
            return;
          }
          try {
            TimeUnit.NANOSECONDS.timedWait(lock, Math.max(1, Math.min(untilDue(), TICK_NANOS)));
          } catch (InterruptedException e) {
            // Nobody interrupts this thread; if someone does, the next retry starts a new one.
            worker = null;
            Thread.currentThread().interrupt();
            return;
          }
          continue;
        }
      }
      attempt(next);
    }
  }

  /** The earliest due retry, taken out; null when none is due. */
  private Pending takeDue() {
    long now = limits.nanoTime().getAsLong();
    Pending first = null;
    for (Pending p : pending.values()) {
      if (!p.sending()
          && p.dueNanos() - now <= 0
          && (first == null
              || p.dueNanos() < first.dueNanos()
              || (p.dueNanos() == first.dueNanos() && p.sequence() < first.sequence()))) {
        first = p;
      }
    }
    if (first != null) {
      // Kept, marked as being sent: a newer state accepted or refused meanwhile replaces it.
      pending.put(first.key(), first.sent());
    }
    return first;
  }

  private long untilDue() {
    long now = limits.nanoTime().getAsLong();
    long soonest = Long.MAX_VALUE;
    for (Pending p : pending.values()) {
      if (!p.sending()) {
        soonest = Math.min(soonest, p.dueNanos() - now);
      }
    }
    return soonest;
  }

  private void attempt(Pending retry) {
    DeliveryException refusal;
    try {
      refusal = post.post(retry.member(), retry.body());
    } catch (Throwable t) {
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      FatalErrors.caught(t);
      refusal = DeliveryException.retryable(Throwables.describe(t), t);
    }
    String gaveUp = null;
    synchronized (lock) {
      Pending now = pending.get(retry.key());
      if (now == null || now.sequence() != retry.sequence()) {
        return; // a newer state of the alert was sent to this member meanwhile: it decides
      }
      remove(retry.key());
      if (refusal != null) {
        gaveUp =
            scheduleOrGiveUp(
                retry.key(),
                retry.member(),
                retry.title(),
                retry.body(),
                retry.attempts() + 1,
                refusal);
      }
    }
    if (gaveUp != null) {
      failed(retry.member(), retry.title(), gaveUp);
    }
  }

  /** Per member, in the order of {@code urls}: the alerts it never accepted. */
  List<Long> failures() {
    return failures.stream().map(LongAdder::sum).toList();
  }

  /** How many retries wait or are in flight. */
  int size() {
    synchronized (lock) {
      return pending.size();
    }
  }
}
