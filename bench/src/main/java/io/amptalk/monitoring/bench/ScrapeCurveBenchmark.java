package io.amptalk.monitoring.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * How the cost of one {@code /metrics} body grows with the series: 1,000, 10,000 and 100,000
 * request-duration series ({@link Exposition.Workload#series}: routes × 4 methods × 5 statuses, 15
 * buckets each), for ours and the three peers on identical data, in-process ({@link #inProcess}, as
 * {@link ScrapeBenchmark}) and as one {@code GET /metrics} over loopback ({@link #http}, each
 * library's usual server, as {@link ScrapeHttpBenchmark}).
 *
 * <p>Over HTTP, the client reads the body into a buffer it reuses and discards it, so {@code -prof
 * gc}'s bytes per operation are the server's (and the client's few per request), to set against the
 * body's size. Each cap is raised as its users raise it: ours with {@code maxRoutes} (the agent's
 * {@code metrics.max_routes}), the OpenTelemetry SDK's cardinality limit (2,000 series by default)
 * with a {@code CardinalityLimitSelector}; client_java and Micrometer have none by default. {@code
 * Report} draws the curve ({@code ScrapeCurveBenchmark.png}) from the JSON; {@code CurveHeap}
 * measures the heap the same series retain.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class ScrapeCurveBenchmark {

  /** The libraries of the curve: ours and the three peers, each as its users run it. */
  static final String[] LIBRARIES = {"amptalk", "otelSdk", "prometheusClient", "micrometer"};

  @State(Scope.Benchmark)
  public static class Size {
    @Param({"1000", "10000", "100000"})
    public int series;

    @Param({"amptalk", "otelSdk", "prometheusClient", "micrometer"})
    public String library;

    Exposition.Library library() {
      return Exposition.Library.valueOf(library);
    }
  }

  /** The library holding the size's series, built for one of the two benchmarks. */
  public abstract static class Held {
    Exposition exposition;

    /** Whether the library's server runs (not for the in-process body, which does not need it). */
    abstract boolean served();

    @Setup
    public void setUp(Size size) {
      exposition =
          Exposition.create(size.library(), Exposition.Workload.series(size.series), served());
    }

    @TearDown
    public void tearDown() {
      exposition.close();
    }
  }

  /** The library without its server: only the in-process body. */
  @State(Scope.Benchmark)
  public static class InProcess extends Held {
    @Override
    boolean served() {
      return false;
    }
  }

  /** A buffer per thread, sized to the body from the start: its growth is not counted. */
  @State(Scope.Thread)
  public static class Buffer {
    ByteArrayOutputStream out;

    @Setup
    public void setUp(InProcess target) throws IOException {
      ByteArrayOutputStream first = new ByteArrayOutputStream(1 << 20);
      target.exposition.writeTo(first);
      out = new ByteArrayOutputStream(first.size() + (first.size() >> 3));
    }
  }

  @Benchmark
  public int inProcess(InProcess target, Buffer buffer) throws IOException {
    buffer.out.reset();
    target.exposition.writeTo(buffer.out);
    return buffer.out.size();
  }

  /** The library with its usual server on loopback. */
  @State(Scope.Benchmark)
  public static class Served extends Held {
    @Override
    boolean served() {
      return true;
    }
  }

  @State(Scope.Thread)
  public static class Client {
    HttpClient client;
    HttpRequest request;
    final byte[] chunk = new byte[1 << 16];

    @Setup
    public void setUp(Served server) throws IOException, InterruptedException {
      client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      request = HttpRequest.newBuilder(server.exposition.metricsUri()).GET().build();
      if (get(this) == 0) {
        throw new IllegalStateException("empty body from " + request.uri());
      }
    }
  }

  @Benchmark
  public long http(Client client) throws IOException, InterruptedException {
    return get(client);
  }

  /** One GET, its body read and discarded; its length, or an exception unless 200. */
  static long get(Client client) throws IOException, InterruptedException {
    HttpResponse<InputStream> response =
        client.client.send(client.request, HttpResponse.BodyHandlers.ofInputStream());
    long length = 0;
    try (InputStream body = response.body()) {
      for (int n = body.read(client.chunk); n >= 0; n = body.read(client.chunk)) {
        length += n;
      }
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(client.request.uri() + " answered " + response.statusCode());
    }
    return length;
  }
}
