package io.amptalk.monitoring.internal.host;

import io.amptalk.monitoring.metrics.SystemSnapshot.ContainerUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The CPU quota and memory limit this process runs under, from its control group (cgroup v2, or v1
 * where the kernel mounts that), and how much of each it uses: what a container, a Kubernetes pod
 * or a systemd unit with {@code CPUQuota}/{@code MemoryMax} really has, where the host's figures
 * would say "idle" while the process is throttled, or "plenty" an instant before the OOM killer.
 *
 * <p>Found as the JDK finds its own container support: the process's group in {@code
 * /proc/self/cgroup}, the hierarchy's mount in {@code /proc/self/mountinfo}. A limit is the
 * smallest set on the group and every group above it up to the mount (a parent's limit binds its
 * children). Only a limit that binds counts: a quota of at least the host's logical processors, or
 * a memory limit of at least its physical memory, is no limit. Memory in use is the working set, as
 * the kubelet and {@code docker stats} count it: usage less the inactive file cache the kernel
 * reclaims before it would kill. CPU is the group's CPU time over each interval against the quota.
 *
 * <p>Every file is read each sample (limits change: Kubernetes resizes pods in place); one missing,
 * unreadable or malformed leaves its figure empty and never throws. Not thread-safe: one sampler.
 */
final class Cgroup {
  /** As {@link CpuTicks}: a CPU figure spans at least 0.1 s, waited out only at the first. */
  static final long MIN_WINDOW_NANOS = CpuTicks.MIN_WINDOW_NANOS;

  private final int version;
  private final List<Path> cpuGroups; // the process's group first, then each parent to the mount
  private final Path cpuUsage; // cpu.stat (v2) or cpuacct.usage (v1); null when not found
  private final List<Path> memoryGroups;
  private final double logicalProcessors;
  private final long physicalMemory;
  private final LongSupplier nanoTime;
  private long previousUsageNanos = -1;
  private long previousAt;

  private Cgroup(
      int version,
      List<Path> cpuGroups,
      Path cpuUsage,
      List<Path> memoryGroups,
      int logicalProcessors,
      long physicalMemory,
      LongSupplier nanoTime) {
    this.version = version;
    this.cpuGroups = cpuGroups;
    this.cpuUsage = cpuUsage;
    this.memoryGroups = memoryGroups;
    this.logicalProcessors = logicalProcessors;
    this.physicalMemory = physicalMemory;
    this.nanoTime = nanoTime;
    this.previousUsageNanos = cpuUsageNanos().orElse(-1);
    this.previousAt = nanoTime.getAsLong();
  }

  /**
   * The control group of this process as seen under {@code root} ({@code /} but in tests), with the
   * host's processors and memory to tell a binding limit; empty where there is none to read (not
   * Linux, or no cgroup mounted).
   */
  static Optional<Cgroup> detect(
      Path root, int logicalProcessors, long physicalMemory, LongSupplier nanoTime) {
    List<String> membership = lines(root.resolve("proc/self/cgroup"));
    List<String> mounts = lines(root.resolve("proc/self/mountinfo"));
    if (membership.isEmpty() || mounts.isEmpty()) {
      return Optional.empty();
    }
    // v2 when the process's only hierarchy is the unified one ("0::/path"), as on every current
    // distribution; on a hybrid host (v1 controllers beside an empty unified tree) v1 holds them.
    Optional<List<Path>> unified = groups(root, membership, mounts, "");
    if (membership.size() == 1 && unified.isPresent()) {
      List<Path> groups = unified.get();
      return Optional.of(
          new Cgroup(
              2,
              groups,
              groups.get(0).resolve("cpu.stat"),
              groups,
              logicalProcessors,
              physicalMemory,
              nanoTime));
    }
    Optional<List<Path>> cpu = groups(root, membership, mounts, "cpu");
    Optional<List<Path>> cpuacct = groups(root, membership, mounts, "cpuacct");
    Optional<List<Path>> memory = groups(root, membership, mounts, "memory");
    if (cpu.isEmpty() && memory.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Cgroup(
            1,
            cpu.orElse(List.of()),
            cpuacct.map(g -> g.get(0).resolve("cpuacct.usage")).orElse(null),
            memory.orElse(List.of()),
            logicalProcessors,
            physicalMemory,
            nanoTime));
  }

