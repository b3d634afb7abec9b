package io.amptalk.monitoring;

import static io.amptalk.monitoring.internal.exposition.ClientJavaOracle.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.internal.exposition.ClientJavaOracle;
import io.amptalk.monitoring.internal.exposition.OpenMetricsTextWriter;
import io.amptalk.monitoring.internal.exposition.PrometheusTextWriter;
import io.amptalk.monitoring.internal.exposition.PromtoolCleanCollector;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Our Prometheus text and OpenMetrics writers against client_java's, byte for byte (see {@link
 * ClientJavaOracle}): every metric type, every escaping need, numbers at their edges, names that
 * are not legacy Prometheus names, and the real body of a monitor.
 */
public class TextExpositionWriterTest {
  private static final long T0 = 1_700_000_000_123L;

  /** Label values that need escaping or encoding, and one that needs nothing. */
  public static final List<String> HOSTILE_VALUES =
      List.of(
          "",
          "plain",
          "quote\"quote",
          "back\\slash",
          "new\nline",
          "all \\\"\n at once\\n",
          "tab\tand\rreturn",
          "ünïcødé",
          "日本語",
          "emoji 🎉 pair",
          "lone high \uD800 surrogate",
          "lone low \uDC00 surrogate",
          "ends in high \uD83C",
          "\uDC00\uD800 reversed pair",
          "nul \u0000 and del \u007f",
          "{braces}=\"and,commas\"",
          "x".repeat(5000) + "é".repeat(3000) + "🎉".repeat(2000));

  public static final double[] EDGE_DOUBLES = {
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    0.1 + 0.2,
    1e-3,
    9.99e-4,
    1e7,
    9_999_999.0,
    -9_999_999.0,
    10_000_001.0,
    123_456.789,
    1e21,
    1e22,
    1e23,
    2e-3,
    Double.MAX_VALUE,
    -Double.MAX_VALUE,
    Double.MIN_VALUE,
    Double.MIN_NORMAL,
    4.35,
    Math.PI,
    (double) Long.MAX_VALUE,
    (double) Long.MIN_VALUE,
    9.007199254740993E15,
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY
  };

  @Test
  public void acceptsAndContentType_asClientJava() {
    List<String> accepts =
        Arrays.asList(
            null,
            "",
            "text/plain",
            "text/plain; version=0.0.4",
            "application/openmetrics-text; version=1.0.0",
            "application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5",
            "*/*",
            "TEXT/PLAIN");
    for (ClientJavaOracle.Pair pair : ClientJavaOracle.pairs()) {
      assertThat(pair.ours().getContentType()).isEqualTo(pair.theirs().getContentType());
      for (String accept : accepts) {
        assertThat(pair.ours().accepts(accept))
            .as("%s accepts %s", pair, accept)
            .isEqualTo(pair.theirs().accepts(accept));
      }
    }
  }

  @Test
  public void write_everyMetricType_sameBytesAsClientJava() {
    assertSameBytes(everyType());
  }

  @Test
  public void write_emptySnapshots_sameBytesAsClientJava() {
    assertSameBytes(MetricSnapshots.of());
    assertSameBytes(
        MetricSnapshots.of(
            new GaugeSnapshot(new MetricMetadata("nothing", "no points"), List.of()),
            new SummarySnapshot(
                new MetricMetadata("empty_summary"),
                List.of(
                    new SummaryDataPointSnapshot(
                        -1, Double.NaN, Quantiles.EMPTY, Labels.EMPTY, Exemplars.EMPTY, 0)))));
  }

  @Test
  public void write_labelValuesNeedingEscapes_sameBytesAsClientJava() {
    List<GaugeDataPointSnapshot> points = new ArrayList<>();
    for (int i = 0; i < HOSTILE_VALUES.size(); i++) {
      points.add(
          new GaugeDataPointSnapshot(
              i, Labels.of("value", HOSTILE_VALUES.get(i), "n", String.valueOf(i)), null));
    }
    StateSetSnapshot states =
        new StateSetSnapshot(
            new MetricMetadata("states"),
            List.of(
                new StateSetDataPointSnapshot(
                    HOSTILE_VALUES.stream().filter(v -> !v.isEmpty()).toArray(String[]::new),
                    new boolean[HOSTILE_VALUES.size() - 1],
                    Labels.of("l", "quote\"back\\slash"))));
    assertSameBytes(
        MetricSnapshots.of(new GaugeSnapshot(new MetricMetadata("hostile"), points), states));
  }

