package io.amptalk.monitoring.health;

import io.amptalk.monitoring.internal.util.Details;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one run of a check. A check builds one with a factory ({@link #of}, {@link
 * #healthy}, …); the registry stamps it with the time the run started and how long it took.
 *
 * @param status the check's verdict
 * @param message a sentence for humans, e.g. "CPU usage 83.5% is at or above the warning threshold
 *     75.0%"
 * @param details figures for machines, in insertion order; values are strings, numbers, booleans,
 *     lists or maps (anything else is kept as its {@code toString()})
 * @param time when the run started ({@link Instant#EPOCH} until the registry stamps it)
 * @param duration how long the run took ({@link Duration#ZERO} until stamped)
 * @param error what the check threw, when it threw
 */
public record CheckResult(
    HealthStatus status,
    String message,
    Map<String, Object> details,
    Instant time,
    Duration duration,
    Optional<Throwable> error) {

  /**
   * Copies {@code details} within the bounds alerts use; a null message becomes empty and null
   * details none.
   *
   * @throws NullPointerException when {@code status}, {@code time}, {@code duration} or {@code
   *     error} is null
   */
  public CheckResult {
    Objects.requireNonNull(status, "status");
    message = message == null ? "" : message;
    details = copyDetails(details);
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(error, "error");
  }

  /** The seed's {@code (is_healthy, message)}: HEALTHY or UNHEALTHY. */
  public static CheckResult of(boolean healthy, String message) {
    return of(healthy ? HealthStatus.HEALTHY : HealthStatus.UNHEALTHY, message, Map.of());
  }

  /** A result of any status, with details; a null message becomes empty and null details none. */
  public static CheckResult of(HealthStatus status, String message, Map<String, ?> details) {
    return new CheckResult(
        status, message, copyDetails(details), Instant.EPOCH, Duration.ZERO, Optional.empty());
  }

  /** A HEALTHY result without details. */
  public static CheckResult healthy(String message) {
    return of(HealthStatus.HEALTHY, message, Map.of());
  }

  /** A HEALTHY result with details. */
  public static CheckResult healthy(String message, Map<String, ?> details) {
    return of(HealthStatus.HEALTHY, message, details);
  }

  /** A DEGRADED result without details. */
  public static CheckResult degraded(String message) {
    return of(HealthStatus.DEGRADED, message, Map.of());
  }

  /** A DEGRADED result with details. */
  public static CheckResult degraded(String message, Map<String, ?> details) {
    return of(HealthStatus.DEGRADED, message, details);
  }

  /** An UNHEALTHY result without details. */
  public static CheckResult unhealthy(String message) {
    return of(HealthStatus.UNHEALTHY, message, Map.of());
  }

  /** An UNHEALTHY result with details. */
  public static CheckResult unhealthy(String message, Map<String, ?> details) {
    return of(HealthStatus.UNHEALTHY, message, details);
  }

  /** An UNKNOWN result without details. */
  public static CheckResult unknown(String message) {
    return of(HealthStatus.UNKNOWN, message, Map.of());
  }

  /** An UNKNOWN result with details. */
  public static CheckResult unknown(String message, Map<String, ?> details) {
    return of(HealthStatus.UNKNOWN, message, details);
  }

  /** UNHEALTHY, naming what the check threw: its type and message, never its stack trace. */
  public static CheckResult failed(Throwable error) {
    String text = error.getClass().getSimpleName();
    if (error.getMessage() != null) {
      text += ": " + error.getMessage();
    }
    return new CheckResult(
        HealthStatus.UNHEALTHY,
        "Check threw " + text,
        Map.of(),
        Instant.EPOCH,
        Duration.ZERO,
        Optional.of(error));
  }

  /** This result as run at {@code time} for {@code duration}. */
  public CheckResult withTiming(Instant time, Duration duration) {
    return new CheckResult(status, message, details, time, duration, error);
  }

  /** Whether the status is HEALTHY (DEGRADED is not). */
  public boolean isHealthy() {
    return status == HealthStatus.HEALTHY;
  }

  /** Details nested deeper are cut: JSON writers refuse deep nesting (Jackson past 1000). */
  static final int MAX_DETAIL_DEPTH = Details.MAX_DEPTH;

  /** Values copied per result at most. */
  static final int MAX_DETAIL_VALUES = Details.MAX_VALUES;

  /** Longer detail keys are cut (Jackson refuses to read a name past 50,000 characters). */
  static final int MAX_DETAIL_KEY_LENGTH = Details.MAX_KEY_LENGTH;

  /** The details as kept: bounded and copied by the one copier alerts use too. */
  private static Map<String, Object> copyDetails(Map<String, ?> details) {
    return Details.copy(details).details();
  }
}
