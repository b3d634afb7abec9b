package io.amptalk.monitoring.agent;

import static io.amptalk.monitoring.agent.Bindings.MAX_PERIOD;
import static io.amptalk.monitoring.agent.Bindings.apply;
import static io.amptalk.monitoring.agent.Bindings.required;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.agent.AgentConfig.CheckSpec;
import io.amptalk.monitoring.health.Check;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.HealthCheck;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Binds the {@code checks:} section to the library's check factories: each entry becomes a {@link
 * CheckSpec} (its name, type, description, options and a factory of the check from the monitor),
 * and without the section the seed's host checks stand in.
 */
final class CheckBinding {
  /** The check types. */
  static final List<String> CHECK_TYPES =
      List.of("cpu", "memory", "disk", "jvm", "http", "tcp", "error_ratio", "latency");

  /** The seed's thresholds of the host checks, in percent. */
  static final double WARNING_PERCENT = 75.0;

  static final double CRITICAL_PERCENT = 90.0;

  /**
   * Three bad results in a row (45 s at the default interval) before a host check turns: host
   * figures spike, and a spike is not an incident.
   */
  static final int HOST_FAILURE_THRESHOLD = 3;

  private CheckBinding() {}

  /**
   * What a check's type makes of its keys: the description it has unless the file gives one, and
   * the factory of the check.
   */
  private record Made(String description, Function<SystemMonitor, Check> factory) {}

  /**
   * CPU, memory and the first file system root, at the seed's thresholds, in no group: they
   * describe the host, not whether the agent can serve, so they count toward {@code /health} and
   * raise alerts but leave readiness alone (a busy host at start-up kept the agent unready for
   * three intervals).
   */
  static List<CheckSpec> defaultChecks() {
    CheckOptions options = CheckOptions.builder().failureThreshold(HOST_FAILURE_THRESHOLD).build();
    String root = File.listRoots()[0].getPath();
    return List.of(
        new CheckSpec(
            "cpu",
            "cpu",
            "CPU usage",
            options,
            m -> HealthCheck.createCpuHealthCheck(m, WARNING_PERCENT, CRITICAL_PERCENT)),
        new CheckSpec(
            "memory",
            "memory",
            "Memory usage",
            options,
            m -> HealthCheck.createMemoryHealthCheck(m, WARNING_PERCENT, CRITICAL_PERCENT)),
        new CheckSpec(
            "disk",
            "disk",
            "Disk usage of " + root,
            options,
            m -> HealthCheck.createDiskHealthCheck(m, root, WARNING_PERCENT, CRITICAL_PERCENT)));
  }

