package io.amptalk.monitoring.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.internal.util.ThrottledLogger;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class HostSamplerTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final FakeHostProbe probe = new FakeHostProbe();
  private final ThrottledLogger log =
      new ThrottledLogger(
          LoggerFactory.getLogger(HostSamplerTest.class), clock, Duration.ofMinutes(1));

  @Test
  void sample_eachFailingProbeLeavesOnlyItsFigureEmpty() {
    probe.failCpu = new IllegalStateException("cpu");
    probe.failFileSystems = new UnsupportedOperationException("fs");
    probe.failProcess = new IllegalStateException("process");
    try (HostSampler sampler = new HostSampler(probe, clock, log)) {
      SystemSnapshot snapshot = sampler.sample();

      assertThat(snapshot.time()).isEqualTo(clock.instant());
      assertThat(snapshot.cpuUtilization()).isEmpty();
      assertThat(snapshot.fileSystems()).isEmpty();
      assertThat(snapshot.processMemoryBytes()).isEmpty();
      assertThat(snapshot.processThreadCount()).isEmpty();
      assertThat(snapshot.memory()).isPresent();
      assertThat(snapshot.networkInterfaces()).hasSize(1);
      assertThat(sampler.latest()).isSameAs(snapshot);
    }
  }

  @Test
  void start_keepsSamplingAfterProbesThrowErrors() {
    probe.failCpu = new IllegalStateException("first failure");
    try (HostSampler sampler = new HostSampler(probe, clock, log)) {
      sampler.start(Duration.ofMillis(5));
      await().atMost(Duration.ofSeconds(10)).until(() -> probe.cpuCalls.get() >= 3);
      probe.failCpu = null;

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sampler.latest().cpuUtilization().isPresent());
      assertThat(sampler.latest().cpuUtilization()).hasValue(0.25);
    }
  }

  @Test
  void sample_probesThrowingErrors_leaveOnlyTheirFiguresEmpty() {
    probe.failCpu = new OutOfMemoryError("Java heap space");
    probe.failMemory = new StackOverflowError();
    probe.failNetwork = new Error("Invalid memory access"); // what JNA throws on a native fault
    probe.failProcess = new AssertionError("unexpected /proc layout");
    try (HostSampler sampler = new HostSampler(probe, clock, log)) {
      SystemSnapshot snapshot = sampler.sample();

      assertThat(snapshot.cpuUtilization()).isEmpty();
      assertThat(snapshot.memory()).isEmpty();
      assertThat(snapshot.networkInterfaces()).isEmpty();
      assertThat(snapshot.processCpuUtilization()).isEmpty();
      assertThat(snapshot.processMemoryBytes()).isEmpty();
      assertThat(snapshot.processThreadCount()).isEmpty();
      assertThat(snapshot.processOpenFileDescriptors()).isEmpty();
      assertThat(snapshot.fileSystems()).hasSize(1);
      assertThat(sampler.latest()).isSameAs(snapshot);
    }
  }

  @Test
  void start_everyCallThrowing_publishesSamplesWithoutFigures_thenFiguresOnceTheProbeRecovers() {
    try (HostSampler sampler = new HostSampler(probe, clock, log)) {
      assertThat(sampler.sample().cpuUtilization()).hasValue(0.25);
      probe.failEverything(new Error("Invalid memory access"));
      sampler.start(Duration.ofMillis(5));

      // No stale figures: the failing probe's samples replace the good one, empty.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sampler.latest().cpuUtilization().isEmpty());
      int calls = probe.cpuCalls.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> probe.cpuCalls.get() >= calls + 3);
      SystemSnapshot failed = sampler.latest();
      assertThat(failed.memory()).isEmpty();
      assertThat(failed.fileSystems()).isEmpty();
      assertThat(failed.networkInterfaces()).isEmpty();
      assertThat(failed.processMemoryBytes()).isEmpty();

      probe.failEverything(null);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sampler.latest().cpuUtilization().isPresent());
      await().atMost(Duration.ofSeconds(10)).until(() -> sampler.latest().memory().isPresent());
      assertThat(sampler.latest().fileSystems()).hasSize(1);
    }
  }

  @Test
  void close_endsTheNamedDaemonThread() {
    HostSampler sampler = new HostSampler(probe, clock, log);
    sampler.start(Duration.ofMillis(5));
    await().atMost(Duration.ofSeconds(10)).until(() -> probe.cpuCalls.get() >= 1);
    Thread thread =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals(HostSampler.THREAD_NAME))
            .findFirst()
            .orElseThrow();
    assertThat(thread.isDaemon()).isTrue();

    sampler.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> !thread.isAlive());
  }
}
