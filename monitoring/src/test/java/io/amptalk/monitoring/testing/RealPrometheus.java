package io.amptalk.monitoring.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's 2.42, found as {@link ExternalProgram}) scraping one target every
 * second, with a feature flag, its storage and log in a test's directory; {@link #close} stops it.
 */
public final class RealPrometheus implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final String api;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private RealPrometheus(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.api = "http://127.0.0.1:" + port + "/api/v1/";
  }

  /**
   * Starts Prometheus on a free loopback port, scraping {@code 127.0.0.1:targetPort} every second
   * with {@code --enable-feature=feature}; skipped without the program (failed under CI).
   */
  public static RealPrometheus start(Path work, int targetPort, String feature, String installHint)
      throws IOException {
    Path prometheus = ExternalProgram.require("prometheus", installHint);
    int port = freePort();
    Files.writeString(
        work.resolve("prometheus.yml"),
        "global:\n"
            + "  scrape_interval: 1s\n"
            + "scrape_configs:\n"
            + "  - job_name: monitor\n"
            + "    static_configs:\n"
            + "      - targets: ['127.0.0.1:"
            + targetPort
            + "']\n");
    Path log = work.resolve("prometheus.log");
    Process process =
        new ProcessBuilder(
                prometheus.toString(),
                "--config.file=" + work.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + work.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--enable-feature=" + feature)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return new RealPrometheus(process, log, port);
  }

  /** {@code GET /api/v1/<path>} with {@code query} URL-encoded after it, as JSON. */
  public JsonNode get(String path, String query) throws Exception {
    String uri = api + path + URLEncoder.encode(query, StandardCharsets.UTF_8);
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(uri).isEqualTo(200);
    return json.readTree(response.body());
  }

  /** An instant query's answer. */
  public JsonNode query(String promql) throws Exception {
    return get("query?query=", promql);
  }

  /** What Prometheus logged so far, for a failure's message. */
  public String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
