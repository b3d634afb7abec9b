package io.amptalk.monitoring;

import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.NetworkIo;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/** {@link HostProbe} on OSHI, the Java counterpart of psutil. Not thread-safe: one sampler. */
final class OshiHostProbe implements HostProbe {
  /**
   * File system types that hold no disk data. OSHI's local-only filter already drops most pseudo
   * file systems; these are the ones that still pass it on Linux hosts and containers.
   */
  private static final Set<String> VIRTUAL_TYPES =
      Set.of(
          "tmpfs",
          "devtmpfs",
          "ramfs",
          "proc",
          "sysfs",
          "cgroup",
          "cgroup2",
          "devpts",
          "mqueue",
          "securityfs",
          "debugfs",
          "tracefs",
          "configfs",
          "fusectl",
          "pstore",
          "bpf",
          "autofs",
          "hugetlbfs",
          "binfmt_misc",
          "nsfs",
          "squashfs",
          "efivarfs",
          "rpc_pipefs");

  private final HardwareAbstractionLayer hardware;
  private final OperatingSystem os;
  private final CentralProcessor processor;
  private final int pid;
  private long[] previousTicks;
  private OSProcess previousProcess;

  OshiHostProbe() {
    oshi.SystemInfo info = new oshi.SystemInfo();
    this.hardware = info.getHardware();
    this.os = info.getOperatingSystem();
    this.processor = hardware.getProcessor();
    this.pid = os.getProcessId();
  }

  @Override
  public OptionalDouble cpuUtilization() {
    long[] ticks = processor.getSystemCpuLoadTicks();
    long[] previous = previousTicks;
    previousTicks = ticks;
    if (previous == null) {
      // No ticks to compare yet. Rather than a first snapshot without CPU (which would leave CPU
      // checks UNKNOWN until the next sample), take the JVM's own recent system load.
      double load =
          ManagementFactory.getOperatingSystemMXBean()
                  instanceof com.sun.management.OperatingSystemMXBean jvm
              ? jvm.getCpuLoad()
              : -1;
      return load >= 0 ? OptionalDouble.of(clamp(load)) : OptionalDouble.empty();
    }
    return OptionalDouble.of(clamp(processor.getSystemCpuLoadBetweenTicks(previous)));
  }

  @Override
  public MemoryUsage memory() {
    GlobalMemory memory = hardware.getMemory();
    long total = memory.getTotal();
    return new MemoryUsage(total, Math.min(memory.getAvailable(), total));
  }

  @Override
  public List<FileSystemUsage> fileSystems() {
    List<FileSystemUsage> result = new ArrayList<>();
    for (OSFileStore store : os.getFileSystem().getFileStores(true)) {
      String type = store.getType();
      long total = store.getTotalSpace();
      if (VIRTUAL_TYPES.contains(type) || total <= 0) {
        continue;
      }
      String device = store.getVolume().isEmpty() ? store.getName() : store.getVolume();
      long free = Math.min(Math.max(store.getFreeSpace(), 0), total);
      result.add(new FileSystemUsage(device, store.getMount(), type, total, free));
    }
    return result;
  }

  @Override
  public List<NetworkIo> networkInterfaces() {
    List<NetworkIo> result = new ArrayList<>();
    for (NetworkIF nic : hardware.getNetworkIFs(true)) {
      result.add(new NetworkIo(nic.getName(), nic.getBytesRecv(), nic.getBytesSent()));
    }
    return result;
  }

  @Override
  public ProcessFigures process() {
    OSProcess current = os.getProcess(pid);
    if (current == null) {
      throw new IllegalStateException("the OS reports no process with this process's id " + pid);
    }
    OSProcess previous = previousProcess;
    previousProcess = current;
    OptionalDouble cpu = OptionalDouble.empty();
    if (previous != null) {
      // CPU time over wall time over cores: the semantic conventions' process.cpu.utilization.
      long cpuMillis =
          current.getKernelTime()
              + current.getUserTime()
              - previous.getKernelTime()
              - previous.getUserTime();
      long wallMillis = current.getUpTime() - previous.getUpTime();
      if (wallMillis > 0) {
        cpu =
            OptionalDouble.of(
                clamp((double) cpuMillis / wallMillis / processor.getLogicalProcessorCount()));
      }
    }
    long openFiles = current.getOpenFiles();
    return new ProcessFigures(
        cpu,
        OptionalLong.of(current.getResidentSetSize()),
        OptionalLong.of(current.getThreadCount()),
        openFiles >= 0 ? OptionalLong.of(openFiles) : OptionalLong.empty());
  }

  @Override
  public Hardware hardware() {
    return new Hardware(
        processor.getProcessorIdentifier().getName().trim(),
        processor.getPhysicalProcessorCount(),
        processor.getLogicalProcessorCount(),
        hardware.getMemory().getTotal());
  }

  private static double clamp(double fraction) {
    if (Double.isNaN(fraction)) {
      return 0;
    }
    return Math.max(0, Math.min(1, fraction));
  }
}
