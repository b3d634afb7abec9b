package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.testing.Promtool;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The {@code /metrics} body our writer produces, as Prometheus' own tooling sees it: {@code
 * promtool check metrics} (Debian's {@code prometheus} package; CI installs it) must pass it clean,
 * plain and gzipped, with JVM metrics on and label values that need escaping. Skipped where
 * promtool is absent (not on {@code PATH}, or not at {@code -Dpromtool=}), except under CI, where
 * that is a failure ({@link io.amptalk.monitoring.testing.ExternalProgram}).
 */
class MetricsPromtoolIT {

  @Test
  void metrics_realBodyWithHostileLabelValues_promtoolCheckMetricsIsClean() throws Exception {
    String promtool = Promtool.path();
    try (SystemMonitor monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(true)
            .collectInterval(Duration.ofHours(1))
            .build()) {
      List<String> values = TextExpositionWriterTest.HOSTILE_VALUES;
      for (int i = 0; i < values.size(); i++) {
        monitor.recordRequest(values.get(i), "GET", 200 + i, i * 13.7);
        monitor.recordRequest("/api/" + i, values.get(i), 500, 2500);
        monitor.recordError(values.get(i), Map.of("detail", values.get(i)));
        // http_server_active_requests, as the request filters keep it: some still in flight.
        monitor.serverRequests().started(values.get(i), i % 2 == 0);
        if (i % 3 == 0) {
          monitor.serverRequests().finished(values.get(i), values.get(i), i % 2 == 0, 200, 1, null);
        }
      }
      HttpClient client = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics");
      for (String[] headers :
          List.of(
              new String[] {},
              new String[] {"Accept", "text/plain; version=0.0.4"},
              new String[] {"Accept-Encoding", "gzip"})) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri);
        if (headers.length > 0) {
          request.headers(headers);
        }
        HttpResponse<byte[]> response =
            client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        byte[] body = response.body();
        if (response.headers().firstValue("Content-Encoding").orElse("").equals("gzip")) {
          body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
        }
        String text = new String(body, StandardCharsets.UTF_8);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(text)
            .contains(
                "http_server_request_duration_seconds_bucket{",
                "jvm_memory_used_bytes{",
                "# TYPE http_server_active_requests gauge",
                "http_server_active_requests{http_request_method=\"_OTHER\",url_scheme=\"https\"} 6.0")
            .contains("http_route=\"quote\\\"quote\"", "http_route=\"new\\nline\"");

        assertThat(check(promtool, body)).as("promtool check metrics on %s", text).isEmpty();
      }
    }
  }

  /** The README's example of instruments of your own on the monitor's meter, as /metrics has it. */
  @Test
  void ownInstrumentsOnGetMeter_appearWithPromtoolCleanNames() throws Exception {
    String promtool = Promtool.path();
    try (SystemMonitor monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .collectInterval(Duration.ofHours(1))
            .build()) {
      java.util.Queue<String> queue = new java.util.concurrent.ConcurrentLinkedQueue<>();
      queue.addAll(List.of("a", "b", "c"));

      Meter meter = monitor.getMeter();
      LongCounter transcriptions =
          meter
              .counterBuilder("app.transcriptions")
              .setDescription("Transcriptions finished.")
              .setUnit("{transcription}")
              .build();
      transcriptions.add(2, Attributes.of(AttributeKey.stringKey("model"), "large"));
      meter
          .gaugeBuilder("app.queue.depth")
          .setDescription("Jobs waiting.")
          .ofLongs()
          .buildWithCallback(m -> m.record(queue.size()));

      HttpResponse<byte[]> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofByteArray());
      String text = new String(response.body(), StandardCharsets.UTF_8);

      assertThat(
              text.lines().filter(l -> l.contains("app_transcriptions") || l.contains("app_queue")))
          .containsExactly(
              "# HELP app_queue_depth Jobs waiting.",
              "# TYPE app_queue_depth gauge",
              "app_queue_depth 3.0",
              "# HELP app_transcriptions_total Transcriptions finished.",
              "# TYPE app_transcriptions_total counter",
              "app_transcriptions_total{model=\"large\"} 2.0");
      assertThat(check(promtool, response.body()))
          .as("promtool check metrics on %s", text)
          .isEmpty();
    }
  }

  /** promtool's complaints (empty when clean); fails when it exits non-zero. */
  private static String check(String promtool, byte[] body) throws Exception {
    Promtool.Check check = Promtool.check(promtool, body);
    assertThat(check.exitCode()).as(check.output()).isZero();
    return check.output();
  }
}