  @Test
  public void write_helpNeedingEscapes_sameBytesAsClientJava() {
    List<MetricSnapshot> snapshots = new ArrayList<>();
    for (int i = 0; i < HOSTILE_VALUES.size(); i++) {
      snapshots.add(
          new CounterSnapshot(
              new MetricMetadata("help_" + i, HOSTILE_VALUES.get(i), null),
              List.of(new CounterDataPointSnapshot(i, Labels.EMPTY, null, 0))));
    }
    assertSameBytes(new MetricSnapshots(snapshots));
  }

  @Test
  public void write_edgeDoubles_sameBytesAsClientJava() {
    List<GaugeDataPointSnapshot> gauges = new ArrayList<>();
    List<CounterDataPointSnapshot> counters = new ArrayList<>();
    List<Quantile> quantiles = new ArrayList<>();
    for (int i = 0; i < EDGE_DOUBLES.length; i++) {
      double value = EDGE_DOUBLES[i];
      Labels labels = Labels.of("i", String.valueOf(i));
      gauges.add(new GaugeDataPointSnapshot(value, labels, null));
      if (value >= 0 || Double.isNaN(value)) {
        counters.add(new CounterDataPointSnapshot(value, labels, null, 0));
      }
      quantiles.add(new Quantile(i / (double) EDGE_DOUBLES.length, value));
    }
    double[] bounds = {-1e9, -0.0, 1e-9, 0.1 + 0.2, 1e7, 1.5e7, 1e300, Double.POSITIVE_INFINITY};
    assertSameBytes(
        MetricSnapshots.of(
            new GaugeSnapshot(new MetricMetadata("edges"), gauges),
            new CounterSnapshot(new MetricMetadata("edge_counts"), counters),
            new SummarySnapshot(
                new MetricMetadata("edge_quantiles"),
                List.of(
                    new SummaryDataPointSnapshot(
                        Long.MAX_VALUE,
                        -0.0,
                        Quantiles.of(quantiles),
                        Labels.EMPTY,
                        Exemplars.EMPTY,
                        0))),
            new HistogramSnapshot(
                new MetricMetadata("edge_bounds"),
                List.of(
                    new HistogramDataPointSnapshot(
                        ClassicHistogramBuckets.of(
                            bounds, new long[] {0, 1, 10, 99, 1000, 0, Long.MAX_VALUE / 4, 7}),
                        1e-300,
                        Labels.EMPTY,
                        Exemplars.EMPTY,
                        0)))));
  }

  @Test
  public void write_namesThatAreNotLegacyPrometheusNames_sameBytesAsClientJava() {
    Labels utf8Labels = Labels.of("http.method", "GET", "läbel", "x", "ok_name", "y");
    assertSameBytes(
        MetricSnapshots.of(
            new GaugeSnapshot(
                new MetricMetadata("my.dotted.gauge", "dots"),
                List.of(
                    new GaugeDataPointSnapshot(1, utf8Labels, null),
                    new GaugeDataPointSnapshot(2, Labels.EMPTY, null))),
            new CounterSnapshot(
                new MetricMetadata("métrique.ünï", "unicode", null),
                List.of(new CounterDataPointSnapshot(3, utf8Labels, exemplar(1.5, T0), T0))),
            new HistogramSnapshot(
                new MetricMetadata("latency.histo_seconds", "histo", Unit.SECONDS),
                List.of(
                    new HistogramDataPointSnapshot(
                        ClassicHistogramBuckets.of(
                            new double[] {0.1, Double.POSITIVE_INFINITY}, new long[] {1, 2}),
                        0.3,
                        utf8Labels,
                        Exemplars.of(exemplar(0.05, T0)),
                        T0),
                    new HistogramDataPointSnapshot(
                        ClassicHistogramBuckets.of(
                            new double[] {0.1, Double.POSITIVE_INFINITY}, new long[] {0, 0}),
                        0,
                        Labels.EMPTY,
                        Exemplars.EMPTY,
                        0))),
            new InfoSnapshot(
                new MetricMetadata("build.details"),
                List.of(new InfoDataPointSnapshot(Labels.of("version.full", "1.0")))),
            new StateSetSnapshot(
                new MetricMetadata("feature.flags"),
                List.of(
                    new StateSetDataPointSnapshot(
                        new String[] {"a", "b"}, new boolean[] {true, false}, utf8Labels))),
            new UnknownSnapshot(
                new MetricMetadata("what.ever"),
                List.of(new UnknownDataPointSnapshot(1, Labels.EMPTY, null)))));
  }

