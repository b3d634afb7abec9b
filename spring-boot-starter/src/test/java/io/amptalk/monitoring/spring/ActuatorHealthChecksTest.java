package io.amptalk.monitoring.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthStatus;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

class ActuatorHealthChecksTest {
  @Test
  void checkName_isTheBeanNameLessTheSuffix_asActuatorNamesIt() {
    assertThat(ActuatorHealthChecks.checkName("diskSpaceHealthIndicator")).isEqualTo("diskSpace");
    assertThat(ActuatorHealthChecks.checkName("payments")).isEqualTo("payments");
    assertThat(ActuatorHealthChecks.checkName("HealthIndicator")).isEqualTo("HealthIndicator");
    assertThat(ActuatorHealthChecks.checkName("my$bean#1")).isEqualTo("my_bean_1");
  }

  @Test
  void result_mapsEachStatus_withItsCodeAndDetails() {
    assertResult(Health.up().withDetail("items", 3).build(), HealthStatus.HEALTHY, "UP");
    assertResult(Health.down().build(), HealthStatus.UNHEALTHY, "DOWN");
    assertResult(Health.outOfService().build(), HealthStatus.UNHEALTHY, "OUT_OF_SERVICE");
    assertResult(Health.unknown().build(), HealthStatus.DEGRADED, "UNKNOWN");
    assertResult(Health.status(new Status("SLOW")).build(), HealthStatus.DEGRADED, "SLOW");
    assertThat(ActuatorHealthChecks.result(Health.up().withDetail("items", 3).build()).details())
        .containsExactly(java.util.Map.entry("items", 3));
  }

  private static void assertResult(Health health, HealthStatus status, String message) {
    CheckResult result = ActuatorHealthChecks.result(health);
    assertThat(result.status()).isEqualTo(status);
    assertThat(result.message()).isEqualTo(message);
  }
}
