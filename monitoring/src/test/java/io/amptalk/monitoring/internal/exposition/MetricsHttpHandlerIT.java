package io.amptalk.monitoring.internal.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.TextExpositionWriterTest;
import io.amptalk.monitoring.internal.http.MonitoringServer;
import io.prometheus.metrics.config.ExporterFilterProperties;
import io.prometheus.metrics.config.ExporterHttpServerProperties;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MetricsHttpHandler} beside client_java's {@link MetricsHandler} on one JDK server, over
 * the same registry and configuration: every request (formats, escaping, {@code name[]}, {@code
 * ?debug=}, gzip, {@code HEAD}, an empty body, a failing collector) must get the same status, the
 * same headers (the date aside) and the same body.
 */
class MetricsHttpHandlerIT {
  private static final String PROTOBUF =
      "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;"
          + " encoding=delimited";

  /** Accept headers: none, each format, each escaping scheme, an unknown one. */
  private static final List<String> ACCEPTS =
      List.of(
          "",
          "text/plain",
          "text/plain; version=0.0.4",
          "text/plain; escaping=allow-utf-8",
          "text/plain; escaping=dots",
          "text/plain; escaping=values",
          "text/plain; escaping=nonsense",
          "application/openmetrics-text; version=1.0.0",
          "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8",
          "application/openmetrics-text; version=2.0.0",
          "application/openmetrics-text; version=0.0.1,text/plain;version=1.0.0;"
              + "escaping=underscores;q=0.5,*/*;q=0.1",
          PROTOBUF,
          "application/json");

  private static final List<String> QUERIES =
      List.of(
          "",
          "?name[]=requests_total",
          "?name[]=latency_seconds&name[]=build_info&name[]=feature",
          "?name%5B%5D=mystery",
          "?debug=text",
          "?debug=openmetrics",
          "?debug=prometheus-protobuf",
          "?debug=nonsense",
          "?debug=text&name[]=mystery");

  private final HttpClient client = HttpClient.newHttpClient();
  private MonitoringServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void handle_defaultConfiguration_answersAsClientJava() throws Exception {
    serve(PrometheusProperties.get(), registry(TextExpositionWriterTest.everyType()));
    assertEveryRequestAnsweredAlike();
  }

  @Test
  void handle_createdTimestampsExemplarsAndMillis_answersAsClientJava() throws Exception {
    serve(
        PrometheusProperties.builder()
            .exporterProperties(
                ExporterProperties.builder()
                    .includeCreatedTimestamps(true)
                    .exemplarsOnAllMetricTypes(true)
                    .prometheusTimestampsInMs(true)
                    .build())
            .build(),
        registry(TextExpositionWriterTest.everyType()));
    assertEveryRequestAnsweredAlike();
  }

  @Test
  void handle_uncompressedFilteredAndOpenMetrics2_answersAsClientJava() throws Exception {
    serve(
        PrometheusProperties.builder()
            .exporterHttpServerProperties(
                ExporterHttpServerProperties.builder().preferUncompressedResponse(true).build())
            .exporterFilterProperties(
                ExporterFilterProperties.builder()
                    .excludedPrefixes("mystery")
                    .allowedPrefixes("requests", "latency", "mystery", "build")
                    .build())
            .enableOpenMetrics2(om2 -> om2.enabled(true).contentNegotiation(true))
            .build(),
        registry(TextExpositionWriterTest.everyType()));
    assertEveryRequestAnsweredAlike();
  }

  @Test
  void handle_nothingRegistered_answersAsClientJava() throws Exception {
    serve(PrometheusProperties.get(), new PrometheusRegistry());
    assertEveryRequestAnsweredAlike();
  }

  @Test
  void handle_failingCollector_isA500WithTheExceptionAsClientJava() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(
        (MultiCollector)
            () -> {
              throw new IllegalStateException("boom");
            });
    serve(PrometheusProperties.get(), registry);

