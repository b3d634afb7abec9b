package io.amptalk.monitoring.internal.host;

import io.amptalk.monitoring.metrics.SystemSnapshot.ContainerUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.NetworkIo;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;
import oshi.software.os.OSFileStore;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/** {@link HostProbe} on OSHI, the Java counterpart of psutil. Not thread-safe: one sampler. */
public final class OshiHostProbe implements HostProbe {
  /**
   * File system types that hold no disk data. OSHI's local-only filter already drops most pseudo
   * file systems; these are the ones that still pass it on Linux hosts and containers.
   */
  public static final Set<String> VIRTUAL_TYPES =
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

  private static final Path MOUNT_TABLE = Path.of("/proc/self/mounts");
  private static final Path NET_CLASS = Path.of("/sys/class/net");

  /** How often interfaces (and, without a mount table to watch, file systems) are listed anew. */
  private static final long RELIST_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final HardwareAbstractionLayer hardware;
  private final OperatingSystem os;
  private final CentralProcessor processor;
  private final int pid;
  private final CpuTicks cpuTicks;
  private final Optional<Cgroup> cgroup;
  private OSProcess previousProcess;
  private List<Mount> mounts;
  private byte[] mountTable;
  private long mountsListedAt;
  private List<NetworkIF> nics;
  private long nicsListedAt;

  /** A file system to report, with the JDK's handle on it: one statvfs call per sample. */
  private record Mount(String device, String path, String type, FileStore store) {}

  public OshiHostProbe() {
    oshi.SystemInfo info = new oshi.SystemInfo();
    this.hardware = info.getHardware();
    this.os = info.getOperatingSystem();
    this.processor = hardware.getProcessor();
    this.pid = os.getProcessId();
    this.cpuTicks = new CpuTicks(processor);
    this.cgroup =
        Cgroup.detect(
            Path.of("/"),
            processor.getLogicalProcessorCount(),
            hardware.getMemory().getTotal(),
            System::nanoTime);
  }

  /**
   * Since the previous call; the first since the probe was made, over at least 0.1 s (the monitor's
   * first sample, taken at build, waits out the rest), so the first snapshot has a real CPU figure.
   */
  @Override
  public OptionalDouble cpuUtilization() {
    return cpuTicks.fraction();
  }

  @Override
  public Optional<ContainerUsage> container() {
    return cgroup.flatMap(Cgroup::read);
  }

  @Override
  public MemoryUsage memory() {
    GlobalMemory memory = hardware.getMemory();
    long total = memory.getTotal();
    return new MemoryUsage(total, Math.min(memory.getAvailable(), total));
  }

  @Override
  public List<FileSystemUsage> fileSystems() {
    if (mounts == null || mountTableChanged()) {
      mounts = listMounts();
    }
    List<FileSystemUsage> result = new ArrayList<>(mounts.size());
    for (Mount mount : mounts) {
      try {
        long total = mount.store().getTotalSpace();
        long free = Math.min(Math.max(mount.store().getUnallocatedSpace(), 0), total);
        if (total > 0) {
          result.add(new FileSystemUsage(mount.device(), mount.path(), mount.type(), total, free));
        }
      } catch (IOException e) {
        // Unmounted since the list was made (the table changed and /proc was not there to say
        // so): list again next time.
        mounts = null;
      }
    }
    return result;
  }

  /**
   * Which file systems to report, from OSHI (its local-only filter, our virtual-type filter). Made
   * again only when the mount table changes: OSHI lists them by running {@code lsblk}, a process
   * per call, which once a second would cost more than everything else the sampler does.
   */
  private List<Mount> listMounts() {
    byte[] table = readMountTable();
    List<Mount> result = new ArrayList<>();
    for (OSFileStore store : os.getFileSystem().getFileStores(true)) {
      String type = store.getType();
      if (VIRTUAL_TYPES.contains(type)) {
        continue;
      }
      try {
        String device = store.getVolume().isEmpty() ? store.getName() : store.getVolume();
        result.add(
            new Mount(
                device, store.getMount(), type, Files.getFileStore(Path.of(store.getMount()))));
      } catch (IOException | RuntimeException e) {
        // Gone or unreadable between OSHI's listing and ours: not a file system we can report.
      }
    }
    // Only once listed: a listing that throws is tried again next sample.
    mountTable = table;
    mountsListedAt = System.nanoTime();
    return List.copyOf(result);
  }

  /** Linux says when mounts change (one small read); elsewhere, list again every minute. */
  private boolean mountTableChanged() {
    if (mountTable != null) {
      return !Arrays.equals(mountTable, readMountTable());
    }
    return System.nanoTime() - mountsListedAt > RELIST_NANOS;
  }

  private static byte[] readMountTable() {
    try {
      return Files.readAllBytes(MOUNT_TABLE);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public List<NetworkIo> networkInterfaces() {
    if (nics == null || System.nanoTime() - nicsListedAt > RELIST_NANOS) {
      nics = hardware.getNetworkIFs(true);
      nicsListedAt = System.nanoTime();
    }
    List<NetworkIo> result = new ArrayList<>(nics.size());
    for (NetworkIF nic : nics) {
      OptionalLong received = sysfsCounter(nic, "rx_bytes");
      OptionalLong sent = sysfsCounter(nic, "tx_bytes");
      if (received.isEmpty() || sent.isEmpty()) {
        // Not Linux, or the interface is gone: OSHI's own refresh (about 13 reads per interface).
        nic.updateAttributes();
        result.add(new NetworkIo(nic.getName(), nic.getBytesRecv(), nic.getBytesSent()));
      } else {
        result.add(new NetworkIo(nic.getName(), received.getAsLong(), sent.getAsLong()));
      }
    }
    return result;
  }

  /** One counter of {@code /sys/class/net/<nic>/statistics}, the two reads we need of OSHI's 13. */
  private static OptionalLong sysfsCounter(NetworkIF nic, String counter) {
    try {
      Path file = NET_CLASS.resolve(nic.getName()).resolve("statistics").resolve(counter);
      return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
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
