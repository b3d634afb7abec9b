package io.amptalk.monitoring.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthReport;
import io.amptalk.monitoring.servlet.ServletContainers.Container;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scenarios every Servlet container must pass with {@link MonitoringServlet} registered at
 * {@code /monitoring} beside the {@link MonitoringFilter}, run on each real container started
 * in-process ({@link JettyMonitoringServletIT}, {@link TomcatMonitoringServletIT}), with real HTTP
 * requests to the application's port and a monitor that opens no port of its own.
 */
abstract class MonitoringServletContract {
  private static final String TOKEN = "s3cret";
  private static final String ACTIVE =
      "http_server_active_requests{http_request_method=\"GET\",url_scheme=\"http\"} ";

  /**
   * Starts the container with {@code servlets} in the root context, set up by {@code initializer}.
   */
  protected abstract Container start(
      Map<String, HttpServlet> servlets, ServletContainerInitializer initializer) throws Exception;

  private final HttpClient client = HttpClient.newHttpClient();
  private Monitoring monitoring;
  private Container container;

  @BeforeEach
  void startApplication() throws Exception {
    monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .servePort(false)
                    .enableJvmMetrics(false)
                    .collectInterval(Duration.ofHours(1))
                    .build())
            .apiToken(TOKEN)
            .build();
    monitoring.healthCheck().registerCheck("db", () -> CheckResult.healthy("pool ok"), "DB");
    monitoring.healthCheck().runAllChecks();
    container =
        start(
            Map.of("/users/*", new Users()),
            (classes, context) -> {
              new MonitoringFilter(monitoring.systemMonitor()).addTo(context);
              new MonitoringServlet(monitoring).addTo(context, "/monitoring");
            });
  }

  @AfterEach
  void stop() throws Exception {
    if (container != null) {
      container.close();
    }
    monitoring.close();
  }

  @Test
  void metrics_onTheApplicationsPort_holdTheApplicationsRequests_notTheMonitorsOwn()
      throws Exception {
    assertThat(send("GET", "/users/7", null, null).body()).isEqualTo("user");

    String recorded =
        "http_server_request_duration_seconds_count{http_request_method=\"GET\","
            + "http_response_status_code=\"200\",http_route=\"/users/*\"} 1";
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(metrics().body().lines()).contains(recorded));
    HttpResponse<String> metrics = metrics();

    assertThat(monitoring.systemMonitor().getPrometheusPort()).isEqualTo(-1);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(contentType(metrics)).isEqualTo("text/plain;version=0.0.4;charset=utf-8");
    // Were the scrapes recorded, this one would be in flight, and the earlier ones a series.
    assertThat(metrics.body().lines())
        .contains(ACTIVE + "0.0")
        .filteredOn(line -> line.startsWith("http_server_request_duration_seconds_count"))
        .containsExactly(recorded);
  }

  @Test
  void health_belowTheBase_isTheReport_detailsOnlyWithTheToken() throws Exception {
    HttpResponse<String> anonymous = send("GET", "/monitoring/health", null, null);
    HttpResponse<String> bearer = send("GET", "/monitoring/health", TOKEN, null);

    HealthReport report = monitoring.healthCheck().getStatusReport();
    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(contentType(anonymous)).isEqualTo("application/json");
    assertThat(anonymous.body()).isEqualTo(report.toJson(false));
    assertThat(bearer.statusCode()).isEqualTo(200);
    assertThat(bearer.body()).isEqualTo(report.toJson(true)).contains("\"message\":\"pool ok\"");
  }

  @Test
  void statusPage_isServedBelowTheBase_andTheBaseRedirectsToIt() throws Exception {
    HttpResponse<String> page = send("GET", "/monitoring/", null, null);
    HttpResponse<String> bare = send("GET", "/monitoring", null, null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(contentType(page)).isEqualTo("text/html;charset=utf-8");
    assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
    assertThat(page.body()).isEqualTo(statusPage());
    assertThat(bare.statusCode()).isEqualTo(307);
    assertThat(bare.headers().firstValue("Location")).hasValue("/monitoring/");
  }

  @Test
  void unknownPathBelowTheBase_isTheMonitorsOne404() throws Exception {
    HttpResponse<String> unknown = send("GET", "/monitoring/nope", null, null);
    HttpResponse<String> check = send("GET", "/monitoring/health/nope", null, null);

    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(contentType(unknown)).isEqualTo("text/plain;charset=utf-8");
    assertThat(unknown.body()).isEqualTo("Not found: /monitoring/nope\n");
    assertThat(check.statusCode()).isEqualTo(404);
    assertThat(check.body()).isEqualTo("Not found: /monitoring/health/nope\n");
  }

  @Test
  void postAlerts_needsTheToken() throws Exception {
    String alert = "{\"title\":\"Queue backed up\",\"severity\":\"error\",\"source\":\"ops\"}";

    HttpResponse<String> refused = send("POST", "/monitoring/alerts", null, alert);
    HttpResponse<String> wrong = send("POST", "/monitoring/alerts", "guess", alert);
    HttpResponse<String> raised = send("POST", "/monitoring/alerts", TOKEN, alert);

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"amptalk-monitoring\"");
    assertThat(refused.body()).isEqualTo("{\"error\":\"a bearer token is required\"}");
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(raised.statusCode()).isEqualTo(201);
    assertThat(monitoring.alertSystem().getHistory(10, null, null))
        .singleElement()
        .satisfies(a -> assertThat(a.title()).isEqualTo("Queue backed up"));
  }

  @Test
  void head_isTheHeadersAlone() throws Exception {
    HttpResponse<String> health = send("HEAD", "/monitoring/health", null, null);
    HttpResponse<String> metrics = send("HEAD", "/monitoring/metrics", null, null);

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(contentType(health)).isEqualTo("application/json");
    assertThat(health.body()).isEmpty();
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).isEmpty();
  }

  @Test
  void urlPattern_ofABasePath_andABasePathThatIsNone() {
    assertThat(MonitoringServlet.urlPattern("/monitoring")).isEqualTo("/monitoring/*");
    assertThat(MonitoringServlet.urlPattern("/ops/monitor/")).isEqualTo("/ops/monitor/*");
    for (String bad : new String[] {"/", "", "monitoring", "/a//b", "/../x", "/a b", "/x/*"}) {
      assertThatThrownBy(() -> MonitoringServlet.urlPattern(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "basePath must be a path below the root such as /monitoring (segments of letters,"
                  + " digits, '-', '_', '~' and '.'), was '"
                  + bad
                  + "'");
    }
  }

  /**
   * The Content-Type without the blanks between its parameters, which both containers drop as they
   * parse the header the handler set (equivalent, per RFC 9110).
   */
  private static String contentType(HttpResponse<String> response) {
    return response.headers().firstValue("Content-Type").orElseThrow().replace(" ", "");
  }

  private HttpResponse<String> metrics() throws Exception {
    return send("GET", "/monitoring/metrics", null, null);
  }

  private HttpResponse<String> send(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + container.port() + path))
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

  /** The application's own servlet. */
  private static final class Users extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.getWriter().write("user");
    }
  }
}
