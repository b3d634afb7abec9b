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
 * status, on {@link FilterHarness}'s request and response (a GET under the path mapping {@code
 * /items/*}, the common case of a filter registered by {@code addTo} in the root context), against
 * the same chain called without the filter. With {@code -prof gc}, {@code gc.alloc.rate.norm} is
 * the bytes the filter allocates per request: the target is zero. Run it with {@code bench/run.sh
 * --only filter}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class MonitoringFilterBenchmark {
  private SystemMonitor monitor;
  private MonitoringFilter filter;
  private FilterHarness.Request request;
  private FilterHarness.Response response;

  /** The trivial application: answers 200. */
  private final FilterChain chain = (req, res) -> ((HttpServletResponse) res).setStatus(200);

  @Setup
  public void setUp() {
    monitor = SystemMonitor.builder().enablePrometheus(false).enableJvmMetrics(false).build();
    filter = new MonitoringFilter(monitor);
    request =
        new FilterHarness.Request("GET", new FilterHarness.PathMapping("/items/*", "42", "items"));
    response = new FilterHarness.Response();
  }

  @TearDown
  public void tearDown() {
    // The filter must have recorded: a benchmark of a filter that silently skips would read zero.
    long recorded = monitor.getRequestWindow(Duration.ofMinutes(1)).requests();
    monitor.close();
    if (recorded == 0) {
      throw new IllegalStateException("MonitoringFilter recorded no request");
    }
  }

  @Benchmark
  public void chainAlone() throws IOException, ServletException {
    chain.doFilter(request, response);
  }

  @Benchmark
  public void monitoringFilter() throws IOException, ServletException {
    filter.doFilter(request, response, chain);
  }
}
