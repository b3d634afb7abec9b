package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import org.junit.jupiter.api.Test;

/** The real OSHI probe on this machine: figures exist and are self-consistent. */
class OshiHostProbeTest {
  private final OshiHostProbe probe = new OshiHostProbe();

  @Test
  void cpuUtilization_isAFractionFromTheFirstCall() {
    assertThat(probe.cpuUtilization().orElseThrow()).isBetween(0.0, 1.0);
    assertThat(probe.cpuUtilization().orElseThrow()).isBetween(0.0, 1.0);
  }

  @Test
  void memory_isConsistent() {
    MemoryUsage memory = probe.memory();
    assertThat(memory.totalBytes()).isPositive();
    assertThat(memory.usedBytes() + memory.availableBytes()).isEqualTo(memory.totalBytes());
  }

  @Test
  void fileSystems_areRealOnes() {
    assertThat(probe.fileSystems())
        .isNotEmpty()
        .allSatisfy(
            fs -> {
              assertThat(fs.type()).isNotIn("tmpfs", "proc", "sysfs", "devtmpfs", "cgroup2");
              assertThat(fs.totalBytes()).isPositive();
            })
        .extracting(FileSystemUsage::mountpoint)
        .doesNotHaveDuplicates();
  }

  @Test
  void process_reportsThisProcess() {
    HostProbe.ProcessFigures first = probe.process();
    assertThat(first.cpuUtilization()).isEmpty();
    assertThat(first.memoryBytes().orElseThrow()).isPositive();
    assertThat(first.threadCount().orElseThrow()).isPositive();
    assertThat(probe.process().cpuUtilization().orElse(0)).isBetween(0.0, 1.0);
  }

  @Test
  void hardware_matchesTheJvmView() {
    HostProbe.Hardware hardware = probe.hardware();
    assertThat(hardware.logicalProcessors()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(hardware.processorName()).isNotBlank();
  }
}
