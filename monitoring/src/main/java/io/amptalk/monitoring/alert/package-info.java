/**
 * Alerts: the alert system ({@link io.amptalk.monitoring.alert.AlertSystem}), the alert value, its
 * severities, queries and silences, and the notifier interface that deliveries go through.
 */
package io.amptalk.monitoring.alert;
