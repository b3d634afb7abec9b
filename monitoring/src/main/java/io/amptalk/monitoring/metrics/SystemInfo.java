package io.amptalk.monitoring.metrics;

import io.amptalk.monitoring.SystemMonitor;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the monitor knows about the machine and process it runs in, as returned by {@link
 * SystemMonitor#getSystemInfo()}. Everything but the uptime is fixed when the monitor starts.
 *
 * @param serviceName the monitor's service name
 * @param hostName this host's name
 * @param os the operating system's name, e.g. {@code Linux}
 * @param osVersion the kernel or OS version
 * @param architecture the CPU architecture the JVM runs on, e.g. {@code amd64}
 * @param platform one string naming all three, as Python's {@code platform.platform()}
 * @param javaVersion the running Java version
 * @param javaVendor the running Java's vendor
 * @param processor the processor's model name; {@code unknown} when the OS could not say
 * @param physicalCores physical processor cores; 0 when unknown
 * @param logicalCores logical processors (hardware threads); 0 when unknown
 * @param totalMemoryBytes physical memory; 0 when unknown
 * @param startTime when the monitor started
 * @param uptime time since {@code startTime}, by the monitor's clock
 */
public record SystemInfo(
    String serviceName,
    String hostName,
    String os,
    String osVersion,
    String architecture,
    String platform,
    String javaVersion,
    String javaVendor,
    String processor,
    int physicalCores,
    int logicalCores,
    long totalMemoryBytes,
    Instant startTime,
    Duration uptime) {

  /**
   * Checks that every component is given.
   *
   * @throws NullPointerException when a component is null
   */
  public SystemInfo {
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(hostName, "hostName");
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(osVersion, "osVersion");
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(javaVersion, "javaVersion");
    Objects.requireNonNull(javaVendor, "javaVendor");
    Objects.requireNonNull(processor, "processor");
    Objects.requireNonNull(startTime, "startTime");
    Objects.requireNonNull(uptime, "uptime");
  }
}
