package io.amptalk.monitoring.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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

  /** Details nested deeper are cut: JSON writers refuse deep nesting (Jackson past 1000). */
  static final int MAX_DETAIL_DEPTH = 32;

  /** Values copied per result at most. */
  static final int MAX_DETAIL_VALUES = 1000;

  /** Longer detail keys are cut (Jackson refuses to read a name past 50,000 characters). */
  static final int MAX_DETAIL_KEY_LENGTH = 256;

  private static Map<String, Object> copyDetails(Map<String, ?> details) {
    if (details == null || details.isEmpty()) {
      return Map.of();
    }
    Copier copier = new Copier();
    copier.onPath.add(details);
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, ?> entry : details.entrySet()) {
      if (copier.values >= MAX_DETAIL_VALUES) {
        break;
      }
      if (entry.getKey() != null) {
        copy.put(Copier.key(entry.getKey()), copier.copy(entry.getValue(), 1));
      }
    }
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Keeps JSON-shaped values (copied, so the result stays immutable) and renders the rest, within
   * bounds: a map or collection that holds itself becomes {@code "(cycle)"}, one nested past {@link
   * #MAX_DETAIL_DEPTH} {@code "(nested too deep)"}, values past {@link #MAX_DETAIL_VALUES} are left
   * out. Unbounded, a cyclic map overflowed the stack, and details nested past 1000 levels made
   * every later {@code /health} fail, since the report could not be written as JSON.
   */
  private static final class Copier {
    final Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
    int values;

    Object copy(Object value, int depth) {
      values++;
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
      if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
        if (depth > MAX_DETAIL_DEPTH) {
          return "(nested too deep)";
        }
        if (!onPath.add(value)) {
          return "(cycle)";
        }
        try {
          if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
              if (values >= MAX_DETAIL_VALUES) {
                break;
              }
              copy.put(key(render(entry.getKey())), copy(entry.getValue(), depth + 1));
            }
            return Collections.unmodifiableMap(copy);
          }
          List<Object> copy = new ArrayList<>();
          for (Object element : (Collection<?>) value) {
            if (values >= MAX_DETAIL_VALUES) {
              copy.add("(truncated)");
              break;
            }
            copy.add(copy(element, depth + 1));
          }
          return Collections.unmodifiableList(copy);
        } finally {
          onPath.remove(value);
        }
      }
      return render(value);
    }

    static String key(String key) {
      return key.length() <= MAX_DETAIL_KEY_LENGTH
          ? key
          : key.substring(
              0,
              Character.isHighSurrogate(key.charAt(MAX_DETAIL_KEY_LENGTH - 1))
                  ? MAX_DETAIL_KEY_LENGTH - 1
                  : MAX_DETAIL_KEY_LENGTH);
    }

    private static String render(Object value) {
      try {
        return String.valueOf(value);
      } catch (RuntimeException e) {
        return "(toString threw " + e.getClass().getSimpleName() + ")";
      }
    }
  }
}
