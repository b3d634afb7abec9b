package io.amptalk.monitoring.health.checks;

import io.amptalk.monitoring.health.Check;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.internal.host.LocalReadings;
import io.amptalk.monitoring.internal.util.Options;
import io.amptalk.monitoring.metrics.HostView;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Checks of the host's and the JVM's resources, in percent of what there is: CPU, memory, a disk,
 * the JVM heap. DEGRADED from the warning threshold, UNHEALTHY from the critical one. Each host
 * check reads a {@link HostView}'s latest snapshot when given one (no second sampling), or reads
 * the host itself. Arguments are validated when a check is made.
 *
 * <pre>{@code
 * health.registerCheck("cpu", HostChecks.cpu(monitor, 75, 90), "CPU usage");
 * }</pre>
 */
public final class HostChecks {
  private HostChecks() {}

  /**
   * CPU utilization, in percent, sampled by the check itself: of the container's CPU quota when one
   * binds, else of the whole host.
   */
  public static Check cpu(double warningThreshold, double criticalThreshold) {
    return new Utilization(
        "CPU usage",
        Thresholds.percent(warningThreshold, criticalThreshold),
        LocalReadings.cpuPercent());
  }

  /**
   * CPU utilization from the view's latest snapshot: of the container's CPU quota when one binds
   * ({@link io.amptalk.monitoring.metrics.SystemSnapshot#effectiveCpuUtilization}), else of the
   * host.
   */
  public static Check cpu(HostView host, double warningThreshold, double criticalThreshold) {
    Objects.requireNonNull(host, "monitor");
    return new Sampled(
        "CPU usage",
        Thresholds.percent(warningThreshold, criticalThreshold),
        host,
        snapshot -> {
          OptionalDouble fraction = snapshot.effectiveCpuUtilization();
          return fraction.isPresent()
              ? OptionalDouble.of(fraction.getAsDouble() * 100)
              : OptionalDouble.empty();
        });
  }

  /**
   * Memory in use, in percent, read by the check itself: of the container's memory limit when one
   * binds, else the host's physical memory.
   */
  public static Check memory(double warningThreshold, double criticalThreshold) {
    Thresholds thresholds = Thresholds.percent(warningThreshold, criticalThreshold);
    return new Utilization("Memory usage", thresholds, LocalReadings.memoryPercent());
  }

  /**
   * Memory in use, from the view's latest snapshot: of the container's memory limit when one binds
   * ({@link io.amptalk.monitoring.metrics.SystemSnapshot#effectiveMemory}), else the host's.
   */
  public static Check memory(HostView host, double warningThreshold, double criticalThreshold) {
    Objects.requireNonNull(host, "monitor");
    return new Sampled(
        "Memory usage",
        Thresholds.percent(warningThreshold, criticalThreshold),
        host,
        snapshot ->
            snapshot
                .effectiveMemory()
                .map(m -> OptionalDouble.of(m.utilization() * 100))
                .orElse(OptionalDouble.empty()));
  }

  /** JVM heap in use, in percent of the maximum heap. */
  public static Check jvmHeap(double warningThreshold, double criticalThreshold) {
    return new Utilization(
        "JVM heap usage",
        Thresholds.percent(warningThreshold, criticalThreshold),
        () -> {
          MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
          // max is -1 when the heap has no configured limit; committed is then the ceiling.
          long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
          return OptionalDouble.of(max <= 0 ? 0 : Math.min(100, 100.0 * heap.getUsed() / max));
        });
  }

  /** Use of the file system holding {@code path}, in percent. */
  public static Check disk(String path, double warningThreshold, double criticalThreshold) {
    return new Disk(validPath(path), Thresholds.percent(warningThreshold, criticalThreshold), null);
  }

  /** Use of the file system holding {@code path}, from the view's latest snapshot. */
  public static Check disk(
      HostView host, String path, double warningThreshold, double criticalThreshold) {
    Objects.requireNonNull(host, "monitor");
    return new Disk(validPath(path), Thresholds.percent(warningThreshold, criticalThreshold), host);
  }

