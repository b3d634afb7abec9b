/**
 * The built-in health checks, one class per kind: {@link
 * io.amptalk.monitoring.health.checks.HostChecks} (CPU, memory, disk, JVM heap), {@link
 * io.amptalk.monitoring.health.checks.NetworkChecks} (TCP, HTTP) and {@link
 * io.amptalk.monitoring.health.checks.RequestChecks} (error ratio and latency over a window of the
 * service's requests). {@code HealthCheck.createXxxHealthCheck} returns these.
 */
package io.amptalk.monitoring.health.checks;
