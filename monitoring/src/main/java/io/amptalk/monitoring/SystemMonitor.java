package io.amptalk.monitoring;

import com.sun.net.httpserver.HttpHandler;
import io.amptalk.monitoring.internal.exposition.MetricsHttpHandler;
import io.amptalk.monitoring.internal.exposition.PromtoolCleanCollector;
import io.amptalk.monitoring.internal.host.HostInstruments;
import io.amptalk.monitoring.internal.host.HostProbe;
import io.amptalk.monitoring.internal.host.HostSampler;
import io.amptalk.monitoring.internal.host.OshiHostProbe;
import io.amptalk.monitoring.internal.host.SystemDescription;
import io.amptalk.monitoring.internal.http.AllowedHosts;
import io.amptalk.monitoring.internal.http.Exchanges;
import io.amptalk.monitoring.internal.http.MonitoringServer;
import io.amptalk.monitoring.internal.http.TlsKeystore;
import io.amptalk.monitoring.internal.metrics.ApplicationMetrics;
import io.amptalk.monitoring.internal.metrics.ErrorHistory;
import io.amptalk.monitoring.internal.metrics.HistogramLayout;
import io.amptalk.monitoring.internal.metrics.JoinedSdk;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.internal.metrics.RequestWindows;
import io.amptalk.monitoring.internal.metrics.SdkPipeline;
import io.amptalk.monitoring.internal.metrics.ServerRequestRecorder;
import io.amptalk.monitoring.internal.util.Options;
import io.amptalk.monitoring.internal.util.ThrottledLogger;
import io.amptalk.monitoring.metrics.ErrorRecord;
import io.amptalk.monitoring.metrics.HostView;
import io.amptalk.monitoring.metrics.RequestView;
import io.amptalk.monitoring.metrics.RequestWindow;
import io.amptalk.monitoring.metrics.ServerRequests;
import io.amptalk.monitoring.metrics.SystemInfo;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.instrumentation.runtimetelemetry.RuntimeTelemetry;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects request, error, host, process and JVM metrics on the OpenTelemetry SDK and serves them
 * to Prometheus at {@code /metrics} (and, when asked, over OTLP and to the log).
 *
 * <p>The recording methods never throw and never block: bad input is normalised or dropped and
 * counted in {@code monitoring.dropped}. Host figures are sampled with OSHI on one daemon thread
 * every {@code collectInterval}; the latest {@link SystemSnapshot} is readable without sampling
 * again.
 *
 * <pre>{@code
 * SystemMonitor monitor = SystemMonitor.builder()
 *     .serviceName("amptalk")
 *     .prometheusPort(8000)
 *     .enablePrometheus(true)
 *     .build();
 * monitor.recordRequest("/api/transcription", "POST", 200, 157.3);
 * monitor.recordError("database_connection", Map.of("database", "main", "host", "localhost"));
 * monitor.setHealthStatus(true, "All systems operational");
 * monitor.close();
 * }</pre>
 *
 * <p>Longer than our usual 400 lines because it is the entry point of the original API: its
 * builder's documented options and the readers' Javadoc are most of it. What it does lives
 * elsewhere: the cells in {@code internal.metrics.ApplicationMetrics}, the SDK in {@code
 * SdkPipeline}, host sampling in {@code internal.host}, the server in {@code internal.http}.
 */