  @Test
  public void write_duplicateNames_areMergedAsClientJavaMergesThem() {
    assertSameBytes(
        MetricSnapshots.of(
            new GaugeSnapshot(
                new MetricMetadata("dup", "first"),
                List.of(new GaugeDataPointSnapshot(1, Labels.of("a", "1"), null))),
            new GaugeSnapshot(
                new MetricMetadata("dup", "second"),
                List.of(new GaugeDataPointSnapshot(2, Labels.of("a", "2"), null)))));
  }

  @Test
  public void write_realMonitorBody_sameBytesAsClientJava() {
    PrometheusRegistry registry = new PrometheusRegistry();
    PrometheusMetricReader reader =
        PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
    registry.register(new PromtoolCleanCollector(reader));
    try (SystemMonitor monitor =
        SystemMonitor.builder()
            .enablePrometheus(false)
            .enableJvmMetrics(true)
            .hostProbe(new FakeHostProbe())
            .collectInterval(Duration.ofHours(1))
            .metricReader(reader)
            .build()) {
      String[] methods = {"GET", "POST", "PUT", "DELETE", "PATCH"};
      try (SdkTracerProvider tracing =
          SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build()) {
        for (int i = 0; i < 200; i++) {
          String route =
              i % 20 == 0 ? HOSTILE_VALUES.get(i / 20 % HOSTILE_VALUES.size()) : "/r/" + i;
          // Every third under a sampled span: those buckets carry exemplars.
          Span span = i % 3 == 0 ? tracing.get("test").spanBuilder(route).startSpan() : null;
          try (Scope ignored = span == null ? Scope.noop() : span.makeCurrent()) {
            monitor.recordRequest(route, methods[i % methods.length], 200 + i % 5 * 100, i * 7.3);
          }
        }
      }
      monitor.recordRequest("/bad", "GET", 200, Double.NaN);
      monitor.recordError("database \"main\"\n", Map.of("k", "v"));
      monitor.setHealthStatus(false, "down");

      MetricSnapshots snapshots = registry.scrape();
      String body =
          new String(
              ClientJavaOracle.render(
                  new PrometheusTextWriter(false, false), snapshots, EscapingScheme.DEFAULT),
              StandardCharsets.UTF_8);
      // The fixture is what it should be: requests, errors, JVM metrics, over the drain buffer.
      assertThat(body)
          .contains("http_server_request_duration_seconds_bucket{", "app_errors_total{")
          .contains("jvm_memory_used_bytes{", "target_info{");
      assertThat(body.length()).isGreaterThan(64 * 1024);
      String openMetrics =
          new String(
              ClientJavaOracle.render(
                  new OpenMetricsTextWriter(false, false), snapshots, EscapingScheme.DEFAULT),
              StandardCharsets.UTF_8);
      // 67 under a span, of which 13 had the status 600 and were dropped; each in its own cell.
      assertThat(openMetrics.lines().filter(l -> l.contains(" # {span_id=\"")).count())
          .isEqualTo(54);
      assertThat(body).doesNotContain("trace_id");
      assertSameBytes(snapshots);
    }
  }

