package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.HealthCheck;
import java.io.File;

/**
 * The seed's host checks, as {@code run} serves them and {@code check} runs them once: CPU, memory
 * and the first file system root, each DEGRADED at 75 % and UNHEALTHY at 90 %, reading the
 * monitor's latest snapshot.
 */
final class HostChecks {
  static final double WARNING_PERCENT = 75.0;
  static final double CRITICAL_PERCENT = 90.0;

  private HostChecks() {}

  static void register(HealthCheck health, SystemMonitor monitor) {
    // Three bad results in a row (45 s at the default interval) before a check turns: host
    // figures spike, and a spike is not an incident.
    CheckOptions readiness =
        CheckOptions.builder().groups(CheckOptions.READINESS).failureThreshold(3).build();
    health.registerCheck(
        "cpu",
        HealthCheck.createCpuHealthCheck(monitor, WARNING_PERCENT, CRITICAL_PERCENT),
        "CPU usage",
        readiness);
    health.registerCheck(
        "memory",
        HealthCheck.createMemoryHealthCheck(monitor, WARNING_PERCENT, CRITICAL_PERCENT),
        "Memory usage",
        readiness);
    String root = File.listRoots()[0].getPath();
    health.registerCheck(
        "disk",
        HealthCheck.createDiskHealthCheck(monitor, root, WARNING_PERCENT, CRITICAL_PERCENT),
        "Disk usage of " + root,
        readiness);
  }
}
