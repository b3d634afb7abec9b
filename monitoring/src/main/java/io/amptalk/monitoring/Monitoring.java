package io.amptalk.monitoring;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.health.HealthListener;
import io.amptalk.monitoring.health.HealthReport;
import io.amptalk.monitoring.health.HealthStatus;
import io.amptalk.monitoring.internal.history.HistoryJson;
import io.amptalk.monitoring.internal.history.StatusHistory;
import io.amptalk.monitoring.internal.http.AlertHttpHandler;
import io.amptalk.monitoring.internal.http.Exchanges;
import io.amptalk.monitoring.internal.http.HealthHttpHandler;
import io.amptalk.monitoring.internal.http.MountedEndpoints;
import io.amptalk.monitoring.internal.http.SilenceHttpHandler;
import io.amptalk.monitoring.internal.http.SystemHttpHandler;
import io.amptalk.monitoring.internal.slo.SloJson;
import io.amptalk.monitoring.internal.util.FatalErrors;
import io.amptalk.monitoring.internal.util.Options;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import io.amptalk.monitoring.slo.SloStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three components as one system, served on the monitor's one port: a check that turns DEGRADED
 * raises a WARNING alert and one that turns UNHEALTHY a CRITICAL alert (both configurable), a
 * return to HEALTHY resolves it; the overall health drives {@code app.health.status} (this is the
 * one place that sets it from the checks); and the monitor's port serves {@code /metrics}, {@code
 * /health} (and its group paths), {@code /alerts}, {@code /api/system} and {@code /}, the status
 * page.
 *
 * <pre>{@code
 * try (Monitoring monitoring = Monitoring.builder()
 *     .systemMonitor(SystemMonitor.builder().serviceName("amptalk").build())
 *     .healthCheck(monitor -> HealthCheck.builder().meter(monitor.getMeter()).build())
 *     .alertSystem(monitor -> AlertSystem.builder().meter(monitor.getMeter()).build())
 *     .build()) {
 *   monitoring.healthCheck().registerCheck("db", () -> CheckResult.of(db.ping(), "db"), "DB");
 * }
 * }</pre>
 */
