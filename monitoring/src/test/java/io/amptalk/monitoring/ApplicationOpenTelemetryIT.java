package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A monitor joined to the application's own OpenTelemetry SDK: one SDK runs, its instruments and
 * ours are on {@code /metrics}, its one OTLP exporter (to a real HTTP receiver) carries ours, and
 * closing the monitor leaves it running.
 */
class ApplicationOpenTelemetryIT {
  private static final String COUNT = "http_server_request_duration_seconds_count{";

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<String> exports = new CopyOnWriteArrayList<>();
  private HttpServer collector;

  @BeforeEach
  void startCollector() throws IOException {
    collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext(
        "/v1/metrics",
        exchange -> {
          // The protobuf's strings (metric names, attribute values) read as text.
          exports.add(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
  }

  @AfterEach
  void stopCollector() {
    collector.stop(0);
  }

  private OtlpHttpMetricExporter otlp() {
    return OtlpHttpMetricExporter.builder()
        .setEndpoint("http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics")
        .build();
  }

  private static SystemMonitor.Builder monitoring() {
    return SystemMonitor.builder()
        .prometheusHost("127.0.0.1")
        .prometheusPort(0)
        .enableJvmMetrics(false)
        .collectInterval(Duration.ofHours(1));
  }

  private String scrape(SystemMonitor monitor) throws Exception {
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static long periodicReaderThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("PeriodicMetricReader"))
        .count();
  }

  @Test
  void joinedSdk_oneExporterCarriesBoth_metricsShowsBoth_closeLeavesItRunning() throws Exception {
    long readersBefore = periodicReaderThreads();
    SystemMonitor.Builder monitoring = monitoring();
    SdkMeterProvider meters =
        monitoring
            .registerOn(
                SdkMeterProvider.builder()
                    .setResource(
                        Resource.create(
                            Attributes.of(AttributeKey.stringKey("service.name"), "orders-app"))))
            .registerMetricReader(
                PeriodicMetricReader.builder(otlp()).setInterval(Duration.ofHours(1)).build())
            .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setMeterProvider(meters).build();
    try {
      SystemMonitor monitor = monitoring.openTelemetry(sdk).build();
      sdk.getMeter("orders").counterBuilder("app.orders").build().add(3);
      monitor.recordRequest("/orders", "POST", 201, 12);

      String metrics = scrape(monitor);
      assertThat(metrics.lines().filter(l -> l.startsWith("app_orders_total")))
          .containsExactly("app_orders_total 3.0");
      assertThat(metrics.lines().filter(l -> l.startsWith(COUNT)))
          .containsExactly(
              COUNT
                  + "http_request_method=\"POST\",http_response_status_code=\"201\","
                  + "http_route=\"/orders\"} 1");
      assertThat(metrics).contains("system_cpu_utilization ", "service_name=\"orders-app\"");

      // The application's one periodic reader, and no second SDK's: one export per flush, with
      // its instrument and ours in it.
      assertThat(periodicReaderThreads() - readersBefore).isEqualTo(1);
      assertThat(meters.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(exports).hasSize(1);
      assertThat(exports.get(0))
          .contains(
              "app.orders", "http.server.request.duration", "/orders", "system.cpu.utilization");

      monitor.close();

      // Still the application's: it records and exports, without the monitor's figures.
      sdk.getMeter("orders").counterBuilder("app.orders").build().add(1);
      assertThat(meters.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
      assertThat(exports).hasSize(2);
      assertThat(exports.get(1))
          .contains("app.orders")
          .doesNotContain("http.server.request.duration", "system.cpu.utilization");
    } finally {
      sdk.close();
    }
  }

  @Test
  void autoconfiguredSdk_joinedThroughItsMeterProviderCustomizer() throws Exception {
    SystemMonitor.Builder monitoring = monitoring();
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(
                () ->
                    Map.of(
                        "otel.service.name", "autoconfigured-app",
                        "otel.traces.exporter", "none",
                        "otel.logs.exporter", "none",
                        "otel.metrics.exporter", "otlp",
                        "otel.exporter.otlp.protocol", "http/protobuf",
                        "otel.exporter.otlp.metrics.endpoint",
                            "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/metrics",
                        "otel.metric.export.interval", "3600000"))
            .addMeterProviderCustomizer((builder, config) -> monitoring.registerOn(builder))
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    try (SystemMonitor monitor = monitoring.openTelemetry(sdk).build()) {
      monitor.recordRequest("/auto", "GET", 200, 3);

      assertThat(scrape(monitor))
          .contains(
              "service_name=\"autoconfigured-app\"",
              COUNT
                  + "http_request_method=\"GET\",http_response_status_code=\"200\","
                  + "http_route=\"/auto\"} 1");
      assertThat(sdk.getSdkMeterProvider().forceFlush().join(10, TimeUnit.SECONDS).isSuccess())
          .isTrue();
      assertThat(exports).singleElement().asString().contains("/auto", "system.cpu.utilization");
    } finally {
      sdk.close();
    }
  }

  @Test
  void halfAJoin_orAnExporterOfOurOwnBesideIt_failsTheBuildSayingWhatToDo() {
    OpenTelemetrySdk unjoined =
        OpenTelemetrySdk.builder().setMeterProvider(SdkMeterProvider.builder().build()).build();
    try {
      assertThatThrownBy(() -> monitoring().openTelemetry(unjoined).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "openTelemetry: call registerOn(...) on its SdkMeterProviderBuilder before building"
                  + " it, so that /metrics and its exporters get the monitor's figures");

      SystemMonitor.Builder notBuilt = monitoring();
      notBuilt.registerOn(SdkMeterProvider.builder());
      assertThatThrownBy(() -> notBuilt.openTelemetry(unjoined).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "openTelemetry: the SdkMeterProviderBuilder given to registerOn(...) has not been"
                  + " built; build it into the OpenTelemetry given here");

      SystemMonitor.Builder withoutSdk = monitoring();
      withoutSdk.registerOn(SdkMeterProvider.builder());
      assertThatThrownBy(withoutSdk::build)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "registerOn: give the OpenTelemetry built with that SdkMeterProviderBuilder to"
                  + " openTelemetry(...), or the monitor starts an SDK of its own beside it");

      SystemMonitor.Builder twice = monitoring();
      twice.registerOn(SdkMeterProvider.builder());
      assertThatThrownBy(() -> twice.registerOn(SdkMeterProvider.builder()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "registerOn: this builder's monitor is already registered on an SDK (one SDK per"
                  + " monitor)");

      SystemMonitor.Builder withOtlp = monitoring().otlpEndpoint("http://127.0.0.1:4318");
      SdkMeterProvider meters = withOtlp.registerOn(SdkMeterProvider.builder()).build();
      try {
        assertThatThrownBy(
                () ->
                    withOtlp
                        .openTelemetry(OpenTelemetrySdk.builder().setMeterProvider(meters).build())
                        .build())
            .isInstanceOf(IllegalStateException.class)
            .hasMessage(
                "otlpEndpoint: a monitor on the application's OpenTelemetry exports through that"
                    + " SDK; register the OTLP exporter on it instead");
      } finally {
        meters.close();
      }
    } finally {
      unjoined.close();
    }
  }
}
