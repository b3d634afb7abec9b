package io.amptalk.monitoring.health;

import static io.amptalk.monitoring.health.HealthCheck.createCpuHealthCheck;
import static io.amptalk.monitoring.health.HealthCheck.createMemoryHealthCheck;
import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A registry joined to a monitor: /health on the metrics port, health metrics, the gauge. */
class HealthCheckMonitorIT {
  private final HttpClient http = HttpClient.newHttpClient();
  private SystemMonitor monitor;

  @BeforeEach
  void start() {
    monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .build();
  }

  @AfterEach
  void stop() {
    monitor.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> metrics() throws Exception {
    return get("/metrics").body().lines().toList();
  }

  @Test
  void seedExample_compilesAndWorks() {
    HealthCheck healthCheck =
        HealthCheck.builder().serviceName("amptalk").checkInterval(Duration.ofSeconds(60)).build();
    healthCheck.registerCheck("cpu", createCpuHealthCheck(75.0, 90.0), "CPU usage health check");
    healthCheck.registerCheck(
        "memory", createMemoryHealthCheck(75.0, 90.0), "Memory usage health check");
    healthCheck.registerCheck(
        "database",
        () -> CheckResult.of(true, "Database connection is healthy"),
        "Database connection health check");
    Map<String, CheckResult> results = healthCheck.runAllChecks();
    HealthStatus status = healthCheck.getOverallStatus();
    HealthReport report = healthCheck.getStatusReport();
    String json = report.toJson();
    healthCheck.close();

    assertThat(results).containsOnlyKeys("cpu", "memory", "database");
    assertThat(results.get("database").status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(results.get("cpu").message()).startsWith("CPU usage ");
    assertThat(status).isNotEqualTo(HealthStatus.UNKNOWN);
    assertThat(json)
        .startsWith("{\"service\":\"amptalk\",")
        .contains("\"database\":{\"status\":\"healthy\"");
  }

  @Test
  void withMonitor_servesHealthOnMetricsPortAndExportsHealthMetrics() throws Exception {
    AtomicReference<CheckResult> db = new AtomicReference<>(CheckResult.healthy("up"));
    // The registry records its metrics on the monitor's meter; the wiring serves /health and
    // drives app.health.status from it.
    Monitoring monitoring =
        Monitoring.builder()
            .systemMonitor(monitor)
            .healthCheck(m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build())
            .build();
    HealthCheck registry = monitoring.healthCheck();
    try {
      registry.registerCheck("db", db::get, "Database");

      assertThat(metrics()).contains("app_health_status 0.0");
      registry.runAllChecks();

      assertThat(get("/health").statusCode()).isEqualTo(200);
      assertThat(metrics())
          .contains(
              "app_health_status 1.0",
              "health_check_status{check=\"db\",state=\"healthy\"} 1.0",
              "health_check_status{check=\"db\",state=\"degraded\"} 0.0",
              "health_check_status{check=\"db\",state=\"unhealthy\"} 0.0",
              "health_check_status{check=\"db\",state=\"unknown\"} 0.0")
          .anySatisfy(
              line -> assertThat(line).startsWith("health_check_duration_seconds{check=\"db\"} "));
      assertThat(monitor.getHealthReason()).isEqualTo("Overall health is healthy");

      db.set(CheckResult.unhealthy("down"));
      registry.runAllChecks();

      assertThat(get("/health").statusCode()).isEqualTo(503);
      assertThat(metrics())
          .contains(
              "app_health_status 0.0",
              "health_check_status{check=\"db\",state=\"healthy\"} 0.0",
              "health_check_status{check=\"db\",state=\"unhealthy\"} 1.0");

      registry.close();
      assertThat(metrics()).noneMatch(line -> line.startsWith("health_check_status"));
    } finally {
      monitoring.close();
    }
  }

  @Test
  void thousandChecks_everyOneHasItsSeries_noneFoldedIntoTheSdksOverflow() throws Exception {
    HealthCheck registry =
        HealthCheck.builder().meter(monitor.getMeter()).autoCheck(false).threads(4).build();
    try {
      for (int i = 0; i < 1_000; i++) {
        registry.registerCheck(String.format("c%04d", i), () -> CheckResult.healthy("ok"), "");
      }
      registry.runAllChecks();

      List<String> lines = metrics();
      // 4 states each, and the SDK's default limit of 2,000 series per instrument must not apply.
      assertThat(lines.stream().filter(l -> l.startsWith("health_check_status{"))).hasSize(4_000);
      assertThat(lines).contains("health_check_status{check=\"c0999\",state=\"healthy\"} 1.0");
      assertThat(lines.stream().filter(l -> l.startsWith("health_check_duration_seconds{")))
          .hasSize(1_000);
      assertThat(lines).noneMatch(l -> l.contains("otel_metric_overflow"));
    } finally {
      registry.close();
    }
  }
}