  private record Utilization(String what, Thresholds thresholds, Supplier<OptionalDouble> reading)
      implements Check {
    @Override
    public CheckResult check() {
      OptionalDouble percent = reading.get();
      return percent.isPresent()
          ? thresholds.judgePercent(what, percent.getAsDouble(), Map.of())
          : CheckResult.unknown(what + " has not been sampled yet");
    }

    @Override
    public String measurement() {
      return "utilization";
    }
  }

  /**
   * A figure of the view's latest snapshot, with that snapshot's time in the details as {@code
   * sampled_at}: the host is sampled more often than a check runs, so the status page's latest
   * figure and the check's may differ, and the time says why.
   */
  private record Sampled(
      String what,
      Thresholds thresholds,
      HostView host,
      Function<SystemSnapshot, OptionalDouble> reading)
      implements Check {
    @Override
    public CheckResult check() {
      SystemSnapshot snapshot = host.getLatestSnapshot();
      OptionalDouble percent = reading.apply(snapshot);
      return percent.isPresent()
          ? thresholds.judgePercent(what, percent.getAsDouble(), sampledAt(snapshot))
          : CheckResult.unknown(what + " has not been sampled yet");
    }

    @Override
    public String measurement() {
      return "utilization";
    }
  }

  private static Map<String, Object> sampledAt(SystemSnapshot snapshot) {
    return Map.of("sampled_at", snapshot.time().toString());
  }

  /** Use of the file system holding {@code path}: from the view's snapshot when one matches. */
  private record Disk(String path, Thresholds thresholds, HostView host) implements Check {
    @Override
    public CheckResult check() throws IOException {
      Path real;
      try {
        // Real path: a symlink to another file system is judged on that file system.
        real = Path.of(path).toRealPath();
      } catch (NoSuchFileException e) {
        return CheckResult.unhealthy("Disk path " + path + " does not exist", Map.of("path", path));
      }
      SystemSnapshot snapshot = host == null ? null : host.getLatestSnapshot();
      Optional<FileSystemUsage> mounted =
          snapshot == null ? Optional.empty() : fileSystemOf(real, snapshot.fileSystems());
      if (mounted.isEmpty()) {
        return thresholds.judgePercent(
            "Disk usage of " + path, fileStorePercent(real), Map.of("path", path));
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("path", path);
      details.putAll(sampledAt(snapshot));
      return thresholds.judgePercent(
          "Disk usage of " + path, mounted.get().utilization() * 100, details);
    }

    @Override
    public String measurement() {
      return "utilization";
    }
  }

  /**
   * The file system whose mountpoint is the longest prefix of {@code path}, by whole path segments
   * ({@code /data} holds {@code /data/x}, not {@code /database}).
   */
  static Optional<FileSystemUsage> fileSystemOf(Path path, List<FileSystemUsage> fileSystems) {
    FileSystemUsage best = null;
    int bestDepth = -1;
    for (FileSystemUsage fs : fileSystems) {
      Path mount;
      try {
        mount = Path.of(fs.mountpoint());
      } catch (InvalidPathException e) {
        continue;
      }
      if (path.startsWith(mount) && mount.getNameCount() > bestDepth) {
        best = fs;
        bestDepth = mount.getNameCount();
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Used is total minus unallocated (free blocks, root-reserved ones included): the figure OSHI
   * gives the monitor's snapshot, so both disk variants report the same percent for one mount.
   * ({@code df}'s Use% reads higher on ext4: it leaves the reserved blocks out of the total.)
   */
  private static double fileStorePercent(Path path) throws IOException {
    FileStore store = Files.getFileStore(path);
    long total = store.getTotalSpace();
    return total <= 0 ? 0 : 100.0 * (total - store.getUnallocatedSpace()) / total;
  }

  private static String validPath(String path) {
    Options.requireNonBlank("path", path);
    try {
      Path.of(path);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("path must be a valid path, was '" + path + "'", e);
    }
    return path;
  }
}
