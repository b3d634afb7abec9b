package io.amptalk.monitoring.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * A real Spring Boot application on a random port with {@code amptalk.http.base-path=/monitoring}:
 * the monitor's paths on the application's own port, below the base path, and no port of the
 * monitor's own.
 */
@SpringBootTest(
    classes = SpringBootBasePathIT.Application.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.application.name=users-service",
      "amptalk.http.base-path=/monitoring",
      "amptalk.http.token=s3cret",
      "amptalk.metrics.jvm=false",
      "amptalk.health.interval=1h",
      "amptalk.health.actuator-indicators=false"
    })
class SpringBootBasePathIT {
  private static final String COUNT = "http_server_request_duration_seconds_count";

  @LocalServerPort int applicationPort;
  @Autowired SystemMonitor monitor;
  @Autowired HealthCheck health;
  @Autowired ApplicationContext context;

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void metrics_belowTheBasePath_holdTheApplicationsRequests_notTheMonitorsOwn() throws Exception {
    assertThat(get("/users/1", null).body()).isEqualTo("user 1");

    String recorded =
        COUNT
            + "{http_request_method=\"GET\",http_response_status_code=\"200\","
            + "http_route=\"/users/{id}\"} 1";
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(get("/monitoring/metrics", null).body()).contains(recorded));
    HttpResponse<String> metrics = get("/monitoring/metrics", null);

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body().lines())
        .anyMatch(
            line ->
                line.startsWith("target_info{") && line.contains("service_name=\"users-service\""))
        .contains(
            "http_server_active_requests{http_request_method=\"GET\",url_scheme=\"http\"} 0.0")
        .filteredOn(line -> line.startsWith(COUNT))
        .containsExactly(recorded);
  }

  @Test
  void health_belowTheBasePath_isTheReport_andTheMonitorOpensNoPortOfItsOwn() throws Exception {
    health.registerCheck("db", () -> CheckResult.healthy("pool ok"), "DB");
    health.runAllChecks();

    HttpResponse<String> anonymous = get("/monitoring/health", null);
    HttpResponse<String> bearer = get("/monitoring/health", "s3cret");

    assertThat(anonymous.statusCode()).isEqualTo(200);
    assertThat(anonymous.body()).isEqualTo(health.getStatusReport().toJson(false));
    assertThat(bearer.body()).isEqualTo(health.getStatusReport().toJson(true));
    assertThat(monitor.getPrometheusPort()).isEqualTo(-1);
    assertThat(context.containsBean(AmptalkMonitoringAutoConfiguration.SERVLET_BEAN)).isTrue();
    assertThat(get("/monitoring/alerts", null).statusCode()).isEqualTo(401);
    assertThat(get("/monitoring/alerts", "s3cret").statusCode()).isEqualTo(200);
    assertThat(get("/monitoring/nope", null).body()).isEqualTo("Not found: /monitoring/nope\n");
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + applicationPort + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(SpringBootMonitoringIT.Controller.class)
  static class Application {}
}
