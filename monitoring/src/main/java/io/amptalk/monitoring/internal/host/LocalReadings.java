package io.amptalk.monitoring.internal.host;

import java.util.OptionalDouble;
import java.util.function.Supplier;
import oshi.hardware.GlobalMemory;

/**
 * Host figures a health check reads itself, for checks made without a monitor's snapshot to read.
 */
public final class LocalReadings {
  private LocalReadings() {}

  /**
   * Whole-host CPU busy percent since the previous reading (since creation for the first), from the
   * kernel's tick counters; a reading within 0.1 s of the previous one waits out the rest, so even
   * the first is a real measurement.
   */
  public static Supplier<OptionalDouble> cpuPercent() {
    CpuTicks ticks = new CpuTicks(new oshi.SystemInfo().getHardware().getProcessor());
    return () -> {
      OptionalDouble fraction = ticks.fraction();
      return fraction.isPresent() ? OptionalDouble.of(100 * fraction.getAsDouble()) : fraction;
    };
  }

  /** Physical memory in use, in percent: total minus available, as in the monitor's snapshot. */
  public static Supplier<OptionalDouble> memoryPercent() {
    GlobalMemory memory = new oshi.SystemInfo().getHardware().getMemory();
    return () -> {
      long total = memory.getTotal();
      // Used is total minus available, as in the monitor's snapshot (Linux MemAvailable).
      long used = total - Math.min(memory.getAvailable(), total);
      return OptionalDouble.of(total <= 0 ? 0 : 100.0 * used / total);
    };
  }
}
