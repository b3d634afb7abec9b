package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory is bounded by bytes, not only by counts: a JVM of 256 MiB raising 10,000 alerts of 56,000
 * characters of details each, every one from its own source, stays alive and serving. Bounded by
 * counts alone (1,000 in history, 10,000 firing) it ran out of memory after about 4,500.
 */
@Timeout(180)
class AlertMemoryIT {
  /**
   * Each alert is estimated at 114,232 bytes: 128 for the record; its id (36 characters), title
   * (11), message (11), source (12), service (6) and fingerprint (16) at 40 + 2 a character (552 in
   * all with the record); its details 64 for the map and, for each of the 7 entries, 48 for the
   * entry, 44 for the key and 16,040 for the value (112,988). Its labels add 692: 64 for the map
   * and, for alertname, instance, service, severity and source, 48 for the entry and 40 + 2 a
   * character for the name, with the instance's value (a 36-character UUID, 112) the only one not
   * shared with a field (114,232 in all). A firing alert adds 48 (114,280). Either way, 16 MiB
   * holds 146 of them.
   */
  static final int KEPT = 146;

  @TempDir Path dir;
  private Process child;

  @AfterEach
  void stop() {
    if (child != null) {
      child.destroyForcibly();
    }
  }

  @Test
  void tenThousandAlertsOf56KB_in256MiB_staysAliveAndKeepsTheNewestWithinTheBudget()
      throws Exception {
    Path out = dir.resolve("child.out");
    child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                MemoryChild.class.getName())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    int port = Integer.parseInt(awaitLine(out, "PORT ").substring("PORT ".length()));
    awaitLine(out, "READY");
    assertThat(child.isAlive()).as("the child is alive").isTrue();

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> live = get(http, port, "/health/live");
    assertThat(live.statusCode()).as(live.body()).isEqualTo(200);

    HttpResponse<String> alerts = get(http, port, "/alerts?limit=1000");
    assertThat(alerts.statusCode()).as(alerts.body()).isEqualTo(200);
    JsonNode listed = new ObjectMapper().readTree(alerts.body());
    JsonNode list = listed.isArray() ? listed : listed.get("alerts");
    assertThat(list.size()).isEqualTo(KEPT);
    assertThat(list.get(0).get("title").asText()).isEqualTo(MemoryChild.title(9_999));
    assertThat(list.get(KEPT - 1).get("title").asText())
        .isEqualTo(MemoryChild.title(MemoryChild.ALERTS - KEPT));

    String metrics = get(http, port, "/metrics").body();
    int evicted = MemoryChild.ALERTS - KEPT;
    assertThat(metrics)
        .contains(
            "alerts_evicted_total{from=\"history\",reason=\"bytes\"} " + evicted + ".0\n",
            "alerts_evicted_total{from=\"history\",reason=\"count\"} 0.0\n",
            "alerts_evicted_total{from=\"firing\",reason=\"bytes\"} " + evicted + ".0\n",
            "alerts_evicted_total{from=\"firing\",reason=\"count\"} 0.0\n",
            "alerts_evicted_total{from=\"dead_letters\",reason=\"bytes\"} 0.0\n");
    assertThat(child.isAlive()).as("the child is still alive").isTrue();
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + MemoryChild.TOKEN)
            .timeout(Duration.ofSeconds(20))
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Polls the child's output for a line starting with {@code prefix}, while it lives. */
  private String awaitLine(Path out, String prefix) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (System.nanoTime() < deadline) {
      if (Files.exists(out)) {
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        for (String line : lines) {
          if (line.startsWith(prefix)) {
            return line;
          }
        }
      }
      if (!child.isAlive()) {
        List<String> lines =
            Files.exists(out) ? Files.readAllLines(out, StandardCharsets.UTF_8) : List.of();
        throw new AssertionError(
            "child exited with "
                + child.exitValue()
                + " before '"
                + prefix
                + "': "
                + lines.stream().filter(l -> l.length() < 300).toList());
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + prefix + "' from the child within 150 s");
  }
}
