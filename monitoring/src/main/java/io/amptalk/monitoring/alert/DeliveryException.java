package io.amptalk.monitoring.alert;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed delivery attempt that tells the alert system what to do next: retry (after the
 * receiver's {@code Retry-After}, when it gave one) or give up at once (a 400 will not get better).
 */
public final class DeliveryException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;
  private final transient Duration retryAfter;

  private DeliveryException(
      String message, boolean retryable, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  /** A failure worth retrying with the usual backoff. */
  public static DeliveryException retryable(String message, Throwable cause) {
    return new DeliveryException(message, true, null, cause);
  }

  /** A failure worth retrying, not before {@code retryAfter} (a receiver's Retry-After). */
  public static DeliveryException retryAfter(String message, Duration retryAfter) {
    return new DeliveryException(message, true, retryAfter, null);
  }

  /** A failure that retrying cannot fix: the delivery goes to the dead letters at once. */
  public static DeliveryException permanent(String message, Throwable cause) {
    return new DeliveryException(message, false, null, cause);
  }

  /**
   * Whether the alert system tries again (up to {@code maxAttempts}); false sends the delivery to
   * the dead letters at once.
   */
  public boolean isRetryable() {
    return retryable;
  }

  /**
   * How long the receiver asked to wait before the next attempt (the alert system waits at most its
   * maximum backoff); empty for the usual backoff.
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
