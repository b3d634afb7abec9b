package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.health.HealthStatus;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code check}: runs the agent's checks once and reports them as a Nagios plugin does, so that
 * Nagios, Icinga or a cron job can run it. The first line is the plugin output, {@code AMPTALK
 * WARNING - 3 checks: ... | cpu=12.3%;75;90 ...}; a table of the checks follows.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    version = Agent.VERSION,
    description = {
      "Runs the checks once (without --config, this host's CPU, memory and disk), without"
          + " serving anything, and prints the result as a Nagios plugin does: a status line with"
          + " perfdata, then a table of the checks."
    },
    exitCodeOnInvalidInput = 3,
    exitCodeOnExecutionException = 3,
    exitCodeListHeading = "%nExit codes (Nagios plugin):%n",
    exitCodeList = {
      "0:OK, every check is healthy.",
      "1:WARNING, the worst check is degraded.",
      "2:CRITICAL, the worst check is unhealthy.",
      "3:UNKNOWN, the worst check is unknown, or the checks could not run (bad options or"
          + " configuration)."
    })
final class AgentCheck implements Callable<Integer> {
  static final String PREFIX = "AMPTALK ";

  /** The run waits up to three sampling periods, and Nagios' default plugin timeout is 60 s. */
  static final Duration MAX_COLLECT_INTERVAL = Duration.ofSeconds(15);

  @Mixin AgentOptions.ConfigFile config;

