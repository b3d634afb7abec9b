package io.amptalk.monitoring.metrics;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One immutable sample of the host and of this process, taken by the monitor's sampler every {@code
 * collectInterval}. Health checks read the latest snapshot instead of sampling again.
 *
 * <p>A figure the operating system could not give (or whose probe failed) is empty rather than
 * zero, so a failing probe never looks like an idle machine.
 *
 * @param time when the sample was taken
 * @param cpuUtilization whole-host CPU busy fraction in [0, 1] since the previous sample (the first
 *     sample takes the JVM's recent figure); empty when the platform gives none
 * @param memory physical memory, if it could be read
 * @param fileSystems real (disk-backed) file systems
 * @param networkInterfaces network interfaces with their cumulative byte counters
 * @param processCpuUtilization this process's CPU fraction of the whole host in [0, 1]
 * @param processMemoryBytes this process's resident set size
 * @param processThreadCount this process's thread count
 * @param processOpenFileDescriptors this process's open file descriptors, where the OS reports it
 * @param container the CPU quota and memory limit of the process's container (its cgroup), when one
 *     binds; the built-in checks read {@link #effectiveCpuUtilization} and {@link
 *     #effectiveMemory}, which prefer it to the host's figures
 */
public record SystemSnapshot(
    Instant time,
    OptionalDouble cpuUtilization,
    Optional<MemoryUsage> memory,
    List<FileSystemUsage> fileSystems,
    List<NetworkIo> networkInterfaces,
    OptionalDouble processCpuUtilization,
    OptionalLong processMemoryBytes,
    OptionalLong processThreadCount,
    OptionalLong processOpenFileDescriptors,
    Optional<ContainerUsage> container) {

  /**
   * Copies the lists, so the snapshot stays immutable.
   *
   * @throws NullPointerException when a component is null (an absent figure is an empty optional),
   *     or a list holds a null
   */
  public SystemSnapshot {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(cpuUtilization, "cpuUtilization");
    Objects.requireNonNull(memory, "memory");
    fileSystems = List.copyOf(fileSystems);
    networkInterfaces = List.copyOf(networkInterfaces);
    Objects.requireNonNull(processCpuUtilization, "processCpuUtilization");
    Objects.requireNonNull(processMemoryBytes, "processMemoryBytes");
    Objects.requireNonNull(processThreadCount, "processThreadCount");
    Objects.requireNonNull(processOpenFileDescriptors, "processOpenFileDescriptors");
    Objects.requireNonNull(container, "container");
  }

  /** A snapshot of a process under no container limit. */
  public SystemSnapshot(
      Instant time,
      OptionalDouble cpuUtilization,
      Optional<MemoryUsage> memory,
      List<FileSystemUsage> fileSystems,
      List<NetworkIo> networkInterfaces,
      OptionalDouble processCpuUtilization,
      OptionalLong processMemoryBytes,
      OptionalLong processThreadCount,
      OptionalLong processOpenFileDescriptors) {
    this(
        time,
        cpuUtilization,
        memory,
        fileSystems,
        networkInterfaces,
        processCpuUtilization,
        processMemoryBytes,
        processThreadCount,
        processOpenFileDescriptors,
        Optional.empty());
  }

  /**
   * The CPU this process can use that is busy, in [0, 1]: of the container's quota when one binds
   * and its use could be read, else of the whole host.
   */
  public OptionalDouble effectiveCpuUtilization() {
    return container
        .map(ContainerUsage::cpuUtilization)
        .filter(OptionalDouble::isPresent)
        .orElse(cpuUtilization);
  }

  /**
   * The memory this process can use: the container's (its limit as the total, the limit less its
   * working set available) when a limit binds, else the host's physical memory.
   */
  public Optional<MemoryUsage> effectiveMemory() {
    return container.flatMap(ContainerUsage::memory).or(() -> memory);
  }

  /** A snapshot with no figures at all, as before the first sample. */
  public static SystemSnapshot empty(Instant time) {
    return new SystemSnapshot(
        time,
        OptionalDouble.empty(),
        Optional.empty(),
        List.of(),
        List.of(),
        OptionalDouble.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        Optional.empty());
  }

  /**
   * The limits of the process's control group (a container, a Kubernetes pod, a systemd unit) that
   * bind: a CPU quota below the host's logical processors, a memory limit below its physical
   * memory.
   *
   * @param cpuLimitCores the CPU quota in cores (quota over period: 1.5 for {@code --cpus=1.5})
   * @param cpuUtilization the group's CPU time since the previous sample over what the quota
   *     allowed, in [0, 1]; empty without a quota or when its use could not be read
   * @param memory the memory limit as the total, the limit less the working set (usage less the
   *     inactive file cache, as the kubelet counts it) as available; empty without a limit
   */
  public record ContainerUsage(
      OptionalDouble cpuLimitCores, OptionalDouble cpuUtilization, Optional<MemoryUsage> memory) {
    /**
     * Checks the figures are given.
     *
     * @throws NullPointerException when a component is null (an absent figure is an empty optional)
     */
    public ContainerUsage {
      Objects.requireNonNull(cpuLimitCores, "cpuLimitCores");
      Objects.requireNonNull(cpuUtilization, "cpuUtilization");
      Objects.requireNonNull(memory, "memory");
    }
  }

  /**
   * Physical memory. "Available" is what the kernel estimates can be handed to new work without
   * swapping (Linux {@code MemAvailable}); used is total minus available.
   *
   * @param totalBytes physical memory, in bytes; 0 when unknown
   * @param availableBytes memory available to new work without swapping, in bytes
   */
  public record MemoryUsage(long totalBytes, long availableBytes) {
    /**
     * Checks the figures.
     *
     * @throws IllegalArgumentException unless {@code 0 <= availableBytes <= totalBytes}
     */
    public MemoryUsage {
      if (totalBytes < 0 || availableBytes < 0 || availableBytes > totalBytes) {
        throw new IllegalArgumentException(
            "memory figures must satisfy 0 <= available <= total, were total="
                + totalBytes
                + " available="
                + availableBytes);
      }
    }

    /** Memory in use, in bytes: total minus available. */
    public long usedBytes() {
      return totalBytes - availableBytes;
    }

    /** Used fraction in [0, 1]; 0 when the total is unknown (0). */
    public double utilization() {
      return totalBytes == 0 ? 0 : (double) usedBytes() / totalBytes;
    }
  }

  /**
   * One mounted file system. Used is total minus free; blocks reserved for root count as free, as
   * OSHI reports them.
   *
   * @param device what is mounted, e.g. {@code /dev/sda1}
   * @param mountpoint where it is mounted, e.g. {@code /}
   * @param type the file system type, e.g. {@code ext4}
   * @param totalBytes its size, in bytes
   * @param freeBytes its free space, in bytes, including the blocks reserved for root
   */
  public record FileSystemUsage(
      String device, String mountpoint, String type, long totalBytes, long freeBytes) {
    /**
     * Checks the names and the figures.
     *
     * @throws NullPointerException when {@code device}, {@code mountpoint} or {@code type} is null
     * @throws IllegalArgumentException unless {@code 0 <= freeBytes <= totalBytes}
     */
    public FileSystemUsage {
      Objects.requireNonNull(device, "device");
      Objects.requireNonNull(mountpoint, "mountpoint");
      Objects.requireNonNull(type, "type");
      if (totalBytes < 0 || freeBytes < 0 || freeBytes > totalBytes) {
        throw new IllegalArgumentException(
            "file system "
                + mountpoint
                + " figures must satisfy 0 <= free <= total, were total="
                + totalBytes
                + " free="
                + freeBytes);
      }
    }

    /** Bytes in use: total minus free. */
    public long usedBytes() {
      return totalBytes - freeBytes;
    }

    /** Used fraction in [0, 1]; 0 for an empty file system. */
    public double utilization() {
      return totalBytes == 0 ? 0 : (double) usedBytes() / totalBytes;
    }
  }

  /**
   * Cumulative bytes through one network interface since the OS started counting.
   *
   * @param device the interface's name, e.g. {@code eth0}
   * @param receivedBytes bytes received
   * @param transmittedBytes bytes sent
   */
  public record NetworkIo(String device, long receivedBytes, long transmittedBytes) {
    /**
     * Checks the name.
     *
     * @throws NullPointerException when {@code device} is null
     */
    public NetworkIo {
      Objects.requireNonNull(device, "device");
    }
  }
}
