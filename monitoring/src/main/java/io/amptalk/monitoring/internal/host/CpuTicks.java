package io.amptalk.monitoring.internal.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import oshi.hardware.CentralProcessor;

/**
 * Whole-host CPU busy fraction between two readings of the kernel's tick counters (user, nice,
 * system, idle, iowait, irq, softirq, steal; idle and iowait count as not busy, as OSHI counts
 * them). Each reading spans at least {@link #MIN_WINDOW_NANOS} since the previous one (since
 * creation for the first), waiting out the rest when called sooner: the counters advance every 10
 * ms or so per core, and a shorter window has nothing to compare. Before, the first reading was the
 * JVM's own {@code getCpuLoad()}, which compares against its own first call, so it read 0 % (or 100
 * %) whatever the host was doing.
 *
 * <p>On Linux the counters are read from {@code /proc/stat} directly: OSHI keeps its reading for
 * 300 ms, so two of its readings 0.1 s apart are the same. Elsewhere, OSHI's, waited on until they
 * move (at most {@link #MAX_WAIT_NANOS}).
 */
final class CpuTicks {
  /** 0.1 s: ten ticks per core, a figure to 10 % per core at worst; a wait only at start. */
  static final long MIN_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final Path PROC_STAT = Path.of("/proc/stat");
  private static final int IDLE = 3;
  private static final int IOWAIT = 4;
  private static final int FIELDS = 8;

  private final Supplier<long[]> counters;
  private final Object lock = new Object();
  private long[] previous; // guarded by lock
  private long previousNanos; // guarded by lock

  CpuTicks(CentralProcessor processor) {
    this.counters = procStat() != null ? CpuTicks::procStat : processor::getSystemCpuLoadTicks;
    this.previous = counters.get();
    this.previousNanos = System.nanoTime();
  }

  /**
   * The busy fraction in [0, 1] since the previous reading; empty when the counters say nothing.
   */
  OptionalDouble fraction() {
    synchronized (lock) {
      pauseUntil(previousNanos + MIN_WINDOW_NANOS);
      long[] current = counters.get();
      while (total(current) == total(previous)
          && System.nanoTime() - previousNanos < MAX_WAIT_NANOS
          && !Thread.currentThread().isInterrupted()) {
        pauseUntil(System.nanoTime() + MIN_WINDOW_NANOS / 2);
        current = counters.get();
      }
      long elapsed = total(current) - total(previous);
      if (elapsed <= 0) {
        return OptionalDouble.empty(); // keep the older counters for the next reading
      }
      long idle = current[IDLE] + current[IOWAIT] - previous[IDLE] - previous[IOWAIT];
      previous = current;
      previousNanos = System.nanoTime();
      return OptionalDouble.of(Math.max(0, Math.min(1, 1 - (double) idle / elapsed)));
    }
  }

  private static long total(long[] ticks) {
    long sum = 0;
    for (int i = 0; i < FIELDS && i < ticks.length; i++) {
      sum += ticks[i];
    }
    return sum;
  }

  /** Sleeps until {@code System.nanoTime()} reaches {@code nanos}; an interrupt ends it early. */
  static void pauseUntil(long nanos) {
    long wait = nanos - System.nanoTime();
    if (wait <= 0) {
      return;
    }
    try {
      TimeUnit.NANOSECONDS.sleep(wait);
    } catch (InterruptedException e) {
      // Closing: answer from the window there is, and keep the interrupt for the caller.
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The first line of {@code /proc/stat} ("cpu user nice system idle iowait irq softirq steal
   * ..."), its first eight counters; null where there is none to read.
   */
  private static long[] procStat() {
    try {
      String text = Files.readString(PROC_STAT, StandardCharsets.US_ASCII);
      int end = text.indexOf('\n');
      String[] fields = (end < 0 ? text : text.substring(0, end)).trim().split("\\s+");
      if (fields.length < FIELDS + 1 || !fields[0].equals("cpu")) {
        return null;
      }
      long[] ticks = new long[FIELDS];
      for (int i = 0; i < FIELDS; i++) {
        ticks[i] = Long.parseLong(fields[i + 1]);
      }
      return ticks;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
