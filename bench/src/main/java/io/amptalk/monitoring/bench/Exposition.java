package io.amptalk.monitoring.bench;

import static io.amptalk.monitoring.bench.RecordRequestBenchmark.BOUNDARIES;
import static io.amptalk.monitoring.bench.RecordRequestBenchmark.BOUNDS;

import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.InProcessScrape;
import io.amptalk.monitoring.SystemMonitor;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.exporter.prometheus.PrometheusHttpServer;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One library holding the same request-duration series (by default 400: 20 routes × 4 methods × 5
 * statuses, the same 15 buckets, filled from {@link RecordRequestBenchmark}'s input sequence; or
 * any {@link Workload}), able to write its Prometheus text body in-process and serving it on
 * loopback by its usual server.
 *
 * <p>Every library names the histogram {@code http_server_request_duration_seconds} with the labels
 * {@code http_route}, {@code http_request_method} and {@code http_response_status_code}, so the
 * bodies differ only by what each library adds of its own (see {@link Library}).
 */
abstract class Exposition implements AutoCloseable {
  static final String HISTOGRAM = "http_server_request_duration_seconds";

  /** The libraries compared, with what each body holds besides the 400 series. */
  enum Library {
    /** {@code SystemMonitor}, JVM metrics off; host and self metrics, {@code target_info}. */
    amptalk,
    /** {@code SystemMonitor} as the agent runs it: JVM metrics on too. The full real body. */
    amptalkWithJvm,
    /**
     * The {@code amptalk} body as {@code /metrics} produced it before our writers: client_java's
     * text writer in-process, its {@code MetricsHandler} over HTTP. The before of a before/after.
     */
    amptalkClientJavaWriter,
    /** The {@code amptalk} monitor's body in the protobuf format, classic histograms only. */
    amptalkProtobuf,
    /**
     * {@code SystemMonitor} with native histograms (schema 5, classic buckets alongside), in the
     * protobuf format Prometheus scrapes them in.
     */
    amptalkNative,
    /** OpenTelemetry SDK with its Prometheus reader (scope labels off, as ours); target_info. */
    otelSdk,
    /** Prometheus client_java, a classic histogram. Nothing else. */
    prometheusClient,
    /** Micrometer Timer with the same 14 SLO boundaries; adds a {@code _max} gauge per series. */
    micrometer,
    /** The same Micrometer registry, written to the stream rather than returned as a String. */
    micrometerStream;

    /** Whether the body is the Prometheus text format (else protobuf, which is binary). */
    boolean text() {
      return this != amptalkProtobuf && this != amptalkNative;
    }
  }

  private final String library;
  private final int series;

  Exposition(String library, Workload workload) {
    this.library = library;
    this.series = workload.series();
  }

  /** Writes the body as the library produces it in-process. */
  abstract void writeTo(OutputStream out) throws IOException;

  /** Where the library's usual server serves the body on loopback. */
  abstract URI metricsUri();

  @Override
  public abstract void close();

