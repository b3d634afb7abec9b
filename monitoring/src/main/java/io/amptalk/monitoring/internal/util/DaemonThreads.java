package io.amptalk.monitoring.internal.util;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The library's threads: daemons (they never keep an application's JVM alive), named {@code
 * amptalk-*} so that a thread dump tells whose they are, and reporting a {@link
 * VirtualMachineError} that ends one as fatal ({@link FatalErrors}).
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /**
   * Threads named {@code name}, or {@code name1}, {@code name2} ... when {@code name} ends with
   * {@code -}.
   */
  public static ThreadFactory factory(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable ->
        newThread(runnable, name.endsWith("-") ? name + count.incrementAndGet() : name);
  }

  /** A daemon thread named {@code name}, not started. */
  public static Thread newThread(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    thread.setUncaughtExceptionHandler(FatalErrors.HANDLER);
    return thread;
  }
}
