package io.amptalk.monitoring.bench;

import com.codahale.metrics.MetricRegistry;
import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * The cost of recording one served request: {@link SystemMonitor#recordRequest} against the same
 * request counted and timed with the OpenTelemetry SDK, Micrometer, Prometheus client_java and
 * Dropwizard Metrics, and against a floor of bare {@link LongAdder}s.
 *
 * <p>Every variant records the same sequence of inputs: 20 routes × 4 methods × 5 status codes (400
 * label combinations), each with a duration of 1 to 2000 ms. The "prebuilt"/"pre-registered"
 * variants look their instruments up by the combination's array index, which no real caller gets
 * for free; the "per call" variants start from what a caller has (two strings, an int and a
 * double), as {@code recordRequest} does. {@code amptalkSampledSpan} records the same with a
 * sampled span current on the thread, so that every bucket keeps exemplars. Run it with {@code
 * bench/run.sh}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class RecordRequestBenchmark {

  // ---------------------------------------------------------------- the inputs, shared by all

  static final List<String> ROUTES =
      List.of(
          "/",
          "/health",
          "/api/login",
          "/api/logout",
          "/api/users",
          "/api/users/{id}",
          "/api/users/{id}/settings",
          "/api/orders",
          "/api/orders/{id}",
          "/api/orders/{id}/items",
          "/api/products",
          "/api/products/{id}",
          "/api/search",
          "/api/cart",
          "/api/cart/items/{id}",
          "/api/checkout",
          "/api/transcription",
          "/api/transcription/{id}",
          "/api/reports/{year}/{month}",
          "/static/{file}");
  static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE");
  static final int[] STATUSES = {200, 201, 400, 404, 500};
  static final int COMBINATIONS = ROUTES.size() * METHODS.size() * STATUSES.length;

  /** The bucket bounds of {@code http.server.request.duration}, in seconds (+Inf implied). */
  static final List<Double> BOUNDARIES =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  static final double[] BOUNDS = BOUNDARIES.stream().mapToDouble(d -> d).toArray();

  /** Length of the input sequence: a power of two, so the next index is a mask away. */
  static final int SEQUENCE = 4096;

  static final int MASK = SEQUENCE - 1;

  /** The combination of each step: every one about ten times, in a shuffled order. */
  static final int[] COMBINATION = new int[SEQUENCE];

  static final String[] ROUTE = new String[SEQUENCE];
  static final String[] METHOD = new String[SEQUENCE];
  static final int[] STATUS = new int[SEQUENCE];

  /** Log-uniform between 1 and 2000 ms (median about 45 ms), so every bucket up to 2.5 s is hit. */
  static final double[] MILLIS = new double[SEQUENCE];

  static {
    Random random = new Random(42);
    for (int k = 0; k < SEQUENCE; k++) {
      COMBINATION[k] = k % COMBINATIONS;
    }
    for (int k = SEQUENCE - 1; k > 0; k--) {
      int j = random.nextInt(k + 1);
      int swap = COMBINATION[k];
      COMBINATION[k] = COMBINATION[j];
      COMBINATION[j] = swap;
    }
    for (int k = 0; k < SEQUENCE; k++) {
      int c = COMBINATION[k];
      ROUTE[k] = route(c);
      METHOD[k] = method(c);
      STATUS[k] = status(c);
      MILLIS[k] = Math.round(Math.exp(random.nextDouble() * Math.log(2000)) * 10) / 10.0;
    }
  }

  static String route(int combination) {
    return ROUTES.get(combination / (METHODS.size() * STATUSES.length));
  }

  static String method(int combination) {
    return METHODS.get(combination / STATUSES.length % METHODS.size());
  }

  static int status(int combination) {
    return STATUSES[combination % STATUSES.length];
  }

  static int bucketIndex(double seconds) {
    for (int i = 0; i < BOUNDS.length; i++) {
      if (seconds <= BOUNDS[i]) {
        return i;
      }
    }
    return BOUNDS.length;
  }

  /** Where a thread is in the input sequence: a plain counter, masked. */
  @State(Scope.Thread)
  public static class Cursor {
    int position;

    @Setup
    public void setUp(ThreadParams thread) {
      // Threads start half a sequence apart so that they do not record into the same cell in step.
      position = thread.getThreadIndex() * (SEQUENCE / 2);
    }

    int next() {
      return position++ & MASK;
    }
  }

  // ---------------------------------------------------------------- 1. amptalk

  @State(Scope.Benchmark)
  public static class Amptalk {
    SystemMonitor monitor;

    @Setup
    public void setUp() {
      monitor = SystemMonitor.builder().enablePrometheus(false).enableJvmMetrics(false).build();
    }

    @TearDown
    public void tearDown() {
      monitor.close();
    }
  }

  @Benchmark
  public void amptalk(Amptalk metrics, Cursor cursor) {
    int k = cursor.next();
    metrics.monitor.recordRequest(ROUTE[k], METHOD[k], STATUS[k], MILLIS[k]);
  }

  /** The same monitor with native histograms on (schema 5, at most 160 buckets per series). */
  @State(Scope.Benchmark)
  public static class AmptalkNative {
    SystemMonitor monitor;

    @Setup
    public void setUp() {
      monitor =
          SystemMonitor.builder()
              .enablePrometheus(false)
              .enableJvmMetrics(false)
              .nativeHistograms(true)
              .build();
    }

    @TearDown
    public void tearDown() {
      monitor.close();
    }
  }

  @Benchmark
  public void amptalkNative(AmptalkNative metrics, Cursor cursor) {
    int k = cursor.next();
    metrics.monitor.recordRequest(ROUTE[k], METHOD[k], STATUS[k], MILLIS[k]);
  }

  /**
   * The same monitor inside a {@link Monitoring}, without and with four service level objectives:
   * they read the request cells when they are evaluated (every 10 s, on their own thread), so
   * recording must cost the same either way. Both run the wiring's background work (its checks, its
   * alert system), which the bare {@link #amptalk} does not.
   */
  @State(Scope.Benchmark)
  public static class InMonitoring {
    @Param({"0", "4"})
    public int slos;

    Monitoring monitoring;
    SystemMonitor monitor;

    @Setup
    public void setUp() {
      // Objectives the inputs (a fifth of them 500s, a quarter slower than 250 ms) do not burn,
      // so that no alert fires in the background and the figure is recording's.
      List<ServiceLevelObjective> objectives =
          List.of(
              ServiceLevelObjective.builder("availability").objective(75).build(),
              ServiceLevelObjective.builder("latency")
                  .latency(java.time.Duration.ofMillis(250))
                  .objective(50)
                  .build(),
              ServiceLevelObjective.builder("orders")
                  .routePattern("/api/orders.*")
                  .objective(75)
                  .build(),
              ServiceLevelObjective.builder("checkout")
                  .routes(List.of("/api/cart", "/api/checkout"))
                  .objective(75)
                  .build());
      monitoring =
          Monitoring.builder()
              .systemMonitor(
                  SystemMonitor.builder().enablePrometheus(false).enableJvmMetrics(false))
              .slos(objectives.subList(0, slos))
              .build();
      monitor = monitoring.systemMonitor();
    }

    @TearDown
    public void tearDown() {
      monitoring.close();
    }
  }

  @Benchmark
  public void amptalkInMonitoring(InMonitoring metrics, Cursor cursor) {
    int k = cursor.next();
    metrics.monitor.recordRequest(ROUTE[k], METHOD[k], STATUS[k], MILLIS[k]);
  }

  /**
   * A sampled span current on the benchmark thread for each iteration, as tracing instrumentation
   * leaves one around a request. An API span wrapping a sampled context: for the recording path it
   * is what an SDK span is ({@code Span.current()} and its context read the same way), without the
   * SDK's tracer in this module.
   */
  @State(Scope.Thread)
  public static class SampledSpan {
    io.opentelemetry.context.Scope scope; // JMH's Scope is the annotation's

    @Setup(Level.Iteration)
    public void makeCurrent() {
      scope =
          Span.wrap(
                  SpanContext.create(
                      "4bf92f3577b34da6a3ce929d0e0e4736",
                      "00f067aa0ba902b7",
                      TraceFlags.getSampled(),
                      TraceState.getDefault()))
              .makeCurrent();
    }

    @TearDown(Level.Iteration)
    public void close() {
      // Thread-scoped helpers run on the benchmark's thread: the span must still be current there.
      if (!Span.current().getSpanContext().isSampled()) {
        throw new IllegalStateException("the sampled span was not current on the benchmark thread");
      }
      scope.close();
    }
  }

  @Benchmark
  public void amptalkSampledSpan(Amptalk metrics, Cursor cursor, SampledSpan span) {
    int k = cursor.next();
    metrics.monitor.recordRequest(ROUTE[k], METHOD[k], STATUS[k], MILLIS[k]);
  }

  // ---------------------------------------------------------------- 2, 3. OpenTelemetry SDK

  @State(Scope.Benchmark)
  public static class Otel {
    static final AttributeKey<String> ROUTE_KEY = AttributeKey.stringKey("http.route");
    static final AttributeKey<String> METHOD_KEY = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<Long> STATUS_KEY = AttributeKey.longKey("http.response.status_code");

    SdkMeterProvider provider;
    PrometheusMetricReader reader;
    LongCounter counter;
    DoubleHistogram histogram;
    final Attributes[] attributes = new Attributes[COMBINATIONS];

    @Setup
    public void setUp() {
      // A reader, so that the SDK really aggregates (without one its instruments are no-ops).
      reader = PrometheusMetricReader.builder().build();
      provider = SdkMeterProvider.builder().registerMetricReader(reader).build();
      Meter meter = provider.get("bench");
      counter = meter.counterBuilder("http.server.requests").build();
      histogram =
          meter
              .histogramBuilder("http.server.request.duration")
              .setUnit("s")
              .setExplicitBucketBoundariesAdvice(BOUNDARIES)
              .build();
      for (int c = 0; c < COMBINATIONS; c++) {
        attributes[c] =
            Attributes.of(ROUTE_KEY, route(c), METHOD_KEY, method(c), STATUS_KEY, (long) status(c));
      }
    }

    @TearDown
    public void tearDown() {
      requireRecorded("OpenTelemetry", reader.collect().size());
      provider.close();
    }
  }

  @Benchmark
  public void otelPrebuiltAttributes(Otel metrics, Cursor cursor) {
    int k = cursor.next();
    Attributes attributes = metrics.attributes[COMBINATION[k]];
    metrics.counter.add(1, attributes);
    metrics.histogram.record(MILLIS[k] / 1000.0, attributes);
  }

  @Benchmark
  public void otelAttributesPerCall(Otel metrics, Cursor cursor) {
    int k = cursor.next();
    Attributes attributes =
        Attributes.of(
            Otel.ROUTE_KEY,
            ROUTE[k],
            Otel.METHOD_KEY,
            METHOD[k],
            Otel.STATUS_KEY,
            (long) STATUS[k]);
    metrics.counter.add(1, attributes);
    metrics.histogram.record(MILLIS[k] / 1000.0, attributes);
  }

  // ---------------------------------------------------------------- 4, 5. Micrometer

  @State(Scope.Benchmark)
  public static class Micrometer {
    PrometheusMeterRegistry registry;
    final Counter[] counters = new Counter[COMBINATIONS];
    final Timer[] timers = new Timer[COMBINATIONS];

    @Setup
    public void setUp() {
      registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      // The same buckets, configured the way an application does (Spring Boot's
      // management.metrics.distribution.slo): by a filter, applied when a timer is registered.
      double[] slos = BOUNDARIES.stream().mapToDouble(s -> s * 1e9).toArray();
      registry
          .config()
          .meterFilter(
              new MeterFilter() {
                @Override
                public DistributionStatisticConfig configure(
                    io.micrometer.core.instrument.Meter.Id id, DistributionStatisticConfig config) {
                  return id.getType() == io.micrometer.core.instrument.Meter.Type.TIMER
                      ? DistributionStatisticConfig.builder()
                          .serviceLevelObjectives(slos)
                          .build()
                          .merge(config)
                      : config;
                }
              });
      for (int c = 0; c < COMBINATIONS; c++) {
        String status = String.valueOf(status(c));
        counters[c] = counter(registry, route(c), method(c), status);
        timers[c] = timer(registry, route(c), method(c), status);
      }
    }

    static Counter counter(
        PrometheusMeterRegistry registry, String route, String method, String status) {
      return Counter.builder("http.requests")
          .tags("route", route, "method", method, "status", status)
          .register(registry);
    }

    static Timer timer(
        PrometheusMeterRegistry registry, String route, String method, String status) {
      return Timer.builder("http.server.requests")
          .tags("route", route, "method", method, "status", status)
          .register(registry);
    }

    @TearDown
    public void tearDown() {
      String scrape = registry.scrape();
      requireRecorded("Micrometer", scrape.contains("http_server_requests_seconds_bucket") ? 1 : 0);
      registry.close();
    }
  }

  @Benchmark
  public void micrometerPreRegistered(Micrometer metrics, Cursor cursor) {
    int k = cursor.next();
    int c = COMBINATION[k];
    metrics.counters[c].increment();
    metrics.timers[c].record((long) (MILLIS[k] * 1e6), TimeUnit.NANOSECONDS);
  }

  @Benchmark
  public void micrometerBuilderPerCall(Micrometer metrics, Cursor cursor) {
    int k = cursor.next();
    // A caller has an int status; Micrometer's tags are strings.
    String status = String.valueOf(STATUS[k]);
    Micrometer.counter(metrics.registry, ROUTE[k], METHOD[k], status).increment();
    Micrometer.timer(metrics.registry, ROUTE[k], METHOD[k], status)
        .record((long) (MILLIS[k] * 1e6), TimeUnit.NANOSECONDS);
  }

  // ---------------------------------------------------------------- 6. Prometheus client_java

  @State(Scope.Benchmark)
  public static class PrometheusClient {
    PrometheusRegistry registry;
    io.prometheus.metrics.core.metrics.Counter counter;
    Histogram histogram;

    @Setup
    public void setUp() {
      registry = new PrometheusRegistry();
      counter =
          io.prometheus.metrics.core.metrics.Counter.builder()
              .name("http_requests")
              .help("Requests served.")
              .labelNames("route", "method", "status")
              .register(registry);
      histogram =
          Histogram.builder()
              .name("http_request_duration_seconds")
              .help("Duration of requests.")
              .classicOnly()
              .classicUpperBounds(BOUNDS)
              .labelNames("route", "method", "status")
              .register(registry);
    }

    @TearDown
    public void tearDown() {
      requireRecorded("client_java", histogram.collect().getDataPoints().size());
    }
  }

  @Benchmark
  public void prometheusClientLabelValues(PrometheusClient metrics, Cursor cursor) {
    int k = cursor.next();
    // A caller has an int status and client_java's label values are strings, so the conversion
    // is part of the cost, as it is in the per-call Micrometer and Dropwizard variants.
    String status = String.valueOf(STATUS[k]);
    metrics.counter.labelValues(ROUTE[k], METHOD[k], status).inc();
    metrics.histogram.labelValues(ROUTE[k], METHOD[k], status).observe(MILLIS[k] / 1000.0);
  }

  // ---------------------------------------------------------------- 7. the floor

  /** What counting alone costs: a counter and a bucket per combination, found by index. */
  @State(Scope.Benchmark)
  public static class Floor {
    final LongAdder[] counters = new LongAdder[COMBINATIONS];
    final LongAdder[] buckets = new LongAdder[COMBINATIONS * (BOUNDS.length + 1)];

    @Setup
    public void setUp() {
      for (int i = 0; i < counters.length; i++) {
        counters[i] = new LongAdder();
      }
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }
  }

  @Benchmark
  public void floor(Floor metrics, Cursor cursor) {
    int k = cursor.next();
    int c = COMBINATION[k];
    metrics.counters[c].increment();
    metrics.buckets[c * (BOUNDS.length + 1) + bucketIndex(MILLIS[k] / 1000.0)].increment();
  }

  // ---------------------------------------------------------------- 8. Dropwizard Metrics

  @State(Scope.Benchmark)
  public static class Dropwizard {
    final MetricRegistry registry = new MetricRegistry();

    @TearDown
    public void tearDown() {
      requireRecorded("Dropwizard", registry.getTimers().size());
    }
  }

  @Benchmark
  public void dropwizard(Dropwizard metrics, Cursor cursor) {
    int k = cursor.next();
    // Dropwizard has no labels: they go into the name, and the Timer counts as well.
    String name =
        MetricRegistry.name("http.server.requests", ROUTE[k], METHOD[k], String.valueOf(STATUS[k]));
    metrics.registry.timer(name).update((long) (MILLIS[k] * 1e6), TimeUnit.NANOSECONDS);
  }

  /** Fails the trial when a registry saw nothing: then the benchmark measured nothing either. */
  static void requireRecorded(String library, int series) {
    if (series == 0) {
      throw new IllegalStateException(library + " recorded no series");
    }
  }
}
