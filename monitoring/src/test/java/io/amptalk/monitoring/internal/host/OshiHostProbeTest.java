package io.amptalk.monitoring.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.NetworkIo;
import io.amptalk.monitoring.testing.BusyCores;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;

/** The real OSHI probe on this machine: figures exist and are self-consistent. */
class OshiHostProbeTest {
  private final OshiHostProbe probe = new OshiHostProbe();
  private final oshi.SystemInfo oshi = new oshi.SystemInfo();

  @Test
  void cpuUtilization_isAFractionFromTheFirstCall() {
    assertThat(probe.cpuUtilization().orElseThrow()).isBetween(0.0, 1.0);
    assertThat(probe.cpuUtilization().orElseThrow()).isBetween(0.0, 1.0);
  }

  @Test
  void cpuUtilization_firstCallWhileEveryCoreIsBusy_isARealReading() throws Exception {
    try (BusyCores busy = new BusyCores()) {
      // A probe made just now, as SystemMonitor makes one right before its first sample.
      double first = new OshiHostProbe().cpuUtilization().orElseThrow();

      // Every core spins: the host is busy however the others share it, never near 0.
      assertThat(first).isGreaterThanOrEqualTo(0.5);
    }
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
  void fileSystems_fromTheCachedList_matchOshisFreshListing() {
    probe.fileSystems(); // lists them
    List<FileSystemUsage> cached = probe.fileSystems(); // reads the figures only

    List<FileSystemUsage> fresh = new ArrayList<>();
    for (OSFileStore store : oshi.getOperatingSystem().getFileSystem().getFileStores(true)) {
      if (!OshiHostProbe.VIRTUAL_TYPES.contains(store.getType()) && store.getTotalSpace() > 0) {
        String device = store.getVolume().isEmpty() ? store.getName() : store.getVolume();
        fresh.add(
            new FileSystemUsage(
                device, store.getMount(), store.getType(), store.getTotalSpace(), 0));
      }
    }
    assertThat(cached)
        .extracting(
            FileSystemUsage::device,
            FileSystemUsage::mountpoint,
            FileSystemUsage::type,
            FileSystemUsage::totalBytes)
        .containsExactlyElementsOf(
            fresh.stream()
                .map(f -> tuple(f.device(), f.mountpoint(), f.type(), f.totalBytes()))
                .toList());
  }

  @Test
  void networkInterfaces_readBetweenTwoOfOshisOwnReadings() {
    probe.networkInterfaces(); // lists them
    Map<String, NetworkIF> before = nics();
    List<NetworkIo> read = probe.networkInterfaces();
    Map<String, NetworkIF> after = nics();

    assertThat(read).extracting(NetworkIo::device).containsExactlyElementsOf(before.keySet());
    for (NetworkIo nic : read) {
      // Counters only grow: ours lies between the one OSHI read before and the one it read after.
      assertThat(nic.receivedBytes())
          .as(nic.device())
          .isBetween(
              before.get(nic.device()).getBytesRecv(), after.get(nic.device()).getBytesRecv());
      assertThat(nic.transmittedBytes())
          .as(nic.device())
          .isBetween(
              before.get(nic.device()).getBytesSent(), after.get(nic.device()).getBytesSent());
    }
  }

  private Map<String, NetworkIF> nics() {
    Map<String, NetworkIF> byName = new LinkedHashMap<>();
    oshi.getHardware().getNetworkIFs(true).forEach(nic -> byName.put(nic.getName(), nic));
    return byName;
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