    for (String encoding : List.of("", "gzip")) {
      Answer ours = get("/metrics", "", encoding, "GET");
      Answer theirs = get("/client-java", "", encoding, "GET");

      assertThat(ours.status()).isEqualTo(500).isEqualTo(theirs.status());
      assertThat(ours.headers().get("content-type"))
          .isEqualTo(theirs.headers().get("content-type"));
      // The stack traces differ in their frames; the message is the same.
      String firstLine =
          "An Exception occurred while scraping metrics: "
              + "java.lang.IllegalStateException: boom";
      assertThat(ours.body().lines().findFirst()).hasValue(firstLine);
      assertThat(theirs.body().lines().findFirst()).hasValue(firstLine);
    }
  }

  @Test
  void handle_afterABodyOverTheKeptBound_streamsTheNextInChunksWithTheSameBytes() throws Exception {
    PrometheusRegistry registry = registry(TextExpositionWriterTest.everyType());
    server =
        MonitoringServer.builder()
            .host("127.0.0.1")
            .port(0)
            .handler("/metrics", new MetricsHttpHandler(PrometheusProperties.get(), registry, 2048))
            .handler("/client-java", new MetricsHandler(PrometheusProperties.get(), registry))
            .build()
            .start();
    // The body (3,050 bytes) is over the bound (2,048); the first scrape does not know it yet.
    Answer theirs = get("/client-java", "", "", "GET");

    Answer first = get("/metrics", "", "", "GET");
    Answer second = get("/metrics", "", "", "GET");
    Answer head = get("/metrics", "", "", "HEAD");

    assertThat(first).isEqualTo(theirs);
    assertThat(theirs.headers().get("content-length"))
        .containsExactly(String.valueOf(theirs.body().length()));
    assertThat(second.headers()).doesNotContainKey("content-length");
    assertThat(second.headers().get("transfer-encoding")).containsExactly("chunked");
    assertThat(second.body()).isEqualTo(theirs.body());
    assertThat(second.headers().get("content-type"))
        .isEqualTo(theirs.headers().get("content-type"));
    assertThat(head).isEqualTo(get("/client-java", "", "", "HEAD"));
  }

  // ---------------------------------------------------------------- helpers

  private static PrometheusRegistry registry(MetricSnapshots snapshots) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register((MultiCollector) () -> snapshots);
    return registry;
  }

  private void serve(PrometheusProperties config, PrometheusRegistry registry) throws IOException {
    // Our own server, as SystemMonitor serves /metrics.
    server =
        MonitoringServer.builder()
            .host("127.0.0.1")
            .port(0)
            .handler("/metrics", new MetricsHttpHandler(config, registry))
            .handler("/client-java", new MetricsHandler(config, registry))
            .build()
            .start();
  }

  record Answer(int status, Map<String, List<String>> headers, String body) {}

  private void assertEveryRequestAnsweredAlike() throws Exception {
    List<String[]> requests = new ArrayList<>(); // method, query, Accept, Accept-Encoding
    for (String accept : ACCEPTS) {
      for (String query : QUERIES) {
        requests.add(new String[] {"GET", query, accept, ""});
      }
      for (String encoding : List.of("gzip", "deflate, GZIP", "br")) {
        requests.add(new String[] {"GET", "", accept, encoding});
      }
      for (String encoding : List.of("", "gzip")) {
        requests.add(new String[] {"HEAD", "", accept, encoding});
        requests.add(new String[] {"POST", QUERIES.get(1), accept, encoding});
      }
    }
    for (String query : QUERIES) {
      requests.add(new String[] {"GET", query, "", "gzip"});
      requests.add(new String[] {"HEAD", query, "", ""});
    }
    for (String[] request : requests) {
      Answer ours = get("/metrics" + request[1], request[2], request[3], request[0]);
      Answer theirs = get("/client-java" + request[1], request[2], request[3], request[0]);
      assertThat(ours)
          .as("%s %s, Accept: %s, Accept-Encoding: %s", (Object[]) request)
          .isEqualTo(theirs);
    }
  }

  private Answer get(String pathAndQuery, String accept, String encoding, String method)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (!accept.isEmpty()) {
      request.header("Accept", accept);
    }
    if (!encoding.isEmpty()) {
      request.header("Accept-Encoding", encoding);
    }
    HttpResponse<byte[]> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    Map<String, List<String>> headers = new TreeMap<>(response.headers().map());
    headers.remove("date");
    byte[] body = response.body();
    if (body.length > 0 && headers.getOrDefault("content-encoding", List.of()).contains("gzip")) {
      body = gunzip(body);
    }
    // ISO-8859-1 maps each byte to one char: the comparison is byte for byte.
    return new Answer(
        response.statusCode(), headers, new String(body, StandardCharsets.ISO_8859_1));
  }

  private static byte[] gunzip(byte[] body) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
