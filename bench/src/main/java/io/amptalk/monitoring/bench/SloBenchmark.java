package io.amptalk.monitoring.bench;

import static io.amptalk.monitoring.bench.RecordRequestBenchmark.COMBINATIONS;
import static io.amptalk.monitoring.bench.RecordRequestBenchmark.method;
import static io.amptalk.monitoring.bench.RecordRequestBenchmark.route;
import static io.amptalk.monitoring.bench.RecordRequestBenchmark.status;

import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.internal.slo.SloEvaluator;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * What service level objectives cost where they are paid: at evaluation, every 10 seconds on their
 * own thread, never in {@code recordRequest} (whose figure with objectives configured is {@code
 * RecordRequestBenchmark.amptalkInMonitoring}). One evaluation folds every request series (the 400
 * of {@link RecordRequestBenchmark}) into each objective's per-minute counts and judges the
 * Workbook's four burn-rate alerts over a 30-day window; the sums walk every minute and hour of
 * their windows whatever they hold, so the figure is a busy service's. The time line advances one
 * minute per evaluation, so each one also rolls the window.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class SloBenchmark {
  private static final long MINUTE_NANOS = Duration.ofMinutes(1).toNanos();

  /** How many objectives: one availability objective, or four of both kinds and route sets. */
  @Param({"1", "4"})
  public int objectives;

  private final AtomicLong nanos = new AtomicLong();
  private AlertSystem alerts;
  private SloEvaluator evaluator;

  @Setup
  public void setUp() {
    RequestMetrics requests = new RequestMetrics(200, () -> 0L, () -> {});
    for (int c = 0; c < COMBINATIONS; c++) {
      requests.record(route(c), method(c), status(c), 20);
    }
    List<ServiceLevelObjective> all =
        List.of(
            ServiceLevelObjective.builder("availability").objective(99.9).build(),
            ServiceLevelObjective.builder("latency")
                .latency(Duration.ofMillis(250))
                .objective(99)
                .build(),
            ServiceLevelObjective.builder("orders")
                .routePattern("/api/orders.*")
                .objective(99.5)
                .build(),
            ServiceLevelObjective.builder("checkout")
                .routes(List.of("/api/cart", "/api/checkout"))
                .objective(99.95)
                .build());
    alerts = AlertSystem.builder().noRateLimit().build();
    evaluator =
        new SloEvaluator(
            all.subList(0, objectives),
            requests::forEachSeries,
            alerts,
            key -> Optional.empty(),
            Clock.systemUTC(),
            nanos::get);
    evaluator.evaluate();
  }

  @TearDown
  public void tearDown() {
    alerts.close();
  }

  @Benchmark
  public void evaluate() {
    nanos.addAndGet(MINUTE_NANOS);
    evaluator.evaluate();
  }
}
