package io.amptalk.monitoring.internal.alert;

import java.time.Clock;
import java.time.Duration;

/** A token bucket on the injected clock: {@code capacity} at once, then one per period. */
public final class TokenBucket {
  private final int capacity;
  private final long nanosPerToken;
  private final Clock clock;
  private final Object lock = new Object();
  private double tokens;

  /** In milliseconds of the clock: {@code clock.millis()} makes no object, as an instant would. */
  private long last;

  public TokenBucket(int capacity, Duration per, Clock clock) {
    this.capacity = capacity;
    this.nanosPerToken = Math.max(1, per.toNanos() / capacity);
    this.clock = clock;
    this.tokens = capacity;
    this.last = clock.millis();
  }

  public boolean tryTake() {
    synchronized (lock) {
      long now = clock.millis();
      long elapsed = now - last;
      if (elapsed > 0) {
        tokens = Math.min(capacity, tokens + elapsed * 1e6 / nanosPerToken);
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
