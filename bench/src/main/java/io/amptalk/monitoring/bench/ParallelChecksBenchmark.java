package io.amptalk.monitoring.bench;

import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.health.HealthStatus;
import java.util.Map;
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
 * Wall time of {@link HealthCheck#runAllChecks()} for {@value #CHECKS} checks that each sleep
 * {@value #SLEEP_MILLIS} ms, against the sum of their times ({@value #CHECKS} × {@value
 * #SLEEP_MILLIS} ms), with the registry's default pool of 4 threads and with larger pools ({@code
 * HealthCheck.builder().threads(n)}, at most 256). Each shot is one {@code runAllChecks()}; the
 * ideal is {@code ceil(checks / threads)} × {@value #SLEEP_MILLIS} ms. Run with {@code
 * bench/run.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
public class ParallelChecksBenchmark {
  static final int CHECKS = 50;
  static final int SLEEP_MILLIS = 100;

  @Param({"4", "16", "50"})
  public int poolThreads;

  private HealthCheck health;

  @Setup
  public void setUp() {
    health = HealthCheck.builder().autoCheck(false).threads(poolThreads).build();
    for (int i = 0; i < CHECKS; i++) {
      health.registerCheck(
          "sleep-" + i,
          () -> {
            Thread.sleep(SLEEP_MILLIS);
            return CheckResult.healthy("slept " + SLEEP_MILLIS + " ms");
          },
          "sleeps " + SLEEP_MILLIS + " ms");
    }
  }

  @Benchmark
  public Map<String, CheckResult> runAllChecks() {
    return health.runAllChecks();
  }

  @TearDown
  public void tearDown() {
    // A shot that timed out or failed would have measured something else.
    Map<String, CheckResult> results = health.runAllChecks();
    if (results.size() != CHECKS
        || results.values().stream().anyMatch(r -> r.status() != HealthStatus.HEALTHY)) {
      throw new IllegalStateException("not every check was healthy: " + results);
    }
    health.close();
  }
}
