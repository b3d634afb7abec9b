package io.amptalk.monitoring.internal.host;

import io.amptalk.monitoring.metrics.SystemSnapshot.ContainerUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import oshi.hardware.GlobalMemory;

/**
 * Host figures a health check reads itself, for checks made without a monitor's snapshot to read.
 */
public final class LocalReadings {
  private LocalReadings() {}

  /**
   * CPU busy percent since the previous reading (since creation for the first): of the container's
   * CPU quota when one binds, else of the whole host from the kernel's tick counters; a reading
   * within 0.1 s of the previous one waits out the rest, so even the first is a real measurement.
   */
  public static Supplier<OptionalDouble> cpuPercent() {
    oshi.hardware.HardwareAbstractionLayer hardware = new oshi.SystemInfo().getHardware();
    CpuTicks ticks = new CpuTicks(hardware.getProcessor());
    Optional<Cgroup> cgroup = cgroup(hardware);
    return () -> {
      // The container's quota when one binds, else the host (as SystemSnapshot's effective CPU).
      OptionalDouble fraction =
          cgroup
              .flatMap(Cgroup::read)
              .map(ContainerUsage::cpuUtilization)
              .filter(OptionalDouble::isPresent)
              .orElseGet(ticks::fraction);
      return fraction.isPresent() ? OptionalDouble.of(100 * fraction.getAsDouble()) : fraction;
    };
  }

  /**
   * Memory in use, in percent: of the container's limit when one binds, else physical memory in
   * use, total minus available, as in the monitor's snapshot.
   */
  public static Supplier<OptionalDouble> memoryPercent() {
    oshi.hardware.HardwareAbstractionLayer hardware = new oshi.SystemInfo().getHardware();
    GlobalMemory memory = hardware.getMemory();
    Optional<Cgroup> cgroup = cgroup(hardware);
    return () -> {
      Optional<MemoryUsage> limited = cgroup.flatMap(Cgroup::read).flatMap(ContainerUsage::memory);
      if (limited.isPresent()) {
        return OptionalDouble.of(100 * limited.get().utilization());
      }
      long total = memory.getTotal();
      // Used is total minus available, as in the monitor's snapshot (Linux MemAvailable).
      long used = total - Math.min(memory.getAvailable(), total);
      return OptionalDouble.of(total <= 0 ? 0 : 100.0 * used / total);
    };
  }

  private static Optional<Cgroup> cgroup(oshi.hardware.HardwareAbstractionLayer hardware) {
    return Cgroup.detect(
        Path.of("/"),
        hardware.getProcessor().getLogicalProcessorCount(),
        hardware.getMemory().getTotal(),
        System::nanoTime);
  }
}
