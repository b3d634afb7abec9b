package io.amptalk.monitoring.instrument;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.MonitorTestHooks;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.MutableClock;
import io.amptalk.monitoring.testing.MutableTicker;
import io.amptalk.monitoring.testing.ProtobufMessage;
import io.amptalk.monitoring.testing.RealPrometheus;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exemplars end to end: requests recorded while a real OpenTelemetry SDK tracer's sampled span is
 * current, through {@link SystemMonitor#recordRequest} and through {@link HttpServerFilter} on a
 * real JDK {@code HttpServer} (behind a filter that makes the span current, as tracing
 * instrumentation does). Their trace ids are asserted on the OpenMetrics body of {@code /metrics},
 * in the protobuf an OTLP receiver gets, and in a real Prometheus' {@code /api/v1/query_exemplars}.
 */
class RequestExemplarsIT {
  private static final String BUCKET = "http_server_request_duration_seconds_bucket";
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

  private final SdkTracerProvider tracing =
      SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build();
  private final Tracer tracer = tracing.get("test");
  private final HttpClient http = HttpClient.newHttpClient();
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    handlers.shutdownNow();
    tracing.close();
  }

  private SystemMonitor monitor(Clock clock) {
    SystemMonitor monitor =
        MonitorTestHooks.hostProbe(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .collectInterval(Duration.ofHours(1))
                    .clock(clock),
                new FakeHostProbe())
            .build();
    closing.add(monitor);
    return monitor;
  }

  /**
   * An application server: {@code /filtered} answers 200 after the ticker moved 40 ms, timed by
   * {@link HttpServerFilter} inside a filter that starts a span and makes it current around the
   * rest of the chain; the span's context lands in {@code served}.
   */
  private HttpServer server(
      SystemMonitor monitor, MutableTicker ticker, AtomicReference<SpanContext> served)
      throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(handlers);
    HttpContext context =
        server.createContext(
            "/filtered",
            exchange -> {
              ticker.advance(Duration.ofMillis(40));
              exchange.sendResponseHeaders(200, -1);
              exchange.close();
            });
    context
        .getFilters()
        .add(
            new Filter() {
              @Override
              public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                Span span = tracer.spanBuilder("GET /filtered").startSpan();
                try (Scope ignored = span.makeCurrent()) {
                  chain.doFilter(exchange);
                } finally {
                  served.set(span.getSpanContext());
                  span.end();
                }
              }

              @Override
              public String description() {
                return "tracing";
              }
            });
    context.getFilters().add(HttpServerFilter.builder(monitor).ticker(ticker).build());
    server.start();
    closing.add(() -> server.stop(0));
    return server;
  }

  private SpanContext recordUnderSpan(SystemMonitor monitor, String route, double millis) {
    Span span = tracer.spanBuilder("GET " + route).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      monitor.recordRequest(route, "GET", 200, millis);
    } finally {
      span.end();
    }
    return span.getSpanContext();
  }

  /** Sends a request to the server's {@code /filtered} and waits until the filter recorded it. */
  private SpanContext requestThroughFilter(HttpServer server, AtomicReference<SpanContext> served)
      throws Exception {
    HttpResponse<Void> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/filtered"))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    assertThat(response.statusCode()).isEqualTo(200);
    // The filter records after the response went out: the tracing filter's finally comes after.
    await().atMost(Duration.ofSeconds(10)).until(() -> served.get() != null);
    return served.get();
  }

  private String scrape(SystemMonitor monitor, String accept) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics"))
                .header("Accept", accept)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static String exemplar(SpanContext span, String value, String timestamp) {
    return " # {span_id=\""
        + span.getSpanId()
        + "\",trace_id=\""
        + span.getTraceId()
        + "\"} "
        + value
        + " "
        + timestamp;
  }

  private static String bucket(String route, String le) {
    return BUCKET
        + "{http_request_method=\"GET\",http_response_status_code=\"200\",http_route=\""
        + route
        + "\",le=\""
        + le
        + "\"} 1";
  }

  @Test
  void scrape_openMetricsWritesEachPathsSpanOnItsBucket_textFormatDoesNot() throws Exception {
    MutableClock clock = new MutableClock(T0);
    SystemMonitor monitor = monitor(clock);
    AtomicReference<SpanContext> served = new AtomicReference<>();
    HttpServer server = server(monitor, new MutableTicker(), served);

    SpanContext direct = recordUnderSpan(monitor, "/direct", 300);
    clock.advance(Duration.ofSeconds(1));
    SpanContext filtered = requestThroughFilter(server, served);
    monitor.recordRequest("/untraced", "GET", 200, 30);

    String openMetrics = scrape(monitor, "application/openmetrics-text; version=1.0.0");
    assertThat(openMetrics.lines().filter(l -> l.contains(" # {")))
        .containsExactlyInAnyOrder(
            bucket("/direct", "0.5") + exemplar(direct, "0.3", "1767323045.678"),
            bucket("/filtered", "0.05") + exemplar(filtered, "0.04", "1767323046.678"));
    assertThat(openMetrics).contains(bucket("/untraced", "0.05") + "\n");

    String text = scrape(monitor, "text/plain; version=0.0.4");
    assertThat(text)
        .contains(bucket("/direct", "0.5") + "\n", bucket("/filtered", "0.05") + "\n")
        .doesNotContain("trace_id", direct.getTraceId(), filtered.getTraceId());
  }

  @Test
  void otlpExport_histogramPointsCarryTheSpansAsExemplars() throws Exception {
    List<byte[]> exports = new CopyOnWriteArrayList<>();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/v1/metrics",
        exchange -> {
          exports.add(exchange.getRequestBody().readAllBytes());
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    closing.add(() -> receiver.stop(0));
    MutableClock clock = new MutableClock(T0);
    SystemMonitor monitor =
        MonitorTestHooks.hostProbe(
                SystemMonitor.builder()
                    .enablePrometheus(false)
                    .enableJvmMetrics(false)
                    .collectInterval(Duration.ofHours(1))
                    .otlpEndpoint("http://127.0.0.1:" + receiver.getAddress().getPort())
                    .metricsExportInterval(Duration.ofHours(1))
                    .clock(clock),
                new FakeHostProbe())
            .build();
    AtomicReference<SpanContext> served = new AtomicReference<>();
    HttpServer server = server(monitor, new MutableTicker(), served);
    SpanContext direct;
    SpanContext filtered;
    try {
      direct = recordUnderSpan(monitor, "/direct", 300);
      clock.advance(Duration.ofSeconds(1));
      filtered = requestThroughFilter(server, served);
    } finally {
      monitor.close(); // the periodic reader's last export
    }

    assertThat(exports).hasSize(1);
    List<ProtobufMessage> points = new ArrayList<>();
    for (ProtobufMessage resource : ProtobufMessage.parse(exports.get(0)).messages(1)) {
      for (ProtobufMessage scope : resource.messages(2)) {
        for (ProtobufMessage metric : scope.messages(2)) {
          if ("http.server.request.duration".equals(metric.string(1))) {
            points.addAll(metric.message(9).messages(1)); // histogram, its data points
          }
        }
      }
    }
    assertThat(points).hasSize(2);
    for (ProtobufMessage point : points) {
      String route = route(point);
      SpanContext span = route.equals("/direct") ? direct : filtered;
      ProtobufMessage exemplar = point.message(8);
      assertThat(exemplar.hex(5)).as(route + " trace_id").isEqualTo(span.getTraceId());
      assertThat(exemplar.hex(4)).as(route + " span_id").isEqualTo(span.getSpanId());
      assertThat(exemplar.doubleValue(3)).as(route).isEqualTo(route.equals("/direct") ? 0.3 : 0.04);
      long nanos = TimeUnit.SECONDS.toNanos(T0.getEpochSecond()) + T0.getNano();
      assertThat(exemplar.number(2))
          .as(route + " time_unix_nano")
          .isEqualTo(route.equals("/direct") ? nanos : nanos + 1_000_000_000L);
      assertThat(exemplar.messages(7)).as(route + " filtered_attributes").isEmpty();
      assertThat(point.number(4)).as(route + " count").isEqualTo(1);
    }
    assertThat(points.stream().map(RequestExemplarsIT::route))
        .containsExactlyInAnyOrder("/direct", "/filtered");
  }

  /** A data point's {@code http.route} attribute (KeyValue: key 1, AnyValue 2: string 1). */
  private static String route(ProtobufMessage point) {
    for (ProtobufMessage attribute : point.messages(9)) {
      if ("http.route".equals(attribute.string(1))) {
        return attribute.message(2).string(1);
      }
    }
    throw new AssertionError("no http.route attribute");
  }

  @Test
  void realPrometheus_scrapesOpenMetrics_queryExemplarsAnswersTheSpansTraceIds(@TempDir Path work)
      throws Exception {
    // Exemplars Prometheus keeps carry their own timestamps: the real clock, so that they fall
    // in the query's range.
    SystemMonitor monitor = monitor(Clock.systemUTC());
    AtomicReference<SpanContext> served = new AtomicReference<>();
    HttpServer server = server(monitor, new MutableTicker(), served);
    SpanContext direct = recordUnderSpan(monitor, "/direct", 300);
    SpanContext filtered = requestThroughFilter(server, served);

    RealPrometheus prometheus =
        RealPrometheus.start(
            work,
            monitor.getPrometheusPort(),
            "exemplar-storage",
            "apt-get install prometheus (Debian's 2.42 has exemplar storage)");
    closing.add(prometheus);
    long now = System.currentTimeMillis() / 1000;
    String range = "start=" + (now - 3600) + "&end=" + (now + 3600);

    List<String> traceIds = new CopyOnWriteArrayList<>();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                JsonNode answer = prometheus.get("query_exemplars?" + range + "&query=", BUCKET);
                assertThat(answer.path("status").asText()).isEqualTo("success");
                traceIds.clear();
                for (JsonNode series : answer.path("data")) {
                  for (JsonNode exemplar : series.path("exemplars")) {
                    traceIds.add(
                        series.path("seriesLabels").path("http_route").asText()
                            + " "
                            + exemplar.path("labels").path("trace_id").asText()
                            + " "
                            + exemplar.path("labels").path("span_id").asText()
                            + " "
                            + exemplar.path("value").asText());
                  }
                }
                assertThat(traceIds)
                    .containsExactlyInAnyOrder(
                        "/direct " + direct.getTraceId() + " " + direct.getSpanId() + " 0.3",
                        "/filtered "
                            + filtered.getTraceId()
                            + " "
                            + filtered.getSpanId()
                            + " 0.04");
              });
    } catch (AssertionError | ConditionTimeoutException e) {
      throw new AssertionError(
          "query_exemplars answered " + traceIds + "; Prometheus' log:\n" + prometheus.log(), e);
    }
    // It scraped OpenMetrics (the text format carries no exemplars): the target is up.
    JsonNode up = prometheus.query("up");
    assertThat(up.path("data").path("result").get(0).path("value").get(1).asText()).isEqualTo("1");
  }
}
