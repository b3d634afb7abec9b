package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.internal.metrics.HistogramLayout;
import io.amptalk.monitoring.testing.ExternalProgram;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.Promtool;
import io.amptalk.monitoring.testing.ProtobufMessage;
import io.amptalk.monitoring.testing.RealPrometheus;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.assertj.core.data.Offset;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Native histograms end to end: the protobuf body of {@code /metrics} read field by field, the text
 * body held up to promtool and to the Python client's parser, the OTLP export's exponential
 * histogram as a receiver gets it, and a real Prometheus (Debian's 2.42, {@code
 * --enable-feature=native-histograms}) answering {@code histogram_quantile} over them.
 */
class NativeHistogramsIT {
  private static final String NAME = "http_server_request_duration_seconds";
  private static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
          + " encoding=delimited";

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private SystemMonitor.Builder builder() {
    return MonitorTestHooks.hostProbe(
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .collectInterval(Duration.ofHours(1)),
        new FakeHostProbe());
  }

  private SystemMonitor start(SystemMonitor.Builder builder) {
    SystemMonitor monitor = builder.build();
    closing.add(monitor);
    return monitor;
  }

  private HttpResponse<byte[]> scrape(SystemMonitor monitor, String accept) throws Exception {
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics"))
                .header("Accept", accept)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return response;
  }

  /** 1.5 s twice, 0.3 s and 0 s: at schema 3, buckets 5 and -13 and the zero bucket. */
  private static void recordKnown(SystemMonitor monitor) {
    monitor.recordRequest("/known", "GET", 200, 1500);
    monitor.recordRequest("/known", "GET", 200, 1500);
    monitor.recordRequest("/known", "GET", 200, 300);
    monitor.recordRequest("/known", "GET", 200, 0);
    // Refused before they reach a bucket, and never thrown: counted in monitoring_dropped.
    monitor.recordRequest("/known", "GET", 200, -1);
    monitor.recordRequest("/known", "GET", 200, Double.NaN);
  }

  /** The request histogram's one data point in a protobuf body: Metric.histogram. */
  private static ProtobufMessage protobufHistogram(byte[] body) {
    for (ProtobufMessage family : ProtobufMessage.parseDelimited(body)) {
      if (NAME.equals(family.string(1))) {
        assertThat(family.number(3)).as("type HISTOGRAM").isEqualTo(4);
        return family.message(4).message(7);
      }
    }
    throw new AssertionError("no " + NAME + " family");
  }

  /** A Histogram's positive spans and deltas, as index to count (zero counts left out). */
  private static Map<Long, Long> positiveBuckets(ProtobufMessage histogram) {
    Map<Long, Long> buckets = new TreeMap<>();
    List<Long> deltas = histogram.packedVarints(13, true);
    long index = 0;
    long count = 0;
    int d = 0;
    boolean first = true;
    for (ProtobufMessage span : histogram.messages(12)) {
      index += span.sint(1) + (first ? 0 : 1);
      first = false;
      for (long i = 0; i < span.number(2); i++) {
        if (i > 0) {
          index++;
        }
        count += deltas.get(d++);
        if (count != 0) {
          buckets.put(index, count);
        }
      }
    }
    assertThat(d).as("every delta in a span").isEqualTo(deltas.size());
    return buckets;
  }

