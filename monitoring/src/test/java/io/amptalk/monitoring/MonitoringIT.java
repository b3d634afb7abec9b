package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.testing.FakeHostProbe;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The three components wired as one, against a real webhook receiver and over real HTTP. */
class MonitoringIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final AtomicReference<CheckResult> db =
      new AtomicReference<>(CheckResult.healthy("db up"));
  private HttpServer receiver;
  private Monitoring monitoring;

  @BeforeEach
  void start() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          received.add(JSON.readTree(exchange.getRequestBody()));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .serviceName("amptalk")
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .build())
            .healthCheck(m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build())
            .alertSystem(
                m ->
                    AlertSystem.builder()
                        .meter(m.getMeter())
                        .noRateLimit()
                        .defaultNotifiers(
                            List.of(WebhookNotifier.builder().webhookUrl(hook).build()))
                        .build())
            .apiToken("s3cret")
            .build();
    monitoring
        .healthCheck()
        .registerCheck(
            "db", db::get, "Database", CheckOptions.builder().failureThreshold(2).build());
  }

  @AfterEach
  void stop() {
    monitoring.close();
    receiver.stop(0);
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort() + path);
  }

  private void runChecks(int times) {
    for (int i = 0; i < times; i++) {
      monitoring.healthCheck().runAllChecks();
    }
  }

  @Test
  void checksDoneInsideTheFactory_setTheHealthGauge() throws Exception {
    // The agent registers its checks in the healthCheck factory, where they may all have run
    // before the monitor listens for changes: app_health_status follows them from the start.
    try (Monitoring early =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .serviceName("early")
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .build())
            .healthCheck(
                m -> {
                  HealthCheck health =
                      HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build();
                  health.registerCheck("db", () -> CheckResult.healthy("db up"), "Database");
                  health.runAllChecks();
                  return health;
                })
            .build()) {
      int port = early.systemMonitor().getPrometheusPort();
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(body.lines())
          .contains("health_check_status{check=\"db\",state=\"healthy\"} 1.0")
          .contains("app_health_status 1.0");
      assertThat(early.systemMonitor().getHealthReason()).isEqualTo("Overall health is healthy");
    }
  }

  @Test
  void checkTurningUnhealthy_raisesOneAlert_returningHealthy_resolvesIt() throws Exception {
    runChecks(1);
    db.set(CheckResult.unhealthy("connection refused"));
    runChecks(3); // the second failure crosses the threshold; the third repeats nothing

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    JsonNode alert = received.get(0);
    assertThat(alert.get("title").asText()).isEqualTo("Health check 'db' is unhealthy");
    assertThat(alert.get("severity").asText()).isEqualTo("critical");
    assertThat(alert.get("source").asText()).isEqualTo("health_check");
    assertThat(alert.get("message").asText()).isEqualTo("connection refused");
    assertThat(alert.get("state").asText()).isEqualTo("firing");
    assertThat(get("/metrics").body().lines())
        .contains(
            "alerts_raised_total{severity=\"critical\",source=\"health_check\"} 1.0",
            "health_check_status{check=\"db\",state=\"unhealthy\"} 1.0",
            "health_check_skipped_total{check=\"db\"} 0.0",
            "app_health_status 0.0");

    db.set(CheckResult.healthy("db up again"));
    runChecks(1);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
    assertThat(received.get(1).get("state").asText()).isEqualTo("resolved");
    assertThat(received.get(1).get("id").asText()).isEqualTo(alert.get("id").asText());
    assertThat(get("/metrics").body().lines())
        .contains(
            "health_check_status{check=\"db\",state=\"healthy\"} 1.0", "app_health_status 1.0");
  }

  @Test
  void checkTurningDegraded_raisesAWarning() {
    runChecks(1);
    db.set(CheckResult.degraded("slow"));
    runChecks(2);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
    assertThat(received.get(0).get("title").asText()).isEqualTo("Health check 'db' is degraded");
    assertThat(received.get(0).get("severity").asText()).isEqualTo("warning");
  }

  @Test
  void flappingInsideTheThresholds_raisesNothing() throws Exception {
    runChecks(1);
    for (int i = 0; i < 5; i++) {
      db.set(CheckResult.unhealthy("blip"));
      runChecks(1);
      db.set(CheckResult.healthy("fine"));
      runChecks(1);
    }

    assertThat(monitoring.alertSystem().getHistory(10, null, null)).isEmpty();
    assertThat(received).isEmpty();
  }

  @Test
  void alertsEndpoint_listsAndRaisesWithTheToken() throws Exception {
    String auth = "Bearer s3cret";

    assertThat(get("/alerts").statusCode()).isEqualTo(401);
    assertThat(post("/alerts", "{\"title\":\"x\"}").statusCode()).isEqualTo(401);
    HttpResponse<String> raised =
        post(
            "/alerts",
            "{\"title\":\"Queue backlog\",\"message\":\"5000 jobs\",\"severity\":\"error\","
                + "\"source\":\"worker\",\"details\":{\"jobs\":5000}}",
            "Authorization",
            auth);
    assertThat(raised.statusCode()).isEqualTo(201);
    assertThat(JSON.readTree(raised.body()).get("title").asText()).isEqualTo("Queue backlog");

    JsonNode listed =
        JSON.readTree(get("/alerts?limit=5&min_severity=warning", "Authorization", auth).body());
    assertThat(listed.get("alerts").get(0).get("title").asText()).isEqualTo("Queue backlog");
    assertThat(listed.get("alerts").get(0).get("details").get("jobs").asInt()).isEqualTo(5000);
    assertThat(
            JSON.readTree(get("/alerts?source=nobody", "Authorization", auth).body())
                .get("alerts")
                .size())
        .isZero();
  }

  @Test
  void alertsEndpoint_rejectsBadRequestsClearly() throws Exception {
    String auth = "Bearer s3cret";

    assertThat(post("/alerts", "{not json", "Authorization", auth).body())
        .isEqualTo(
            "{\"error\":\"the body is not valid JSON: Unexpected character ('n' (code 110)): was"
                + " expecting double-quote to start field name (line 1, column 2)\"}");
    assertThat(post("/alerts", "[1]", "Authorization", auth).body())
        .isEqualTo("{\"error\":\"the body must be a JSON object, was an array\"}");
    assertThat(post("/alerts", "{\"message\":\"m\"}", "Authorization", auth).body())
        .isEqualTo("{\"error\":\"title is required and must be a non-empty string\"}");
    HttpResponse<String> badSeverity =
        post("/alerts", "{\"title\":\"t\",\"severity\":\"loud\"}", "Authorization", auth);
    assertThat(badSeverity.statusCode()).isEqualTo(400);
    assertThat(badSeverity.body())
        .isEqualTo(
            "{\"error\":\"severity must be one of info, warning, error, critical, was 'loud'\"}");
    assertThat(get("/alerts?limit=x", "Authorization", auth).body())
        .isEqualTo("{\"error\":\"limit must be a number, was 'x'\"}");
    assertThat(get("/alerts?since=yesterday", "Authorization", auth).body())
        .isEqualTo("{\"error\":\"since must be an ISO-8601 instant, was 'yesterday'\"}");
    assertThat(post("/alerts", "x".repeat(70_000), "Authorization", auth).statusCode())
        .isEqualTo(413);
  }

  @Test
  void systemEndpointAndStatusPage_areServedOnTheSamePort() throws Exception {
    HttpResponse<String> system = get("/api/system", "Authorization", "Bearer s3cret");
    HttpResponse<String> page = get("/");

    assertThat(system.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(system.body());
    assertThat(json.get("system").get("service").asText()).isEqualTo("amptalk");
    assertThat(json.get("snapshot").get("memory_total_bytes").asLong()).isPositive();
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("id=\"overall-status\"");
    assertThat(get("/nope").statusCode()).isEqualTo(404);
    assertThat(get("/health").statusCode()).isIn(200, 503);
  }

  @Test
  void containerLimits_inApiSystemAndOnMetrics_besideTheHostFigures() throws Exception {
    FakeHostProbe probe = new FakeHostProbe();
    probe.container =
        Optional.of(
            new SystemSnapshot.ContainerUsage(
                OptionalDouble.of(1.5),
                OptionalDouble.of(0.5),
                Optional.of(new SystemSnapshot.MemoryUsage(4_000, 1_000))));
    try (Monitoring limited =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .hostProbe(probe))
            .build()) {
      String base = "http://127.0.0.1:" + limited.systemMonitor().getPrometheusPort();
      JsonNode snapshot =
          JSON.readTree(
                  http.send(
                          HttpRequest.newBuilder(URI.create(base + "/api/system")).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body())
              .get("snapshot");
      String metrics =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();

      assertThat(snapshot.get("container").toString())
          .isEqualTo(
              "{\"cpu_limit_cores\":1.5,\"cpu_utilization\":0.5,\"memory_limit_bytes\":4000,"
                  + "\"memory_used_bytes\":3000,\"memory_utilization\":0.75}");
      assertThat(snapshot.get("cpu_utilization").asDouble()).isEqualTo(0.25);
      assertThat(snapshot.get("memory_total_bytes").asLong()).isEqualTo(8_000);
      assertThat(metrics.lines().filter(l -> l.startsWith("container_")))
          .containsExactly(
              "container_cpu_limit 1.5",
              "container_cpu_utilization 0.5",
              "container_memory_limit_bytes 4000.0",
              "container_memory_usage_bytes 3000.0",
              "container_memory_utilization 0.75");
    }
  }

  /**
   * While the health registry and the alert system are being built, the port already answers:
   * /metrics as usual, every other path 503 "starting", so a probe reads "not ready", not 404.
   */
  @Test
  void whileStarting_everyPathButMetricsIs503Starting_thenServedForReal() throws Exception {
    CountDownLatch building = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    SystemMonitor monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .build();
    CompletableFuture<Monitoring> started =
        CompletableFuture.supplyAsync(
            () ->
                Monitoring.builder()
                    .systemMonitor(monitor)
                    .healthCheck(
                        m -> {
                          building.countDown();
                          try {
                            release.await();
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          return HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build();
                        })
                    .build());
    assertThat(building.await(10, TimeUnit.SECONDS)).isTrue();
    URI base = URI.create("http://127.0.0.1:" + monitor.getPrometheusPort());
    try {
      for (String path : List.of("/health", "/health/ready", "/alerts", "/api/system", "/")) {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(503);
        assertThat(response.body()).as(path).isEqualTo("{\"status\":\"starting\"}");
        assertThat(response.headers().firstValue("Retry-After")).as(path).contains("1");
      }
      assertThat(
              http.send(
                      HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
    } finally {
      release.countDown();
    }
    try (Monitoring done = started.get(10, TimeUnit.SECONDS)) {
      assertThat(
              http.send(
                      HttpRequest.newBuilder(base.resolve("/")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .startsWith("<!DOCTYPE html>");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(base.resolve("/health")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .contains("\"checks\"");
    }
  }
}