  /**
   * The request histogram straight from our cells, as {@code /metrics} writes it, with exemplars
   * from a real tracer's spans: OpenMetrics writes them on the bucket lines, the text format does
   * not, both exactly as client_java.
   */
  @Test
  public void write_requestHistogramWithExemplars_sameBytesAsClientJava_onlyOpenMetricsHasThem() {
    long[] now = {T0 * 1_000_000L};
    RequestMetrics requests = new RequestMetrics(10, () -> now[0], () -> {});
    Span span;
    try (SdkTracerProvider tracing =
        SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build()) {
      span = tracing.get("test").spanBuilder("GET /users/{id}").startSpan();
      try (Scope ignored = span.makeCurrent()) {
        requests.record("/users/{id}", "GET", 200, 30);
        now[0] += 1_000_000_000L;
        requests.recordNanos("/users/{id}", "GET", 200, 2_000_000_000L);
      }
      requests.record("/users/{id}", "GET", 200, 300); // no span: no exemplar on its bucket
      span.end();
    }
    MetricSnapshots snapshots = MetricSnapshots.of(requests.prometheusSnapshot());
    assertSameBytes(snapshots);

    String ids =
        "span_id=\""
            + span.getSpanContext().getSpanId()
            + "\",trace_id=\""
            + span.getSpanContext().getTraceId()
            + "\"";
    String series =
        "http_server_request_duration_seconds_bucket{http_request_method=\"GET\","
            + "http_response_status_code=\"200\",http_route=\"/users/{id}\",le=";
    String openMetrics =
        new String(
            ClientJavaOracle.render(
                new OpenMetricsTextWriter(false, false), snapshots, EscapingScheme.DEFAULT),
            StandardCharsets.UTF_8);
    assertThat(openMetrics.lines().filter(l -> l.startsWith(series)))
        .containsExactly(
            series + "\"0.005\"} 0",
            series + "\"0.01\"} 0",
            series + "\"0.025\"} 0",
            series + "\"0.05\"} 1 # {" + ids + "} 0.03 1700000000.123",
            series + "\"0.075\"} 1",
            series + "\"0.1\"} 1",
            series + "\"0.25\"} 1",
            series + "\"0.5\"} 2",
            series + "\"0.75\"} 2",
            series + "\"1.0\"} 2",
            series + "\"2.5\"} 3 # {" + ids + "} 2.0 1700000001.123",
            series + "\"5.0\"} 3",
            series + "\"7.5\"} 3",
            series + "\"10.0\"} 3",
            series + "\"+Inf\"} 3");
    String text =
        new String(
            ClientJavaOracle.render(
                new PrometheusTextWriter(false, false), snapshots, EscapingScheme.DEFAULT),
            StandardCharsets.UTF_8);
    assertThat(text).contains(series + "\"0.05\"} 1\n").doesNotContain("trace_id", " # {");
  }

  // ---------------------------------------------------------------- fixtures

  public static Exemplar exemplar(double value, long timestamp) {
    return Exemplar.builder()
        .value(value)
        .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
        .spanId("00f067aa0ba902b7")
        .labels(Labels.of("odd\"label", "v\\al\nue"))
        .timestampMillis(timestamp)
        .build();
  }

