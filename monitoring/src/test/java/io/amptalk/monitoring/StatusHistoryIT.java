package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.internal.history.StatusHistory;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code /api/history} and the status page's links over real HTTP, on a clock moved by hand. */
class StatusHistoryIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-12-03T15:00:00Z");

  private final HttpClient http = HttpClient.newHttpClient();
  private final MutableClock clock = new MutableClock(T0);

  /** Service "checkout" on a free loopback port, on the test's clock, with fixed host figures. */
  private SystemMonitor.Builder monitor(FakeHostProbe probe) {
    return SystemMonitor.builder()
        .serviceName("checkout")
        .prometheusHost("127.0.0.1")
        .prometheusPort(0)
        .enableJvmMetrics(false)
        .clock(clock)
        .hostProbe(probe);
  }

  /** With checks run by hand on the test's clock. */
  private Monitoring.Builder monitoring(SystemMonitor.Builder monitor) {
    return Monitoring.builder()
        .systemMonitor(monitor)
        .healthCheck(
            m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).clock(clock).build());
  }

  private Monitoring.Builder monitoring() {
    return monitoring(monitor(new FakeHostProbe()));
  }

  private HttpResponse<String> send(
      Monitoring monitoring, String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void apiHistory_afterKnownTraffic_exactFiguresWithTheToken() throws Exception {
    try (Monitoring monitoring = monitoring().apiToken("s3cret").build()) {
      monitoring.healthCheck().registerCheck("db", () -> CheckResult.healthy("db up"), "DB");
      monitoring.healthCheck().runCheck("db");
      SystemMonitor monitor = monitoring.systemMonitor();
      for (int i = 0; i < 8; i++) {
        monitor.recordRequest("/api/orders", "GET", 200, 20);
      }
      monitor.recordRequest("/api/orders", "POST", 503, 200);
      monitor.recordRequest("/api/orders", "POST", 500, 200);
      for (int i = 0; i < 5; i++) {
        monitor.recordRequest("/api/cart", "GET", 200, 3);
      }
      clock.advance(Duration.ofSeconds(10));
      monitoring.tickHistory();

      assertThat(send(monitoring, "GET", "/api/history").statusCode()).isEqualTo(401);
      assertThat(
              send(monitoring, "GET", "/api/history", "Authorization", "Bearer wrong").statusCode())
          .isEqualTo(401);
      assertThat(send(monitoring, "POST", "/api/history").statusCode()).isEqualTo(405);
      HttpResponse<String> head =
          send(monitoring, "HEAD", "/api/history", "Authorization", "Bearer s3cret");
      assertThat(head.statusCode()).isEqualTo(200);
      HttpResponse<String> response =
          send(monitoring, "GET", "/api/history", "Authorization", "Bearer s3cret");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
      JsonNode history = JSON.readTree(response.body());

      assertThat(history.get("step_seconds").asInt()).isEqualTo(10);
      assertThat(history.get("retention_seconds").asInt()).isEqualTo(900);
      assertThat(history.get("times").toString())
          .isEqualTo("[\"2026-12-03T15:00:00Z\",\"2026-12-03T15:00:10Z\"]");
      JsonNode requests = history.get("requests");
      assertThat(requests.get("rate").toString()).isEqualTo("[null,1.5]");
      assertThat(requests.get("error_ratio").toString()).isEqualTo("[null," + 2.0 / 15 + "]");
      assertThat(requests.get("p50_ms").toString()).isEqualTo("[null,14.688]");
      assertThat(requests.get("p95_ms").toString()).isEqualTo("[null,193.75]");
      assertThat(requests.get("p99_ms").toString()).isEqualTo("[null,238.75]");
      assertThat(history.get("routes").toString())
          .isEqualTo(
              "[{\"route\":\"/api/orders\",\"requests\":10,\"rate\":1.0,\"error_ratio\":0.2,"
                  + "\"p50_ms\":19.375,\"p95_ms\":212.5,\"p99_ms\":242.5,"
                  + "\"series\":{\"rate\":[null,1.0],\"error_ratio\":[null,0.2],"
                  + "\"p99_ms\":[null,242.5]}},"
                  + "{\"route\":\"/api/cart\",\"requests\":5,\"rate\":0.5,\"error_ratio\":0.0,"
                  + "\"p50_ms\":2.5,\"p95_ms\":4.75,\"p99_ms\":4.95,"
                  + "\"series\":{\"rate\":[null,0.5],\"error_ratio\":[null,0.0],"
                  + "\"p99_ms\":[null,4.95]}}]");
      // FakeHostProbe: CPU 25 %, 2,000 of 8,000 bytes in use, / 600 of 1,000 bytes.
      assertThat(history.get("host").toString())
          .isEqualTo("{\"cpu\":[0.25,0.25],\"memory\":[0.25,0.25],\"disk\":[0.6,0.6]}");
      assertThat(history.get("checks").toString())
          .isEqualTo(
              "{\"db\":[{\"time\":\"2026-12-03T15:00:00Z\",\"status\":\"healthy\","
                  + "\"message\":\"db up\",\"duration_ms\":0.0}]}");
    }
  }

  @Test
  void apiHistory_withoutToken_servedToAnyone_andAtStartHasOnePoint() throws Exception {
    try (Monitoring monitoring = monitoring().build()) {
      HttpResponse<String> response = send(monitoring, "GET", "/api/history");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body())
          .isEqualTo(
              "{\"step_seconds\":10,\"retention_seconds\":900,"
                  + "\"times\":[\"2026-12-03T15:00:00Z\"],"
                  + "\"requests\":{\"rate\":[null],\"error_ratio\":[null],\"p50_ms\":[null],"
                  + "\"p95_ms\":[null],\"p99_ms\":[null]},"
                  + "\"routes\":[],"
                  + "\"host\":{\"cpu\":[0.25],\"memory\":[0.25],\"disk\":[0.6]},"
                  + "\"checks\":{}}");
      assertThat(send(monitoring, "GET", "/api/history/x").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void close_stopsTheHistorysThread() {
    // Counted, not looked for: a monitoring another test class left open has one too.
    long before = historyThreads();
    Monitoring monitoring = monitoring().build();
    assertThat(historyThreads()).isEqualTo(before + 1);

    monitoring.close();

    await().atMost(Duration.ofSeconds(10)).until(() -> historyThreads() == before);
  }

  private static long historyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals(StatusHistory.THREAD_NAME))
        .count();
  }

  @Test
  void apiHistory_configuredRetention_isServed() throws Exception {
    try (Monitoring monitoring = monitoring().statusHistory(Duration.ofMinutes(5)).build()) {
      JsonNode history = JSON.readTree(send(monitoring, "GET", "/api/history").body());

      assertThat(history.get("retention_seconds").asInt()).isEqualTo(300);
    }
  }

  @Test
  void statusHistory_outOfBounds_failsNamingTheValue() {
    assertThatThrownBy(() -> Monitoring.builder().statusHistory(Duration.ofSeconds(19)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("statusHistory must be at least PT20S (two steps of PT10S), was PT19S");
    assertThatThrownBy(() -> Monitoring.builder().statusHistory(Duration.ofMinutes(61)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("statusHistory must be at most PT1H, was PT1H1M");
    assertThatThrownBy(() -> Monitoring.builder().statusHistory(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("statusHistory must be at least PT20S (two steps of PT10S), was null");
  }

  @Test
  void apiSystem_grafanaLinkAndInstance() throws Exception {
    try (Monitoring monitoring =
        monitoring().grafanaUrl(URI.create("https://grafana.example.com/d/amptalk")).build()) {
      JsonNode system = JSON.readTree(send(monitoring, "GET", "/api/system").body());

      assertThat(system.get("links").toString())
          .isEqualTo("{\"grafana\":\"https://grafana.example.com/d/amptalk\"}");
      assertThat(system.get("system").get("service").asText()).isEqualTo("checkout");
      String host = system.get("system").get("host").asText();
      assertThat(system.get("system").get("instance").asText())
          .isEqualTo(host + ":" + monitoring.systemMonitor().getPrometheusPort());
      assertThat(system.get("system").get("instance_id").asText())
          .isEqualTo(monitoring.systemMonitor().getServiceInstanceId());
    }
  }

  @Test
  void apiSystem_configuredInstanceAndNoGrafana_noLinks() throws Exception {
    try (Monitoring monitoring =
        monitoring(monitor(new FakeHostProbe()).serviceInstanceId("checkout-1")).build()) {
      JsonNode system = JSON.readTree(send(monitoring, "GET", "/api/system").body());

      assertThat(system.has("links")).isFalse();
      assertThat(system.get("system").get("instance").asText()).isEqualTo("checkout-1");
      assertThat(system.get("system").get("instance_id").asText()).isEqualTo("checkout-1");
    }
  }

  /**
   * The status page's CPU card reads {@code /api/system}'s latest snapshot; the CPU check judged
   * the snapshot that was latest when it last ran. With the host sampled every second and the check
   * run every 15 s, the two differ (99 % beside 3.5 % healthy): each figure says when it was
   * sampled, so the page can show why.
   */
  @Test
  void cpuCardAndCpuCheck_fromDifferentSamples_eachSaysWhenItWasSampled() throws Exception {
    FakeHostProbe probe = new FakeHostProbe();
    probe.cpu = 0.035;
    try (Monitoring monitoring =
        monitoring(monitor(probe).collectInterval(Duration.ofDays(1))) // sampled by hand below
            .build()) {
      SystemMonitor monitor = monitoring.systemMonitor();
      monitoring
          .healthCheck()
          .registerCheck("cpu", HealthCheck.createCpuHealthCheck(monitor, 75, 90), "CPU");
      clock.advance(Duration.ofSeconds(5));
      monitoring.healthCheck().runCheck("cpu"); // judges the sample taken at build, T0
      clock.advance(Duration.ofSeconds(1));
      probe.cpu = 0.99;
      monitor.sampleNow(); // the card's sample, T0 + 6 s

      JsonNode snapshot =
          JSON.readTree(send(monitoring, "GET", "/api/system").body()).get("snapshot");
      JsonNode check =
          JSON.readTree(send(monitoring, "GET", "/health").body()).get("checks").get("cpu");

      assertThat(snapshot.get("cpu_utilization").asDouble()).isEqualTo(0.99);
      assertThat(check.get("message").asText()).startsWith("CPU usage 3.5%");
      assertThat(check.get("timestamp").asText()).isEqualTo("2026-12-03T15:00:05Z");
      assertThat(snapshot.path("cpu_sampled_at").asText()).isEqualTo("2026-12-03T15:00:06Z");
      assertThat(check.get("details").path("sampled_at").asText())
          .isEqualTo("2026-12-03T15:00:00Z");
    }
  }

  @Test
  void grafanaUrl_notAbsoluteHttp_failsNamingTheValue() {
    for (String bad : new String[] {"/d/amptalk", "ftp://grafana/d", "https:///d", "mailto:x@y"}) {
      assertThatThrownBy(() -> Monitoring.builder().grafanaUrl(URI.create(bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("grafanaUrl must be an absolute http(s) URL, was '" + bad + "'");
    }
  }
}
