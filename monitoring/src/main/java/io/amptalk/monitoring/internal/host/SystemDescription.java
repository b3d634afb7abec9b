package io.amptalk.monitoring.internal.host;

import io.amptalk.monitoring.metrics.SystemInfo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the monitor says about the machine and the JVM it runs on: read once, at start. */
public final class SystemDescription {
  private static final Logger LOG = LoggerFactory.getLogger(SystemDescription.class);

  private SystemDescription() {}

  /** The system as of {@code start}, its uptime zero. */
  public static SystemInfo describe(String serviceName, HostProbe probe, Instant start) {
    HostProbe.Hardware hardware = hardware(probe);
    String os = System.getProperty("os.name", "unknown");
    String version = System.getProperty("os.version", "unknown");
    String arch = System.getProperty("os.arch", "unknown");
    return new SystemInfo(
        serviceName,
        hostName(),
        os,
        version,
        arch,
        os + "-" + version + "-" + arch,
        Runtime.version().toString(),
        System.getProperty("java.vendor", "unknown"),
        hardware.processorName(),
        hardware.physicalProcessors(),
        hardware.logicalProcessors(),
        hardware.totalMemoryBytes(),
        start,
        Duration.ZERO);
  }

  /**
   * The probe's hardware description, or "unknown" and zeros when it fails: a probe that cannot
   * read the hardware must not keep the monitor from starting (it failed the build before).
   */
  private static HostProbe.Hardware hardware(HostProbe probe) {
    try {
      HostProbe.Hardware hardware = probe.hardware();
      if (hardware != null) {
        return hardware;
      }
    } catch (RuntimeException | Error e) {
      LOG.warn("Could not read the hardware description; reporting it as unknown", e);
    }
    return new HostProbe.Hardware("unknown", 0, 0, 0);
  }

  /** This host's name; {@code $HOSTNAME} or "localhost" when it cannot be resolved. */
  public static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String fromEnv = System.getenv("HOSTNAME");
      return fromEnv == null || fromEnv.isBlank() ? "localhost" : fromEnv;
    }
  }
}
