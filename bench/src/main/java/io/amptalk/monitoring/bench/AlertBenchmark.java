package io.amptalk.monitoring.bench;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.notify.LoggingNotifier;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * What {@code AlertSystem.alert()} costs its caller (average time per call, {@code -prof gc} for
 * the allocation), and how many alerts per second go into history (throughput), with a logging
 * notifier as the seed's default. Run with {@code bench/run.sh full AlertBenchmark}.
 *
 * <ul>
 *   <li>{@code newAlert}: every call a new fingerprint, so every call records a new alert, keeps it
 *       in history and queues its notification: the full path.
 *   <li>{@code repeatedAlert}: one fingerprint again and again, the storm case: counted on the
 *       firing alert, not notified.
 * </ul>
 */
@State(Scope.Benchmark)
@Fork(2)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class AlertBenchmark {
  private static final int TITLES = 4096;
  private static final String[] TITLE = new String[TITLES];
  private static final Map<String, Object> DETAILS = Map.of("cpu_usage", 83.5);

  static {
    for (int i = 0; i < TITLES; i++) {
      TITLE[i] = "High CPU Usage on host-" + i;
    }
  }

  private AlertSystem system;
  private int next;

  @Setup
  public void setUp() {
    // A short dedup window and a tracking bound below the title count keep every newAlert call
    // on the new-alert path; the rate limit holds back the notifications, as it would in a storm.
    system =
        AlertSystem.builder()
            .serviceName("bench")
            .defaultNotifiers(List.of(new LoggingNotifier()))
            .dedupWindow(Duration.ofNanos(1))
            .maxFiring(1024)
            .build();
  }

  @TearDown
  public void tearDown() {
    system.close();
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Alert newAlert() {
    String title = TITLE[next++ & (TITLES - 1)];
    return system.alert(
        title, "CPU usage has exceeded 80%", AlertSeverity.WARNING, "bench", DETAILS);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Alert repeatedAlert(Repeating repeating) {
    return repeating.system.alert("Storm", "again", AlertSeverity.CRITICAL, "bench", DETAILS);
  }

  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Alert newAlertNoDispatch(Quiet quiet) {
    String title = TITLE[next++ & (TITLES - 1)];
    return quiet.system.alert(
        title, "CPU usage has exceeded 80%", AlertSeverity.WARNING, "bench", DETAILS);
  }

  @State(Scope.Benchmark)
  public static class Quiet {
    AlertSystem system;

    @Setup
    public void setUp() {
      system =
          AlertSystem.builder()
              .serviceName("bench")
              .defaultNotifiers(List.of(new LoggingNotifier(AlertSeverity.CRITICAL)))
              .dedupWindow(Duration.ofNanos(1))
              .maxFiring(1024)
              .build();
    }

    @TearDown
    public void tearDown() {
      system.close();
    }
  }

  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Alert newAlertThroughput() {
    return newAlert();
  }

  /** An alert system whose one alert keeps repeating within the dedup window. */
  @State(Scope.Benchmark)
  public static class Repeating {
    AlertSystem system;

    @Setup
    public void setUp() {
      system =
          AlertSystem.builder()
              .serviceName("bench")
              .defaultNotifiers(List.of(new LoggingNotifier()))
              .build();
    }

    @TearDown
    public void tearDown() {
      system.close();
    }
  }
}
