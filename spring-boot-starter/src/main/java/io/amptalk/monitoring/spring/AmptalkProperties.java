package io.amptalk.monitoring.spring;

import io.amptalk.monitoring.alert.AlertSeverity;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code amptalk.*} properties of {@code application.yml}, with the agent's key names where
 * they mean the same ({@code amptalk.service.name}, {@code amptalk.http.port}, {@code
 * amptalk.http.token}, {@code amptalk.metrics.max-routes}, ...). Spring's relaxed binding also
 * takes the agent's snake_case spelling ({@code max_routes}). A property left unset keeps the
 * library's default.
 */
@ConfigurationProperties(prefix = "amptalk")
public class AmptalkProperties {
  /** Whether the monitoring is set up at all. */
  private boolean enabled = true;

  private final Service service = new Service();
  private final Http http = new Http();
  private final Metrics metrics = new Metrics();
  private final Health health = new Health();
  private final Alerting alerting = new Alerting();
  private final Filter filter = new Filter();
  private final StatusPage statusPage = new StatusPage();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Service getService() {
    return service;
  }

  public Http getHttp() {
    return http;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public Health getHealth() {
    return health;
  }

  public Alerting getAlerting() {
    return alerting;
  }

  public Filter getFilter() {
    return filter;
  }

  public StatusPage getStatusPage() {
    return statusPage;
  }

  /** The status page at {@code /}: how long its history is kept, and where it links. */
  public static class StatusPage {
    /** How long the history of {@code /api/history} is kept, 20s to 1h. Default 15m. */
    private Duration history;

    /** An absolute http(s) URL of a Grafana dashboard the page links to. Default none. */
    private URI grafanaUrl;

    public Duration getHistory() {
      return history;
    }

    public void setHistory(Duration history) {
      this.history = history;
    }

    public URI getGrafanaUrl() {
      return grafanaUrl;
    }

    public void setGrafanaUrl(URI grafanaUrl) {
      this.grafanaUrl = grafanaUrl;
    }
  }

  /** The service the metrics and alerts are of. */
  public static class Service {
    /** service.name of metrics and alerts. Default: spring.application.name, else the host name. */
    private String name;

    /** service.instance.id. Default: a random UUID per start. */
    private String instanceId;

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public String getInstanceId() {
      return instanceId;
    }

    public void setInstanceId(String instanceId) {
      this.instanceId = instanceId;
    }
  }

  /**
   * Where /metrics, /health, /alerts, /api/system and the status page are served: the monitor's own
   * port (the default), or below base-path on the application's port.
   */
  public static class Http {
    /** Whether the paths are served at all (on the monitor's port, or below base-path). */
    private boolean enabled = true;

    /**
     * Serve the paths below this path of the application's own port (e.g. /monitoring: GET
     * /monitoring/metrics) instead of opening the monitor's port; host, port and allowed-hosts then
     * do not apply and must be unset. Default: none, the monitor's own port.
     */
    private String basePath;

    /** The address it binds; 127.0.0.1 serves this host only. Default: every interface. */
    private String host;

    /** The port; 0 picks a free one. Default 8000, as the agent's. */
    private Integer port;

    /** Bearer token of /alerts, /api/system and health details. Default: none. */
    private String token;

    /** Host names answered besides the loopback ones, against DNS rebinding. */
    private List<String> allowedHosts = new ArrayList<>();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getBasePath() {
      return basePath;
    }

    public void setBasePath(String basePath) {
      this.basePath = basePath;
    }

    public String getHost() {
      return host;
    }

    public void setHost(String host) {
      this.host = host;
    }

    public Integer getPort() {
      return port;
    }

    public void setPort(Integer port) {
      this.port = port;
    }

    public String getToken() {
      return token;
    }

    public void setToken(String token) {
      this.token = token;
    }

    public List<String> getAllowedHosts() {
      return allowedHosts;
    }

    public void setAllowedHosts(List<String> allowedHosts) {
      this.allowedHosts = allowedHosts;
    }
  }

  /** What the monitor measures and where it sends it. */
  public static class Metrics {
    /** Host sampling period. Default 1s. */
    private Duration collectInterval;

    /** Period of console and OTLP exports. Default 60s. */
    private Duration exportInterval;

    /** Also log every metric each export interval. Default false. */
    private Boolean console;

    /** Also push over OTLP/HTTP, e.g. http://collector:4318. Default: none. */
    private String otlpEndpoint;

    /** JVM memory, GC, thread and class metrics. Default true. */
    private Boolean jvm;

    /** Distinct routes kept; further ones count as "other". Default 200. */
    private Integer maxRoutes;

    /** Distinct error types kept. Default 100. */
    private Integer maxErrorTypes;

    /** Recent errors kept for /api/system. Default 100. */
    private Integer errorHistory;

    /** Longest window error-ratio and latency checks can read. Default 15m. */
    private Duration requestWindowRetention;

    /**
     * Also keep request durations as native histograms, in the protobuf format for Prometheus and
     * as exponential histograms over OTLP. Default false.
     */
    private Boolean nativeHistograms;

    /** The native histograms' starting schema, -4..8. Default 5. */
    private Integer nativeHistogramSchema;

    /** Buckets a native histogram series keeps before its schema drops, 1..10000. Default 160. */
    private Integer nativeHistogramMaxBuckets;

    /** With native histograms, the classic buckets too in the protobuf format. Default true. */
    private Boolean classicHistogramBuckets;

    public Duration getCollectInterval() {
      return collectInterval;
    }

    public void setCollectInterval(Duration collectInterval) {
      this.collectInterval = collectInterval;
    }

    public Duration getExportInterval() {
      return exportInterval;
    }

    public void setExportInterval(Duration exportInterval) {
      this.exportInterval = exportInterval;
    }

    public Boolean getConsole() {
      return console;
    }

    public void setConsole(Boolean console) {
      this.console = console;
    }

    public String getOtlpEndpoint() {
      return otlpEndpoint;
    }

    public void setOtlpEndpoint(String otlpEndpoint) {
      this.otlpEndpoint = otlpEndpoint;
    }

    public Boolean getJvm() {
      return jvm;
    }

    public void setJvm(Boolean jvm) {
      this.jvm = jvm;
    }

    public Integer getMaxRoutes() {
      return maxRoutes;
    }

    public void setMaxRoutes(Integer maxRoutes) {
      this.maxRoutes = maxRoutes;
    }

    public Integer getMaxErrorTypes() {
      return maxErrorTypes;
    }

    public void setMaxErrorTypes(Integer maxErrorTypes) {
      this.maxErrorTypes = maxErrorTypes;
    }

    public Integer getErrorHistory() {
      return errorHistory;
    }

    public void setErrorHistory(Integer errorHistory) {
      this.errorHistory = errorHistory;
    }

    public Duration getRequestWindowRetention() {
      return requestWindowRetention;
    }

    public void setRequestWindowRetention(Duration requestWindowRetention) {
      this.requestWindowRetention = requestWindowRetention;
    }

    public Boolean getNativeHistograms() {
      return nativeHistograms;
    }

    public void setNativeHistograms(Boolean nativeHistograms) {
      this.nativeHistograms = nativeHistograms;
    }

    public Integer getNativeHistogramSchema() {
      return nativeHistogramSchema;
    }

    public void setNativeHistogramSchema(Integer nativeHistogramSchema) {
      this.nativeHistogramSchema = nativeHistogramSchema;
    }

    public Integer getNativeHistogramMaxBuckets() {
      return nativeHistogramMaxBuckets;
    }

    public void setNativeHistogramMaxBuckets(Integer nativeHistogramMaxBuckets) {
      this.nativeHistogramMaxBuckets = nativeHistogramMaxBuckets;
    }

    public Boolean getClassicHistogramBuckets() {
      return classicHistogramBuckets;
    }

    public void setClassicHistogramBuckets(Boolean classicHistogramBuckets) {
      this.classicHistogramBuckets = classicHistogramBuckets;
    }
  }

  /** The health registry. */
  public static class Health {
    /** How often checks run unless they say otherwise. Default 15s. */
    private Duration interval;

    /** How long a run may take unless the check says otherwise. Default 10s. */
    private Duration timeout;

    /** Results kept per check. Default 100. */
    private Integer historySize;

    /** Checks run at once. Default 4. */
    private Integer threads;

    /** Whether the application's Actuator HealthIndicator beans become checks. */
    private boolean actuatorIndicators = true;

    /** Severity of the alert raised when a check turns DEGRADED. Default warning. */
    private AlertSeverity degradedAlert;

    /** Severity of the alert raised when a check turns UNHEALTHY. Default critical. */
    private AlertSeverity unhealthyAlert;

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    public Integer getHistorySize() {
      return historySize;
    }

    public void setHistorySize(Integer historySize) {
      this.historySize = historySize;
    }

    public Integer getThreads() {
      return threads;
    }

    public void setThreads(Integer threads) {
      this.threads = threads;
    }

    public boolean isActuatorIndicators() {
      return actuatorIndicators;
    }

    public void setActuatorIndicators(boolean actuatorIndicators) {
      this.actuatorIndicators = actuatorIndicators;
    }

    public AlertSeverity getDegradedAlert() {
      return degradedAlert;
    }

    public void setDegradedAlert(AlertSeverity degradedAlert) {
      this.degradedAlert = degradedAlert;
    }

    public AlertSeverity getUnhealthyAlert() {
      return unhealthyAlert;
    }

    public void setUnhealthyAlert(AlertSeverity unhealthyAlert) {
      this.unhealthyAlert = unhealthyAlert;
    }
  }

  /** The alert system (alerts in memory; notifiers and stores are beans of your own). */
  public static class Alerting {
    /** Alerts kept; the oldest are forgotten past it. Default 1000. */
    private Integer historySize;

    /** A repeat within it is counted, not notified. Default 5m. */
    private Duration dedupWindow;

    /** A still-firing alert is notified again after it. Default 4h. */
    private Duration repeatInterval;

    public Integer getHistorySize() {
      return historySize;
    }

    public void setHistorySize(Integer historySize) {
      this.historySize = historySize;
    }

    public Duration getDedupWindow() {
      return dedupWindow;
    }

    public void setDedupWindow(Duration dedupWindow) {
      this.dedupWindow = dedupWindow;
    }

    public Duration getRepeatInterval() {
      return repeatInterval;
    }

    public void setRepeatInterval(Duration repeatInterval) {
      this.repeatInterval = repeatInterval;
    }
  }

  /** The request filter. */
  public static class Filter {
    /** Whether every request of the application is recorded. */
    private boolean enabled = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
