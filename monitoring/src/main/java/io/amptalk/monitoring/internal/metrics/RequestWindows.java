package io.amptalk.monitoring.internal.metrics;

import io.amptalk.monitoring.metrics.RequestWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * Sliding windows over the request histogram without touching the recording path: every sampling
 * tick keeps the cumulative totals, and a window is the current totals minus the newest kept totals
 * that are at least the window old.
 */
public final class RequestWindows {
  private final Supplier<RequestMetrics.Totals> totals;
  private final Duration retention;
  private final ArrayDeque<Stamped> history = new ArrayDeque<>();
  private final Object lock = new Object();

  private record Stamped(Instant time, RequestMetrics.Totals totals) {}

  public RequestWindows(Supplier<RequestMetrics.Totals> totals, Duration retention, Instant start) {
    this.totals = totals;
    this.retention = retention;
    history.addLast(new Stamped(start, totals.get()));
  }

  /** Keeps the totals as of {@code now}, forgetting what is older than the retention needs. */
  public void tick(Instant now) {
    RequestMetrics.Totals current = totals.get();
    synchronized (lock) {
      history.addLast(new Stamped(now, current));
      // Keep one entry at least `retention` old, so a full-retention window has a baseline.
      while (history.size() > 2) {
        Iterator<Stamped> it = history.iterator();
        it.next();
        if (!it.next().time().isAfter(now.minus(retention))) {
          history.removeFirst();
        } else {
          break;
        }
      }
    }
  }

  public RequestWindow window(Duration window, Instant now) {
    RequestMetrics.Totals current = totals.get();
    Stamped baseline;
    synchronized (lock) {
      Instant cutoff = now.minus(window);
      baseline = history.peekFirst();
      for (Stamped stamped : history) {
        if (stamped.time().isAfter(cutoff)) {
          break;
        }
        baseline = stamped;
      }
    }
    long[] buckets = current.buckets().clone();
    long[] base = baseline.totals().buckets();
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] -= base[i];
    }
    long requests = Arrays.stream(buckets).sum();
    Duration covered = Duration.between(baseline.time(), now);
    return new RequestWindow(
        covered.isNegative() ? Duration.ZERO : covered,
        requests,
        current.serverErrors() - baseline.totals().serverErrors(),
        RequestMetrics.BOUNDARIES,
        Arrays.stream(buckets).boxed().toList());
  }
}
