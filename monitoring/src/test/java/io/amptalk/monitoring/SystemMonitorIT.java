package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The monitor over real HTTP: the Prometheus endpoint, OTLP push and the console exporter. */
class SystemMonitorIT {
  private final HttpClient http = HttpClient.newHttpClient();
  private SystemMonitor monitor;

  @BeforeEach
  void start() {
    monitor =
        SystemMonitor.builder()
            .serviceName("amptalk")
            .serviceInstanceId("it-1")
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .build();
    monitor.recordRequest("/api/transcription", "POST", 200, 157.3);
    monitor.recordError("database_connection", Map.of("database", "main", "host", "localhost"));
    monitor.setHealthStatus(true, "All systems operational");
  }

  @AfterEach
  void stop() {
    monitor.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + path));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static List<String> lines(byte[] body) {
    return new String(body, StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void metrics_servesExactSeriesInPrometheusText() throws Exception {
    // CPU utilization needs two samples, one collectInterval apart.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> monitor.getLatestSnapshot().cpuUtilization().isPresent());
    HttpResponse<byte[]> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(lines(response.body()))
        .contains(
            "# TYPE http_server_request_duration_seconds histogram",
            "http_server_request_duration_seconds_count{http_request_method=\"POST\","
                + "http_response_status_code=\"200\",http_route=\"/api/transcription\"} 1",
            "http_server_request_duration_seconds_bucket{http_request_method=\"POST\","
                + "http_response_status_code=\"200\",http_route=\"/api/transcription\","
                + "le=\"0.1\"} 0",
            "http_server_request_duration_seconds_bucket{http_request_method=\"POST\","
                + "http_response_status_code=\"200\",http_route=\"/api/transcription\","
                + "le=\"0.25\"} 1",
            "# TYPE app_errors_total counter",
            "app_errors_total{error_type=\"database_connection\"} 1.0",
            "app_health_status 1.0",
            "monitoring_dropped_total{reason=\"invalid_duration\"} 0.0")
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("target_info{")
                    .contains(
                        "host_name=\"", "service_instance_id=\"it-1\"", "service_name=\"amptalk\""))
        .anySatisfy(line -> assertThat(line).startsWith("system_cpu_utilization "))
        .anySatisfy(line -> assertThat(line).startsWith("system_memory_usage_bytes{"))
        .anySatisfy(line -> assertThat(line).startsWith("process_memory_usage_bytes "))
        .anySatisfy(line -> assertThat(line).startsWith("jvm_memory_used_bytes{"));
  }

  @Test
  void metrics_healthGaugeFollowsCaller() throws Exception {
    monitor.setHealthStatus(false, "Database unreachable");

    assertThat(lines(get("/metrics").body())).contains("app_health_status 0.0");
  }

  @Test
  void metrics_openMetricsWhenAccepted() throws Exception {
    HttpResponse<byte[]> response =
        get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");

    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("application/openmetrics-text; version=1.0.0; charset=utf-8");
    List<String> lines = lines(response.body());
    assertThat(lines).last().isEqualTo("# EOF");
    assertThat(lines).contains("app_errors_total{error_type=\"database_connection\"} 1.0");
  }

  @Test
  void metrics_gzipWhenAccepted() throws Exception {
    HttpResponse<byte[]> response = get("/metrics", "Accept-Encoding", "gzip");

    assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
    byte[] body;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
      body = in.readAllBytes();
    }
    assertThat(lines(body)).contains("app_health_status 1.0");
  }

  @Test
  void unknownPath_is404() throws Exception {
    HttpResponse<byte[]> response = get("/nope");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo("Not found: /nope\n");
  }

  @Test
  void close_stopsServingAndHttpThreads() throws Exception {
    assertThat(get("/metrics").statusCode()).isEqualTo(200);
    int port = monitor.getPrometheusPort();

    monitor.close();

    // A pool's workers finish dying just after the pool reports termination.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(thread -> thread.getName().startsWith("amptalk-")));
    try (java.net.Socket socket = new java.net.Socket()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> socket.connect(new InetSocketAddress("127.0.0.1", port), 1000))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void otlpEndpoint_pushesMetricsToACollector() throws Exception {
    List<byte[]> bodies = new CopyOnWriteArrayList<>();
    List<String> contentTypes = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/v1/metrics",
        exchange -> {
          contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
          bodies.add(exchange.getRequestBody().readAllBytes());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    collector.start();
    try (SystemMonitor pushing =
        SystemMonitor.builder()
            .serviceName("otlp-service")
            .enablePrometheus(false)
            .otlpEndpoint("http://127.0.0.1:" + collector.getAddress().getPort())
            .metricsExportInterval(Duration.ofMillis(200))
            .build()) {
      pushing.recordRequest("/otlp/route", "GET", 200, 5);

      await().atMost(Duration.ofSeconds(20)).until(() -> !bodies.isEmpty());
    } finally {
      collector.stop(0);
    }

    assertThat(contentTypes.get(0)).isEqualTo("application/x-protobuf");
    // Protobuf carries strings as raw UTF-8, so names and attribute values can be found.
    String body = new String(bodies.get(0), StandardCharsets.ISO_8859_1);
    assertThat(body).contains("http.server.request.duration", "/otlp/route", "otlp-service");
  }

  @Test
  void enableConsole_logsMetricsEachInterval() throws Exception {
    Logger console = (Logger) LoggerFactory.getLogger("io.amptalk.monitoring.console");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    console.addAppender(appender);
    try (SystemMonitor logging =
        SystemMonitor.builder()
            .enablePrometheus(false)
            .enableConsole(true)
            .metricsExportInterval(Duration.ofMillis(200))
            .build()) {
      logging.recordError("disk_full", Map.of());

      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  appender.list.stream()
                      .map(ILoggingEvent::getFormattedMessage)
                      .anyMatch("app.errors {error.type=\"disk_full\"} 1"::equals));
    } finally {
      console.detachAppender(appender);
    }
  }
}
