package io.amptalk.monitoring;

import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.NetworkIo;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Where host figures come from. Each method is called from the sampler thread only and may throw:
 * the sampler turns a throwing method into a missing figure, so one failing OS call never stops the
 * others. The seam also lets tests make any one probe fail.
 */
interface HostProbe {
  /**
   * Whole-host CPU busy fraction since the previous call (on the first call, the most recent figure
   * the platform offers without blocking); empty when there is none.
   */
  OptionalDouble cpuUtilization();

  MemoryUsage memory();

  List<FileSystemUsage> fileSystems();

  List<NetworkIo> networkInterfaces();

  ProcessFigures process();

  /** Figures that do not change while the process runs. */
  Hardware hardware();

  /** This process, as the OS sees it. Figures the OS does not report are empty. */
  record ProcessFigures(
      OptionalDouble cpuUtilization,
      OptionalLong memoryBytes,
      OptionalLong threadCount,
      OptionalLong openFileDescriptors) {}

  record Hardware(
      String processorName, int physicalProcessors, int logicalProcessors, long totalMemoryBytes) {}
}
