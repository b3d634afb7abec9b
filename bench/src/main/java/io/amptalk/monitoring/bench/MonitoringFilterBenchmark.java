package io.amptalk.monitoring.bench;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.servlet.MonitoringFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Servlet filter alone: {@link MonitoringFilter#doFilter} around a chain that only sets the
 * status, on {@link FilterHarness}'s request and response (a GET of {@code /items/42} under the
 * path mapping {@code /items/*}, the common case of a filter registered by {@code addTo} in the
 * root context), against the same chain called without the filter and the peers' filters of {@link
 * PeerFilters} (the very ones {@code bench/http-overhead.sh} serves, and Dropwizard's handler's
 * work as a filter) on the same harness. With {@code -prof gc}, {@code gc.alloc.rate.norm} is the
 * bytes a filter allocates per request: ours targets zero. Run it with {@code bench/run.sh --only
 * filter}.
 *
 * <p>On a real server every one of these is within the run-to-run noise of a trivial endpoint (a
 * request costs the server some 50 µs of CPU), so this, the instrumentation with nothing else, is
 * where they can be told apart.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class MonitoringFilterBenchmark {
  /** The request, the response and the trivial application, which answers 200. */
  @State(Scope.Thread)
  public static class Exchange {
    final FilterHarness.Request request =
        new FilterHarness.Request(
            "GET", "/items/42", new FilterHarness.PathMapping("/items/*", "42", "items"));
    final FilterHarness.Response response = new FilterHarness.Response();
    final FilterChain chain = (req, res) -> ((HttpServletResponse) res).setStatus(200);
  }

  /** Our filter, as {@code new MonitoringFilter(monitor)} makes it for the root context. */
  @State(Scope.Benchmark)
  public static class Filtered {
    SystemMonitor monitor;
    MonitoringFilter filter;

    @Setup
    public void setUp() {
      monitor = SystemMonitor.builder().enablePrometheus(false).enableJvmMetrics(false).build();
      filter = new MonitoringFilter(monitor);
    }

    @TearDown
    public void tearDown() {
      // A filter that silently stopped recording would read as free: fail the trial instead.
      long recorded = monitor.getRequestWindow(Duration.ofMinutes(1)).requests();
      monitor.close();
      if (recorded == 0) {
        throw new IllegalStateException("MonitoringFilter recorded no request");
      }
      FilterHarness.checkAllAnswered("MonitoringFilter");
    }
  }

  /**
   * A peer's filter with its registry; at the end of the trial, the registry must have counted
   * requests, or the trial fails (a filter that stopped recording would read as cheap).
   */
  @State(Scope.Benchmark)
  public abstract static class Peer {
    PeerFilters.RecordingFilter recording;

    abstract PeerFilters.RecordingFilter create();

    @Setup
    public void setUp() {
      recording = create();
    }

    @TearDown
    public void tearDown() throws IOException {
      long recorded = recording.recorded().getAsLong();
      recording.close();
      if (recorded == 0) {
        throw new IllegalStateException(recording.name() + " recorded no request");
      }
      FilterHarness.checkAllAnswered(recording.name());
    }
  }

  /** Micrometer's {@code http.server.requests} Servlet filter, Spring Boot's way. */
  public static class Micrometer extends Peer {
    @Override
    PeerFilters.RecordingFilter create() {
      return PeerFilters.micrometer();
    }
  }

  /** OpenTelemetry's HTTP server {@code Instrumenter} in a filter, into the SDK. */
  public static class OpenTelemetry extends Peer {
    @Override
    PeerFilters.RecordingFilter create() {
      return PeerFilters.openTelemetry();
    }
  }

  /** What Dropwizard's {@code InstrumentedEE10Handler} records per request, as a filter. */
  public static class Dropwizard extends Peer {
    @Override
    PeerFilters.RecordingFilter create() {
      return PeerFilters.dropwizard();
    }
  }

  @Benchmark
  public void chainAlone(Exchange exchange) throws IOException, ServletException {
    exchange.chain.doFilter(exchange.request, exchange.response);
  }

  @Benchmark
  public void amptalk(Filtered filtered, Exchange exchange) throws IOException, ServletException {
    filtered.filter.doFilter(exchange.request, exchange.response, exchange.chain);
  }

  @Benchmark
  public void micrometer(Micrometer peer, Exchange exchange) throws IOException, ServletException {
    peer.recording.filter().doFilter(exchange.request, exchange.response, exchange.chain);
  }

  @Benchmark
  public void openTelemetry(OpenTelemetry peer, Exchange exchange)
      throws IOException, ServletException {
    peer.recording.filter().doFilter(exchange.request, exchange.response, exchange.chain);
  }

  @Benchmark
  public void dropwizard(Dropwizard peer, Exchange exchange) throws IOException, ServletException {
    peer.recording.filter().doFilter(exchange.request, exchange.response, exchange.chain);
  }
}