public final class SystemMonitor implements HostView, RequestView, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SystemMonitor.class);

  static final String SCOPE_NAME = ApplicationMetrics.SCOPE_NAME;
  static final AttributeKey<String> ERROR_TYPE = ApplicationMetrics.ERROR_TYPE;
  static final AttributeKey<String> REASON = ApplicationMetrics.REASON;

  /** Reasons under which {@code monitoring.dropped} counts an observation it refused. */
  static final String INVALID_DURATION = ApplicationMetrics.INVALID_DURATION;

  static final String INVALID_STATUS_CODE = ApplicationMetrics.INVALID_STATUS_CODE;
  static final String INTERNAL_ERROR = ApplicationMetrics.INTERNAL_ERROR;

  /** Error details are kept for reading, not export; these bounds keep that memory small. */
  static final int MAX_DETAIL_ENTRIES = ErrorHistory.MAX_ENTRIES;

  static final int MAX_DETAIL_VALUE_LENGTH = ErrorHistory.MAX_VALUE_LENGTH;

  static final int MAX_DETAIL_KEY_LENGTH = ErrorHistory.MAX_KEY_LENGTH;

  private final String serviceName;
  private final String serviceInstanceId;
  private final boolean instanceIdConfigured;
  private final Clock clock;
  private final ThrottledLogger throttledLog;
  private final ApplicationMetrics metrics;
  private final ErrorHistory recentErrors;
  private final ServerRequests serverRequests;
  private final RequestWindows windows;
  private final HostSampler sampler;
  private final MeterProvider meterProvider;

  /** The SDK the monitor started and shuts down; null when it joined the application's. */
  private final SdkMeterProvider ownSdk;

  /** What the monitor registered on the application's SDK; null with an SDK of its own. */
  private final JoinedSdk joined;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final MonitoringServer server;
  private final PrometheusRegistry registry = new PrometheusRegistry();

  /** What serves {@code /metrics}, on our port or mounted elsewhere; null when not exposed. */
  private final HttpHandler metricsEndpoint;

  private final SystemInfo staticInfo;
  private final Duration windowRetention;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile ReportedHealth health;

  private record ReportedHealth(boolean healthy, String reason) {}

  private SystemMonitor(Builder builder, HttpHandler rootHandler) {
    this.serviceName = builder.serviceName;
    this.serviceInstanceId = builder.serviceInstanceId;
    this.instanceIdConfigured = builder.instanceIdConfigured;
    this.clock = builder.clock;
    this.throttledLog = new ThrottledLogger(LOG, clock, Duration.ofMinutes(1));
    this.windowRetention = builder.requestWindowRetention;
    this.recentErrors = new ErrorHistory(builder.errorHistorySize);
    this.health = new ReportedHealth(true, "No status reported yet");
    this.metrics =
        new ApplicationMetrics(
            builder.maxRoutes,
            builder.histogramLayout(),
            builder.maxErrorTypes,
            clock,
            throttledLog);
    this.serverRequests = new ServerRequestRecorder(metrics, this::recordError);
    builder.checkJoin();

    // Bind the port first: when it is taken, nothing else has been started that must be undone.
    // Connections wait in the backlog until the end, when /metrics has everything to serve.
    this.metricsEndpoint = builder.enablePrometheus ? metricsEndpoint(registry) : null;
    this.server =
        builder.enablePrometheus && builder.servePort
            ? bindServer(builder, metricsEndpoint, rootHandler)
            : null;
    try {
      HostProbe probe = builder.hostProbe != null ? builder.hostProbe : new OshiHostProbe();
      this.staticInfo = SystemDescription.describe(builder.serviceName, probe, clock.instant());
      this.windows =
          new RequestWindows(
              metrics::requestTotals, builder.requestWindowRetention, clock.instant());
      this.sampler =
          new HostSampler(probe, clock, throttledLog, snapshot -> windows.tick(snapshot.time()));
      sampler.sample();
      OpenTelemetry openTelemetry;
      if (builder.openTelemetry == null) {
        this.ownSdk = buildMeterProvider(builder, registry);
        this.joined = null;
        this.meterProvider = ownSdk;
        openTelemetry = SdkPipeline.metricsOnly(ownSdk);
      } else {
        this.ownSdk = null;
        this.joined = builder.joined;
        if (builder.enablePrometheus) {
          registry.register(prometheusCollector(joined.prometheus()));
        }
        joined.bind(metrics);
        openTelemetry = builder.openTelemetry;
        this.meterProvider = openTelemetry.getMeterProvider();
      }
      Meter meter = meterProvider.get(SCOPE_NAME);
      closeables.addAll(HostInstruments.register(meter, sampler::latest, () -> health.healthy()));
      if (builder.enableJvmMetrics) {
        closeables.add(RuntimeTelemetry.create(openTelemetry));
      }
      sampler.start(builder.collectInterval);
      if (server != null) {
        server.start();
      }
    } catch (RuntimeException | Error e) {
      if (server != null) {
        server.close();
      }
      throw e;
    }
  }

  /** {@code /metrics}: the exposition, for GET and HEAD; POST or FOO get a 405. */
  private static HttpHandler metricsEndpoint(PrometheusRegistry registry) {
    MetricsHttpHandler metrics = new MetricsHttpHandler(registry);
    return exchange -> {
      if (!"/metrics".equals(exchange.getRequestURI().getPath())) {
        // Mounted by prefix: /metricsX and /metrics/x are no exposition.
        try (exchange) {
          Exchanges.notFound(exchange);
        }
      } else if (Exchanges.allows(exchange, "GET", "HEAD")) {
        metrics.handle(exchange);
      }
    };
  }

  private static MonitoringServer bindServer(
      Builder builder, HttpHandler metricsEndpoint, HttpHandler rootHandler) {
    try {
      MonitoringServer.Builder server =
          MonitoringServer.builder()
              .host(builder.prometheusHost)
              .port(builder.prometheusPort)
              .allowedHosts(builder.allowedHosts)
              .handler("/metrics", metricsEndpoint);
      if (rootHandler != null) {
        server.handler("/", rootHandler);
      }
      if (builder.tls != null) {
        server.tls(builder.tls);
      }
      return server.build();
    } catch (UncheckedIOException e) {
      if (e.getCause() instanceof BindException) {
        throw new IllegalStateException(
            "prometheusPort "
                + builder.prometheusPort
                + " is already in use on "
                + builder.prometheusHost
                + ": stop what holds it, or choose another with prometheusPort(...) (0 picks a"
                + " free port)",
            e.getCause());
      }
      throw new IllegalArgumentException(
          "prometheusHost '" + builder.prometheusHost + "' cannot be bound: " + e.getCause(),
          e.getCause());
    }
  }

  private SdkMeterProvider buildMeterProvider(Builder builder, PrometheusRegistry registry) {
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.create(
                    Attributes.builder()
                        .put("service.name", builder.serviceName)
                        .put("service.instance.id", builder.serviceInstanceId)
                        .put("host.name", staticInfo.hostName())
                        .build()));
    PrometheusMetricReader prometheus = null;
    if (builder.enablePrometheus) {
      // Scope labels would repeat the same two labels on every series; our names are unique.
      prometheus = PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
      registry.register(prometheusCollector(prometheus));
    }
    return SdkPipeline.build(
        new SdkPipeline.Settings(
            resource,
            clock,
            prometheus,
            builder.enableConsole,
            builder.otlpEndpoint,
            builder.metricsExportInterval,
            List.copyOf(builder.extraReaders)),
        metrics);
  }

  /**
   * What {@code /metrics} collects: the exporter's output, cleaned, with the request histogram
   * built from our cells rather than converted by the exporter (see {@link
   * PromtoolCleanCollector}). Package-private for the benchmarks' in-process scrape.
   */
  MultiCollector prometheusCollector(PrometheusMetricReader reader) {
    return new PromtoolCleanCollector(reader, metrics::requestSnapshot);
  }

  /** A builder; every option has a default. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Records one served request in {@code http.server.request.duration}. Never throws: a null or
   * blank endpoint or method is recorded as {@code unknown}, a non-standard method as {@code
   * _OTHER}; a status outside 100..599 or a negative, NaN or infinite duration is dropped and
   * counted in {@code monitoring.dropped}.
   *
   * @param endpoint the route template, e.g. {@code /users/{id}} (not the raw path, whose ids would
   *     make a series per user)
   * @param method the HTTP method
   * @param statusCode the response status
   * @param durationMs the time taken, in milliseconds
   */
  public void recordRequest(String endpoint, String method, int statusCode, double durationMs) {
    metrics.recordRequest(endpoint, method, statusCode, durationMs);
  }

  /**
   * Counts one error in {@code app.errors} under its type, and keeps it with its details in the
   * bounded list returned by {@link #getRecentErrors()}. The details never become metric labels.
   * Never throws.
   */
  public void recordError(String errorType, Map<String, ?> details) {
    try {
      recentErrors.add(clock.instant(), metrics.countError(errorType), details);
    } catch (RuntimeException e) {
      metrics.drop(INTERNAL_ERROR, "recording failed: {}", e);
    }
  }

  /**
   * What request filters record through ({@code http.server.active_requests}, the request
   * histogram, handler failures): the library's {@code instrument.HttpServerFilter} and the Servlet
   * module's filter take the monitor and use this; a filter for another server can too.
   */
  public ServerRequests serverRequests() {
    return serverRequests;
  }

  /**
   * Sets {@code app.health.status} to 1 (healthy) or 0. The reason is kept for {@link
   * #getHealthReason()}, never exported as a label. Nothing in the background overwrites it.
   */
  public void setHealthStatus(boolean healthy, String reason) {
    health = new ReportedHealth(healthy, reason == null ? "" : reason);
  }

  /** The status last set with {@link #setHealthStatus}; true until then. */
  public boolean isHealthy() {
    return health.healthy();
  }

  /** The reason given with the last {@link #setHealthStatus}. */
  public String getHealthReason() {
    return health.reason();
  }

  /** The service, host and process as described at start, with the uptime as of now. */
  public SystemInfo getSystemInfo() {
    Instant now = clock.instant();
    SystemInfo s = staticInfo;
    return new SystemInfo(
        s.serviceName(),
        s.hostName(),
        s.os(),
        s.osVersion(),
        s.architecture(),
        s.platform(),
        s.javaVersion(),
        s.javaVendor(),
        s.processor(),
        s.physicalCores(),
        s.logicalCores(),
        s.totalMemoryBytes(),
        s.startTime(),
        Duration.between(s.startTime(), now));
  }

  /** The latest host sample; never null (empty figures before the first full sample). */
  @Override
  public SystemSnapshot getLatestSnapshot() {
    return sampler.latest();
  }

  /** The most recent errors, oldest first, at most {@code errorHistorySize} of them. */
  public List<ErrorRecord> getRecentErrors() {
    return recentErrors.recent();
  }

  /**
   * Requests recorded over about the last {@code window} (to the sampling interval), across all
   * routes: counts, server errors and latency buckets, for error-ratio and latency checks.
   *
   * @throws IllegalArgumentException when the window is not positive or longer than the configured
   *     {@code requestWindowRetention}
   */
  @Override
  public RequestWindow getRequestWindow(Duration window) {
    if (window == null
        || window.isNegative()
        || window.isZero()
        || window.compareTo(windowRetention) > 0) {
      throw new IllegalArgumentException(
          "window must be positive and at most requestWindowRetention ("
              + windowRetention
              + "), was "
              + window);
    }
    return windows.window(window, clock.instant());
  }

  /** Visits each request series with its cumulative bucket counts, for the objectives. */
  void forEachRequestSeries(RequestMetrics.SeriesVisitor visitor) {
    metrics.forEachRequestSeries(visitor);
  }

  /** The meter this monitor's own instruments use; add yours beside them. */
  public Meter getMeter() {
    return meterProvider.get(SCOPE_NAME);
  }

  /**
   * Serves {@code path} (and below) on the monitor's HTTP port, beside {@code /metrics}. For the
   * wiring ({@link Monitoring}), the one owner of the port's other paths.
   *
   * @throws IllegalStateException when {@code enablePrometheus} was false, so nothing is served
   * @throws IllegalArgumentException when the path is already served
   */
  void registerHttpHandler(String path, HttpHandler handler) {
    if (server == null) {
      throw new IllegalStateException(
          "this monitor serves no HTTP (enablePrometheus is false), so it cannot serve " + path);
    }
    server.addHandler(path, handler);
  }

  /**
   * For the wiring ({@link Monitoring}): what serves {@code /metrics}, also where the monitor's
   * paths are mounted on another server; null when {@code enablePrometheus} was false.
   */
  HttpHandler metricsEndpoint() {
    return metricsEndpoint;
  }

  /** Stops serving a path added with {@link #registerHttpHandler}; returns whether it was. */
  boolean unregisterHttpHandler(String path) {
    return server != null && server.removeHandler(path);
  }

  /** For the benchmarks' in-process scrape: what {@code /metrics} collects. */
  PrometheusRegistry prometheusRegistry() {
    return registry;
  }

  /** For tests: distinct routes recorded under their own name. */
  int routeCount() {
    return metrics.routeCount();
  }

  /** For tests: distinct error types counted under their own name. */
  int errorTypeCount() {
    return metrics.errorTypeCount();
  }

  /** For tests: observations dropped for {@code reason}. */
  long droppedCount(String reason) {
    return metrics.droppedCount(reason);
  }

  /** For the wiring: whether {@code serviceInstanceId} was given rather than made up. */
  boolean instanceIdConfigured() {
    return instanceIdConfigured;
  }

  /** For the wiring: the clock the monitor stamps its figures with. */
  Clock clock() {
    return clock;
  }

  /** For tests: samples the host and ticks the request windows now, on this thread. */
  SystemSnapshot sampleNow() {
    return sampler.sample();
  }

  /** The {@code service.name} this monitor was built with. */
  public String getServiceName() {
    return serviceName;
  }

  /**
   * The {@code service.instance.id} this monitor was built with (or its random default): the {@code
   * instance} label of the alerts {@code Monitoring} raises beside it.
   */
  public String getServiceInstanceId() {
    return serviceInstanceId;
  }

  /**
   * The port {@code /metrics} is served on (the bound one when 0 was asked), or -1 when the monitor
   * opens no port ({@code enablePrometheus} or {@code servePort} false).
   */
  public int getPrometheusPort() {
    return server == null ? -1 : server.port();
  }

  /**
   * Stops the sampler, the HTTP server and the SDK (flushing OTLP), in at most a few seconds.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("Closing {} failed", closeable, e);
      }
    }
    sampler.close();
    if (server != null) {
      server.close();
    }
    if (ownSdk == null) {
      // The application's SDK is the application's to shut down; its exports stop carrying ours.
      joined.bind(null);
    } else {
      ownSdk.shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  /** Configures a {@link SystemMonitor}. Each option is checked when set. */
  public static final class Builder {
    private String serviceName = "amptalk";
    private String serviceInstanceId = UUID.randomUUID().toString();
    private boolean instanceIdConfigured;
    private String prometheusHost = "0.0.0.0";
    private int prometheusPort = 8000;
    private boolean enablePrometheus = true;
    private boolean servePort = true;
    private boolean enableConsole;
    private String otlpEndpoint;
    private Duration metricsExportInterval = Duration.ofSeconds(60);
    private Duration collectInterval = Duration.ofSeconds(1);
    private Clock clock = Clock.systemUTC();
    private int maxRoutes = 200;
    private int maxErrorTypes = 100;
    private int errorHistorySize = 100;
    private boolean enableJvmMetrics = true;
    private boolean nativeHistograms;
    private int nativeHistogramSchema = HistogramLayout.DEFAULT_SCHEMA;
    private int nativeHistogramMaxBuckets = HistogramLayout.DEFAULT_MAX_BUCKETS;
    private boolean classicHistogramBuckets = true;
    private Duration requestWindowRetention = Duration.ofMinutes(15);
    private HostProbe hostProbe;
    private SSLContext tls;
    private List<String> allowedHosts = List.of();
    private final List<MetricReader> extraReaders = new ArrayList<>();
    private OpenTelemetry openTelemetry;
    private JoinedSdk joined;

    private Builder() {}

    /**
     * Registers the monitor on the application's own OpenTelemetry SDK, before that SDK's meter
     * provider is built, so that one SDK runs: {@code /metrics} reads it (the application's
     * instruments included), and its exporters get the monitor's figures, the request histogram
     * included. Then give the SDK built from {@code sdk} to {@link #openTelemetry}:
     *
     * <pre>{@code
     * SystemMonitor.Builder monitoring = SystemMonitor.builder().serviceName("checkout");
     * SdkMeterProvider meters =
     *     monitoring.registerOn(SdkMeterProvider.builder().setResource(resource))
     *         .registerMetricReader(PeriodicMetricReader.create(otlpExporter))
     *         .build();
     * OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setMeterProvider(meters).build();
     * SystemMonitor monitor = monitoring.openTelemetry(sdk).build();
     * }</pre>
     *
     * With OpenTelemetry's autoconfiguration: {@code
     * AutoConfiguredOpenTelemetrySdk.builder().addMeterProviderCustomizer((b, config) ->
     * monitoring.registerOn(b))}.
     *
     * @return {@code sdk}, to go on building it
     * @throws IllegalStateException when this builder was registered on a builder already
     */
    public SdkMeterProviderBuilder registerOn(SdkMeterProviderBuilder sdk) {
      Objects.requireNonNull(sdk, "sdk");
      if (joined == null) {
        joined = new JoinedSdk();
      }
      return joined.addTo(sdk);
    }

    /**
     * Joins the application's OpenTelemetry instead of starting an SDK of its own: the monitor's
     * instruments (host, process, JVM, health, alerts) are registered on its meter provider, the
     * SDK's resource names the service on {@code /metrics}, its readers and exporters are the only
     * ones, and closing the monitor leaves it running. Its meter provider must have been built from
     * a builder given to {@link #registerOn} first; {@code otlpEndpoint} and {@code enableConsole}
     * do not apply (add those exporters to the SDK). Default: the monitor starts its own SDK.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /** The join is whole: both halves given, the SDK built, nothing exported twice. */
    private void checkJoin() {
      if (openTelemetry == null) {
        if (joined != null) {
          throw new IllegalStateException(
              "registerOn: give the OpenTelemetry built with that SdkMeterProviderBuilder to"
                  + " openTelemetry(...), or the monitor starts an SDK of its own beside it");
        }
        return;
      }
      if (joined == null) {
        throw new IllegalStateException(
            "openTelemetry: call registerOn(...) on its SdkMeterProviderBuilder before building"
                + " it, so that /metrics and its exporters get the monitor's figures");
      }
      if (!joined.registered()) {
        throw new IllegalStateException(
            "openTelemetry: the SdkMeterProviderBuilder given to registerOn(...) has not been"
                + " built; build it into the OpenTelemetry given here");
      }
      if (otlpEndpoint != null) {
        throw new IllegalStateException(
            "otlpEndpoint: a monitor on the application's OpenTelemetry exports through that"
                + " SDK; register the OTLP exporter on it instead");
      }
      if (enableConsole) {
        throw new IllegalStateException(
            "enableConsole: a monitor on the application's OpenTelemetry exports through that"
                + " SDK; register a logging exporter on it instead");
      }
      if (!extraReaders.isEmpty()) {
        throw new IllegalStateException(
            "metricReader: register readers on the application's SDK instead");
      }
    }

    /** {@code service.name} of the resource; the Prometheus {@code job}. Default "amptalk". */
    public Builder serviceName(String serviceName) {
      this.serviceName = Options.requireNonBlank("serviceName", serviceName);
      return this;
    }

    /** {@code service.instance.id} of the resource. Default: a random UUID per monitor. */
    public Builder serviceInstanceId(String serviceInstanceId) {
      this.serviceInstanceId = Options.requireNonBlank("serviceInstanceId", serviceInstanceId);
      this.instanceIdConfigured = true;
      return this;
    }

    /**
     * Address to serve {@code /metrics} (and every other endpoint of the port) on. Default 0.0.0.0
     * (all interfaces); {@code 127.0.0.1} serves this host alone.
     */
    public Builder prometheusHost(String prometheusHost) {
      this.prometheusHost = Options.requireNonBlank("prometheusHost", prometheusHost);
      return this;
    }

    /**
     * Host names the port answers to, besides the loopback ones, against DNS rebinding (a web page
     * that makes its own name resolve to this address would otherwise read the port through its
     * visitors' browsers). Bound to a loopback address ({@code 127.0.0.1}, {@code localhost}), the
     * port answers only {@code localhost}, {@code *.localhost}, {@code 127.x.y.z} and {@code [::1]}
     * in the {@code Host} header, and these names; bound to any other address, every name unless
     * some are given. An entry is a host name or IP address, {@code *.domain} for every name under
     * a domain, or {@code *} for every name. A request naming another host gets 421 Misdirected
     * Request. Default: none.
     *
     * @throws IllegalArgumentException naming an entry of another form
     */
    public Builder allowedHosts(List<String> allowedHosts) {
      this.allowedHosts = AllowedHosts.check(allowedHosts);
      return this;
    }

    /** Port to serve {@code /metrics} on; 0 picks a free one. Default 8000. */
    public Builder prometheusPort(int prometheusPort) {
      if (prometheusPort < 0 || prometheusPort > 65535) {
        throw new IllegalArgumentException(
            "prometheusPort must be 0..65535, was " + prometheusPort);
      }
      this.prometheusPort = prometheusPort;
      return this;
    }

    /**
     * Serves HTTPS instead of HTTP on the monitor's port (TLS 1.3 or 1.2), with the private key and
     * certificate chain in this keystore: PKCS12 or JKS, told apart by the file's content. The
     * keystore is opened now with {@code password}, which must also be the key's; the password is
     * not kept (clear your array afterwards if you like). A plain HTTP request to the port then
     * fails. Default: plain HTTP.
     *
     * @throws IllegalArgumentException naming the option and the path when the keystore does not
     *     exist, cannot be read, is no PKCS12 or JKS keystore, holds no private key, or the
     *     password is wrong
     */
    public Builder tls(Path keystore, char[] password) {
      this.tls = TlsKeystore.load(keystore, password);
      return this;
    }

    /** Whether to serve {@code /metrics}. Default true. */
    public Builder enablePrometheus(boolean enablePrometheus) {
      this.enablePrometheus = enablePrometheus;
      return this;
    }

    /**
     * Whether the monitor opens its own port ({@code prometheusHost}:{@code prometheusPort}) for
     * {@code /metrics} and, with {@link Monitoring}, the other paths. Default true. False opens no
     * port (and {@code prometheusHost}, {@code prometheusPort}, {@code allowedHosts} and {@code
     * tls} do not apply): the paths are then served only where the application mounts them on its
     * own server, with {@link io.amptalk.monitoring.instrument.MonitoringHandler} (or the Servlet
     * module's {@code MonitoringServlet}). {@code /metrics} is collected as long as {@code
     * enablePrometheus} is true.
     */
    public Builder servePort(boolean servePort) {
      this.servePort = servePort;
      return this;
    }

    /** Whether to log every metric each {@code metricsExportInterval}. Default false. */
    public Builder enableConsole(boolean enableConsole) {
      this.enableConsole = enableConsole;
      return this;
    }

    /**
     * Also push metrics over OTLP/HTTP to this collector, e.g. {@code http://collector:4318}
     * ({@code /v1/metrics} is added when no path is given). Default: off.
     */
    public Builder otlpEndpoint(String otlpEndpoint) {
      this.otlpEndpoint = otlpUrl(otlpEndpoint);
      return this;
    }

    /** Period of the console and OTLP exports. Default 60 s; at most a day. */
    public Builder metricsExportInterval(Duration metricsExportInterval) {
      this.metricsExportInterval =
          Options.requirePositive(
              "metricsExportInterval", metricsExportInterval, Options.MAX_PERIOD);
      return this;
    }

    /** Period of host sampling. Default 1 s; at most a day. */
    public Builder collectInterval(Duration collectInterval) {
      this.collectInterval =
          Options.requirePositive("collectInterval", collectInterval, Options.MAX_PERIOD);
      return this;
    }

    /** The clock for timestamps and uptime. Default: the system clock in UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Distinct routes kept before further ones are recorded as {@code other}. Default 200. */
    public Builder maxRoutes(int maxRoutes) {
      this.maxRoutes = Options.requirePositive("maxRoutes", maxRoutes);
      return this;
    }

    /** Distinct error types kept before further ones count as {@code other}. Default 100. */
    public Builder maxErrorTypes(int maxErrorTypes) {
      this.maxErrorTypes = Options.requirePositive("maxErrorTypes", maxErrorTypes);
      return this;
    }

    /** How many recent errors {@link #getRecentErrors()} keeps. Default 100. */
    public Builder errorHistorySize(int errorHistorySize) {
      this.errorHistorySize = Options.requirePositive("errorHistorySize", errorHistorySize);
      return this;
    }

    /** Whether to export JVM runtime metrics (memory, GC, threads, classes). Default true. */
    public Builder enableJvmMetrics(boolean enableJvmMetrics) {
      this.enableJvmMetrics = enableJvmMetrics;
      return this;
    }

    /**
     * Also keeps {@code http.server.request.duration} as a native histogram: per series, sparse
     * exponential buckets whose bounds are powers of {@code 2^(2^-schema)}, recorded lock-free
     * beside the classic buckets. {@code /metrics} then writes it as a Prometheus native histogram
     * in the protobuf format (which Prometheus asks for when started with {@code
     * --enable-feature=native-histograms}), and OTLP exports it as an exponential histogram in
     * place of the classic one. The text formats still carry the classic buckets, and the request
     * windows, latency checks and objectives still read them. Default false.
     */
    public Builder nativeHistograms(boolean nativeHistograms) {
      this.nativeHistograms = nativeHistograms;
      return this;
    }

    /**
     * The schema native histograms start at, -4..8: the bucket bounds are powers of {@code
     * 2^(2^-schema)}, so a quantile read from them is within {@code 2^(2^-schema) - 1} of the true
     * value (2.2 % at the default 5, 9.1 % at 3). A series lowers its own schema when it would need
     * more than {@link #nativeHistogramMaxBuckets} buckets. Default 5. Applies with {@link
     * #nativeHistograms}.
     */
    public Builder nativeHistogramSchema(int nativeHistogramSchema) {
      if (nativeHistogramSchema < HistogramLayout.MIN_SCHEMA
          || nativeHistogramSchema > HistogramLayout.MAX_SCHEMA) {
        throw new IllegalArgumentException(
            "nativeHistogramSchema must be -4..8, was " + nativeHistogramSchema);
      }
      this.nativeHistogramSchema = nativeHistogramSchema;
      return this;
    }

    /**
     * The most buckets a native histogram series keeps, 1..10000: one more halves its resolution
     * (the schema drops by one, neighbouring buckets merge) until they fit. Default 160, as
     * client_java. Applies with {@link #nativeHistograms}.
     */
    public Builder nativeHistogramMaxBuckets(int nativeHistogramMaxBuckets) {
      if (nativeHistogramMaxBuckets < 1 || nativeHistogramMaxBuckets > 10_000) {
        throw new IllegalArgumentException(
            "nativeHistogramMaxBuckets must be 1..10000, was " + nativeHistogramMaxBuckets);
      }
      this.nativeHistogramMaxBuckets = nativeHistogramMaxBuckets;
      return this;
    }

    /**
     * With {@link #nativeHistograms}, whether the protobuf format carries the classic buckets
     * beside the native ones (for Prometheus servers that scrape both, or classic only); false
     * sends the native histogram alone there (the text formats then show only the {@code +Inf}
     * bucket, as client_java). Default true; false needs {@code nativeHistograms(true)}.
     */
    public Builder classicHistogramBuckets(boolean classicHistogramBuckets) {
      this.classicHistogramBuckets = classicHistogramBuckets;
      return this;
    }

    private HistogramLayout histogramLayout() {
      return new HistogramLayout(
          classicHistogramBuckets,
          nativeHistograms,
          nativeHistogramSchema,
          nativeHistogramMaxBuckets);
    }

    /**
     * The longest window {@link SystemMonitor#getRequestWindow} can answer. Default 15 min, at most
     * a day; costs one set of cumulative totals (about 150 bytes) per {@code collectInterval} kept.
     */
    public Builder requestWindowRetention(Duration requestWindowRetention) {
      this.requestWindowRetention =
          Options.requirePositive(
              "requestWindowRetention", requestWindowRetention, Options.MAX_PERIOD);
      return this;
    }

    /** For tests: where host figures come from. */
    Builder hostProbe(HostProbe hostProbe) {
      this.hostProbe = Objects.requireNonNull(hostProbe, "hostProbe");
      return this;
    }

    /** For tests: one more reader, e.g. an in-memory one. */
    Builder metricReader(MetricReader reader) {
      extraReaders.add(Objects.requireNonNull(reader, "reader"));
      return this;
    }

    /**
     * Starts the monitor. The port is bound first (so a taken port fails before anything else
     * starts) and answers only once everything is built: from its first connection, {@code
     * /metrics} carries {@code target_info} and every registered instrument.
     *
     * @throws IllegalStateException when {@code prometheusPort} is already in use
     */
    public SystemMonitor build() {
      return new SystemMonitor(this, null);
    }

    /**
     * For the wiring ({@link Monitoring}): starts the monitor with {@code rootHandler} answering
     * every path but {@code /metrics} from the port's first connection, until it is unregistered.
     * The builder itself is left as it was.
     */
    SystemMonitor buildServingRoot(HttpHandler rootHandler) {
      return new SystemMonitor(this, Objects.requireNonNull(rootHandler, "rootHandler"));
    }

    /** The endpoint quoted, without user info or query, which may hold credentials. */
    private static String shown(String endpoint) {
      String shown = endpoint;
      int query = shown.indexOf('?');
      if (query >= 0) {
        shown = shown.substring(0, query) + "?…";
      }
      int at = shown.lastIndexOf('@');
      if (at >= 0) {
        int scheme = shown.indexOf("://");
        shown =
            (scheme >= 0 && scheme < at ? shown.substring(0, scheme + 3) : "")
                + "…"
                + shown.substring(at);
      }
      return "'" + shown + "'";
    }

    private static String otlpUrl(String endpoint) {
      Options.requireNonBlank("otlpEndpoint", endpoint);
      URI uri;
      try {
        uri = URI.create(endpoint);
      } catch (IllegalArgumentException e) {
        // Not chained: the parser's message quotes the whole endpoint.
        throw new IllegalArgumentException(
            "otlpEndpoint must be an http(s) URL, was " + shown(endpoint));
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "otlpEndpoint must be an http(s) URL, was " + shown(endpoint));
      }
      String path = uri.getPath();
      return path == null || path.isEmpty() || "/".equals(path)
          ? endpoint.replaceAll("/$", "") + "/v1/metrics"
          : endpoint;
    }
  }
}