  @Option(
      names = "--collect-interval",
      paramLabel = "<duration>",
      defaultValue = "1s",
      description =
          "CPU usage is measured over one host sampling period of this length, e.g. 1s, at"
              + " most 15s (default: ${DEFAULT-VALUE}).",
      converter = AgentOptions.DurationConverter.class)
  Duration collectInterval;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    if (collectInterval.compareTo(MAX_COLLECT_INTERVAL) > 0) {
      out.println(
          PREFIX
              + "UNKNOWN - --collect-interval must be at most "
              + MAX_COLLECT_INTERVAL
              + " (Nagios stops a plugin after 60 s), was "
              + collectInterval);
      out.flush();
      return exitCode(HealthStatus.UNKNOWN);
    }
    Map<String, CheckResult> results;
    try {
      AgentConfig loaded = config.load();
      SystemMonitor.Builder monitorBuilder =
          SystemMonitor.builder().serviceName(AgentOptions.localHostName());
      loaded.monitor().forEach(step -> step.accept(monitorBuilder));
      HealthCheck.Builder healthBuilder = HealthCheck.builder();
      loaded.health().forEach(step -> step.accept(healthBuilder));
      try (SystemMonitor monitor =
              monitorBuilder.enablePrometheus(false).collectInterval(collectInterval).build();
          HealthCheck health =
              healthBuilder.serviceName(monitor.getServiceName()).autoCheck(false).build()) {
        loaded.registerChecks(health, monitor);
        awaitNextSample(monitor);
        results = health.runAllChecks();
      }
    } catch (ConfigException | IllegalArgumentException | IllegalStateException e) {
      out.println(PREFIX + "UNKNOWN - " + sanitize(e.getMessage()));
      out.flush();
      return exitCode(HealthStatus.UNKNOWN);
    }
    out.println(statusLine(results));
    out.print(table(results));
    out.flush();
    return exitCode(overall(results.values()));
  }

  /**
   * Waits for the sampler's first scheduled snapshot: the one taken when the monitor was built has
   * no earlier CPU ticks to compare with, so its CPU figure is only the JVM's guess. A plugin that
   * measures CPU over a second is what {@code check_cpu} users expect. Bounded, in case the sampler
   * is stuck: then the checks run on what there is.
   */
  private void awaitNextSample(SystemMonitor monitor) throws InterruptedException {
    SystemSnapshot first = monitor.getLatestSnapshot();
    long deadline = System.nanoTime() + collectInterval.multipliedBy(3).toNanos();
    // Identity, not equality: a new sample is a new snapshot object, even with equal figures.
    while (monitor.getLatestSnapshot() == first && System.nanoTime() - deadline < 0) {
      Thread.sleep(Math.max(1, Math.min(20, collectInterval.toMillis() / 10)));
    }
  }

  // ---------------------------------------------------------------- the plugin's output

  /** Nagios' exit code for a status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
  static int exitCode(HealthStatus status) {
    return switch (status) {
      case HEALTHY -> 0;
      case DEGRADED -> 1;
      case UNHEALTHY -> 2;
      case UNKNOWN -> 3;
    };
  }

  /** Nagios' word for a status: OK, WARNING, CRITICAL or UNKNOWN. */
  static String state(HealthStatus status) {
    return switch (status) {
      case HEALTHY -> "OK";
      case DEGRADED -> "WARNING";
      case UNHEALTHY -> "CRITICAL";
      case UNKNOWN -> "UNKNOWN";
    };
  }

  /**
   * The worst of the results (UNHEALTHY over DEGRADED over UNKNOWN over HEALTHY); UNKNOWN if none.
   */
  static HealthStatus overall(Collection<CheckResult> results) {
    return results.stream()
        .map(CheckResult::status)
        .reduce(HealthStatus::worst)
        .orElse(HealthStatus.UNKNOWN);
  }

  /**
   * The plugin's first line: {@code AMPTALK <STATE> - <n> checks: cpu OK, memory WARNING (<its
   * message>), disk OK | <perfdata>}. The part after {@code |} is left out when no check has
   * figures.
   */
  static String statusLine(Map<String, CheckResult> results) {
    if (results.isEmpty()) {
      return PREFIX + state(HealthStatus.UNKNOWN) + " - no checks are registered";
    }
    List<String> parts = new ArrayList<>();
    results.forEach(
        (name, result) -> {
          String part = name + " " + state(result.status());
          parts.add(result.isHealthy() ? part : part + " (" + sanitize(result.message()) + ")");
        });
    String line =
        PREFIX
            + state(overall(results.values()))
            + " - "
            + results.size()
            + (results.size() == 1 ? " check: " : " checks: ")
            + String.join(", ", parts);
    String perfdata = perfdata(results);
    return perfdata.isEmpty() ? line : line + " | " + perfdata;
  }

  /** The perfdata of every check that has figures, space-separated, in the results' order. */
  static String perfdata(Map<String, CheckResult> results) {
    List<String> items = new ArrayList<>();
    results.forEach((name, result) -> perfdata(name, result.details()).ifPresent(items::add));
    return String.join(" ", items);
  }

  /**
   * One check's perfdata, {@code name=value[UOM][;warn;crit]}, from its details {@code value},
   * {@code unit} (percent is {@code %}, seconds {@code s}, anything else no unit) and {@code
   * warning_threshold} / {@code critical_threshold}; empty when {@code value} is not a number.
   * Check names need no quoting: they are made of {@code A-Z a-z 0-9 . - _} only.
   */
  static Optional<String> perfdata(String name, Map<String, Object> details) {
    if (!(details.get("value") instanceof Number value) || !Double.isFinite(value.doubleValue())) {
      return Optional.empty();
    }
    String unit =
        switch (String.valueOf(details.get("unit"))) {
          case "percent" -> "%";
          case "seconds" -> "s";
          default -> "";
        };
    StringBuilder item = new StringBuilder(name).append('=').append(number(value)).append(unit);
    Object warning = details.get("warning_threshold");
    Object critical = details.get("critical_threshold");
    if (finite(warning) || finite(critical)) {
      item.append(';').append(finite(warning) ? number((Number) warning) : "");
      if (finite(critical)) {
        item.append(';').append(number((Number) critical));
      }
    }
    return Optional.of(item.toString());
  }

  private static boolean finite(Object value) {
    return value instanceof Number number && Double.isFinite(number.doubleValue());
  }

  /**
   * A perfdata number: two decimals at most, three significant digits below 1, no trailing zeros,
   * never an exponent: 12.3456 is "12.35", 75.0 is "75", 0.012345 is "0.0123".
   */
  static String number(Number number) {
    BigDecimal value = BigDecimal.valueOf(number.doubleValue());
    BigDecimal rounded =
        value.abs().compareTo(BigDecimal.ONE) >= 0
            ? value.setScale(2, RoundingMode.HALF_UP)
            : value.round(new MathContext(3, RoundingMode.HALF_UP));
    return rounded.stripTrailingZeros().toPlainString();
  }

  /** The checks as a table: name, status, message and duration, one per line. */
  static String table(Map<String, CheckResult> results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "STATUS", "MESSAGE", "DURATION"});
    results.forEach(
        (name, result) ->
            rows.add(
                new String[] {
                  name,
                  result.status().name(),
                  sanitize(result.message()),
                  String.format(Locale.ROOT, "%.1f ms", result.duration().toNanos() / 1e6)
                }));
    int[] widths = new int[4];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder table = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < row.length - 1; i++) {
        table.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
      }
      table.append(row[row.length - 1]).append(System.lineSeparator());
    }
    return table.toString();
  }

  /** One line without {@code |}, which Nagios reads as the start of perfdata. */
  private static String sanitize(String text) {
    return text == null ? "" : text.replace('|', '/').replaceAll("\\s*\\R\\s*", " ");
  }
}
