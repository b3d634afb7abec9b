package io.amptalk.monitoring.internal.host;

import java.lang.management.ManagementFactory;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;

/**
 * Host figures a health check reads itself, for checks made without a monitor's snapshot to read.
 */
public final class LocalReadings {
  private LocalReadings() {}

  /**
   * Whole-host CPU busy percent since the previous reading (since creation for the first), from the
   * kernel's tick counters: no reading ever sleeps for a sampling interval.
   */
  public static Supplier<OptionalDouble> cpuPercent() {
    return new CpuTicks()::percent;
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

  /** The JVM's view of recent whole-system CPU load in [0, 1], or negative when unavailable. */
  private static double jvmSystemLoad() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getCpuLoad()
        : -1;
  }

  private static final class CpuTicks {
    private final CentralProcessor processor = new oshi.SystemInfo().getHardware().getProcessor();
    private final Object lock = new Object();
    private long[] previous = processor.getSystemCpuLoadTicks();

    OptionalDouble percent() {
      synchronized (lock) {
        long[] current = processor.getSystemCpuLoadTicks();
        long elapsed = 0;
        for (int i = 0; i < current.length; i++) {
          elapsed += current[i] - previous[i];
        }
        // Ticks advance every 10 ms or so; a reading right after the previous one has nothing to
        // compare yet, and OSHI would report 0% for it. Keep the older ticks and answer with the
        // JVM's own recent system load, which never blocks (a check may run right after it was
        // created).
        if (elapsed <= 0) {
          double load = jvmSystemLoad();
          return load >= 0 ? OptionalDouble.of(100 * Math.min(1, load)) : OptionalDouble.empty();
        }
        double busy = processor.getSystemCpuLoadBetweenTicks(previous, current);
        previous = current;
        return Double.isNaN(busy)
            ? OptionalDouble.empty()
            : OptionalDouble.of(100 * Math.max(0, Math.min(1, busy)));
      }
    }
  }
}
