package io.amptalk.monitoring.internal.alert;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: attempt n waits between half and all of {@code initial *
 * 2^(n-1)}, capped at {@code max}. The jitter spreads the retries of many instances after a shared
 * outage.
 */
public record Backoff(Duration initial, Duration max, DoubleSupplier random) {
  public Backoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    Objects.requireNonNull(random, "random");
  }

  /** The wait before retrying after failed attempt {@code attempt} (1 for the first). */
  public Duration delay(int attempt) {
    double base = initial.toNanos() * Math.pow(2, Math.max(0, attempt - 1));
    double capped = Math.min(base, max.toNanos());
    return Duration.ofNanos((long) (capped / 2 + capped / 2 * random.getAsDouble()));
  }
}