  /** The checks of the {@code checks:} section, in the file's order. */
  static List<CheckSpec> read(ConfigReader.Section section) {
    List<CheckSpec> checks = new ArrayList<>();
    section
        .entries("name")
        .forEach(
            (name, value) -> {
              if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
                throw value.error("a check name is 1-64 of A-Z, a-z, 0-9, '.', '-' and '_'");
              }
              checks.add(check(name, value));
            });
    return List.copyOf(checks);
  }

  /** One check; its type is {@code type}, or its name when the name is a type (cpu, disk ...). */
  private static CheckSpec check(String name, ConfigReader.Value value) {
    ConfigReader.Section c = value.section();
    String type = type(name, value, c);
    boolean host = type.equals("cpu") || type.equals("memory") || type.equals("disk");
    CheckOptions.Builder options = options(value, c, host);
    Optional<String> description = c.string("description");
    Made made =
        switch (type) {
          case "cpu", "memory", "jvm" -> usage(type, c);
          case "disk" -> disk(c);
          case "http" -> http(c);
          case "tcp" -> tcp(c);
          case "error_ratio" -> errorRatio(c);
          case "latency" -> latency(c);
          default -> throw new IllegalStateException("unhandled check type " + type);
        };
    CheckSpec spec =
        new CheckSpec(
            name, type, description.orElse(made.description()), options.build(), made.factory());
    c.end();
    return spec;
  }

  private static String type(String name, ConfigReader.Value value, ConfigReader.Section c) {
    return c.get("type")
        .map(
            v -> {
              if (!CHECK_TYPES.contains(v.text())) {
                throw v.expected("one of " + String.join(", ", CHECK_TYPES));
              }
              return v.text();
            })
        .orElseGet(
            () -> {
              if (!CHECK_TYPES.contains(name)) {
                throw value.error("no type; add 'type:', one of " + String.join(", ", CHECK_TYPES));
              }
              return name;
            });
  }

  /**
   * The keys every check takes; host checks default to three failures. No check is in a group
   * unless the file says so: readiness holds what the user says the service needs to serve.
   */
  private static CheckOptions.Builder options(
      ConfigReader.Value value, ConfigReader.Section c, boolean host) {
    CheckOptions.Builder options = CheckOptions.builder();
    c.get("timeout").ifPresent(v -> apply(v, () -> options.timeout(v.duration())));
    c.get("interval").ifPresent(v -> apply(v, () -> options.interval(v.duration())));
    c.get("initial_delay").ifPresent(v -> apply(v, () -> options.initialDelay(v.duration())));
    c.bool("critical").ifPresent(options::critical);
    List<String> groups = c.strings("groups").orElse(List.of());
    apply(c.get("groups").orElse(value), () -> options.groups(groups.toArray(String[]::new)));
    options.failureThreshold(
        c.integer("failure_threshold", 1, 1000).orElse(host ? HOST_FAILURE_THRESHOLD : 1));
    c.integer("success_threshold", 1, 1000).ifPresent(options::successThreshold);
    return options;
  }

  /** cpu, memory or jvm: a usage in percent. */
  private static Made usage(String type, ConfigReader.Section c) {
    double[] t = percentThresholds(c);
    return switch (type) {
      case "cpu" -> new Made("CPU usage", m -> HealthCheck.createCpuHealthCheck(m, t[0], t[1]));
      case "memory" ->
          new Made("Memory usage", m -> HealthCheck.createMemoryHealthCheck(m, t[0], t[1]));
      default -> new Made("JVM heap usage", m -> HealthCheck.createJvmHeapHealthCheck(t[0], t[1]));
    };
  }

  private static Made disk(ConfigReader.Section c) {
    String path = c.string("path").orElse(File.listRoots()[0].getPath());
    double[] t = percentThresholds(c);
    return new Made(
        "Disk usage of " + path, m -> HealthCheck.createDiskHealthCheck(m, path, t[0], t[1]));
  }

  private static Made http(ConfigReader.Section c) {
    ConfigReader.Value url = required(c, "url");
    String target = url.text();
    if (!target.startsWith("http://") && !target.startsWith("https://")) {
      throw url.expected("an http:// or https:// URL");
    }
    Set<Integer> statuses =
        c.get("expect_status")
            .map(
                v -> {
                  Set<Integer> set = new LinkedHashSet<>();
                  v.list().forEach(item -> set.add(item.integer(100, 599)));
                  return Set.copyOf(set);
                })
            .orElse(Set.of(200));
    Duration timeout = c.duration("request_timeout", MAX_PERIOD).orElse(Duration.ofSeconds(5));
    Check check = apply(url, () -> HealthCheck.createHttpHealthCheck(target, statuses, timeout));
    return new Made("GET " + target, m -> check);
  }

  private static Made tcp(ConfigReader.Section c) {
    String target = required(c, "host").text().strip();
    ConfigReader.Value portValue = required(c, "port");
    int port = portValue.integer(1, 65535);
    Duration timeout = c.duration("request_timeout", MAX_PERIOD).orElse(Duration.ofSeconds(5));
    Check check = apply(portValue, () -> HealthCheck.createTcpHealthCheck(target, port, timeout));
    return new Made("TCP connect to " + target + ":" + port, m -> check);
  }

  private static Made errorRatio(ConfigReader.Section c) {
    Duration window = c.duration("window", MAX_PERIOD).orElse(Duration.ofMinutes(5));
    double warning = c.number("warning_threshold", 0, 1).orElse(0.05);
    double critical = c.number("critical_threshold", 0, 1).orElse(0.20);
    long minRequests = c.integer("min_requests", 0, Integer.MAX_VALUE).orElse(20);
    ordered(c, warning, critical);
    return new Made(
        "Share of requests answered 5xx over " + window,
        m -> HealthCheck.createErrorRatioHealthCheck(m, window, warning, critical, minRequests));
  }

  private static Made latency(ConfigReader.Section c) {
    Duration window = c.duration("window", MAX_PERIOD).orElse(Duration.ofMinutes(5));
    double quantile = c.number("quantile", 0.5, 1).orElse(0.99);
    Duration warning = c.duration("warning_threshold", MAX_PERIOD).orElse(Duration.ofMillis(500));
    Duration critical = c.duration("critical_threshold", MAX_PERIOD).orElse(Duration.ofSeconds(2));
    long minRequests = c.integer("min_requests", 0, Integer.MAX_VALUE).orElse(20);
    ordered(c, warning.toNanos(), critical.toNanos());
    return new Made(
        "p" + (quantile * 100) + " latency over " + window,
        m ->
            HealthCheck.createLatencyHealthCheck(
                m, window, quantile, warning, critical, minRequests));
  }

  private static double[] percentThresholds(ConfigReader.Section c) {
    double warning = c.number("warning_threshold", 0, 100).orElse(WARNING_PERCENT);
    double critical = c.number("critical_threshold", 0, 100).orElse(CRITICAL_PERCENT);
    ordered(c, warning, critical);
    return new double[] {warning, critical};
  }

  private static void ordered(ConfigReader.Section c, double warning, double critical) {
    if (warning > critical) {
      throw c.get("warning_threshold")
          .or(() -> c.get("critical_threshold"))
          .map(v -> v.error("warning_threshold must not be above critical_threshold"))
          .orElseGet(() -> c.error("warning_threshold must not be above critical_threshold"));
    }
  }
}
