package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.notify.AlertmanagerNotifier;
import io.amptalk.monitoring.alert.notify.EmailNotifier;
import io.amptalk.monitoring.alert.notify.LoggingNotifier;
import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import io.amptalk.monitoring.health.Check;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.HealthCheck;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The agent's configuration, read from YAML (see {@code agent/monitor.example.yml}, which documents
 * every key) or, without a file, the defaults: this host's CPU, memory and disk checked every 15 s,
 * a logging notifier, alert history in SQLite under {@code ./data}.
 *
 * <p>Settings of the library's components are kept as steps on their builders. Each step is tried
 * once on a scratch builder while the file is read, so a value the library refuses is reported with
 * its file, line and key before anything starts, in the library's own words.
 *
 * @param source the file read, or {@code (defaults)}
 * @param serviceName {@code service.name}; null for this host's name
 * @param host the address the HTTP server binds
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
 */
record AgentConfig(
    String source,
    String serviceName,
    String host,
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
    AlertSeverity unhealthySeverity) {

  /** The seed's thresholds of the host checks, in percent. */
  static final double WARNING_PERCENT = 75.0;

  static final double CRITICAL_PERCENT = 90.0;
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(15);

  /**
   * Three bad results in a row (45 s at the default interval) before a host check turns: host
   * figures spike, and a spike is not an incident.
   */
  static final int HOST_FAILURE_THRESHOLD = 3;

  static final Path STORE = Path.of("data", "alerts.db");
  static final int HISTORY_SIZE = 1000;
  static final String DEFAULTS = "(defaults)";

  /** The check types, and the keys each takes besides the common ones. */
  static final List<String> CHECK_TYPES =
      List.of("cpu", "memory", "disk", "jvm", "http", "tcp", "error_ratio", "latency");

  static final List<String> NOTIFIER_TYPES =
      List.of("logging", "email", "webhook", "slack", "alertmanager");

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
    service
        .get("instance_id")
        .ifPresent(
            v -> step(monitor, SystemMonitor::builder, v, b -> b.serviceInstanceId(v.text())));
    service.end();

    ConfigReader.Section http = root.section("http");
    String host = http.string("host").orElse("0.0.0.0");
    http.get("host")
        .ifPresent(v -> step(monitor, SystemMonitor::builder, v, b -> b.prometheusHost(host)));
    http.integer("port", 0, 65535).ifPresent(port -> monitor.add(b -> b.prometheusPort(port)));
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
    http.end();

    readMetrics(root.section("metrics"), monitor);

    ConfigReader.Section healthSection = root.section("health");
    List<Consumer<HealthCheck.Builder>> health = new ArrayList<>();
    Duration checkInterval = healthSection.duration("interval").orElse(CHECK_INTERVAL);
    health.add(b -> b.checkInterval(checkInterval));
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
        healthSection
            .get("degraded_alert")
            .map(AgentConfig::severity)
            .orElse(AlertSeverity.WARNING);
    AlertSeverity unhealthy =
        healthSection
            .get("unhealthy_alert")
            .map(AgentConfig::severity)
            .orElse(AlertSeverity.CRITICAL);
    healthSection.end();

    List<CheckSpec> checks =
        root.has("checks") ? readChecks(root.section("checks")) : defaultChecks();

    ConfigReader.Section alertingSection = root.section("alerting");
    List<Consumer<AlertSystem.Builder>> alerting = new ArrayList<>();
    Path store = readStore(alertingSection);
    int historySize = alertingSection.integer("history_size", 1, 10_000_000).orElse(HISTORY_SIZE);
    alerting.add(b -> b.maxHistorySize(historySize));
    readAlerting(alertingSection, alerting);
    List<SilenceSpec> silences =
        alertingSection
            .get("silences")
            .map(v -> v.list().stream().map(AgentConfig::silence).toList())
            .orElse(List.of());
    alertingSection.end();

    List<AlertNotifier> notifiers =
        root.get("notifiers")
            .map(AgentConfig::notifiers)
            .orElseGet(() -> List.of(new LoggingNotifier()));
    root.end();
    return new AgentConfig(
        source,
        serviceName,
        host,
        keystore.isPresent(),
        apiToken,
        checkInterval,
        List.copyOf(monitor),
        List.copyOf(health),
        checks,
        List.copyOf(alerting),
        store,
        historySize,
        notifiers,
        silences,
        degraded,
        unhealthy);
  }

  /** Registers the checks with {@code health}, made from {@code monitor}. */
  void registerChecks(HealthCheck health, SystemMonitor monitor) {
    for (CheckSpec check : checks) {
      health.registerCheck(
          check.name(), check.factory().apply(monitor), check.description(), check.options());
    }
  }

  // ---------------------------------------------------------------- sections

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
    metrics.end();
  }

  /** CPU, memory and the first file system root, at the seed's thresholds, for readiness. */
  static List<CheckSpec> defaultChecks() {
    CheckOptions options =
        CheckOptions.builder()
            .groups(CheckOptions.READINESS)
            .failureThreshold(HOST_FAILURE_THRESHOLD)
            .build();
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

  private static List<CheckSpec> readChecks(ConfigReader.Section section) {
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
    String type =
        c.get("type")
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
                    throw value.error(
                        "no type; add 'type:', one of " + String.join(", ", CHECK_TYPES));
                  }
                  return name;
                });
    boolean host = type.equals("cpu") || type.equals("memory") || type.equals("disk");
    CheckOptions.Builder options = CheckOptions.builder();
    c.get("timeout").ifPresent(v -> apply(v, () -> options.timeout(v.duration())));
    c.get("interval").ifPresent(v -> apply(v, () -> options.interval(v.duration())));
    c.get("initial_delay").ifPresent(v -> apply(v, () -> options.initialDelay(v.duration())));
    c.bool("critical").ifPresent(options::critical);
    List<String> groups =
        c.strings("groups").orElse(host ? List.of(CheckOptions.READINESS) : List.of());
    apply(c.get("groups").orElse(value), () -> options.groups(groups.toArray(String[]::new)));
    options.failureThreshold(
        c.integer("failure_threshold", 1, 1000).orElse(host ? HOST_FAILURE_THRESHOLD : 1));
    c.integer("success_threshold", 1, 1000).ifPresent(options::successThreshold);
    Optional<String> description = c.string("description");
    CheckSpec spec =
        switch (type) {
          case "cpu", "memory", "jvm" -> {
            double[] t = percentThresholds(c);
            yield new CheckSpec(
                name,
                type,
                description.orElse(
                    switch (type) {
                      case "cpu" -> "CPU usage";
                      case "memory" -> "Memory usage";
                      default -> "JVM heap usage";
                    }),
                options.build(),
                switch (type) {
                  case "cpu" -> m -> HealthCheck.createCpuHealthCheck(m, t[0], t[1]);
                  case "memory" -> m -> HealthCheck.createMemoryHealthCheck(m, t[0], t[1]);
                  default -> m -> HealthCheck.createJvmHeapHealthCheck(t[0], t[1]);
                });
          }
          case "disk" -> {
            String path = c.string("path").orElse(File.listRoots()[0].getPath());
            double[] t = percentThresholds(c);
            yield new CheckSpec(
                name,
                type,
                description.orElse("Disk usage of " + path),
                options.build(),
                m -> HealthCheck.createDiskHealthCheck(m, path, t[0], t[1]));
          }
          case "http" -> {
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
            Duration timeout = c.duration("request_timeout").orElse(Duration.ofSeconds(5));
            Check check =
                apply(url, () -> HealthCheck.createHttpHealthCheck(target, statuses, timeout));
            yield new CheckSpec(
                name, type, description.orElse("GET " + target), options.build(), m -> check);
          }
          case "tcp" -> {
            String target = required(c, "host").text().strip();
            ConfigReader.Value portValue = required(c, "port");
            int port = portValue.integer(1, 65535);
            Duration timeout = c.duration("request_timeout").orElse(Duration.ofSeconds(5));
            Check check =
                apply(portValue, () -> HealthCheck.createTcpHealthCheck(target, port, timeout));
            yield new CheckSpec(
                name,
                type,
                description.orElse("TCP connect to " + target + ":" + port),
                options.build(),
                m -> check);
          }
          case "error_ratio" -> {
            Duration window = c.duration("window").orElse(Duration.ofMinutes(5));
            double warning = c.number("warning_threshold", 0, 1).orElse(0.05);
            double critical = c.number("critical_threshold", 0, 1).orElse(0.20);
            long minRequests = c.integer("min_requests", 0, Integer.MAX_VALUE).orElse(20);
            ordered(c, warning, critical);
            yield new CheckSpec(
                name,
                type,
                description.orElse("Share of requests answered 5xx over " + window),
                options.build(),
                m ->
                    HealthCheck.createErrorRatioHealthCheck(
                        m, window, warning, critical, minRequests));
          }
          case "latency" -> {
            Duration window = c.duration("window").orElse(Duration.ofMinutes(5));
            double quantile = c.number("quantile", 0.5, 1).orElse(0.99);
            Duration warning = c.duration("warning_threshold").orElse(Duration.ofMillis(500));
            Duration critical = c.duration("critical_threshold").orElse(Duration.ofSeconds(2));
            long minRequests = c.integer("min_requests", 0, Integer.MAX_VALUE).orElse(20);
            ordered(c, warning.toNanos(), critical.toNanos());
            yield new CheckSpec(
                name,
                type,
                description.orElse("p" + (quantile * 100) + " latency over " + window),
                options.build(),
                m ->
                    HealthCheck.createLatencyHealthCheck(
                        m, window, quantile, warning, critical, minRequests));
          }
          default -> throw new IllegalStateException("unhandled check type " + type);
        };
    c.end();
    return spec;
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

  private static Path readStore(ConfigReader.Section alerting) {
    String type =
        alerting
            .get("store")
            .map(
                v ->
                    switch (v.text()) {
                      case "sqlite", "memory" -> v.text();
                      default -> throw v.expected("sqlite or memory");
                    })
            .orElse("sqlite");
    Optional<String> path = alerting.string("store_path");
    if (type.equals("memory")) {
      if (path.isPresent()) {
        throw alerting.get("store_path").get().error("store_path is for store: sqlite");
      }
      return null;
    }
    return path.map(Path::of).orElse(STORE);
  }

  private static void readAlerting(
      ConfigReader.Section a, List<Consumer<AlertSystem.Builder>> alerting) {
    Supplier<AlertSystem.Builder> scratch = AlertSystem::builder;
    a.get("dedup_window")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.dedupWindow(v.duration())));
    a.get("repeat_interval")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.repeatInterval(v.duration())));
    int rate = a.integer("rate_limit", 0, 1_000_000).orElse(60);
    Duration per = a.duration("rate_limit_period").orElse(Duration.ofMinutes(1));
    if (rate == 0) {
      alerting.add(AlertSystem.Builder::noRateLimit);
    } else {
      ConfigReader.Value at = a.get("rate_limit").or(() -> a.get("rate_limit_period")).orElse(null);
      if (at == null) {
        alerting.add(b -> b.rateLimit(rate, per));
      } else {
        step(alerting, scratch, at, b -> b.rateLimit(rate, per));
      }
    }
    a.get("max_attempts")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.maxAttempts(v.integer(1, 1000))));
    Optional<Duration> initial = a.duration("backoff_initial");
    Optional<Duration> max = a.duration("backoff_max");
    if (initial.isPresent() || max.isPresent()) {
      Duration first = initial.orElse(Duration.ofSeconds(1));
      Duration longest = max.orElse(Duration.ofMinutes(5));
      if (longest.compareTo(first) < 0) {
        throw a.get("backoff_max")
            .or(() -> a.get("backoff_initial"))
            .get()
            .error(
                "backoff_max (" + longest + ") must be at least backoff_initial (" + first + ")");
      }
      alerting.add(b -> b.backoff(first, longest));
    }
    a.get("send_timeout")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.sendTimeout(v.duration())));
    a.get("queue_capacity")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.queueCapacity(v.integer(1, 10_000_000))));
    a.get("max_firing")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.maxFiring(v.integer(1, 10_000_000))));
    a.get("close_timeout")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.closeTimeout(v.duration())));
  }

  private static SilenceSpec silence(ConfigReader.Value value) {
    ConfigReader.Section s = value.section();
    String source = s.string("source").orElse(null);
    String title =
        s.get("title")
            .map(
                v -> {
                  try {
                    Pattern.compile(v.text());
                    return v.text();
                  } catch (PatternSyntaxException e) {
                    throw v.expected("a regular expression (" + e.getDescription() + ")");
                  }
                })
            .orElse(null);
    Set<AlertSeverity> severities = EnumSet.noneOf(AlertSeverity.class);
    s.get("severities").ifPresent(v -> v.list().forEach(item -> severities.add(severity(item))));
    Instant until =
        s.get("until")
            .map(
                v -> {
                  try {
                    return Instant.parse(v.text());
                  } catch (DateTimeParseException e) {
                    throw v.expected("an instant such as 2026-12-24T18:00:00Z");
                  }
                })
            .orElse(null);
    Duration duration = s.duration("duration").orElse(null);
    if ((until == null) == (duration == null)) {
      throw s.error("a silence needs exactly one of 'until' and 'duration'");
    }
    String comment = s.string("comment").orElse("");
    s.end();
    return new SilenceSpec(source, title, Set.copyOf(severities), until, duration, comment);
  }

  // ---------------------------------------------------------------- notifiers

  private static List<AlertNotifier> notifiers(ConfigReader.Value value) {
    List<AlertNotifier> notifiers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader.Value item : value.list()) {
      AlertNotifier notifier = notifier(item);
      if (!names.add(notifier.name())) {
        throw item.error(
            "two notifiers are named '"
                + notifier.name()
                + "'; give each a distinct 'name' (it keys their deliveries)");
      }
      notifiers.add(notifier);
    }
    return List.copyOf(notifiers);
  }

  private static AlertNotifier notifier(ConfigReader.Value item) {
    ConfigReader.Section n = item.section();
    ConfigReader.Value typeValue = required(n, "type");
    String type = typeValue.text();
    if (!NOTIFIER_TYPES.contains(type)) {
      throw typeValue.expected("one of " + String.join(", ", NOTIFIER_TYPES));
    }
    AlertSeverity minSeverity =
        n.get("min_severity").map(AgentConfig::severity).orElse(AlertSeverity.INFO);
    List<String> sources = n.strings("sources").orElse(List.of());
    Optional<ConfigReader.Value> name = n.get("name");
    AlertNotifier notifier =
        switch (type) {
          case "logging" -> {
            if (name.isPresent()) {
              throw name.get().error("the logging notifier is always named 'logging'");
            }
            yield new LoggingNotifier(minSeverity, Set.copyOf(sources));
          }
          case "email" -> {
            EmailNotifier.Builder b = EmailNotifier.builder();
            name.ifPresent(v -> apply(v, () -> b.name(v.text())));
            n.get("smtp_server").ifPresent(v -> apply(v, () -> b.smtpServer(v.text())));
            n.get("smtp_port").ifPresent(v -> b.smtpPort(v.integer(1, 65535)));
            boolean ssl = n.bool("ssl").orElse(false);
            boolean startTls = n.bool("starttls").orElse(false);
            if (ssl && startTls) {
              throw n.get("starttls")
                  .get()
                  .error(
                      "ssl and starttls are exclusive: ssl speaks TLS from the first byte (SMTPS,"
                          + " usually port 465), starttls upgrades a plain connection (usually"
                          + " port 587)");
            }
            b.useSsl(ssl).startTls(startTls);
            n.bool("trust_all_hosts").ifPresent(b::trustAllHosts);
            n.string("username").filter(u -> !u.isBlank()).ifPresent(b::username);
            n.get("password")
                .filter(v -> !v.text().isEmpty())
                .ifPresent(v -> apply(v, () -> b.password(v.text())));
            n.get("from").ifPresent(v -> apply(v, () -> b.sender(v.text())));
            ConfigReader.Value to = required(n, "to");
            apply(to, () -> b.recipients(to.strings()));
            n.get("connect_timeout").ifPresent(v -> apply(v, () -> b.connectTimeout(v.duration())));
            n.get("read_timeout").ifPresent(v -> apply(v, () -> b.readTimeout(v.duration())));
            n.bool("send_resolved").ifPresent(b::sendsResolved);
            b.minSeverity(minSeverity).sources(sources);
            yield apply(typeValue, b::build);
          }
          case "webhook", "slack" -> {
            WebhookNotifier.Builder b = WebhookNotifier.builder();
            if (type.equals("slack")) {
              b.name("slack").format(WebhookNotifier.Format.SLACK);
            } else {
              n.get("format")
                  .ifPresent(
                      v ->
                          b.format(
                              switch (v.text()) {
                                case "json" -> WebhookNotifier.Format.JSON;
                                case "slack" -> WebhookNotifier.Format.SLACK;
                                default -> throw v.expected("json or slack");
                              }));
            }
            name.ifPresent(v -> apply(v, () -> b.name(v.text())));
            ConfigReader.Value url = required(n, "url");
            apply(url, () -> b.webhookUrl(url.text().strip()));
            n.get("secret")
                .filter(v -> !v.text().isEmpty())
                .ifPresent(v -> apply(v, () -> b.secret(v.text())));
            n.get("headers").ifPresent(v -> apply(v, () -> b.headers(v.section().stringMap())));
            n.get("timeout").ifPresent(v -> apply(v, () -> b.timeout(v.duration())));
            n.bool("send_resolved").ifPresent(b::sendsResolved);
            b.minSeverity(minSeverity).sources(sources);
            yield apply(typeValue, b::build);
          }
          default -> {
            AlertmanagerNotifier.Builder b = AlertmanagerNotifier.builder();
            name.ifPresent(v -> apply(v, () -> b.name(v.text())));
            ConfigReader.Value url = required(n, "url");
            apply(url, () -> b.url(url.text().strip()));
            n.get("headers").ifPresent(v -> apply(v, () -> b.headers(v.section().stringMap())));
            n.get("timeout").ifPresent(v -> apply(v, () -> b.timeout(v.duration())));
            n.get("resend_interval").ifPresent(v -> apply(v, () -> b.resendInterval(v.duration())));
            n.get("generator_url").ifPresent(v -> apply(v, () -> b.generatorUrl(v.text())));
            b.minSeverity(minSeverity).sources(sources);
            yield apply(typeValue, b::build);
          }
        };
    n.end();
    return notifier;
  }

  // ---------------------------------------------------------------- helpers

  private static AlertSeverity severity(ConfigReader.Value value) {
    try {
      return AlertSeverity.parse(value.text());
    } catch (IllegalArgumentException e) {
      throw value.expected("info, warning, error or critical");
    }
  }

  private static ConfigReader.Value required(ConfigReader.Section section, String key) {
    return section.get(key).orElseThrow(() -> section.error("'" + key + "' is required"));
  }

  /**
   * Records a builder step, trying it first on a scratch builder so that a value the library
   * refuses fails here, at its key and line.
   */
  private static <B> void step(
      List<Consumer<B>> steps, Supplier<B> scratch, ConfigReader.Value at, Consumer<B> step) {
    apply(
        at,
        () -> {
          B builder = scratch.get();
          step.accept(builder);
          return builder;
        });
    steps.add(step);
  }

  /** Calls the library; what it refuses becomes an error at {@code at}, in its words. */
  private static <T> T apply(ConfigReader.Value at, Supplier<T> call) {
    try {
      return call.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw at.error(e.getMessage());
    }
  }
}
