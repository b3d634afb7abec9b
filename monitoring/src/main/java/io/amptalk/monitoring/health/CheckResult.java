package io.amptalk.monitoring.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
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

  public static CheckResult of(HealthStatus status, String message, Map<String, ?> details) {
    return new CheckResult(
        status, message, copyDetails(details), Instant.EPOCH, Duration.ZERO, Optional.empty());
  }

  public static CheckResult healthy(String message) {
    return of(HealthStatus.HEALTHY, message, Map.of());
  }

  public static CheckResult healthy(String message, Map<String, ?> details) {
    return of(HealthStatus.HEALTHY, message, details);
  }

  public static CheckResult degraded(String message) {
    return of(HealthStatus.DEGRADED, message, Map.of());
  }

  public static CheckResult degraded(String message, Map<String, ?> details) {
    return of(HealthStatus.DEGRADED, message, details);
  }

  public static CheckResult unhealthy(String message) {
    return of(HealthStatus.UNHEALTHY, message, Map.of());
  }

  public static CheckResult unhealthy(String message, Map<String, ?> details) {
    return of(HealthStatus.UNHEALTHY, message, details);
  }

  public static CheckResult unknown(String message) {
    return of(HealthStatus.UNKNOWN, message, Map.of());
  }

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

  public boolean isHealthy() {
    return status == HealthStatus.HEALTHY;
  }

  private static Map<String, Object> copyDetails(Map<String, ?> details) {
    if (details == null || details.isEmpty()) {
      return Map.of();
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    details.forEach(
        (key, value) -> {
          if (key != null) {
            copy.put(key, jsonValue(value));
          }
        });
    return Collections.unmodifiableMap(copy);
  }

  /** Keeps JSON-shaped values (copied, so the result stays immutable); renders the rest. */
  private static Object jsonValue(Object value) {
    if ((value instanceof Double d && !Double.isFinite(d))
        || (value instanceof Float f && !Float.isFinite(f))) {
      return value.toString(); // JSON has no NaN or Infinity
    }
    if (value == null
        || value instanceof String
        || value instanceof Number
        || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), jsonValue(v)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof Collection<?> collection) {
      return Collections.unmodifiableList(collection.stream().map(CheckResult::jsonValue).toList());
    }
    return value.toString();
  }
}
