package io.amptalk.monitoring;

import com.sun.net.httpserver.HttpHandler;
import io.amptalk.monitoring.internal.host.HostProbe;

/**
 * For tests in other packages: the monitor's package-private seams, which only the wiring uses in
 * main code.
 */
public final class MonitorTestHooks {
  private MonitorTestHooks() {}

  /** Serves {@code path} on the monitor's port with {@code handler}, as the wiring does. */
  public static void mount(SystemMonitor monitor, String path, HttpHandler handler) {
    monitor.registerHttpHandler(path, handler);
  }

  /** Stops serving {@code path}; returns whether it was served. */
  public static boolean unmount(SystemMonitor monitor, String path) {
    return monitor.unregisterHttpHandler(path);
  }

  /** The builder with host figures from {@code probe} (a {@code FakeHostProbe}) instead of OSHI. */
  public static SystemMonitor.Builder hostProbe(SystemMonitor.Builder builder, HostProbe probe) {
    return builder.hostProbe(probe);
  }
}
