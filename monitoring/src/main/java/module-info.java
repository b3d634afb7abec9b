/**
 * The library: metrics on the OpenTelemetry SDK, health checks and alerts, served on one HTTP port.
 * Only the API packages are exported; {@code io.amptalk.monitoring.internal.*} is the
 * implementation.
 *
 * <p>The OpenTelemetry SDK, the Prometheus client libraries and OSHI ship as automatic modules
 * (stable {@code Automatic-Module-Name}s), so the build turns off javac's warning about requiring
 * them.
 */
module io.amptalk.monitoring {
  // Meter is in the API (SystemMonitor.getMeter, the builders' meter(...)).
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;
  requires io.opentelemetry.sdk.common;
  // SdkMeterProviderBuilder is in the API (SystemMonitor.Builder.registerOn).
  requires transitive io.opentelemetry.sdk.metrics;
  requires io.opentelemetry.exporter.prometheus;
  requires io.opentelemetry.exporter.otlp;
  requires io.opentelemetry.instrumentation.runtime_telemetry;
  requires io.prometheus.metrics.model;
  requires io.prometheus.metrics.config;
  requires io.prometheus.writer.text;
  requires io.prometheus.metrics.exporter.common;
  requires io.prometheus.metrics.exporter.httpserver;
  requires com.github.oshi;
  requires com.fasterxml.jackson.databind;
  requires jakarta.mail;
  requires org.eclipse.angus.mail;
  requires java.sql;
  requires org.xerial.sqlitejdbc;
  requires org.slf4j;
  requires java.management;
  requires jdk.management;
  requires java.net.http;
  // The instrument package's HttpServerFilter is a com.sun.net.httpserver.Filter.
  requires transitive jdk.httpserver;

  exports io.amptalk.monitoring;
  exports io.amptalk.monitoring.metrics;
  exports io.amptalk.monitoring.instrument;
  exports io.amptalk.monitoring.health;
  exports io.amptalk.monitoring.health.checks;
  exports io.amptalk.monitoring.alert;
  exports io.amptalk.monitoring.alert.notify;
  exports io.amptalk.monitoring.alert.store;
  exports io.amptalk.monitoring.slo;
}
