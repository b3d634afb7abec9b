package io.amptalk.monitoring.agent;

import static io.amptalk.monitoring.agent.Bindings.step;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.Route;
import io.amptalk.monitoring.alert.notify.LoggingNotifier;
import io.amptalk.monitoring.health.Check;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The agent's configuration, read from YAML (see {@code agent/monitor.example.yml}, which documents
 * every key) or, without a file, the defaults: this host's CPU, memory and disk checked every 15 s,
 * a logging notifier, alert history in SQLite under {@code ./data}.
 *
 * <p>Settings of the library's components are kept as steps on their builders. Each step is tried
 * once on a scratch builder while the file is read, so a value the library refuses is reported with
 * its file, line and key before anything starts, in the library's own words.
 *
 * <p>This record reads the {@code service}, {@code http}, {@code metrics} and {@code health}
 * sections itself; {@link CheckBinding}, {@link AlertingBinding} and {@link NotifierBinding} read
 * {@code checks}, {@code alerting} and {@code notifiers}.
 *
 * @param source the file read, or {@code (defaults)}
 * @param serviceName {@code service.name}; null for this host's name
 * @param host the address the HTTP server binds
 * @param port the port it binds, {@code http.port}: 8000 unless the file says otherwise
 * @param tls whether it serves HTTPS
 * @param apiToken the bearer token of {@code /alerts}; null for none
 * @param checkInterval how often checks run unless they say otherwise
 * @param monitor steps on the {@link SystemMonitor} builder
 * @param health steps on the {@link HealthCheck} builder
 * @param checks the checks, in the file's order
 * @param alerting steps on the {@link AlertSystem} builder
 * @param store the SQLite file of the alert history; null to keep it in memory
 * @param historySize alerts kept in the history
 * @param notifiers where alerts go
 * @param silences silences in force from the start
 * @param degradedSeverity the severity of the alert a check turning DEGRADED raises
 * @param unhealthySeverity the severity of the alert a check turning UNHEALTHY raises
 * @param slos the service level objectives
 * @param route {@code alerting.route}, the routing tree; null without one
 * @param statusPage steps on the {@link Monitoring} builder: the status page's history and links
 */