  /**
   * The series a library holds and the observations recorded into them: route, method, status and
   * milliseconds of each step, and how many distinct (route, method, status) series they make.
   */
  record Workload(
      int series,
      int routes,
      String[] route,
      String[] method,
      int[] status,
      double[] millis,
      Runnable beforeRecording) {

    /** Observations per series in a {@link #series(int)} workload. */
    static final int OBSERVATIONS = 2;

    /** Series per route: 4 methods × 5 statuses. */
    static final int PER_ROUTE =
        RecordRequestBenchmark.METHODS.size() * RecordRequestBenchmark.STATUSES.length;

    /** The 400 series of the scrape benchmarks: {@link RecordRequestBenchmark}'s sequence. */
    static Workload standard() {
      return new Workload(
          RecordRequestBenchmark.COMBINATIONS,
          RecordRequestBenchmark.ROUTES.size(),
          RecordRequestBenchmark.ROUTE,
          RecordRequestBenchmark.METHOD,
          RecordRequestBenchmark.STATUS,
          RecordRequestBenchmark.MILLIS,
          () -> {});
    }

    /**
     * {@code series} series (a multiple of {@value #PER_ROUTE}-series routes: {@code
     * /api/v1/resource<i>/{id}} × the 4 methods × the 5 statuses), each observed {@value
     * #OBSERVATIONS} times with durations from the standard sequence.
     */
    static Workload series(int series) {
      if (series <= 0 || series % PER_ROUTE != 0) {
        throw new IllegalArgumentException(
            "series must be a positive multiple of " + PER_ROUTE + ", was " + series);
      }
      int routes = series / PER_ROUTE;
      String[] names = new String[routes];
      for (int r = 0; r < routes; r++) {
        names[r] = "/api/v1/resource" + r + "/{id}";
      }
      int steps = series * OBSERVATIONS;
      String[] route = new String[steps];
      String[] method = new String[steps];
      int[] status = new int[steps];
      double[] millis = new double[steps];
      for (int k = 0; k < steps; k++) {
        int c = k % series;
        route[k] = names[c / PER_ROUTE];
        method[k] = RecordRequestBenchmark.method(c % PER_ROUTE);
        status[k] = RecordRequestBenchmark.status(c % PER_ROUTE);
        millis[k] = RecordRequestBenchmark.MILLIS[k & RecordRequestBenchmark.MASK];
      }
      return new Workload(series, routes, route, method, status, millis, () -> {});
    }

    /**
     * The same workload, running {@code hook} once the library is built and before its first
     * observation (the heap measure takes the empty library's there).
     */
    Workload beforeRecording(Runnable hook) {
      return new Workload(series, routes, route, method, status, millis, hook);
    }

    int steps() {
      return route.length;
    }
  }

  static Exposition create(Library library) {
    return create(library, Workload.standard(), true);
  }

  /**
   * The library holding {@code workload}; with {@code served} false, without its HTTP server (and,
   * for the SDK, without the second SDK its server needs): only the in-process body.
   */
  static Exposition create(Library library, Workload workload, boolean served) {
    String name = library.name();
    Exposition exposition =
        switch (library) {
          case amptalk -> new Amptalk(name, workload, false, false, false, false);
          case amptalkWithJvm -> new Amptalk(name, workload, true, false, false, false);
          case amptalkClientJavaWriter -> new Amptalk(name, workload, false, true, false, false);
          case amptalkProtobuf -> new Amptalk(name, workload, false, false, false, true);
          case amptalkNative -> new Amptalk(name, workload, false, false, true, true);
          case otelSdk -> new OtelSdk(name, workload, served);
          case prometheusClient -> new PrometheusClient(name, workload, served);
          case micrometer -> new Micrometer(name, workload, false, served);
          case micrometerStream -> new Micrometer(name, workload, true, served);
        };
    try {
      exposition.requireAllSeries();
    } catch (RuntimeException e) {
      exposition.close();
      throw e;
    }
    return exposition;
  }

