/**
 * Health checks: the registry ({@link io.amptalk.monitoring.health.HealthCheck}), the check
 * interface and its results, statuses, options, listeners and the report.
 */
package io.amptalk.monitoring.health;