  /** Every metric type with labels, exemplars, created and scrape timestamps, or without. */
  public static MetricSnapshots everyType() {
    Labels path = Labels.of("path", "/a\"b\\c\nd", "status", "200");
    Labels other = Labels.of("path", "/ünï🎉", "status", "500");
    Exemplar early = exemplar(0.03, T0);
    Exemplar late = exemplar(0.7, T0 + 5000);
    Exemplar untimed = Exemplar.builder().value(3).build();
    return MetricSnapshots.of(
        new CounterSnapshot(
            new MetricMetadata("requests", "Requests \\ \"quoted\"\nnext line", null),
            List.of(
                new CounterDataPointSnapshot(1, path, early, T0, T0 + 60_000),
                new CounterDataPointSnapshot(2.5, other, untimed, 0),
                new CounterDataPointSnapshot(0, Labels.EMPTY, null, T0 + 7))),
        new CounterSnapshot(
            new MetricMetadata("transfer_bytes", "bytes", Unit.BYTES),
            List.of(new CounterDataPointSnapshot(1e9, Labels.EMPTY, null, T0))),
        new CounterSnapshot(
            MetricMetadata.builder().name("events").counterSuffix(true).help("suffix").build(),
            List.of(new CounterDataPointSnapshot(4, Labels.EMPTY, null, 0))),
        new GaugeSnapshot(
            new MetricMetadata("temperature_celsius", "", Unit.CELSIUS),
            List.of(
                new GaugeDataPointSnapshot(-3.25, path, late, T0 + 1),
                new GaugeDataPointSnapshot(21, other, null))),
        new GaugeSnapshot(
            MetricMetadata.builder().name("jobs.total").help("a gauge named .total").build(),
            List.of(new GaugeDataPointSnapshot(5, Labels.EMPTY, null))),
        new GaugeSnapshot(
            MetricMetadata.builder().name("started.created").build(),
            List.of(new GaugeDataPointSnapshot(T0 / 1000.0, Labels.EMPTY, null))),
        new HistogramSnapshot(
            new MetricMetadata("latency_seconds", "Latency", Unit.SECONDS),
            List.of(
                new HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(
                        new double[] {0.005, 0.05, 0.5, 1, Double.POSITIVE_INFINITY},
                        new long[] {1, 2, 0, 4, 1}),
                    3.75,
                    path,
                    Exemplars.of(early, late, untimed),
                    T0),
                new HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(
                        new double[] {0.005, 0.05, 0.5, 1, Double.POSITIVE_INFINITY},
                        new long[] {0, 0, 0, 0, 0}),
                    0,
                    Labels.EMPTY,
                    Exemplars.EMPTY,
                    0))),
        new HistogramSnapshot(
            true,
            new MetricMetadata("queue_size", "gauge histogram"),
            List.of(
                new HistogramDataPointSnapshot(
                    ClassicHistogramBuckets.of(
                        new double[] {10, Double.POSITIVE_INFINITY}, new long[] {3, 1}),
                    55,
                    other,
                    Exemplars.of(late),
                    0))),
        new HistogramSnapshot(
            new MetricMetadata("native_only"),
            List.of(
                new HistogramDataPointSnapshot(
                    3,
                    1,
                    0.001,
                    NativeHistogramBuckets.of(new int[] {1, 2}, new long[] {4, 5}),
                    NativeHistogramBuckets.EMPTY,
                    12.5,
                    Labels.of("kind", "native"),
                    Exemplars.EMPTY,
                    T0))),
        new SummarySnapshot(
            new MetricMetadata("rpc_duration_seconds", "RPC", Unit.SECONDS),
            List.of(
                new SummaryDataPointSnapshot(
                    10,
                    4.2,
                    Quantiles.of(new Quantile(0.5, 0.3), new Quantile(0.99, 1.2)),
                    path,
                    Exemplars.of(early, late, untimed),
                    T0,
                    T0 + 100),
                new SummaryDataPointSnapshot(
                    7, Double.NaN, Quantiles.EMPTY, other, Exemplars.EMPTY, 0),
                new SummaryDataPointSnapshot(
                    -1, Double.NaN, Quantiles.EMPTY, Labels.of("path", "none"), Exemplars.EMPTY, 0),
                new SummaryDataPointSnapshot(
                    -1, 1.5, Quantiles.EMPTY, Labels.of("path", "sum only"), Exemplars.EMPTY, 0))),
        new InfoSnapshot(
            new MetricMetadata("build", "Build \"info\""),
            List.of(
                new InfoDataPointSnapshot(Labels.of("version", "1.2.3", "commit", "abc\"")),
                new InfoDataPointSnapshot(Labels.of("version", "2"), T0))),
        new InfoSnapshot(
            MetricMetadata.builder().name("target_info").help("Target metadata").build(),
            List.of(new InfoDataPointSnapshot(Labels.of("service_name", "svc")))),
        new StateSetSnapshot(
            new MetricMetadata("feature", "Feature flags"),
            List.of(
                new StateSetDataPointSnapshot(
                    new String[] {"on", "off", "we\"ird"},
                    new boolean[] {true, false, true},
                    Labels.of("env", "prod")),
                new StateSetDataPointSnapshot(
                    new String[] {"x"}, new boolean[] {false}, Labels.EMPTY, T0))),
        new UnknownSnapshot(
            new MetricMetadata("mystery", "Unknown\\type", null),
            List.of(
                new UnknownDataPointSnapshot(-1.5, path, late),
                new UnknownDataPointSnapshot(0, Labels.EMPTY, null, T0))));
  }
}