  /** The body as a string, written in-process. */
  String body() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    try {
      writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The text body, for the check that every series is there; the body itself by default. */
  String textBody() {
    return body();
  }

  /** Fails unless the body holds every series × 15 buckets: else the data are not identical. */
  private void requireAllSeries() {
    long buckets =
        textBody().lines().filter(line -> line.startsWith(HISTOGRAM + "_bucket{")).count();
    long expected = (long) series * (BOUNDS.length + 1);
    if (buckets != expected) {
      throw new IllegalStateException(
          library + " writes " + buckets + " histogram bucket lines, not " + expected);
    }
  }

  // ---------------------------------------------------------------- amptalk

  static final class Amptalk extends Exposition {
    /** Where client_java's handler serves the same body, for the before of a before/after. */
    private static final String CLIENT_JAVA_PATH = "/metrics-client-java";

    /** {@code SystemMonitor.Builder.maxRoutes}' default. */
    static final int DEFAULT_MAX_ROUTES = 200;

    private final InProcessScrape scrape;
    private final boolean clientJava;
    private final boolean protobuf;

    Amptalk(
        String name,
        Workload workload,
        boolean jvmMetrics,
        boolean clientJava,
        boolean nativeHistograms,
        boolean protobuf) {
      super(name, workload);
      this.clientJava = clientJava;
      this.protobuf = protobuf;
      SystemMonitor.Builder builder =
          SystemMonitor.builder()
              .prometheusHost("127.0.0.1")
              .prometheusPort(0)
              .enablePrometheus(true)
              .enableJvmMetrics(jvmMetrics)
              .nativeHistograms(nativeHistograms)
              // One host sample at start-up, none during the measurement.
              .collectInterval(Duration.ofHours(1));
      if (workload.routes() > DEFAULT_MAX_ROUTES) {
        // As a user raises the cap (metrics.max_routes in the agent's YAML).
        builder.maxRoutes(workload.routes());
      }
      scrape = InProcessScrape.build(builder);
      SystemMonitor monitor = scrape.monitor();
      workload.beforeRecording().run();
      for (int k = 0; k < workload.steps(); k++) {
        monitor.recordRequest(
            workload.route()[k], workload.method()[k], workload.status()[k], workload.millis()[k]);
      }
      if (clientJava) {
        scrape.serveWithClientJava(CLIENT_JAVA_PATH);
      }
    }

    @Override
    String textBody() {
      ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
      try {
        scrape.writeTo(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString(StandardCharsets.UTF_8);
    }

    /** The monitor's in-process scrape, to time its parts. */
    InProcessScrape inProcess() {
      return scrape;
    }

    @Override
    void writeTo(OutputStream out) throws IOException {
      if (clientJava) {
        scrape.writeWithClientJavaTo(out);
      } else if (protobuf) {
        scrape.writeProtobufTo(out);
      } else {
        scrape.writeTo(out);
      }
    }

    @Override
    URI metricsUri() {
      URI uri = loopback(scrape.monitor().getPrometheusPort());
      return clientJava ? uri.resolve(CLIENT_JAVA_PATH) : uri;
    }

    @Override
    public void close() {
      scrape.monitor().close();
    }
  }

  // ---------------------------------------------------------------- OpenTelemetry SDK

  private static final class OtelSdk extends Exposition {
    static final AttributeKey<String> ROUTE_KEY = AttributeKey.stringKey("http.route");
    static final AttributeKey<String> METHOD_KEY = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<Long> STATUS_KEY = AttributeKey.longKey("http.response.status_code");

    /** The SDK's default: 2,000 series per instrument, further ones go to one overflow series. */
    static final int DEFAULT_CARDINALITY_LIMIT = 2000;

    private final SdkMeterProvider inProcessProvider;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final SdkMeterProvider servedProvider;
    private final int port;

    OtelSdk(String name, Workload workload, boolean served) {
      super(name, workload);
      // In-process: the exporter's reader in a registry, written as its server would write it.
      PrometheusMetricReader reader =
          PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
      registry.register(reader);
      inProcessProvider = populated(reader, workload);
      // Served: the exporter's own HTTP server, which holds a reader of its own; so a second SDK
      // with the same data. Port 0 cannot be read back from PrometheusHttpServer's public API.
      port = served ? freePort() : -1;
      servedProvider =
          served
              ? populated(
                  PrometheusHttpServer.builder()
                      .setHost("127.0.0.1")
                      .setPort(port)
                      .setOtelScopeLabelsEnabled(false)
                      .build(),
                  workload)
              : null;
    }

    private static SdkMeterProvider populated(MetricReader reader, Workload workload) {
      SdkMeterProviderBuilder builder = SdkMeterProvider.builder();
      if (workload.series() >= DEFAULT_CARDINALITY_LIMIT) {
        // As a user raises the SDK's limit (the overflow series takes one of the limit's places).
        int limit = workload.series() + 1;
        builder.registerMetricReader(reader, type -> limit);
      } else {
        builder.registerMetricReader(reader);
      }
      SdkMeterProvider provider = builder.build();
      DoubleHistogram histogram =
          provider
              .get("bench")
              .histogramBuilder("http.server.request.duration")
              .setDescription("Duration of HTTP server requests.")
              .setUnit("s")
              .setExplicitBucketBoundariesAdvice(BOUNDARIES)
              .build();
      workload.beforeRecording().run();
      for (int k = 0; k < workload.steps(); k++) {
        histogram.record(
            workload.millis()[k] / 1000.0,
            Attributes.of(
                ROUTE_KEY,
                workload.route()[k],
                METHOD_KEY,
                workload.method()[k],
                STATUS_KEY,
                (long) workload.status()[k]));
      }
      return provider;
    }

    @Override
    void writeTo(OutputStream out) throws IOException {
      writer.write(out, registry.scrape());
    }

    @Override
    URI metricsUri() {
      return loopback(port);
    }

    @Override
    public void close() {
      inProcessProvider.close();
      if (servedProvider != null) {
        servedProvider.close();
      }
    }
  }

  // ---------------------------------------------------------------- Prometheus client_java

  private static final class PrometheusClient extends Exposition {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final HTTPServer server;

    PrometheusClient(String name, Workload workload, boolean served) {
      super(name, workload);
      Histogram histogram =
          Histogram.builder()
              .name(HISTOGRAM)
              .help("Duration of HTTP server requests.")
              .classicOnly()
              .classicUpperBounds(BOUNDS)
              .labelNames("http_route", "http_request_method", "http_response_status_code")
              .register(registry);
      workload.beforeRecording().run();
      for (int k = 0; k < workload.steps(); k++) {
        histogram
            .labelValues(
                workload.route()[k], workload.method()[k], String.valueOf(workload.status()[k]))
            .observe(workload.millis()[k] / 1000.0);
      }
      try {
        server =
            served
                ? HTTPServer.builder()
                    .hostname("127.0.0.1")
                    .port(0)
                    .registry(registry)
                    .buildAndStart()
                : null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    void writeTo(OutputStream out) throws IOException {
      writer.write(out, registry.scrape());
    }

    @Override
    URI metricsUri() {
      return loopback(server.getPort());
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
    }
  }

  // ---------------------------------------------------------------- Micrometer

  private static final class Micrometer extends Exposition {
    private final PrometheusMeterRegistry registry =
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final boolean toStream;
    private final HttpServer server;

    Micrometer(String name, Workload workload, boolean toStream, boolean served) {
      super(name, workload);
      this.toStream = toStream;
      Duration[] slos =
          BOUNDARIES.stream()
              .map(s -> Duration.ofNanos(Math.round(s * 1e9)))
              .toArray(Duration[]::new);
      workload.beforeRecording().run();
      for (int k = 0; k < workload.steps(); k++) {
        // The same buckets, as serviceLevelObjectives: percentilesHistogram(true) would add
        // Micrometer's own 69 default buckets besides them.
        Timer.builder("http.server.request.duration")
            .description("Duration of HTTP server requests.")
            .tags(
                "http.route",
                workload.route()[k],
                "http.request.method",
                workload.method()[k],
                "http.response.status_code",
                String.valueOf(workload.status()[k]))
            .serviceLevelObjectives(slos)
            .register(registry)
            .record((long) (workload.millis()[k] * 1e6), TimeUnit.NANOSECONDS);
      }
      if (!served) {
        server = null;
        return;
      }
      // Served as Micrometer's documentation shows: scrape() behind a JDK HttpServer.
      try {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.createContext(
          "/metrics",
          exchange -> {
            byte[] response = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange
                .getResponseHeaders()
                .set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, response.length);
            try (OutputStream body = exchange.getResponseBody()) {
              body.write(response);
            }
          });
      server.start();
    }

    @Override
    void writeTo(OutputStream out) throws IOException {
      if (toStream) {
        registry.scrape(out);
      } else {
        out.write(registry.scrape().getBytes(StandardCharsets.UTF_8));
      }
    }

    @Override
    URI metricsUri() {
      return loopback(server.getAddress().getPort());
    }

    @Override
    public void close() {
      if (server != null) {
        server.stop(0);
      }
      registry.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  static URI loopback(int port) {
    return URI.create("http://127.0.0.1:" + port + "/metrics");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The libraries, in the order of the tables. */
  static List<Library> libraries() {
    return List.of(Library.values());
  }
}
