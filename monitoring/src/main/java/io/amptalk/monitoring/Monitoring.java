package io.amptalk.monitoring;

import com.sun.net.httpserver.HttpExchange;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.health.HealthListener;
import io.amptalk.monitoring.health.HealthStatus;
import io.amptalk.monitoring.internal.http.AlertHttpHandler;
import io.amptalk.monitoring.internal.http.Exchanges;
import io.amptalk.monitoring.internal.http.HealthHttpHandler;
import io.amptalk.monitoring.internal.http.SystemHttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
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
  private static final String HEALTH_PATH = "/health";

  private final SystemMonitor monitor;
  private final HealthCheck health;
  private final AlertSystem alerts;
  private final HealthListener healthAlerts;

  private Monitoring(Builder builder) {
    this.monitor = Objects.requireNonNull(builder.monitor, "systemMonitor is required");
    boolean serving = monitor.getPrometheusPort() >= 0;
    if (serving) {
      // The port is already open (the monitor bound it, so a taken port failed before anything
      // was built). Until the rest is built, every path but /metrics says "starting" with a 503,
      // which probes and load balancers read as not ready, rather than a 404.
      monitor.registerHttpHandler("/", Monitoring::starting);
    }
    HealthCheck builtHealth = null;
    try {
      builtHealth = builder.health.apply(monitor);
      this.alerts = builder.alerts.apply(monitor);
    } catch (RuntimeException | Error e) {
      // Nothing half-started: what was built is closed, the port released.
      if (builtHealth != null) {
        builtHealth.close();
      }
      monitor.close();
      throw e;
    }
    this.health = builtHealth;
    this.healthAlerts =
        new HealthAlerts(alerts, builder.degradedSeverity, builder.unhealthySeverity);
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
    if (serving) {
      String token = builder.apiToken;
      if (token == null) {
        LOG.warn(
            "No API token: POST /alerts is refused, and GET /alerts, /api/system and the details"
                + " of /health are served to anyone who can reach port {}. Set one with"
                + " Monitoring.builder().apiToken(...), and see SECURITY.md",
            monitor.getPrometheusPort());
      }
      monitor.registerHttpHandler(
          HealthHttpHandler.PATH, new HealthHttpHandler(health::getStatusReport, token));
      monitor.registerHttpHandler("/alerts", new AlertHttpHandler(alerts, token));
      monitor.registerHttpHandler(
          SystemHttpHandler.API_PATH,
          SystemHttpHandler.api(
              () ->
                  new SystemHttpHandler.Status(
                      monitor.getSystemInfo(),
                      monitor.getLatestSnapshot(),
                      monitor.isHealthy(),
                      monitor.getHealthReason()),
              token));
      monitor.unregisterHttpHandler("/");
      monitor.registerHttpHandler("/", SystemHttpHandler.statusPage());
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

  /** Closes the health checks, then the alert system (delivering what it can), then the monitor. */
  @Override
  public void close() {
    health.removeListener(healthAlerts);
    health.close();
    alerts.close();
    monitor.close();
  }

  /** Configures a {@link Monitoring}. */
  public static final class Builder {
    private SystemMonitor monitor;
    private Function<SystemMonitor, HealthCheck> health =
        m -> HealthCheck.builder().serviceName(m.getServiceName()).meter(m.getMeter()).build();
    private Function<SystemMonitor, AlertSystem> alerts =
        m -> AlertSystem.builder().serviceName(m.getServiceName()).meter(m.getMeter()).build();
    private AlertSeverity degradedSeverity = AlertSeverity.WARNING;
    private AlertSeverity unhealthySeverity = AlertSeverity.CRITICAL;
    private String apiToken;

    private Builder() {}

    /** The monitor whose port serves everything; {@link Monitoring} closes it. */
    public Builder systemMonitor(SystemMonitor monitor) {
      this.monitor = Objects.requireNonNull(monitor, "monitor");
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
     */
    public Builder apiToken(String apiToken) {
      if (apiToken == null || apiToken.isBlank()) {
        throw new IllegalArgumentException("apiToken must not be blank");
      }
      this.apiToken = apiToken;
      return this;
    }

    /**
     * Builds the health registry and the alert system from the monitor, wires them together and,
     * when the monitor serves HTTP, serves their paths on its port. When a factory throws, what was
     * built is closed, the monitor included.
     *
     * @throws NullPointerException when no {@link #systemMonitor} was set
     */
    public Monitoring build() {
      return new Monitoring(this);
    }
  }
}