  int version() {
    return version;
  }

  /** The limits that bind and their use since the previous call; empty when none binds. */
  Optional<ContainerUsage> read() {
    OptionalDouble cpuLimit = cpuLimitCores();
    Optional<MemoryUsage> memory = memory();
    if (cpuLimit.isEmpty() && memory.isEmpty()) {
      return Optional.empty();
    }
    OptionalDouble cpu =
        cpuLimit.isPresent() ? cpuUtilization(cpuLimit.getAsDouble()) : OptionalDouble.empty();
    return Optional.of(new ContainerUsage(cpuLimit, cpu, memory));
  }

  private OptionalDouble cpuLimitCores() {
    double smallest = Double.POSITIVE_INFINITY;
    for (Path group : cpuGroups) {
      OptionalDouble cores = version == 2 ? quotaV2(group) : quotaV1(group);
      if (cores.isPresent()) {
        smallest = Math.min(smallest, cores.getAsDouble());
      }
    }
    return smallest < logicalProcessors ? OptionalDouble.of(smallest) : OptionalDouble.empty();
  }

  /** {@code cpu.max}: "quota period" in microseconds, or "max period" for none. */
  private static OptionalDouble quotaV2(Path group) {
    String[] fields = read(group.resolve("cpu.max")).trim().split("\\s+");
    if (fields.length != 2 || fields[0].equals("max")) {
      return OptionalDouble.empty();
    }
    return cores(number(fields[0]), number(fields[1]));
  }

  /** {@code cpu.cfs_quota_us} (-1 for none) over {@code cpu.cfs_period_us}. */
  private static OptionalDouble quotaV1(Path group) {
    return cores(
        number(read(group.resolve("cpu.cfs_quota_us"))),
        number(read(group.resolve("cpu.cfs_period_us"))));
  }

  private static OptionalDouble cores(OptionalLong quota, OptionalLong period) {
    return quota.isPresent()
            && period.isPresent()
            && quota.getAsLong() > 0
            && period.getAsLong() > 0
        ? OptionalDouble.of((double) quota.getAsLong() / period.getAsLong())
        : OptionalDouble.empty();
  }

  /**
   * The group's CPU time since the previous reading over what the quota allowed in that time, in
   * [0, 1]; a reading within {@link #MIN_WINDOW_NANOS} of the previous one waits out the rest.
   */
  private OptionalDouble cpuUtilization(double cores) {
    long elapsed = nanoTime.getAsLong() - previousAt;
    if (elapsed < MIN_WINDOW_NANOS) {
      CpuTicks.pauseUntil(System.nanoTime() + MIN_WINDOW_NANOS - elapsed);
    }
    OptionalLong usage = cpuUsageNanos();
    long now = nanoTime.getAsLong();
    if (usage.isEmpty()) {
      return OptionalDouble.empty();
    }
    long previous = previousUsageNanos;
    long window = now - previousAt;
    previousUsageNanos = usage.getAsLong();
    previousAt = now;
    if (previous < 0 || window <= 0 || usage.getAsLong() < previous) {
      return OptionalDouble.empty(); // no earlier reading, or the counter was reset
    }
    double used = (double) (usage.getAsLong() - previous) / (window * cores);
    return OptionalDouble.of(Math.max(0, Math.min(1, used)));
  }

  /** Cumulative CPU time of the group: {@code usage_usec} of {@code cpu.stat}, or cpuacct's ns. */
  private OptionalLong cpuUsageNanos() {
    if (cpuUsage == null) {
      return OptionalLong.empty();
    }
    if (version == 1) {
      return number(read(cpuUsage));
    }
    OptionalLong micros = field(read(cpuUsage), "usage_usec");
    return micros.isPresent() ? OptionalLong.of(micros.getAsLong() * 1_000) : micros;
  }

