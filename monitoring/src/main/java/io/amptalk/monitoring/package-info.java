/**
 * Entry points and wiring: {@link io.amptalk.monitoring.SystemMonitor} records metrics on the
 * OpenTelemetry SDK and serves them, {@link io.amptalk.monitoring.Monitoring} joins it with a
 * {@link io.amptalk.monitoring.health.HealthCheck} and an {@link
 * io.amptalk.monitoring.alert.AlertSystem} on one HTTP port.
 */
package io.amptalk.monitoring;
