package io.amptalk.monitoring.internal.host;

import io.amptalk.monitoring.metrics.SystemSnapshot.ContainerUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.NetworkIo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Where host figures come from. Each method is called from the sampler thread only and may throw:
 * the sampler turns a throwing method into a missing figure, so one failing OS call never stops the
 * others. The seam also lets tests make any one probe fail.
 */
public interface HostProbe {
  /**
   * Whole-host CPU busy fraction since the previous call (on the first call, the most recent figure
   * the platform offers without blocking); empty when there is none.
   */
  public OptionalDouble cpuUtilization();

  public MemoryUsage memory();

  public List<FileSystemUsage> fileSystems();

  public List<NetworkIo> networkInterfaces();

  public ProcessFigures process();

  /** The limits of the process's container that bind, and their use; empty when none binds. */
  public default Optional<ContainerUsage> container() {
    return Optional.empty();
  }

  /** Figures that do not change while the process runs. */
  public Hardware hardware();

  /** This process, as the OS sees it. Figures the OS does not report are empty. */
  public record ProcessFigures(
      OptionalDouble cpuUtilization,
      OptionalLong memoryBytes,
      OptionalLong threadCount,
      OptionalLong openFileDescriptors) {}

  public record Hardware(
      String processorName, int physicalProcessors, int logicalProcessors, long totalMemoryBytes) {}
}
