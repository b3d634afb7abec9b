package io.amptalk.monitoring;

import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthListener;
import io.amptalk.monitoring.health.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns health-check status changes into alerts: a check that turns DEGRADED raises one alert, one
 * that turns UNHEALTHY another (of the configured severities), and a return to HEALTHY resolves
 * them. The registry's failure and success thresholds decide when a status changes, so a check
 * flapping inside them raises nothing.
 */
final class HealthAlerts implements HealthListener {
  static final String SOURCE = "health_check";

  private final AlertSystem alerts;
  private final AlertSeverity degradedSeverity;
  private final AlertSeverity unhealthySeverity;

  HealthAlerts(
      AlertSystem alerts, AlertSeverity degradedSeverity, AlertSeverity unhealthySeverity) {
    this.alerts = alerts;
    this.degradedSeverity = degradedSeverity;
    this.unhealthySeverity = unhealthySeverity;
  }

  static String title(String check, HealthStatus status) {
    return "Health check '" + check + "' is " + status.jsonName();
  }

  @Override
  public void onCheckStatusChange(
      String check, HealthStatus previous, HealthStatus current, CheckResult result) {
    // Leaving a failing status ends its alert, whatever comes next.
    if (previous == HealthStatus.DEGRADED || previous == HealthStatus.UNHEALTHY) {
      alerts.resolve(SOURCE, title(check, previous));
    }
    if (current == HealthStatus.DEGRADED || current == HealthStatus.UNHEALTHY) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("check", check);
      details.put("status", current.jsonName());
      details.put("previous_status", previous.jsonName());
      details.putAll(result.details());
      alerts.alert(
          title(check, current),
          result.message(),
          current == HealthStatus.UNHEALTHY ? unhealthySeverity : degradedSeverity,
          SOURCE,
          details);
    }
  }
}
