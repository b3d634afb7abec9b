/**
 * Service level objectives on the recorded requests ({@link
 * io.amptalk.monitoring.slo.ServiceLevelObjective}), their burn-rate alerts, and the Prometheus
 * rules that evaluate them across a fleet ({@link io.amptalk.monitoring.slo.PrometheusRules}).
 */
package io.amptalk.monitoring.slo;
