package io.amptalk.monitoring.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The health of a service as of its checks' last results: what {@code /health} serves.
 *
 * @param service the service name
 * @param timestamp when the report was made (when the last result arrived)
 * @param status the worst status of the critical checks; UNKNOWN when there are none
 * @param checks every check, in registration order
 */
public record HealthReport(
    String service, Instant timestamp, HealthStatus status, Map<String, CheckReport> checks) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Copies {@code checks}, keeping their order.
   *
   * @throws NullPointerException when a component is null
   */
  public HealthReport {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(status, "status");
    checks = Collections.unmodifiableMap(new LinkedHashMap<>(checks));
  }

  /**
   * One check as reported.
   *
   * @param status its reported status, after its failure and success thresholds
   * @param message the last result's message ("Not run yet" before the first)
   * @param timestamp when the last run started; null before the first
   * @param description what the check is for
   * @param duration how long the last run took
   * @param details the last result's details
   * @param critical whether it counts toward the overall status
   * @param groups the groups it belongs to
   * @param measurement what it measures, for {@code application/health+json} keys; may be null
   * @param pending the change the last results count toward, while they have not yet reached the
   *     threshold that makes it; empty when the last result agrees with the reported status
   * @param skipped how many periodic runs were skipped since registration: due while the previous
   *     run still waited for a thread
   */
  public record CheckReport(
      HealthStatus status,
      String message,
      Instant timestamp,
      String description,
      Duration duration,
      Map<String, Object> details,
      boolean critical,
      Set<String> groups,
      String measurement,
      Optional<Pending> pending,
      long skipped) {
    /**
     * Copies {@code groups}.
     *
     * @throws NullPointerException when a component other than {@code timestamp} and {@code
     *     measurement} is null, or {@code groups} holds a null
     * @throws IllegalArgumentException when {@code skipped} is negative
     */
    public CheckReport {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(details, "details");
      groups = Set.copyOf(groups);
      Objects.requireNonNull(pending, "pending");
      if (skipped < 0) {
        throw new IllegalArgumentException("skipped must not be negative, was " + skipped);
      }
    }
  }

  /**
   * A change of a check's reported status under way: {@code count} results in a row have pointed to
   * {@code status}, and {@code of} are needed (the check's failure or success threshold).
   *
   * @param status the status the last result has, which the check turns to at {@code of}
   * @param count consecutive results toward it so far, 1 to {@code of - 1}
   * @param of the results needed
   */
  public record Pending(HealthStatus status, int count, int of) {
    /**
     * @throws NullPointerException when {@code status} is null
     * @throws IllegalArgumentException unless {@code 1 <= count < of}
     */
    public Pending {
      Objects.requireNonNull(status, "status");
      if (count < 1 || count >= of) {
        throw new IllegalArgumentException(
            "pending count must be 1.." + (of - 1) + " of " + of + ", was " + count);
      }
    }
  }

  /**
   * The checks of one group, with their own status: the worst of its critical checks, HEALTHY when
   * it has none (an empty liveness group means "the process answers").
   */
  public HealthReport forGroup(String group) {
    Map<String, CheckReport> members = new LinkedHashMap<>();
    HealthStatus worst = HealthStatus.HEALTHY;
    for (Map.Entry<String, CheckReport> entry : checks.entrySet()) {
      CheckReport check = entry.getValue();
      if (check.groups().contains(group)) {
        members.put(entry.getKey(), check);
        if (check.critical()) {
          worst = worst.worst(check.status());
        }
      }
    }
    return new HealthReport(service, timestamp, worst, members);
  }

  /** One check alone, with its status as the report's. */
  public Optional<HealthReport> forCheck(String name) {
    CheckReport check = checks.get(name);
    return check == null
        ? Optional.empty()
        : Optional.of(new HealthReport(service, timestamp, check.status(), Map.of(name, check)));
  }

  /** Whether any check belongs to {@code group}. */
  public boolean hasGroup(String group) {
    return checks.values().stream().anyMatch(c -> c.groups().contains(group));
  }

  /**
   * The seed's JSON: {@code {"service", "timestamp", "status", "checks": {name: {"status",
   * "message", "timestamp", "description", "duration_ms", "details"}}}}, statuses lowercase; a
   * check adds {@code "pending": {"status", "count", "of"}} while a change is under way, and {@code
   * "skipped": n} once a periodic run of it was skipped.
   */
  public String toJson() {
    return write(seedShape(true));
  }

  /** The IETF draft's {@code application/health+json}: pass, warn or fail. */
  public String toHealthJson() {
    return write(healthJsonShape(true));
  }

  /** The JSON with or without messages and details (for anonymous HTTP callers). */
  public String toJson(boolean withDetails) {
    return write(seedShape(withDetails));
  }

  /**
   * The {@code application/health+json} with or without everything but the status (for anonymous
   * HTTP callers).
   */
  public String toHealthJson(boolean withDetails) {
    return write(healthJsonShape(withDetails));
  }

  private Map<String, Object> seedShape(boolean withDetails) {
    Map<String, Object> root = new LinkedHashMap<>();
    if (!withDetails) {
      root.put("status", status.jsonName());
      return root;
    }
    root.put("service", service);
    root.put("timestamp", timestamp.toString());
    root.put("status", status.jsonName());
    Map<String, Object> byName = new LinkedHashMap<>();
    checks.forEach(
        (name, check) -> {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("status", check.status().jsonName());
          json.put("message", check.message());
          json.put("timestamp", check.timestamp() == null ? null : check.timestamp().toString());
          json.put("description", check.description());
          json.put("duration_ms", check.duration().toNanos() / 1e6);
          json.put("details", check.details());
          check.pending().ifPresent(pending -> json.put("pending", pendingJson(pending)));
          if (check.skipped() > 0) {
            json.put("skipped", check.skipped());
          }
          byName.put(name, json);
        });
    root.put("checks", byName);
    return root;
  }

  private static Map<String, Object> pendingJson(Pending pending) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("status", pending.status().jsonName());
    json.put("count", pending.count());
    json.put("of", pending.of());
    return json;
  }

  private Map<String, Object> healthJsonShape(boolean withDetails) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("status", status.healthJsonStatus());
    if (!withDetails) {
      return root;
    }
    root.put("serviceId", service);
    root.put("description", "Health of " + service);
    Map<String, Object> byKey = new LinkedHashMap<>();
    checks.forEach(
        (name, check) -> {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("componentId", name);
          json.put("status", check.status().healthJsonStatus());
          if (check.timestamp() != null) {
            json.put("time", check.timestamp().toString());
          }
          if (check.details().get("value") instanceof Number value) {
            json.put("observedValue", value);
          }
          if (check.details().get("unit") instanceof String unit) {
            json.put("observedUnit", unit);
          }
          json.put("output", check.message());
          String key = check.measurement() == null ? name : name + ":" + check.measurement();
          @SuppressWarnings("unchecked")
          List<Object> list = (List<Object>) byKey.computeIfAbsent(key, k -> new ArrayList<>());
          list.add(json);
        });
    root.put("checks", byKey);
    return root;
  }

  private static String write(Map<String, Object> json) {
    try {
      return JSON.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      // Only maps, lists, strings, numbers, booleans and nulls get here (CheckResult copies
      // details into those), so this cannot happen.
      throw new IllegalStateException("health report could not be written as JSON", e);
    }
  }
}
