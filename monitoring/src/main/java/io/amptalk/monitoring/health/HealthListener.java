package io.amptalk.monitoring.health;

/**
 * Told of status changes. Called outside the registry's locks, on the thread that recorded the
 * result; keep it quick. A listener that throws is logged and otherwise ignored.
 */
public interface HealthListener {
  /** A check's reported status changed (after its failure and success thresholds). */
  default void onCheckStatusChange(
      String check, HealthStatus previous, HealthStatus current, CheckResult result) {}

  /** The overall status changed. */
  default void onOverallStatusChange(HealthStatus previous, HealthStatus current) {}
}