record AgentConfig(
    String source,
    String serviceName,
    String host,
    int port,
    boolean tls,
    String apiToken,
    Duration checkInterval,
    List<Consumer<SystemMonitor.Builder>> monitor,
    List<Consumer<HealthCheck.Builder>> health,
    List<CheckSpec> checks,
    List<Consumer<AlertSystem.Builder>> alerting,
    Path store,
    int historySize,
    List<AlertNotifier> notifiers,
    List<SilenceSpec> silences,
    AlertSeverity degradedSeverity,
    AlertSeverity unhealthySeverity,
    List<ServiceLevelObjective> slos,
    Route route,
    List<Consumer<Monitoring.Builder>> statusPage) {

  static final Duration CHECK_INTERVAL = Duration.ofSeconds(15);

  /** The library's default port, which the agent keeps. */
  static final int DEFAULT_PORT = 8000;

  static final String DEFAULTS = "(defaults)";

  /**
   * One check: its name, what it is, how it runs, and how to make it from the monitor (the host
   * checks read the monitor's snapshot; error ratio and latency its request windows).
   */
  record CheckSpec(
      String name,
      String type,
      String description,
      CheckOptions options,
      Function<SystemMonitor, Check> factory) {}

  /** A silence from the configuration: until an instant, or for a while after the start. */
  record SilenceSpec(
      String source,
      String titlePattern,
      Set<AlertSeverity> severities,
      Instant until,
      Duration duration,
      String comment) {}

  /** The defaults, as a file with no keys would give. */
  static AgentConfig defaults() {
    return read(ConfigReader.parse(DEFAULTS, "", Map.of()), DEFAULTS);
  }

  /**
   * Reads a configuration file, with {@code ${NAME}} from this process's environment.
   *
   * @throws ConfigException naming the file, line and key of the first problem
   */
  static AgentConfig load(Path file) {
    return load(file, System.getenv());
  }

  static AgentConfig load(Path file, Map<String, String> env) {
    return read(ConfigReader.read(file, env), file.toString());
  }

  static AgentConfig read(ConfigReader.Section root, String source) {
    ConfigReader.Section service = root.section("service");
    String serviceName = service.string("name").map(String::strip).orElse(null);
    List<Consumer<SystemMonitor.Builder>> monitor = new ArrayList<>();
    if (serviceName != null) {
      step(
          monitor,
          SystemMonitor::builder,
          service.get("name").get(),
          b -> b.serviceName(serviceName));
    }
    // The instance of the metrics' resource, and the instance label of the alerts.
    List<Consumer<AlertSystem.Builder>> instance = new ArrayList<>();
    service
        .get("instance_id")
        .ifPresent(
            v -> {
              step(monitor, SystemMonitor::builder, v, b -> b.serviceInstanceId(v.text()));
              step(instance, AlertSystem::builder, v, b -> b.serviceInstanceId(v.text()));
            });
    service.end();

    ConfigReader.Section http = root.section("http");
    String host = http.string("host").orElse("0.0.0.0");
    http.get("host")
        .ifPresent(v -> step(monitor, SystemMonitor::builder, v, b -> b.prometheusHost(host)));
    Optional<Integer> port = http.integer("port", 0, 65535);
    port.ifPresent(p -> monitor.add(b -> b.prometheusPort(p)));
    String apiToken = http.string("token").filter(t -> !t.isBlank()).orElse(null);
    Optional<ConfigReader.Value> keystore =
        http.get("tls_keystore").filter(v -> !v.text().isBlank());
    char[] keystorePassword = http.string("tls_password").orElse("").toCharArray();
    // Opened here once (and again when the agent starts), so a missing file or a wrong password
    // is reported at its key before anything starts.
    keystore.ifPresent(
        v ->
            step(
                monitor,
                SystemMonitor::builder,
                v,
                b -> b.tls(Path.of(v.text().strip()), keystorePassword)));
    http.get("allowed_hosts")
        .ifPresent(v -> step(monitor, SystemMonitor::builder, v, b -> b.allowedHosts(v.strings())));
    http.end();

    readMetrics(root.section("metrics"), monitor);

    ConfigReader.Section healthSection = root.section("health");
    List<Consumer<HealthCheck.Builder>> health = new ArrayList<>();
    Optional<ConfigReader.Value> interval = healthSection.get("interval");
    Duration checkInterval = interval.map(ConfigReader.Value::duration).orElse(CHECK_INTERVAL);
    interval.ifPresentOrElse(
        v -> step(health, HealthCheck::builder, v, b -> b.checkInterval(checkInterval)),
        () -> health.add(b -> b.checkInterval(checkInterval)));
    healthSection
        .get("timeout")
        .ifPresent(v -> step(health, HealthCheck::builder, v, b -> b.defaultTimeout(v.duration())));
    healthSection
        .get("history_size")
        .ifPresent(
            v -> step(health, HealthCheck::builder, v, b -> b.historySize(v.integer(1, 100_000))));
    healthSection
        .get("threads")
        .ifPresent(v -> step(health, HealthCheck::builder, v, b -> b.threads(v.integer(1, 256))));
    AlertSeverity degraded =
        healthSection.get("degraded_alert").map(Bindings::severity).orElse(AlertSeverity.WARNING);
    AlertSeverity unhealthy =
        healthSection.get("unhealthy_alert").map(Bindings::severity).orElse(AlertSeverity.CRITICAL);
    healthSection.end();

    List<CheckSpec> checks =
        root.has("checks")
            ? CheckBinding.read(root.section("checks"))
            : CheckBinding.defaultChecks();
    AlertingBinding.Alerting alerting = AlertingBinding.read(root.section("alerting"));
    List<AlertNotifier> notifiers =
        root.get("notifiers")
            .map(NotifierBinding::read)
            .orElseGet(() -> List.of(new LoggingNotifier()));
    List<ServiceLevelObjective> slos = SloBinding.read(root.section("slos"));
    List<Consumer<Monitoring.Builder>> statusPage = readStatusPage(root.section("status_page"));
    root.end();
    // Only now are the notifiers known that the route tree's receivers must name.
    List<String> names = notifiers.stream().map(AlertNotifier::name).toList();
    for (ConfigReader.Value receiver : alerting.receivers()) {
      if (!names.contains(receiver.text())) {
        throw receiver.error(
            "'" + receiver.text() + "' is not a notifier; the notifiers are " + names);
      }
    }
    return new AgentConfig(
        source,
        serviceName,
        host,
        port.orElse(DEFAULT_PORT),
        keystore.isPresent(),
        apiToken,
        checkInterval,
        List.copyOf(monitor),
        List.copyOf(health),
        checks,
        Stream.concat(instance.stream(), alerting.steps().stream()).toList(),
        alerting.store(),
        alerting.historySize(),
        notifiers,
        alerting.silences(),
        degraded,
        unhealthy,
        slos,
        alerting.route(),
        statusPage);
  }

  /** {@code status_page}: how long its history is kept, and the Grafana dashboard it links to. */
  private static List<Consumer<Monitoring.Builder>> readStatusPage(ConfigReader.Section page) {
    List<Consumer<Monitoring.Builder>> steps = new ArrayList<>();
    Supplier<Monitoring.Builder> scratch = Monitoring::builder;
    page.get("history").ifPresent(v -> step(steps, scratch, v, b -> b.statusHistory(v.duration())));
    page.get("grafana_url")
        .filter(v -> !v.text().isBlank())
        .ifPresent(v -> step(steps, scratch, v, b -> b.grafanaUrl(grafanaUrl(v.text().strip()))));
    page.end();
    return List.copyOf(steps);
  }

  /** The URL, or the library's message for one that is not an absolute http(s) URL. */
  private static URI grafanaUrl(String text) {
    try {
      return URI.create(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "grafanaUrl must be an absolute http(s) URL, was '" + text + "'", e);
    }
  }

  /** Registers the checks with {@code health}, made from {@code monitor}. */
  void registerChecks(HealthCheck health, SystemMonitor monitor) {
    for (CheckSpec check : checks) {
      health.registerCheck(
          check.name(), check.factory().apply(monitor), check.description(), check.options());
    }
  }

  private static void readMetrics(
      ConfigReader.Section metrics, List<Consumer<SystemMonitor.Builder>> monitor) {
    Supplier<SystemMonitor.Builder> scratch = SystemMonitor::builder;
    metrics
        .get("collect_interval")
        .ifPresent(v -> step(monitor, scratch, v, b -> b.collectInterval(v.duration())));
    metrics
        .get("export_interval")
        .ifPresent(v -> step(monitor, scratch, v, b -> b.metricsExportInterval(v.duration())));
    metrics.bool("console").ifPresent(on -> monitor.add(b -> b.enableConsole(on)));
    metrics
        .get("otlp_endpoint")
        .filter(v -> !v.text().isBlank())
        .ifPresent(v -> step(monitor, scratch, v, b -> b.otlpEndpoint(v.text().strip())));
    metrics.bool("jvm").ifPresent(on -> monitor.add(b -> b.enableJvmMetrics(on)));
    metrics
        .get("max_routes")
        .ifPresent(v -> step(monitor, scratch, v, b -> b.maxRoutes(v.integer(1, 100_000))));
    metrics
        .get("max_error_types")
        .ifPresent(v -> step(monitor, scratch, v, b -> b.maxErrorTypes(v.integer(1, 100_000))));
    metrics
        .get("error_history")
        .ifPresent(v -> step(monitor, scratch, v, b -> b.errorHistorySize(v.integer(1, 100_000))));
    metrics
        .get("request_window_retention")
        .ifPresent(v -> step(monitor, scratch, v, b -> b.requestWindowRetention(v.duration())));
    readHistograms(metrics, monitor);
    metrics.end();
  }

  /** Native histograms: on or off, their schema and bucket limit, classic buckets alongside. */
  private static void readHistograms(
      ConfigReader.Section metrics, List<Consumer<SystemMonitor.Builder>> monitor) {
    Supplier<SystemMonitor.Builder> scratch = SystemMonitor::builder;
    Optional<Boolean> nativeHistograms = metrics.bool("native_histograms");
    nativeHistograms.ifPresent(on -> monitor.add(b -> b.nativeHistograms(on)));
    boolean nativeOn = nativeHistograms.orElse(false);
    metrics
        .get("native_histogram_schema")
        .ifPresent(v -> step(monitor, scratch, v, b -> b.nativeHistogramSchema(v.integer(-4, 8))));
    metrics
        .get("native_histogram_max_buckets")
        .ifPresent(
            v -> step(monitor, scratch, v, b -> b.nativeHistogramMaxBuckets(v.integer(1, 10_000))));
    metrics
        .get("classic_histogram_buckets")
        .ifPresent(
            v -> {
              boolean classic = v.bool();
              if (!classic && !nativeOn) {
                throw v.error(
                    "false needs native_histograms: true (a histogram without either has no"
                        + " buckets)");
              }
              monitor.add(b -> b.classicHistogramBuckets(classic));
            });
  }
}