  @Test
  void scrape_protobufCarriesNativeAndClassicBuckets_textBodyStaysCleanForPromtoolAndPython()
      throws Exception {
    SystemMonitor monitor = start(builder().nativeHistograms(true).nativeHistogramSchema(3));
    recordKnown(monitor);

    HttpResponse<byte[]> protobuf = scrape(monitor, PROTOBUF);
    assertThat(protobuf.headers().firstValue("Content-Type"))
        .hasValue(
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
                + " encoding=delimited");
    ProtobufMessage histogram = protobufHistogram(protobuf.body());
    assertThat(histogram.number(1)).as("sample_count").isEqualTo(4);
    assertThat(histogram.doubleValue(2)).as("sample_sum").isEqualTo(3.3);
    assertThat(histogram.sint(5)).as("schema").isEqualTo(3);
    assertThat(histogram.doubleValue(6)).as("zero_threshold").isEqualTo(0x1p-128);
    assertThat(histogram.number(7)).as("zero_count").isEqualTo(1);
    assertThat(positiveBuckets(histogram)).containsExactly(Map.entry(-13L, 1L), Map.entry(5L, 2L));
    // Classic buckets alongside, cumulative: le=0.005 holds the 0, le=0.5 the 0.3, le=2.5 all.
    List<Long> cumulative = new ArrayList<>();
    for (ProtobufMessage bucket : histogram.messages(3)) {
      cumulative.add(bucket.number(1));
    }
    assertThat(cumulative)
        .containsExactly(1L, 1L, 1L, 1L, 1L, 1L, 1L, 2L, 2L, 2L, 4L, 4L, 4L, 4L, 4L);

    byte[] text = scrape(monitor, "text/plain; version=0.0.4").body();
    String body = new String(text, StandardCharsets.UTF_8);
    assertThat(body)
        .contains(
            NAME
                + "_bucket{http_request_method=\"GET\",http_response_status_code=\"200\","
                + "http_route=\"/known\",le=\"2.5\"} 4\n",
            NAME
                + "_count{http_request_method=\"GET\",http_response_status_code=\"200\","
                + "http_route=\"/known\"} 4\n",
            "monitoring_dropped_total{reason=\"invalid_duration\"} 2.0\n");
    Promtool.Check check = Promtool.check(Promtool.path(), text);
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).isEmpty();
    assertThat(pythonParser(text))
        .as("the Python client's parser: the histogram's samples, by name")
        .contains(
            NAME + " histogram " + NAME + "_bucket 15 " + NAME + "_count 1 " + NAME + "_sum 1");
  }

  @Test
  void scrape_nativeOnly_protobufHasNoClassicBuckets_textShowsTheInfBucketAlone() throws Exception {
    SystemMonitor monitor =
        start(
            builder()
                .nativeHistograms(true)
                .nativeHistogramSchema(3)
                .classicHistogramBuckets(false));
    recordKnown(monitor);

    ProtobufMessage histogram = protobufHistogram(scrape(monitor, PROTOBUF).body());
    assertThat(histogram.messages(3)).as("classic buckets").isEmpty();
    assertThat(histogram.number(1)).as("sample_count").isEqualTo(4);
    assertThat(positiveBuckets(histogram)).containsExactly(Map.entry(-13L, 1L), Map.entry(5L, 2L));

    byte[] text = scrape(monitor, "text/plain; version=0.0.4").body();
    assertThat(new String(text, StandardCharsets.UTF_8).lines().filter(l -> l.startsWith(NAME)))
        .containsExactly(
            NAME
                + "_bucket{http_request_method=\"GET\",http_response_status_code=\"200\","
                + "http_route=\"/known\",le=\"+Inf\"} 4",
            NAME
                + "_count{http_request_method=\"GET\",http_response_status_code=\"200\","
                + "http_route=\"/known\"} 4",
            NAME
                + "_sum{http_request_method=\"GET\",http_response_status_code=\"200\","
                + "http_route=\"/known\"} 3.3");
    Promtool.Check check = Promtool.check(Promtool.path(), text);
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(pythonParser(text)).contains(NAME + " histogram " + NAME + "_bucket 1 ");
  }

  /**
   * The Python client's text parser over {@code body}: per family, its name, type and how many
   * samples of each name, one family a line ({@code python3-prometheus-client}).
   */
  private static String pythonParser(byte[] body) throws Exception {
    Path python =
        ExternalProgram.requirePython(
            "prometheus_client", "apt-get install python3-prometheus-client");
    String script =
        "import sys, collections\n"
            + "from prometheus_client.parser import text_string_to_metric_families\n"
            + "for f in text_string_to_metric_families(sys.stdin.read()):\n"
            + "    n = collections.Counter(s.name for s in f.samples)\n"
            + "    print(f.name, f.type, ' '.join(k + ' ' + str(v) for k, v in sorted(n.items())))\n";
    Process process =
        new ProcessBuilder(python.toString(), "-c", script).redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(body);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("the parser's output: " + output).isZero();
    return output;
  }

  @Test
  void otlpExport_exponentialHistogramPointCarriesScaleCountsAndSum() throws Exception {
    List<byte[]> exports = new CopyOnWriteArrayList<>();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/v1/metrics",
        exchange -> {
          exports.add(exchange.getRequestBody().readAllBytes());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    closing.add(() -> receiver.stop(0));
    SystemMonitor monitor =
        builder()
            .enablePrometheus(false)
            .otlpEndpoint("http://127.0.0.1:" + receiver.getAddress().getPort())
            .metricsExportInterval(Duration.ofHours(1))
            .nativeHistograms(true)
            .nativeHistogramSchema(3)
            .build();
    try {
      recordKnown(monitor);
    } finally {
      monitor.close(); // the periodic reader's last export
    }

    assertThat(exports).hasSize(1);
    List<ProtobufMessage> points = new ArrayList<>();
    for (ProtobufMessage resource : ProtobufMessage.parse(exports.get(0)).messages(1)) {
      for (ProtobufMessage scope : resource.messages(2)) {
        for (ProtobufMessage metric : scope.messages(2)) {
          if ("http.server.request.duration".equals(metric.string(1))) {
            assertThat(metric.messages(9)).as("no classic histogram").isEmpty();
            ProtobufMessage exponential = metric.message(10);
            assertThat(exponential.number(2)).as("cumulative").isEqualTo(2);
            points.addAll(exponential.messages(1));
          }
        }
      }
    }
    assertThat(points).hasSize(1);
    ProtobufMessage point = points.get(0);
    assertThat(point.number(4)).as("count").isEqualTo(4);
    assertThat(point.doubleValue(5)).as("sum").isEqualTo(3.3);
    assertThat(point.sint(6)).as("scale").isEqualTo(3);
    assertThat(point.number(7)).as("zero_count").isEqualTo(1);
    // OpenTelemetry's index is Prometheus' less one: 0.3 s in bucket -14, 1.5 s in bucket 4.
    ProtobufMessage positive = point.message(8);
    assertThat(positive.sint(1)).as("offset").isEqualTo(-14);
    Long[] counts = new Long[19];
    Arrays.fill(counts, 0L);
    counts[0] = 1L;
    counts[18] = 2L;
    assertThat(positive.packedVarints(2, false)).as("bucket_counts").containsExactly(counts);
    assertThat(point.messages(9).stream().flatMap(b -> b.packedVarints(2, false).stream()))
        .as("negative buckets")
        .isEmpty();
  }

  /**
   * A real Prometheus scrapes the native histogram over protobuf and answers the 99th percentile of
   * a known distribution within the schema's relative bucket error, {@code 2^(2^-schema) - 1}: the
   * estimate and the true value lie in the same bucket, whose upper bound is the base times its
   * lower one.
   */
  @Test
  void realPrometheus_histogramQuantileOfNativeHistogram_withinTheSchemasRelativeError(
      @TempDir Path work) throws Exception {
    int schema = HistogramLayout.DEFAULT_SCHEMA;
    SystemMonitor monitor = start(builder().nativeHistograms(true));
    // One observation first, so that the series' first sample in Prometheus is before the rest.
    monitor.recordRequest("/orders", "GET", 200, 100);
    RealPrometheus prometheus =
        RealPrometheus.start(
            work,
            monitor.getPrometheusPort(),
            "native-histograms",
            "apt-get install prometheus (Debian's 2.42 has native histograms)");
    closing.add(prometheus);
    String countQuery = "histogram_count(sum(" + NAME + "))";
    String quantileQuery = "histogram_quantile(0.99, sum(rate(" + NAME + "[1m])))";
    List<String> answers = new CopyOnWriteArrayList<>();
    try {
      awaitValue(prometheus, countQuery, "1", answers);

      // The distribution: 985 durations spread evenly in log scale over 20..200 ms, then 15 of
      // 260 ms. The 99th percentile's rank, 990 of 1000, falls among the 15: it is 0.26 s.
      double[] millis = new double[1000];
      for (int i = 0; i < 985; i++) {
        millis[i] = 20 * Math.pow(10, i / 984.0);
      }
      Arrays.fill(millis, 985, 1000, 260);
      for (double ms : millis) {
        monitor.recordRequest("/orders", "GET", 200, ms);
      }
      double trueP99 = 0.26;
      awaitValue(prometheus, countQuery, "1001", answers);
      answers.clear();
      double p99 = Double.parseDouble(awaitValue(prometheus, quantileQuery, null, answers));
      double bound = HistogramLayout.relativeError(schema);
      assertThat(bound).isEqualTo(Math.pow(2, Math.pow(2, -5)) - 1);
      assertThat(Math.abs(p99 - trueP99) / trueP99)
          .as("relative error of %s against %s", p99, trueP99)
          .isLessThanOrEqualTo(bound);
      // And the series is a native histogram at that schema: Prometheus reads its buckets.
      JsonNode raw = prometheus.query(NAME);
      JsonNode sample = raw.path("data").path("result").get(0);
      assertThat(sample.has("histogram")).as(raw.toString()).isTrue();
      JsonNode buckets = sample.path("histogram").get(1).path("buckets");
      double lower = buckets.get(0).get(1).asDouble();
      double upper = buckets.get(0).get(2).asDouble();
      assertThat(upper / lower).isCloseTo(Math.pow(2, Math.pow(2, -schema)), Offset.offset(1e-12));
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(
          "Prometheus answered " + answers + "; its log:\n" + prometheus.log(), e);
    }
  }

  /** Polls an instant query until its one value is {@code expected} (any number when null). */
  private static String awaitValue(
      RealPrometheus prometheus, String query, String expected, List<String> answers) {
    String[] value = new String[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              JsonNode answer = prometheus.query(query);
              answers.add(answer.toString());
              JsonNode result = answer.path("data").path("result");
              assertThat(result.size()).isEqualTo(1);
              value[0] = result.get(0).path("value").get(1).asText();
              if (expected != null) {
                assertThat(value[0]).isEqualTo(expected);
              } else {
                assertThat(Double.parseDouble(value[0])).isFinite();
              }
            });
    return value[0];
  }
}
