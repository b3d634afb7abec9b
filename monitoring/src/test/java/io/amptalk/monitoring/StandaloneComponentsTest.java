package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.health.HealthStatus;
import io.amptalk.monitoring.metrics.RequestWindow;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link HealthCheck} and an {@link AlertSystem} on their own, without a {@link SystemMonitor}:
 * an application's own OpenTelemetry meter, and the checks that judge host and request figures fed
 * by lambdas through the narrow views.
 */
class StandaloneComponentsTest {
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider provider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();

  @AfterEach
  void stop() {
    provider.close();
  }

  @Test
  void healthCheck_onItsOwn_judgesViewsFedByLambdasAndRecordsOnTheApplicationsMeter() {
    SystemSnapshot busy =
        new SystemSnapshot(
            Instant.EPOCH,
            OptionalDouble.of(0.95),
            Optional.empty(),
            List.of(),
            List.of(),
            OptionalDouble.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty());
    RequestWindow quiet =
        new RequestWindow(Duration.ofMinutes(5), 3, 0, List.of(0.1), List.of(3L, 0L));
    try (HealthCheck health =
        HealthCheck.builder().meter(provider.get("app")).autoCheck(false).build()) {
      health.registerCheck("cpu", HealthCheck.createCpuHealthCheck(() -> busy, 75, 90), "CPU");
      health.registerCheck(
          "errors",
          HealthCheck.createErrorRatioHealthCheck(w -> quiet, Duration.ofMinutes(5), 0.05, 0.2, 20),
          "5xx");
      health.registerCheck("db", () -> CheckResult.healthy("up"), "DB");

      Map<String, CheckResult> results = health.runAllChecks();

      assertThat(results.get("cpu").status()).isEqualTo(HealthStatus.UNHEALTHY);
      assertThat(results.get("cpu").message())
          .isEqualTo("CPU usage 95.0% is at or above the critical threshold 90.0%");
      assertThat(results.get("errors").message())
          .isEqualTo(
              "Only 3 requests in the last 5m, fewer than the 20 needed to judge the error ratio");
      assertThat(gauge("health.check.status", "db", "healthy")).isEqualTo(1);
      assertThat(gauge("health.check.status", "db", "unhealthy")).isEqualTo(0);
    }
  }

  @Test
  void alertSystem_onItsOwn_countsOnTheApplicationsMeter() {
    try (AlertSystem alerts =
        AlertSystem.builder()
            .meter(provider.get("app"))
            .noRateLimit()
            .defaultNotifiers(List.of(alert -> {}))
            .build()) {
      alerts.alert("Disk full", "95 %", AlertSeverity.CRITICAL, "disk", Map.of());

      assertThat(
              sum(
                  "alerts.raised",
                  Attributes.builder().put("severity", "critical").put("source", "disk").build()))
          .isEqualTo(1);
    }
  }

  private long gauge(String name, String check, String state) {
    return metric(name).getLongGaugeData().getPoints().stream()
        .filter(
            p ->
                check.equals(p.getAttributes().asMap().get(AttributeKey.stringKey("check")))
                    && state.equals(p.getAttributes().asMap().get(AttributeKey.stringKey("state"))))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  private long sum(String name, Attributes attributes) {
    return metric(name).getLongSumData().getPoints().stream()
        .filter(p -> p.getAttributes().equals(attributes))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  private MetricData metric(String name) {
    return reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name));
  }
}