public final class Monitoring implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Monitoring.class);

  /**
   * Where the start-up warning about a missing API token goes, apart from the rest: an application
   * that says it in its own words (the agent names its command-line option) turns this one off.
   */
  static final String SECURITY_LOGGER = "io.amptalk.monitoring.security";

  private static final Logger SECURITY_LOG = LoggerFactory.getLogger(SECURITY_LOGGER);
  private static final String HEALTH_PATH = "/health";

  private final SystemMonitor monitor;
  private final HealthCheck health;
  private final AlertSystem alerts;
  private final HealthListener healthAlerts;

  /** The objectives' evaluation; null without objectives. */
  private final ServiceLevels serviceLevels;

  /** What {@code /api/history} serves. */
  private final StatusHistory history;

  private final Consumer<? super VirtualMachineError> onFatalError;

  /** Set once a fatal error reached one of the library's threads; null while none has. */
  private volatile String failure;

  /** Ends the subscription to fatal errors; null until wired. */
  private volatile Runnable unsubscribe;

  /** The paths, as the monitor's port serves them, for mounting on another server. */
  private volatile MountedEndpoints mounted;

  /** Whether the API token was given; without one, mounting the paths warns as the port does. */
  private volatile boolean tokenGiven;

  static {
    MountedEndpoints.install(monitoring -> ((Monitoring) monitoring).mounted());
  }

  /** The name under which a failed monitoring shows in its health report. */
  static final String FAILED_CHECK = "amptalk-monitoring";

  private Monitoring(Builder builder, SystemMonitor monitor, boolean startingMounted) {
    this.monitor = monitor;
    this.onFatalError = builder.onFatalError;
    boolean serving = monitor.getPrometheusPort() >= 0;
    HealthCheck builtHealth = null;
    AlertSystem builtAlerts = null;
    ServiceLevels builtLevels = null;
    StatusHistory builtHistory = null;
    try {
      if (serving && !startingMounted) {
        // A monitor built before it was given to us has served since its build, 404 on every
        // path but /metrics; from now until the rest is built, every other path says "starting"
        // with a 503, which probes and load balancers read as not ready. A monitor given as a
        // builder says so from its first connection.
        monitor.registerHttpHandler("/", Monitoring::starting);
      }
      builtHealth = builder.health.apply(monitor);
      builtAlerts = builder.alerts.apply(monitor);
      this.health = Objects.requireNonNull(builtHealth, "the healthCheck factory returned null");
      this.alerts = Objects.requireNonNull(builtAlerts, "the alertSystem factory returned null");
      this.healthAlerts =
          new HealthAlerts(alerts, builder.degradedSeverity, builder.unhealthySeverity);
      builtLevels =
          builder.slos.isEmpty() ? null : new ServiceLevels(builder.slos, monitor, alerts);
      this.serviceLevels = builtLevels;
      if (builtLevels != null) {
        builtLevels.registerCheck(health);
      }
      builtHistory =
          new StatusHistory(
              monitor::forEachRequestSeries,
              monitor::getLatestSnapshot,
              monitor.clock(),
              StatusHistory.DEFAULT_STEP,
              builder.statusHistory);
      this.history = builtHistory;
      wire(builder, serving);
      history.start();
    } catch (RuntimeException | Error e) {
      // Nothing half-started: what was built is closed, the port released.
      closeQuietly(builtHistory);
      closeQuietly(builtLevels);
      closeQuietly(builtHealth);
      closeQuietly(builtAlerts);
      closeQuietly(monitor);
      throw e;
    }
  }

  private void wire(Builder builder, boolean serving) {
    health.addListener(healthAlerts);
    monitor.setHealthStatus(false, "No health check has run yet");
    health.addListener(
        new HealthListener() {
          @Override
          public void onOverallStatusChange(HealthStatus previous, HealthStatus current) {
            // Read, not taken from the arguments: listeners of two changes in quick succession
            // may run in either order, and the monitor must end on the latest.
            HealthStatus now = health.getOverallStatus();
            monitor.setHealthStatus(
                now == HealthStatus.HEALTHY || now == HealthStatus.DEGRADED,
                "Overall health is " + now.jsonName());
          }
        });
    String token = builder.apiToken;
    tokenGiven = token != null;
    Map<String, String> links =
        builder.grafanaUrl == null ? Map.of() : Map.of("grafana", builder.grafanaUrl.toString());
    Map<String, HttpHandler> endpoints = new LinkedHashMap<>();
    HttpHandler metrics = monitor.metricsEndpoint();
    if (metrics != null) {
      endpoints.put("/metrics", metrics);
    }
    endpoints.put(HealthHttpHandler.PATH, new HealthHttpHandler(this::healthReport, token));
    endpoints.put("/alerts", new AlertHttpHandler(alerts, token));
    endpoints.put(SilenceHttpHandler.PATH, new SilenceHttpHandler(alerts, token));
    endpoints.put(
        SystemHttpHandler.API_PATH,
        SystemHttpHandler.api(
            () ->
                new SystemHttpHandler.Status(
                    monitor.getSystemInfo(),
                    instance(),
                    monitor.getServiceInstanceId(),
                    monitor.getLatestSnapshot(),
                    monitor.isHealthy(),
                    monitor.getHealthReason(),
                    alerts.getStoreStatus(),
                    links),
            token));
    endpoints.put(
        HistoryJson.PATH,
        SystemHttpHandler.json(
            HistoryJson.PATH,
            () -> HistoryJson.document(history.points(), checkHistories()),
            token));
    endpoints.put(
        SloJson.PATH,
        SystemHttpHandler.json(SloJson.PATH, () -> SloJson.document(sloStatus()), token));
    endpoints.put("/", SystemHttpHandler.statusPage());
    mounted = new MountedEndpoints(endpoints);
    if (serving) {
      if (token == null) {
        SECURITY_LOG.warn(
            "No API token: POST /alerts is refused, and GET /alerts, /api/system and the details"
                + " of /health are served to anyone who can reach port {}. Set one with"
                + " Monitoring.builder().apiToken(...), and see SECURITY.md",
            monitor.getPrometheusPort());
      }
      endpoints.forEach(
          (path, handler) -> {
            if ("/".equals(path)) {
              monitor.unregisterHttpHandler("/"); // the "starting" answer until now
              monitor.registerHttpHandler("/", handler);
            } else if (!"/metrics".equals(path)) {
              monitor.registerHttpHandler(path, handler); // /metrics is the monitor's own
            }
          });
    }
    // Last, so that a build failing before it leaves no subscription behind.
    unsubscribe = FatalErrors.subscribe(this::failed);
  }

  /**
   * A fatal error reached one of the library's threads: from now on the monitoring is failed, its
   * liveness and readiness 503 with the error, {@code app_health_status} 0; then the builder's
   * {@code onFatalError} runs, on the thread the error reached.
   */
  private void failed(FatalErrors.Fatal fatal) {
    try {
      if (failure == null) {
        failure = fatal.describe();
        LOG.error("The monitoring is failed: {}; /health/live answers 503 from now on", failure);
        monitor.setHealthStatus(false, failure);
      }
    } finally {
      // Even when, out of memory, the above failed: the handler (the agent's halt) must run.
      if (onFatalError != null) {
        onFatalError.accept(fatal.error());
      }
    }
  }

  /** The health report, with the failure in it as a critical liveness check once failed. */
  private HealthReport healthReport() {
    HealthReport report = health.getStatusReport();
    String failed = failure;
    if (failed == null) {
      return report;
    }
    Map<String, HealthReport.CheckReport> checks = new LinkedHashMap<>(report.checks());
    checks.put(
        FAILED_CHECK,
        new HealthReport.CheckReport(
            HealthStatus.UNHEALTHY,
            failed,
            report.timestamp(),
            "The monitoring's own threads",
            Duration.ZERO,
            Map.of(),
            true,
            Set.of(CheckOptions.LIVENESS, CheckOptions.READINESS),
            null,
            Optional.empty(),
            0));
    return new HealthReport(report.service(), Instant.now(), HealthStatus.UNHEALTHY, checks);
  }

  /**
   * The instance as the status page's header names it: the {@code service.instance.id} when one was
   * configured, else host:port as Prometheus' {@code instance} label would (the host alone without
   * a port), since a random id tells an operator nothing.
   */
  private String instance() {
    if (monitor.instanceIdConfigured()) {
      return monitor.getServiceInstanceId();
    }
    String host = monitor.getSystemInfo().hostName();
    int port = monitor.getPrometheusPort();
    return port < 0 ? host : host + ":" + port;
  }

  /** For tests: keeps the status page's history's step now, as its thread does every 10 s. */
  void tickHistory() {
    history.tick();
  }

  /** Each check's results as the registry keeps them, newest first. */
  private Map<String, List<CheckResult>> checkHistories() {
    Map<String, List<CheckResult>> checks = new LinkedHashMap<>();
    for (String name : health.getCheckNames()) {
      try {
        checks.put(name, health.getCheckHistory(name, Integer.MAX_VALUE));
      } catch (NoSuchElementException e) {
        // Unregistered since the names were read: not shown.
      }
    }
    return checks;
  }

  /** What {@code MonitoringHandler.of(this)} serves; warns, as the port does, without a token. */
  private MountedEndpoints mounted() {
    if (!tokenGiven) {
      SECURITY_LOG.warn(
          "No API token: POST /alerts is refused, and GET /alerts, /api/system and the details"
              + " of /health are served to anyone who can reach the path the monitoring is mounted"
              + " at. Set one with Monitoring.builder().apiToken(...), and see SECURITY.md");
    }
    return mounted;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception | Error e) {
      LOG.warn("Closing {} failed", closeable, e);
    }
  }

  private static void starting(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Retry-After", "1");
    Exchanges.send(
        exchange,
        503,
        "application/json",
        "{\"status\":\"starting\"}".getBytes(StandardCharsets.UTF_8));
  }

  /** A builder; {@link Builder#systemMonitor} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The monitor, whose port serves everything. */
  public SystemMonitor systemMonitor() {
    return monitor;
  }

  /** The health registry, as the builder's factory made it. */
  public HealthCheck healthCheck() {
    return health;
  }

  /** The alert system the checks' status changes raise their alerts on. */
  public AlertSystem alertSystem() {
    return alerts;
  }

  /**
   * Where each service level objective stands ({@link Builder#slos}), as of its last evaluation
   * (every 10 seconds); empty without objectives.
   */
  public List<SloStatus> sloStatus() {
    return serviceLevels == null ? List.of() : serviceLevels.status();
  }

  /**
   * Closes the objectives' evaluation (saving their counts), the health checks, then the alert
   * system (delivering what it can), then the monitor. One that throws is logged and the next still
   * closed, so the port is always released.
   */
  @Override
  public void close() {
    Runnable subscription = unsubscribe;
    if (subscription != null) {
      subscription.run();
    }
    try {
      health.removeListener(healthAlerts);
    } catch (RuntimeException e) {
      LOG.warn("Removing the alerts' health listener failed", e);
    }
    closeQuietly(history);
    closeQuietly(serviceLevels);
    closeQuietly(health);
    closeQuietly(alerts);
    closeQuietly(monitor);
  }

  /** Configures a {@link Monitoring}. */
  public static final class Builder {
    private SystemMonitor monitor;
    private SystemMonitor.Builder monitorBuilder;
    private boolean blankToken;
    private Function<SystemMonitor, HealthCheck> health =
        m -> HealthCheck.builder().serviceName(m.getServiceName()).meter(m.getMeter()).build();
    private Function<SystemMonitor, AlertSystem> alerts =
        m ->
            AlertSystem.builder()
                .serviceName(m.getServiceName())
                .serviceInstanceId(m.getServiceInstanceId())
                .meter(m.getMeter())
                .build();
    private AlertSeverity degradedSeverity = AlertSeverity.WARNING;
    private AlertSeverity unhealthySeverity = AlertSeverity.CRITICAL;
    private String apiToken;
    private Consumer<? super VirtualMachineError> onFatalError;
    private List<ServiceLevelObjective> slos = List.of();
    private Duration statusHistory = StatusHistory.DEFAULT_RETENTION;
    private URI grafanaUrl;

    private Builder() {}

    /**
     * How long the status page's history is kept: request rate, error ratio and latency quantiles
     * overall and for the busiest routes, the host's CPU, memory and disk, every 10 seconds, served
     * at {@code /api/history} (with each check's results over the same span, as the health registry
     * keeps them). Memory: about 1.2 MiB at 15 minutes with 200 busy routes, 4.5 MiB at 1 hour;
     * fewer routes take less (see {@code docs/endpoints.md}). Default 15 minutes; at least 20
     * seconds (two steps), at most 1 hour (longer history is Prometheus' job).
     *
     * @throws IllegalArgumentException naming the value when it is shorter or longer
     */
    public Builder statusHistory(Duration retention) {
      Duration min = StatusHistory.DEFAULT_STEP.multipliedBy(2);
      if (retention == null || retention.compareTo(min) < 0) {
        throw new IllegalArgumentException(
            "statusHistory must be at least "
                + min
                + " (two steps of "
                + StatusHistory.DEFAULT_STEP
                + "), was "
                + retention);
      }
      this.statusHistory =
          Options.requireAtMost("statusHistory", retention, StatusHistory.MAX_RETENTION);
      return this;
    }

    /**
     * A Grafana dashboard for this service (the fleet's view, with more history than the page's),
     * linked from the status page and given in {@code /api/system} as {@code links.grafana}.
     * Default: none.
     *
     * @throws IllegalArgumentException unless it is an absolute http or https URL with a host
     */
    public Builder grafanaUrl(URI grafanaUrl) {
      Objects.requireNonNull(grafanaUrl, "grafanaUrl");
      String scheme = grafanaUrl.getScheme();
      if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
          || grafanaUrl.getHost() == null) {
        throw new IllegalArgumentException(
            "grafanaUrl must be an absolute http(s) URL, was '" + grafanaUrl + "'");
      }
      this.grafanaUrl = grafanaUrl;
      return this;
    }

    /**
     * Service level objectives on the requests the monitor records, evaluated in the service every
     * 10 seconds: their burn-rate alerts are raised and resolved through the alert system (source
     * {@code slo}, labels {@code slo} and {@code window}), their error budget and burn rates
     * exported as {@code slo_error_budget_remaining} and {@code slo_burn_rate} and served at {@code
     * /api/slo}, their counts kept in the alert system's store so that a restart keeps the budget.
     * Default: none.
     *
     * @throws IllegalArgumentException when two objectives have one name
     */
    public Builder slos(List<ServiceLevelObjective> slos) {
      Objects.requireNonNull(slos, "slos");
      Set<String> names = new HashSet<>();
      for (ServiceLevelObjective slo : slos) {
        Objects.requireNonNull(slo, "slos must not hold null");
        if (!names.add(slo.name())) {
          throw new IllegalArgumentException("slos: two objectives are named '" + slo.name() + "'");
        }
      }
      this.slos = List.copyOf(slos);
      return this;
    }

    /**
     * What to do when a {@link VirtualMachineError} (an {@code OutOfMemoryError}, say) reaches one
     * of the library's threads, beyond what is always done: the error is logged, and the monitoring
     * is failed ({@code /health/live} and {@code /health/ready} answer 503 with it, {@code
     * app_health_status} is 0), so that an orchestrator restarts the process. Runs on the thread
     * the error reached. Default: nothing more, since the library does not end the JVM of the
     * service it is embedded in; the agent halts its JVM with exit status 70. Errors of the user's
     * checks and notifiers are their results, never fatal.
     */
    public Builder onFatalError(Consumer<? super VirtualMachineError> handler) {
      this.onFatalError = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * The monitor whose port serves everything; {@link Monitoring} closes it, also when {@link
     * #build()} fails. It has served since it was built: until {@link #build()} mounts the other
     * paths they answer 404. Give its builder ({@link #systemMonitor(SystemMonitor.Builder)}) to
     * have them say "starting" from the port's first connection.
     */
    public Builder systemMonitor(SystemMonitor monitor) {
      this.monitor = Objects.requireNonNull(monitor, "monitor");
      this.monitorBuilder = null;
      return this;
    }

    /**
     * The monitor whose port serves everything, built by {@link #build()}: from the port's first
     * connection, {@code /metrics} is served in full and every other path answers 503 {@code
     * {"status":"starting"}} (with {@code Retry-After: 1}) until the health registry and the alert
     * system are built and their paths mounted. {@link Monitoring} closes it.
     */
    public Builder systemMonitor(SystemMonitor.Builder builder) {
      this.monitorBuilder = Objects.requireNonNull(builder, "builder");
      this.monitor = null;
      return this;
    }

    /**
     * Builds the health registry from the monitor. Default: one with the monitor's service name and
     * its meter (check statuses and durations as metrics). {@link Monitoring} serves its {@code
     * /health} and drives {@code app.health.status} from it.
     */
    public Builder healthCheck(Function<SystemMonitor, HealthCheck> factory) {
      this.health = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * Builds the alert system from the monitor. Default: logging only, with alert metrics on the
     * monitor's meter. {@link Monitoring} serves its {@code /alerts}.
     */
    public Builder alertSystem(Function<SystemMonitor, AlertSystem> factory) {
      this.alerts = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** The severity of the alert a check raises when it turns DEGRADED. Default WARNING. */
    public Builder degradedSeverity(AlertSeverity severity) {
      this.degradedSeverity = Objects.requireNonNull(severity, "severity");
      return this;
    }

    /** The severity of the alert a check raises when it turns UNHEALTHY. Default CRITICAL. */
    public Builder unhealthySeverity(AlertSeverity severity) {
      this.unhealthySeverity = Objects.requireNonNull(severity, "severity");
      return this;
    }

    /**
     * The one bearer token ({@code Authorization: Bearer <token>}) of the monitor's port: {@code
     * GET} and {@code POST /alerts} and {@code /api/system} answer 401 without it, and {@code
     * /health} (with its group and per-check paths) shows the status alone, without messages or
     * details. {@code /}, the status page, stays public and asks the browser's user for the token;
     * {@code /metrics} stays public. Compared in constant time, never logged.
     *
     * <p>Default: none. Then {@code POST /alerts} is refused (403), everything else is served to
     * anyone who can reach the port, and a warning is logged when the monitoring starts.
     *
     * <p>A null or blank token (an unset environment variable, say) is remembered, not thrown here:
     * {@link #build()} then fails with {@code IllegalArgumentException("apiToken must not be
     * blank")}, after closing the monitor it was given (so its port is released) and without
     * building one from a builder. A later valid token replaces it.
     */
    public Builder apiToken(String apiToken) {
      this.blankToken = apiToken == null || apiToken.isBlank();
      this.apiToken = blankToken ? null : apiToken;
      return this;
    }

    /**
     * Builds the health registry and the alert system from the monitor, wires them together and,
     * when the monitor serves HTTP, serves their paths on its port. When anything fails (a blank
     * {@link #apiToken}, a factory that throws), what was given or built is closed, the monitor
     * included, and its port released.
     *
     * @throws NullPointerException when no {@link #systemMonitor} was set
     * @throws IllegalArgumentException when {@link #apiToken} was given a null or blank token
     */
    public Monitoring build() {
      if (monitor == null && monitorBuilder == null) {
        throw new NullPointerException("systemMonitor is required");
      }
      if (blankToken) {
        closeQuietly(monitor);
        throw new IllegalArgumentException("apiToken must not be blank");
      }
      if (monitor != null) {
        return new Monitoring(this, monitor, false);
      }
      SystemMonitor built = monitorBuilder.buildServingRoot(Monitoring::starting);
      return new Monitoring(this, built, true);
    }
  }
}
