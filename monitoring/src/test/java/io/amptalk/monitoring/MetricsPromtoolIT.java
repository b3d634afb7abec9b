package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The {@code /metrics} body our writer produces, as Prometheus' own tooling sees it: {@code
 * promtool check metrics} (Debian's {@code prometheus} package; CI installs it) must pass it clean,
 * plain and gzipped, with JVM metrics on and label values that need escaping. Skipped where
 * promtool is absent, except under CI, where that is a failure.
 */
class MetricsPromtoolIT {

  @Test
  void metrics_realBodyWithHostileLabelValues_promtoolCheckMetricsIsClean() throws Exception {
    String promtool = promtool();
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
            .contains("http_server_request_duration_seconds_bucket{", "jvm_memory_used_bytes{")
            .contains("http_route=\"quote\\\"quote\"", "http_route=\"new\\nline\"");

        assertThat(check(promtool, body)).as("promtool check metrics on %s", text).isEmpty();
      }
    }
  }

  /** promtool's complaints (empty when clean); fails when it exits non-zero. */
  private static String check(String promtool, byte[] body) throws Exception {
    Process process =
        new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(body);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.strip();
  }

  private static String promtool() throws IOException {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin");
    String found =
        Stream.of(path.split(File.pathSeparator))
            .map(dir -> new File(dir, "promtool"))
            .filter(File::canExecute)
            .map(File::getPath)
            .findFirst()
            .orElse(null);
    if (System.getenv("CI") != null) {
      assertThat(found)
          .as("promtool on PATH (CI installs Debian's prometheus package)")
          .isNotNull();
    }
    assumeTrue(found != null, "promtool is not installed (apt-get install prometheus)");
    return found;
  }
}
