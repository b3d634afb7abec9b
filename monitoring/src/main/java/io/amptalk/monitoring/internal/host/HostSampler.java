package io.amptalk.monitoring.internal.host;

import io.amptalk.monitoring.internal.util.DaemonThreads;
import io.amptalk.monitoring.internal.util.FatalErrors;
import io.amptalk.monitoring.internal.util.ThrottledLogger;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Samples the host on one named daemon thread every interval into an immutable {@link
 * SystemSnapshot}. Each figure is probed on its own: a probe that throws leaves that figure empty
 * in this snapshot, is logged (throttled), and is tried again next time.
 */
public final class HostSampler implements AutoCloseable {
  public static final String THREAD_NAME = "amptalk-host-sampler";

  private final HostProbe probe;
  private final Clock clock;
  private final ThrottledLogger log;
  private final Consumer<SystemSnapshot> onSample;
  private final ScheduledExecutorService executor;
  private volatile SystemSnapshot latest;

  public HostSampler(HostProbe probe, Clock clock, ThrottledLogger log) {
    this(probe, clock, log, snapshot -> {});
  }

  /** {@code onSample} runs on the sampler thread after each published sample. */
  public HostSampler(
      HostProbe probe, Clock clock, ThrottledLogger log, Consumer<SystemSnapshot> onSample) {
    this.onSample = onSample;
    this.probe = probe;
    this.clock = clock;
    this.log = log;
    this.latest = SystemSnapshot.empty(clock.instant());
    this.executor = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory(THREAD_NAME));
  }

  public SystemSnapshot latest() {
    return latest;
  }

  public void start(Duration interval) {
    long millis = interval.toMillis();
    executor.scheduleAtFixedRate(this::sampleSafely, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Takes a sample now, on the calling thread, and publishes it. */
  public SystemSnapshot sample() {
    HostProbe.ProcessFigures process =
        probe(
            "process",
            probe::process,
            new HostProbe.ProcessFigures(
                OptionalDouble.empty(),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty()));
    SystemSnapshot snapshot =
        new SystemSnapshot(
            clock.instant(),
            probe("cpu", probe::cpuUtilization, OptionalDouble.empty()),
            probe("memory", () -> Optional.of(probe.memory()), Optional.empty()),
            probe("filesystem", probe::fileSystems, List.of()),
            probe("network", probe::networkInterfaces, List.of()),
            process.cpuUtilization(),
            process.memoryBytes(),
            process.threadCount(),
            process.openFileDescriptors(),
            probe("container", probe::container, Optional.empty()));
    latest = snapshot;
    onSample.accept(snapshot);
    return snapshot;
  }

  private void sampleSafely() {
    try {
      sample();
    } catch (Throwable t) {
      // A throwable escaping a scheduled task would cancel every later run.
      if (!FatalErrors.caught(t)) {
        log.warn("sample", "Host sampling failed; will retry next interval", t);
      }
    }
  }

  private <T> T probe(String figure, Supplier<T> supplier, T missing) {
    try {
      T value = supplier.get();
      return value == null ? missing : value;
    } catch (RuntimeException | Error e) {
      // Errors too, not only LinkageError: JNA reports a native fault as a plain Error ("Invalid
      // memory access"), and a probe may overflow its stack or run out of memory. Escaping, one
      // failing figure cost the whole sample, and the last good one stayed published as if current.
      log.warn(
          "probe." + figure, "Could not read the {} figures; exporting none this time", figure, e);
      return missing;
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
