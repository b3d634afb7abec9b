package io.amptalk.monitoring.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.internal.http.HealthHttpHandler;
import io.amptalk.monitoring.testing.MutableClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The /health endpoints over real HTTP, served by a JDK HttpServer on port 0. */
class HealthHttpHandlerIT {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(START);
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<CheckResult> db =
      new AtomicReference<>(CheckResult.healthy("Database connection is healthy"));
  private HealthCheck registry;
  private HttpServer server;

  private void start(HealthCheck.Builder builder) throws Exception {
    start(builder, null);
  }

  private void start(HealthCheck.Builder builder, String token) throws Exception {
    registry = builder.autoCheck(false).clock(clock).serviceName("amptalk").build();
    registry.registerCheck(
        "db",
        db::get,
        "Database connection",
        CheckOptions.builder().groups(CheckOptions.READINESS, "storage").build());
    registry.registerCheck(
        "cpu",
        () ->
            CheckResult.healthy(
                "CPU usage 12.5% is below the warning threshold 75.0%",
                ordered("value", 12.5, "unit", "percent")),
        "CPU usage",
        CheckOptions.builder().groups(CheckOptions.LIVENESS).build());
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", new HealthHttpHandler(registry::getStatusReport, token));
    server.start();
  }

  private static Map<String, Object> ordered(String k1, Object v1, String k2, Object v2) {
    Map<String, Object> map = new java.util.LinkedHashMap<>();
    map.put(k1, v1);
    map.put(k2, v2);
    return map;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
    if (registry != null) {
      registry.close();
    }
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    return send(
        HttpRequest.newBuilder(uri(path))
            .GET()
            .headers(headers.length == 0 ? new String[] {"X-A", "b"} : headers));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void health_beforeAnyRun_is503AndReadinessWaits() throws Exception {
    start(HealthCheck.builder());

    assertThat(get("/health").statusCode()).isEqualTo(503);
    assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    assertThat(get("/health/live").statusCode()).isEqualTo(503);
    assertThat(get("/health/started").statusCode()).isEqualTo(200);
  }

  @Test
  void health_allHealthy_servesSeedJsonExactly() throws Exception {
    start(HealthCheck.builder());
    registry.runAllChecks();

    HttpResponse<String> response = get("/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(response.body())
        .isEqualTo(
            "{\"service\":\"amptalk\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"status\":\"healthy\","
                + "\"checks\":{"
                + "\"db\":{\"status\":\"healthy\",\"message\":\"Database connection is healthy\","
                + "\"timestamp\":\"2026-01-01T00:00:00Z\",\"description\":\"Database connection\","
                + "\"duration_ms\":0.0,\"details\":{}},"
                + "\"cpu\":{\"status\":\"healthy\","
                + "\"message\":\"CPU usage 12.5% is below the warning threshold 75.0%\","
                + "\"timestamp\":\"2026-01-01T00:00:00Z\",\"description\":\"CPU usage\","
                + "\"duration_ms\":0.0,\"details\":{\"value\":12.5,\"unit\":\"percent\"}}}}");
  }

  @Test
  void health_healthJsonWhenAccepted_isIetfDraftFormat() throws Exception {
    start(HealthCheck.builder());
    db.set(CheckResult.degraded("Pool nearly exhausted"));
    registry.runAllChecks();

    HttpResponse<String> response = get("/health", "Accept", "application/health+json");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/health+json");
    assertThat(response.body())
        .isEqualTo(
            "{\"status\":\"warn\",\"serviceId\":\"amptalk\",\"description\":\"Health of amptalk\","
                + "\"checks\":{"
                + "\"db\":[{\"componentId\":\"db\",\"status\":\"warn\","
                + "\"time\":\"2026-01-01T00:00:00Z\",\"output\":\"Pool nearly exhausted\"}],"
                + "\"cpu\":[{\"componentId\":\"cpu\",\"status\":\"pass\","
                + "\"time\":\"2026-01-01T00:00:00Z\",\"observedValue\":12.5,"
                + "\"observedUnit\":\"percent\","
                + "\"output\":\"CPU usage 12.5% is below the warning threshold 75.0%\"}]}}");
  }

  @Test
  void health_statusCodesFollowStatusPerGroupAndCheck() throws Exception {
    start(HealthCheck.builder());

    db.set(CheckResult.degraded("slow"));
    registry.runAllChecks();
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);

    db.set(CheckResult.unhealthy("down"));
    registry.runAllChecks();
    assertThat(get("/health").statusCode()).isEqualTo(503);
    assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    assertThat(get("/health/live").statusCode()).isEqualTo(200); // cpu alone
    assertThat(get("/health/group/storage").statusCode()).isEqualTo(503);
    assertThat(get("/health/db").statusCode()).isEqualTo(503);
    assertThat(get("/health/cpu").statusCode()).isEqualTo(200);
    assertThat(get("/health/nope").statusCode()).isEqualTo(404);
    assertThat(get("/health/group/nope").statusCode()).isEqualTo(404);

    db.set(CheckResult.unknown("no idea"));
    registry.runAllChecks();
    assertThat(get("/health").statusCode()).isEqualTo(503);
  }

  @Test
  void health_groupBody_holdsOnlyItsChecks() throws Exception {
    start(HealthCheck.builder());
    registry.runAllChecks();

    String body = get("/health/live").body();

    assertThat(body).contains("\"cpu\"").doesNotContain("\"db\"");
  }

  @Test
  void health_withToken_hidesDetailsFromAnonymousCallers() throws Exception {
    start(HealthCheck.builder(), "s3cret");
    db.set(CheckResult.failed(new IllegalStateException("password rejected for user admin")));
    registry.runAllChecks();

    HttpResponse<String> anonymous = get("/health");
    HttpResponse<String> wrong = get("/health", "Authorization", "Bearer guess");
    HttpResponse<String> anonymousHealthJson =
        get("/health/db", "Accept", "application/health+json");
    HttpResponse<String> authorized = get("/health", "Authorization", "Bearer s3cret");

    assertThat(anonymous.statusCode()).isEqualTo(503);
    assertThat(anonymous.body()).isEqualTo("{\"status\":\"unhealthy\"}");
    assertThat(wrong.body()).isEqualTo("{\"status\":\"unhealthy\"}");
    assertThat(anonymousHealthJson.body()).isEqualTo("{\"status\":\"fail\"}");
    assertThat(authorized.body())
        .contains(
            "\"message\":\"Check threw IllegalStateException: password rejected for user admin\"")
        .doesNotContain("at io.amptalk", "Exception.java");
  }

  @Test
  void health_headAndOtherMethods() throws Exception {
    start(HealthCheck.builder());
    registry.runAllChecks();

    HttpResponse<String> head =
        send(
            HttpRequest.newBuilder(uri("/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    HttpResponse<String> post =
        send(
            HttpRequest.newBuilder(uri("/health")).POST(HttpRequest.BodyPublishers.ofString("{}")));

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void health_neverRunsChecksOnTheRequestThread() throws Exception {
    start(HealthCheck.builder().defaultTimeout(Duration.ofSeconds(30)));
    db.set(CheckResult.healthy("first"));
    registry.runAllChecks();
    db.set(CheckResult.unhealthy("second"));

    assertThat(get("/health/db").body()).contains("\"message\":\"first\"");
  }
}
