package io.amptalk.monitoring.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.health.HealthStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A real Spring Boot application on a random port with the starter on its class path: real HTTP
 * requests to its controllers, then the exact series on the monitor's own {@code /metrics} port.
 */
@SpringBootTest(
    classes = SpringBootMonitoringIT.Application.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.application.name=users-service",
      "amptalk.http.host=127.0.0.1",
      "amptalk.http.port=0",
      "amptalk.http.token=s3cret",
      "amptalk.metrics.jvm=false",
      "amptalk.metrics.max_routes=50",
      "amptalk.health.interval=1h",
      "management.endpoints.web.exposure.include=health"
    })
class SpringBootMonitoringIT {
  private static final String COUNT = "http_server_request_duration_seconds_count";

  @LocalServerPort int applicationPort;
  @Autowired SystemMonitor monitor;
  @Autowired HealthCheck health;
  @Autowired Monitoring monitoring;

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void requests_areRecordedUnderSpringMvcsRoutePatterns_withTheStatusSent() throws Exception {
    assertThat(get(applicationPort, "/users/1").body()).isEqualTo("user 1");
    assertThat(get(applicationPort, "/users/2").statusCode()).isEqualTo(200);
    assertThat(get(applicationPort, "/orders/7/conflict").statusCode()).isEqualTo(409);
    assertThat(get(applicationPort, "/boom").statusCode()).isEqualTo(500);
    assertThat(get(applicationPort, "/no/such/page/1").statusCode()).isEqualTo(404);
    assertThat(get(applicationPort, "/no/such/page/2").statusCode()).isEqualTo(404);

    series(
        COUNT,
        count(200, "/users/{id}", 2),
        count(409, "/orders/{id}/conflict", 1),
        count(500, "/boom", 1),
        // Nothing matched: the filter's own route, the DispatcherServlet's mapping, one series.
        count(404, "/", 2));
    series(
        "http_server_active_requests",
        "http_server_active_requests{http_request_method=\"GET\",url_scheme=\"http\"} 0.0");
    // Spring MVC rethrows it wrapped in a ServletException; the error is the controller's own.
    series(
        "app_errors_total", "app_errors_total{error_type=\"java.lang.IllegalStateException\"} 1.0");
    series(
        "monitoring_dropped_total{reason=\"unresolved_route\"",
        "monitoring_dropped_total{reason=\"unresolved_route\"} 2.0");
  }

  @Test
  void beans_areConfiguredFromAmptalkProperties_andServedOnTheMonitorsOwnPort() throws Exception {
    assertThat(monitor.getServiceName()).isEqualTo("users-service");
    assertThat(monitoring.systemMonitor()).isSameAs(monitor);
    assertThat(monitoring.healthCheck()).isSameAs(health);
    int port = monitor.getPrometheusPort();
    assertThat(port).isPositive().isNotEqualTo(applicationPort);

    // amptalk.http.token guards /alerts.
    assertThat(get(port, "/alerts").statusCode()).isEqualTo(401);
    HttpResponse<String> alerts =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/alerts"))
                .header("Authorization", "Bearer s3cret")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(alerts.statusCode()).isEqualTo(200);
  }

  @Test
  void actuatorHealthIndicators_areChecksNamedAsActuatorNamesThem() throws Exception {
    Map<String, CheckResult> results = health.runAllChecks();

    assertThat(results.get("inventory").status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(results.get("inventory").details()).containsEntry("items", 3);
    assertThat(results.get("payments").status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(results.get("payments").message()).isEqualTo("DOWN");
    assertThat(results.get("payments").details()).containsEntry("error", "warehouse unreachable");
  }

  // --- HTTP

  private HttpResponse<String> get(int port, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> scrape(String metric) throws Exception {
    String prefix = metric.contains("{") ? metric : metric + "{";
    return get(monitor.getPrometheusPort(), "/metrics")
        .body()
        .lines()
        .filter(line -> line.startsWith(prefix))
        .toList();
  }

  /**
   * Waits (10 s at most) until {@code metric}'s series are exactly {@code expected}, in any order:
   * the filter records once the chain returned, which a fast client can overtake.
   */
  private void series(String metric, String... expected) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(scrape(metric)).containsExactlyInAnyOrder(expected));
  }

  private static String count(int status, String route, long count) {
    return COUNT
        + "{http_request_method=\"GET\",http_response_status_code=\""
        + status
        + "\",http_route=\""
        + route
        + "\"} "
        + count;
  }

  // --- The application

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(Controller.class)
  static class Application {
    @Bean
    HealthIndicator inventoryHealthIndicator() {
      return () -> Health.up().withDetail("items", 3).build();
    }

    @Bean
    HealthIndicator payments() {
      return () -> Health.down().withDetail("error", "warehouse unreachable").build();
    }
  }

  @RestController
  static class Controller {
    @GetMapping("/users/{id}")
    String user(@PathVariable("id") String id) {
      return "user " + id;
    }

    @GetMapping("/orders/{id}/conflict")
    String conflict(@PathVariable("id") String id) {
      throw new ConflictException("order " + id + " changed meanwhile");
    }

    @GetMapping("/boom")
    String boom() {
      throw new IllegalStateException("boom");
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<String> onConflict(ConflictException e) {
      return ResponseEntity.status(HttpStatus.CONFLICT).body(e.getMessage());
    }
  }

  static final class ConflictException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ConflictException(String message) {
      super(message);
    }
  }
}
