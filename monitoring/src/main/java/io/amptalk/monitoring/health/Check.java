package io.amptalk.monitoring.health;

/**
 * A health check: the function the registry runs. It may throw anything; the registry bounds it
 * with a timeout and turns a throw, a hang or a null into an UNHEALTHY result.
 *
 * <pre>{@code
 * Check database = () -> CheckResult.of(pool.isConnected(), "Database connection is healthy");
 * }</pre>
 */
@FunctionalInterface
public interface Check {
  /**
   * Runs the check once, on one of the registry's threads; a null result counts as UNHEALTHY.
   *
   * @throws Exception anything: the registry reports it as an UNHEALTHY result naming it
   */
  CheckResult check() throws Exception;

  /**
   * What the check measures, for {@code application/health+json} keys such as {@code
   * cpu:utilization}; null when it is not a measurement.
   */
  default String measurement() {
    return null;
  }
}
