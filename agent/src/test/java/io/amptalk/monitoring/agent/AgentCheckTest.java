package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentCheckTest {
  private static final String NL = System.lineSeparator();

  private static Map<String, Object> percent(double value) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("value", value);
    details.put("unit", "percent");
    details.put("warning_threshold", 75.0);
    details.put("critical_threshold", 90.0);
    return details;
  }

  private static CheckResult result(HealthStatus status, String message, double percent) {
    return CheckResult.of(status, message, percent(percent));
  }

  @ParameterizedTest
  @CsvSource({
    "HEALTHY, 0, OK",
    "DEGRADED, 1, WARNING",
    "UNHEALTHY, 2, CRITICAL",
    "UNKNOWN, 3, UNKNOWN"
  })
  void exitCode_eachStatus_isNagiosCode(HealthStatus status, int code, String state) {
    assertThat(AgentCheck.exitCode(status)).isEqualTo(code);
    assertThat(AgentCheck.state(status)).isEqualTo(state);
  }

  @Test
  void exitCode_coversEveryStatus() {
    assertThat(List.of(HealthStatus.values()))
        .extracting(AgentCheck::exitCode)
        .containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  @Test
  void overall_noResults_isUnknown() {
    assertThat(AgentCheck.overall(List.of())).isEqualTo(HealthStatus.UNKNOWN);
  }

  @Test
  void overall_unhealthyOverDegradedOverUnknownOverHealthy() {
    CheckResult healthy = CheckResult.healthy("ok");
    CheckResult unknown = CheckResult.unknown("?");
    CheckResult degraded = CheckResult.degraded("meh");
    CheckResult unhealthy = CheckResult.unhealthy("bad");

    assertThat(AgentCheck.overall(List.of(healthy, healthy))).isEqualTo(HealthStatus.HEALTHY);
    assertThat(AgentCheck.overall(List.of(healthy, unknown))).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(AgentCheck.overall(List.of(unknown, degraded))).isEqualTo(HealthStatus.DEGRADED);
    assertThat(AgentCheck.overall(List.of(degraded, unhealthy, unknown)))
        .isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void perfdata_percentWithThresholds_valuePercentWarnCrit() {
    assertThat(AgentCheck.perfdata("cpu", percent(12.3))).hasValue("cpu=12.3%;75;90");
  }

  @Test
  void perfdata_seconds_unitS() {
    Map<String, Object> details =
        Map.of(
            "value",
            0.0123456,
            "unit",
            "seconds",
            "warning_threshold",
            0.5,
            "critical_threshold",
            1.0);

    assertThat(AgentCheck.perfdata("latency", details)).hasValue("latency=0.0123s;0.5;1");
  }

  @Test
  void perfdata_ratio_noUnit() {
    Map<String, Object> details =
        Map.of(
            "value", 0.05, "unit", "ratio", "warning_threshold", 0.05, "critical_threshold", 0.1);

    assertThat(AgentCheck.perfdata("errors", details)).hasValue("errors=0.05;0.05;0.1");
  }

  @Test
  void perfdata_noThresholds_valueOnly() {
    assertThat(AgentCheck.perfdata("queue", Map.of("value", 12))).hasValue("queue=12");
  }

  @Test
  void perfdata_criticalOnly_emptyWarningField() {
    assertThat(AgentCheck.perfdata("x", Map.of("value", 1, "critical_threshold", 2)))
        .hasValue("x=1;;2");
  }

  @Test
  void perfdata_warningOnly_noCriticalField() {
    assertThat(AgentCheck.perfdata("x", Map.of("value", 1, "warning_threshold", 2)))
        .hasValue("x=1;2");
  }

  @Test
  void perfdata_noNumericValue_empty() {
    assertThat(AgentCheck.perfdata("tcp", Map.of())).isEmpty();
    assertThat(AgentCheck.perfdata("tcp", Map.of("value", "up"))).isEmpty();
    // CheckResult keeps a non-finite double as its text.
    assertThat(AgentCheck.perfdata("cpu", CheckResult.healthy("x", percent(Double.NaN)).details()))
        .isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "12.3456, 12.35",
    "12.3, 12.3",
    "75.0, 75",
    "100, 100",
    "0, 0",
    "0.5, 0.5",
    "0.012345, 0.0123",
    "0.0004, 0.0004",
    "-1.5, -1.5",
    "123456789, 123456789"
  })
  void number_twoDecimalsOrThreeSignificantDigits(double value, String expected) {
    assertThat(AgentCheck.number(value)).isEqualTo(expected);
  }

  @Test
  void statusLine_allHealthy_okWithPerfdata() {
    Map<String, CheckResult> results = new LinkedHashMap<>();
    results.put("cpu", result(HealthStatus.HEALTHY, "CPU fine", 12.3));
    results.put("memory", result(HealthStatus.HEALTHY, "Memory fine", 41.0));
    results.put("disk", result(HealthStatus.HEALTHY, "Disk fine", 55.25));

    assertThat(AgentCheck.statusLine(results))
        .isEqualTo(
            "AMPTALK OK - 3 checks: cpu OK, memory OK, disk OK"
                + " | cpu=12.3%;75;90 memory=41%;75;90 disk=55.25%;75;90");
  }

  @Test
  void statusLine_worstWins_problemsCarryTheirMessage() {
    Map<String, CheckResult> results = new LinkedHashMap<>();
    results.put("cpu", result(HealthStatus.HEALTHY, "CPU fine", 12.3));
    results.put(
        "memory",
        result(
            HealthStatus.DEGRADED,
            "Memory usage 80.1% is at or above the warning threshold 75.0%",
            80.1));
    results.put(
        "disk",
        result(
            HealthStatus.UNHEALTHY,
            "Disk usage 95.0% is at or above the critical threshold 90.0%",
            95.0));

    assertThat(AgentCheck.statusLine(results))
        .isEqualTo(
            "AMPTALK CRITICAL - 3 checks: cpu OK, memory WARNING (Memory usage 80.1% is at or"
                + " above the warning threshold 75.0%), disk CRITICAL (Disk usage 95.0% is at or"
                + " above the critical threshold 90.0%) | cpu=12.3%;75;90 memory=80.1%;75;90"
                + " disk=95%;75;90");
  }

  @Test
  void statusLine_pipeAndNewlineInMessage_keptOutOfPerfdata() {
    Map<String, CheckResult> results =
        Map.of("db", CheckResult.unhealthy("select 1 | psql failed\n  connection refused"));

    assertThat(AgentCheck.statusLine(results))
        .isEqualTo(
            "AMPTALK CRITICAL - 1 check: db CRITICAL (select 1 / psql failed connection refused)");
  }

  @Test
  void statusLine_unknownCheck_unknown() {
    Map<String, CheckResult> results = new LinkedHashMap<>();
    results.put("cpu", CheckResult.unknown("CPU usage has not been sampled yet"));
    results.put("memory", result(HealthStatus.HEALTHY, "Memory fine", 41.0));

    assertThat(AgentCheck.statusLine(results))
        .isEqualTo(
            "AMPTALK UNKNOWN - 2 checks: cpu UNKNOWN (CPU usage has not been sampled yet),"
                + " memory OK | memory=41%;75;90");
  }

  @Test
  void statusLine_noChecks_unknown() {
    assertThat(AgentCheck.statusLine(Map.of()))
        .isEqualTo("AMPTALK UNKNOWN - no checks are registered");
  }

  @Test
  void table_nameStatusMessageDuration_aligned() {
    Map<String, CheckResult> results = new LinkedHashMap<>();
    results.put(
        "cpu",
        result(HealthStatus.HEALTHY, "CPU usage 12.3% is below the warning threshold 75.0%", 12.3)
            .withTiming(Instant.EPOCH, Duration.ofNanos(250_000)));
    results.put(
        "memory",
        result(HealthStatus.DEGRADED, "Memory usage 80.1% is high", 80.1)
            .withTiming(Instant.EPOCH, Duration.ofMillis(12)));

    assertThat(AgentCheck.table(results))
        .isEqualTo(
            "NAME    STATUS    MESSAGE                                               DURATION"
                + NL
                + "cpu     HEALTHY   CPU usage 12.3% is below the warning threshold 75.0%  0.3 ms"
                + NL
                + "memory  DEGRADED  Memory usage 80.1% is high                            12.0 ms"
                + NL);
  }
}
