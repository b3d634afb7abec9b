package io.amptalk.monitoring.instrument;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.MonitorTestHooks;
import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.testing.FakeHostProbe;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MonitoringHandler} mounted on a real JDK {@code HttpServer} under {@code /monitoring},
 * with a monitor that opens no port of its own, and real HTTP requests: every path answers as on
 * the monitor's port, below the base.
 */
class MonitoringHandlerIT {
  private static final String TOKEN = "s3cret";

  private final HttpClient client = HttpClient.newHttpClient();
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private Monitoring monitoring;
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    monitoring =
        Monitoring.builder()
            .systemMonitor(
                MonitorTestHooks.hostProbe(
                        SystemMonitor.builder()
                            .servePort(false)
                            .enableJvmMetrics(false)
                            .collectInterval(Duration.ofHours(1)),
                        new FakeHostProbe())
                    .build())
            .apiToken(TOKEN)
            .build();
    monitoring.healthCheck().registerCheck("db", () -> CheckResult.healthy("pool ok"), "DB");
    monitoring.healthCheck().runAllChecks();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(handlers);
    server.createContext("/monitoring", MonitoringHandler.of(monitoring));
    server.createContext("/ops/", MonitoringHandler.of(monitoring));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    handlers.shutdownNow();
    monitoring.close();
  }

  @Test
  void metrics_belowTheBase_isTheMonitorsExposition_andTheMonitorOpensNoPort() throws Exception {
    monitoring.systemMonitor().recordRequest("/api/orders", "GET", 200, 5.0);

    HttpResponse<String> metrics = send("GET", "/monitoring/metrics", null, null);

    assertThat(monitoring.systemMonitor().getPrometheusPort()).isEqualTo(-1);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(metrics.body().lines())
        .contains(
            "http_server_request_duration_seconds_count{http_request_method=\"GET\","
                + "http_response_status_code=\"200\",http_route=\"/api/orders\"} 1");
    assertThat(send("GET", "/ops/metrics", null, null).statusCode()).isEqualTo(200);
  }

  @Test
  void health_belowTheBase_isTheReport_detailsOnlyWithTheToken() throws Exception {
    HttpResponse<String> anonymous = send("GET", "/monitoring/health", null, null);
    HttpResponse<String> bearer = send("GET", "/monitoring/health", TOKEN, null);
    HttpResponse<String> check = send("GET", "/monitoring/health/db", TOKEN, null);

    String report = monitoring.healthCheck().getStatusReport().toJson(true);
    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(anonymous.body())
        .isEqualTo(monitoring.healthCheck().getStatusReport().toJson(false));
    assertThat(bearer.body()).isEqualTo(report).contains("\"message\":\"pool ok\"");
    assertThat(check.statusCode()).isEqualTo(200);
    assertThat(check.body())
        .isEqualTo(
            monitoring.healthCheck().getStatusReport().forCheck("db").orElseThrow().toJson(true));
  }

  @Test
  void head_belowTheBase_isTheHeadersAlone() throws Exception {
    HttpResponse<String> head = send("HEAD", "/monitoring/health", null, null);

    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(head.body()).isEmpty();
  }

  @Test
  void unknownPaths_areTheOne404_namingThePathAsked() throws Exception {
    HttpResponse<String> below = send("GET", "/monitoring/nope", null, null);
    HttpResponse<String> check = send("GET", "/monitoring/health/nope", null, null);
    HttpResponse<String> beside = send("GET", "/monitoringx", null, null);

    assertThat(below.statusCode()).isEqualTo(404);
    assertThat(below.body()).isEqualTo("Not found: /monitoring/nope\n");
    assertThat(check.statusCode()).isEqualTo(404);
    assertThat(check.body()).isEqualTo("Not found: /monitoring/health/nope\n");
    assertThat(beside.statusCode()).isEqualTo(404);
    assertThat(beside.body()).isEqualTo("Not found: /monitoringx\n");
    assertThat(send("POST", "/monitoring/metrics", null, "").statusCode()).isEqualTo(405);
  }

  @Test
  void theBaseItself_redirectsToTheStatusPage_whichIsServedBelowIt() throws Exception {
    HttpResponse<String> bare = send("GET", "/monitoring", null, null);
    HttpResponse<String> query = send("GET", "/monitoring?tab=alerts", null, null);
    HttpResponse<String> page = send("GET", "/monitoring/", null, null);

    assertThat(bare.statusCode()).isEqualTo(307);
    assertThat(bare.headers().firstValue("Location")).hasValue("/monitoring/");
    assertThat(query.headers().firstValue("Location")).hasValue("/monitoring/?tab=alerts");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
    assertThat(page.body()).isEqualTo(statusPage());
    assertThat(send("GET", "/monitoring/index.html", null, null).body()).isEqualTo(statusPage());
  }

  @Test
  void postAlerts_belowTheBase_needsTheToken() throws Exception {
    String alert = "{\"title\":\"Queue backed up\",\"severity\":\"error\",\"source\":\"ops\"}";

    HttpResponse<String> refused = send("POST", "/monitoring/alerts", null, alert);
    HttpResponse<String> raised = send("POST", "/monitoring/alerts", TOKEN, alert);

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"amptalk-monitoring\"");
    assertThat(refused.body()).isEqualTo("{\"error\":\"a bearer token is required\"}");
    assertThat(raised.statusCode()).isEqualTo(201);
    assertThat(monitoring.alertSystem().getHistory(10, null, null))
        .singleElement()
        .satisfies(a -> assertThat(a.title()).isEqualTo("Queue backed up"));
  }

  private HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String statusPage() throws IOException {
    try (InputStream in =
        Monitoring.class.getResourceAsStream("/io/amptalk/monitoring/internal/http/status.html")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
