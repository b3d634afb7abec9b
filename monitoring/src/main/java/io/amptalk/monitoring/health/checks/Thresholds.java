package io.amptalk.monitoring.health.checks;

import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleFunction;

/**
 * A warning and a critical threshold: at or above critical is UNHEALTHY, else at or above warning
 * is DEGRADED, else HEALTHY.
 */
record Thresholds(double warning, double critical) {

  static Thresholds percent(double warningThreshold, double criticalThreshold) {
    return within(
        "warningThreshold", warningThreshold, "criticalThreshold", criticalThreshold, 100);
  }

  static Thresholds ratio(double warningRatio, double criticalRatio) {
    return within("warningRatio", warningRatio, "criticalRatio", criticalRatio, 1);
  }

  private static Thresholds within(
      String warningName, double warning, String criticalName, double critical, int max) {
    requireIn(warningName, warning, max);
    requireIn(criticalName, critical, max);
    if (critical < warning) {
      throw new IllegalArgumentException(
          criticalName
              + " must be at least "
              + warningName
              + " ("
              + warning
              + "), was "
              + critical);
    }
    return new Thresholds(warning, critical);
  }

  private static void requireIn(String name, double value, int max) {
    if (!(value >= 0 && value <= max)) { // written so that NaN fails too
      throw new IllegalArgumentException(name + " must be in 0.." + max + ", was " + value);
    }
  }

  HealthStatus status(double value) {
    if (value >= critical) {
      return HealthStatus.UNHEALTHY;
    }
    return value >= warning ? HealthStatus.DEGRADED : HealthStatus.HEALTHY;
  }

  /**
   * The verdict on {@code value}: "{measured} is below the warning threshold {warning}", or "is at
   * or above" the threshold crossed, each threshold shown by {@code render}.
   */
  CheckResult judge(
      String measured, double value, DoubleFunction<String> render, Map<String, ?> details) {
    HealthStatus status = status(value);
    String verdict =
        switch (status) {
          case UNHEALTHY -> " is at or above the critical threshold " + render.apply(critical);
          case DEGRADED -> " is at or above the warning threshold " + render.apply(warning);
          default -> " is below the warning threshold " + render.apply(warning);
        };
    return CheckResult.of(status, measured + verdict, details);
  }

  /**
   * The verdict on a utilization in percent, e.g. "CPU usage 80.1% is at or above the warning
   * threshold 75.0%", with details {@code value, unit, warning_threshold, critical_threshold} and
   * then {@code extraDetails}.
   */
  CheckResult judgePercent(String what, double percent, Map<String, ?> extraDetails) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("value", percent);
    details.put("unit", "percent");
    details.put("warning_threshold", warning);
    details.put("critical_threshold", critical);
    details.putAll(extraDetails);
    return judge(what + " " + Format.percent(percent), percent, Format::percent, details);
  }
}
