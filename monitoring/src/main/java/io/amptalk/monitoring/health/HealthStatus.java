package io.amptalk.monitoring.health;

import java.util.Locale;

/**
 * The status of one check or of the whole service. The overall status is the worst of the checks'
 * by {@link #severity()}: UNHEALTHY over DEGRADED over UNKNOWN over HEALTHY.
 */
public enum HealthStatus {
  /** Working as it should. HTTP 200, {@code pass}. */
  HEALTHY(0, 200, "pass"),
  /**
   * Not known: a check that has not reported yet or could not tell, or a service with no critical
   * checks. HTTP 503, {@code fail}.
   */
  UNKNOWN(1, 503, "fail"),
  /** Working, but worse than it should be. HTTP 200 (still serving), {@code warn}. */
  DEGRADED(2, 200, "warn"),
  /** Not working. HTTP 503, {@code fail}. */
  UNHEALTHY(3, 503, "fail");

  private final int severity;
  private final int httpStatus;
  private final String healthJsonStatus;

  HealthStatus(int severity, int httpStatus, String healthJsonStatus) {
    this.severity = severity;
    this.httpStatus = httpStatus;
    this.healthJsonStatus = healthJsonStatus;
  }

  /** Higher is worse. */
  public int severity() {
    return severity;
  }

  /** Of the two, the worse one. */
  public HealthStatus worst(HealthStatus other) {
    return other.severity > severity ? other : this;
  }

  /**
   * What a load balancer or probe should see: 200 when HEALTHY or DEGRADED (still serving), 503
   * when UNHEALTHY or UNKNOWN.
   */
  public int httpStatus() {
    return httpStatus;
  }

  /** The lowercase name used in JSON, as in the seed: {@code healthy}, {@code degraded}, … */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The IETF {@code application/health+json} status: pass, warn or fail. */
  public String healthJsonStatus() {
    return healthJsonStatus;
  }
}
