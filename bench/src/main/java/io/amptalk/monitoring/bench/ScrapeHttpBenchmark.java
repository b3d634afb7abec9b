package io.amptalk.monitoring.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One {@code GET /metrics} over loopback HTTP, each library served by its usual server: ours by
 * {@code SystemMonitor}'s own, the OpenTelemetry SDK by its {@code PrometheusHttpServer},
 * client_java by its {@code HTTPServer}, Micrometer's {@code scrape()} behind a JDK {@code
 * HttpServer} as its documentation shows. The same 400 series as {@link ScrapeBenchmark}; the
 * client is the JDK's {@code HttpClient} over HTTP/1.1 with keep-alive, one per benchmark thread,
 * asking for no compression. Client and server run in the benchmark JVM, so {@code -prof gc} counts
 * the bytes of both (the client's share is the same for every library).
 *
 * <p>Each server keeps its defaults: {@code SystemMonitor}'s own server sets {@code TCP_NODELAY} on
 * each connection (see {@code MonitoringServer}), the peers' JDK servers leave Nagle's algorithm
 * on. With bodies of about 1 MB the peers were no slower without the property than with it (no 40
 * ms delayed-ACK stall, which small responses suffer).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ScrapeHttpBenchmark {

  @State(Scope.Benchmark)
  public static class Server {
    @Param({
      "amptalk",
      "amptalkWithJvm",
      "amptalkClientJavaWriter",
      "otelSdk",
      "prometheusClient",
      "micrometer"
    })
    public String library;

    Exposition exposition;

    @Setup
    public void setUp() {
      exposition = Exposition.create(Exposition.Library.valueOf(library));
    }

    @TearDown
    public void tearDown() {
      exposition.close();
    }
  }

  @State(Scope.Thread)
  public static class Client {
    HttpClient client;
    HttpRequest request;

    @Setup
    public void setUp(Server server) throws IOException, InterruptedException {
      client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      request = HttpRequest.newBuilder(server.exposition.metricsUri()).GET().build();
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200 || response.body().length == 0) {
        throw new IllegalStateException(
            server.library + " answered " + response.statusCode() + " on " + request.uri());
      }
    }
  }

  @Benchmark
  public int scrape(Client client) throws IOException, InterruptedException {
    return client
        .client
        .send(client.request, HttpResponse.BodyHandlers.ofByteArray())
        .body()
        .length;
  }
}
