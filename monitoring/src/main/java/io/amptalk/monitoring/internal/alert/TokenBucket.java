package io.amptalk.monitoring.internal.alert;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** A token bucket on the injected clock: {@code capacity} at once, then one per period. */
public final class TokenBucket {
  private final int capacity;
  private final long nanosPerToken;
  private final Clock clock;
  private final Object lock = new Object();
  private double tokens;
  private Instant last;

  public TokenBucket(int capacity, Duration per, Clock clock) {
    this.capacity = capacity;
    this.nanosPerToken = Math.max(1, per.toNanos() / capacity);
    this.clock = clock;
    this.tokens = capacity;
    this.last = clock.instant();
  }

  public boolean tryTake() {
    synchronized (lock) {
      Instant now = clock.instant();
      long elapsed = Duration.between(last, now).toNanos();
      if (elapsed > 0) {
        tokens = Math.min(capacity, tokens + (double) elapsed / nanosPerToken);
        last = now;
      }
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