  private Optional<MemoryUsage> memory() {
    long smallest = Long.MAX_VALUE;
    for (Path group : memoryGroups) {
      OptionalLong limit =
          number(read(group.resolve(version == 2 ? "memory.max" : "memory.limit_in_bytes")));
      if (limit.isPresent() && limit.getAsLong() > 0) {
        smallest = Math.min(smallest, limit.getAsLong());
      }
    }
    // v1 writes "no limit" as the largest page-aligned long, v2 as "max" (no number).
    boolean binds = physicalMemory > 0 ? smallest < physicalMemory : smallest < (1L << 62);
    if (!binds) {
      return Optional.empty();
    }
    Path group = memoryGroups.get(0);
    OptionalLong usage =
        number(read(group.resolve(version == 2 ? "memory.current" : "memory.usage_in_bytes")));
    if (usage.isEmpty()) {
      return Optional.empty();
    }
    String stat = read(group.resolve("memory.stat"));
    long inactiveFile =
        field(stat, version == 2 ? "inactive_file" : "total_inactive_file").orElse(0);
    long workingSet = Math.max(0, usage.getAsLong() - inactiveFile);
    return Optional.of(new MemoryUsage(smallest, Math.max(0, smallest - workingSet)));
  }

  /**
   * The group directories for {@code controller} ("" for the unified v2 hierarchy): the process's
   * own first, then each parent up to the hierarchy's mount; empty when it is not mounted.
   */
  private static Optional<List<Path>> groups(
      Path root, List<String> membership, List<String> mounts, String controller) {
    String path = null;
    for (String line : membership) {
      // hierarchy-id:controller-list:path
      String[] fields = line.split(":", 3);
      if (fields.length == 3
          && (controller.isEmpty()
              ? fields[0].equals("0") && fields[1].isEmpty()
              : List.of(fields[1].split(",")).contains(controller))) {
        path = fields[2];
      }
    }
    if (path == null) {
      return Optional.empty();
    }
    for (String line : mounts) {
      // id parent major:minor root mount-point options [optional...] - fstype source super-options
      String[] fields = line.split(" ");
      int separator = List.of(fields).indexOf("-");
      if (separator < 5 || separator + 3 >= fields.length) {
        continue;
      }
      String type = fields[separator + 1];
      boolean matches =
          controller.isEmpty()
              ? type.equals("cgroup2")
              : type.equals("cgroup")
                  && List.of(fields[separator + 3].split(",")).contains(controller);
      if (matches) {
        return Optional.of(hierarchy(root, unescape(fields[3]), unescape(fields[4]), path));
      }
    }
    return Optional.empty();
  }

  /**
   * The directories from the process's group up to the mount. The mount shows the hierarchy from
   * its own root (a container's namespaced view mounts its group as {@code /}), so the group's path
   * is taken relative to that root; a path outside it (a namespace the kernel does not show) leaves
   * the mount alone.
   */
  private static List<Path> hierarchy(Path root, String mountRoot, String mountPoint, String path) {
    Path mount = root.resolve(mountPoint.substring(1));
    String relative;
    if (mountRoot.equals("/")) {
      relative = path;
    } else if (path.equals(mountRoot) || path.startsWith(mountRoot + "/")) {
      relative = path.substring(mountRoot.length());
    } else {
      relative = "/";
    }
    List<Path> groups = new ArrayList<>();
    Path group = mount;
    for (String part : relative.split("/")) {
      if (!part.isEmpty()) {
        group = group.resolve(part);
      }
    }
    if (!Files.isDirectory(group)) {
      group = mount;
    }
    for (Path at = group; at != null && at.startsWith(mount); at = at.getParent()) {
      groups.add(at);
    }
    return List.copyOf(groups);
  }

  /** mountinfo writes space, tab, newline and backslash in octal ({@code \040}). */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        try {
          out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
          i += 3;
          continue;
        } catch (NumberFormatException e) {
          // not an escape: keep the backslash
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * {@code name value} lines ({@code cpu.stat}, {@code memory.stat}): the value of {@code name}.
   */
  private static OptionalLong field(String text, String name) {
    for (String line : text.split("\n")) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length == 2 && fields[0].equals(name)) {
        return number(fields[1]);
      }
    }
    return OptionalLong.empty();
  }

  private static OptionalLong number(String text) {
    try {
      return OptionalLong.of(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty(); // "max", garbage, or nothing read
    }
  }

  /** The file's text; empty when it cannot be read (absent, a directory, no permission). */
  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static List<String> lines(Path file) {
    String text = read(file);
    return text.isEmpty() ? List.of() : List.of(text.split("\n"));
  }
}
