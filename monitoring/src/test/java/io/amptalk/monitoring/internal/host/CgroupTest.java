package io.amptalk.monitoring.internal.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Control-group trees laid out as the kernel lays them out (v2 and v1, namespaced and not, with and
 * without limits, and with files that cannot be read), under a temporary root; then the real
 * machine's own, against what the JDK's container support reads from it.
 */
class CgroupTest {
  private static final long GIB = 1L << 30;
  private static final long HOST_MEMORY = 16 * GIB;
  private static final int HOST_CPUS = 8;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @TempDir Path root;
  private final AtomicLong now = new AtomicLong(1_000 * SECOND);

  private void write(String path, String text) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.US_ASCII);
  }

  private Optional<Cgroup> detect() {
    return Cgroup.detect(root, HOST_CPUS, HOST_MEMORY, now::get);
  }

  /** A v2 host without a cgroup namespace: the process sits deep in the one hierarchy. */
  private void v2(String group) throws IOException {
    write("proc/self/cgroup", "0::" + group + "\n");
    write(
        "proc/self/mountinfo",
        "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
            + "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9"
            + " - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n");
  }

  @Test
  void v2_quotaAndMemoryLimit_utilizationOfTheQuota_memoryAsWorkingSetOfTheLimit()
      throws Exception {
    v2("/kubepods.slice/pod1/cri-containerd-abc.scope");
    String group = "sys/fs/cgroup/kubepods.slice/pod1/cri-containerd-abc.scope/";
    write(group + "cpu.max", "150000 100000\n"); // --cpus=1.5
    write(group + "cpu.stat", "usage_usec 5000000\nuser_usec 4000000\nsystem_usec 1000000\n");
    write(group + "memory.max", String.valueOf(2 * GIB) + "\n");
    write(group + "memory.current", String.valueOf(GIB) + "\n");
    write(group + "memory.stat", "anon 700000000\nfile 300000000\ninactive_file 268435456\n");

    Cgroup cgroup = detect().orElseThrow();
    assertThat(cgroup.version()).isEqualTo(2);
    // 2 s later the group has used 1.5 s more CPU: half of the 3 s its 1.5 cores allowed.
    now.addAndGet(2 * SECOND);
    write(group + "cpu.stat", "usage_usec 6500000\nuser_usec 5000000\nsystem_usec 1500000\n");

    ContainerUsage usage = cgroup.read().orElseThrow();

    assertThat(usage.cpuLimitCores()).hasValue(1.5);
    assertThat(usage.cpuUtilization()).hasValue(0.5);
    // Working set 1 GiB - 256 MiB, of a 2 GiB limit.
    assertThat(usage.memory()).hasValue(new MemoryUsage(2 * GIB, 2 * GIB - (GIB - (GIB / 4))));
  }

  @Test
  void v2_aParentsLimitBindsItsChild_theSmallestOnThePathCounts() throws Exception {
    v2("/system.slice/app.service");
    write("sys/fs/cgroup/system.slice/memory.max", String.valueOf(GIB));
    write("sys/fs/cgroup/system.slice/cpu.max", "max 100000");
    write("sys/fs/cgroup/system.slice/app.service/memory.max", "max\n");
    write("sys/fs/cgroup/system.slice/app.service/cpu.max", "200000 100000");
    write("sys/fs/cgroup/system.slice/app.service/memory.current", String.valueOf(GIB / 2));
    write("sys/fs/cgroup/system.slice/app.service/cpu.stat", "usage_usec 0\n");

    ContainerUsage usage = detect().orElseThrow().read().orElseThrow();

    assertThat(usage.cpuLimitCores()).hasValue(2.0);
    assertThat(usage.memory()).hasValue(new MemoryUsage(GIB, GIB / 2));
  }

  @Test
  void v2_namespacedContainer_seesItsGroupAsTheMountsRoot() throws Exception {
    write("proc/self/cgroup", "0::/\n");
    write(
        "proc/self/mountinfo",
        "612 611 0:33 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw\n");
    write("sys/fs/cgroup/cpu.max", "max 100000\n");
    write("sys/fs/cgroup/memory.max", String.valueOf(512L << 20));
    write("sys/fs/cgroup/memory.current", String.valueOf(128L << 20));
    write("sys/fs/cgroup/memory.stat", "inactive_file 0\n");

    ContainerUsage usage = detect().orElseThrow().read().orElseThrow();

    assertThat(usage.cpuLimitCores()).isEmpty();
    assertThat(usage.cpuUtilization()).isEmpty();
    assertThat(usage.memory()).hasValue(new MemoryUsage(512L << 20, 384L << 20));
  }

  @Test
  void v2_noLimits_orLimitsNoSmallerThanTheHost_isNoContainer() throws Exception {
    v2("/user.slice");
    write("sys/fs/cgroup/user.slice/cpu.max", "max 100000\n");
    write("sys/fs/cgroup/user.slice/memory.max", "max\n");
    write("sys/fs/cgroup/user.slice/memory.current", String.valueOf(GIB));
    assertThat(detect().orElseThrow().read()).isEmpty();

    // 8 cores and 16 GiB on an 8-core, 16 GiB host: nothing the process could not have anyway.
    write("sys/fs/cgroup/user.slice/cpu.max", "800000 100000\n");
    write("sys/fs/cgroup/user.slice/memory.max", String.valueOf(HOST_MEMORY));
    assertThat(detect().orElseThrow().read()).isEmpty();
  }

  /** A v1 (or hybrid) host: one hierarchy per controller, each mounted on its own. */
  private void v1(String cpuGroup, String memoryGroup) throws IOException {
    write(
        "proc/self/cgroup",
        "12:pids:/\n"
            + "4:memory:"
            + memoryGroup
            + "\n"
            + "3:cpu,cpuacct:"
            + cpuGroup
            + "\n"
            + "1:name=systemd:/\n"
            + "0::/\n");
    write(
        "proc/self/mountinfo",
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
            + "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
            + "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
            + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  }

  @Test
  void v1_quotaOverPeriod_cpuacctNanoseconds_memoryLessTotalInactiveFile() throws Exception {
    v1("/docker/abc", "/docker/abc");
    write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000\n");
    write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
    write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpuacct.usage", "10000000000\n");
    write("sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", String.valueOf(GIB));
    write("sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes", String.valueOf(GIB / 2));
    write(
        "sys/fs/cgroup/memory/docker/abc/memory.stat",
        "inactive_file 1\ntotal_inactive_file " + (GIB / 4) + "\n");

    Cgroup cgroup = detect().orElseThrow();
    assertThat(cgroup.version()).isEqualTo(1);
    now.addAndGet(4 * SECOND);
    // 0.5 s of CPU in 4 s at half a core: a quarter of the quota.
    write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpuacct.usage", "10500000000\n");

    ContainerUsage usage = cgroup.read().orElseThrow();

    assertThat(usage.cpuLimitCores()).hasValue(0.5);
    assertThat(usage.cpuUtilization()).hasValue(0.25);
    assertThat(usage.memory()).hasValue(new MemoryUsage(GIB, GIB - GIB / 4));
  }

  @Test
  void v1_unlimited_isTheLargestPageAlignedLong_andMinusOne_isNoContainer() throws Exception {
    v1("/", "/process_api/1");
    write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
    write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");
    write("sys/fs/cgroup/memory/process_api/1/memory.limit_in_bytes", "9223372036854771712\n");
    write("sys/fs/cgroup/memory/process_api/memory.limit_in_bytes", "9223372036854771712\n");
    write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");

    assertThat(detect().orElseThrow().read()).isEmpty();
  }

  @Test
  void unreadableOrMalformedFiles_leaveTheirFigureEmpty_andNeverThrow() throws Exception {
    v2("/app");
    write("sys/fs/cgroup/app/cpu.max", "150000 100000\n");
    Files.createDirectories(root.resolve("sys/fs/cgroup/app/cpu.stat")); // reading it fails
    write("sys/fs/cgroup/app/memory.max", String.valueOf(GIB));
    write("sys/fs/cgroup/app/memory.current", "garbage\n");
    Cgroup cgroup = detect().orElseThrow();
    now.addAndGet(SECOND);

    ContainerUsage usage = cgroup.read().orElseThrow();

    // The quota still binds; its use and the memory in use are unknown, not zero.
    assertThat(usage.cpuLimitCores()).hasValue(1.5);
    assertThat(usage.cpuUtilization()).isEmpty();
    assertThat(usage.memory()).isEmpty();

    Files.writeString(root.resolve("sys/fs/cgroup/app/cpu.max"), "\u0000\u00ff 7 7 7");
    assertThat(cgroup.read()).isEmpty();
  }

  @Test
  void noCgroupFiles_orNoMountedHierarchy_isNoCgroup() throws Exception {
    assertThat(detect()).isEmpty();

    write("proc/self/cgroup", "0::/app\n");
    write("proc/self/mountinfo", "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
    assertThat(detect()).isEmpty();
  }

  @Test
  void aCounterThatWentBack_givesNoFigureThatTime_thenResumes() throws Exception {
    v2("/app");
    write("sys/fs/cgroup/app/cpu.max", "100000 100000\n");
    write("sys/fs/cgroup/app/cpu.stat", "usage_usec 9000000\n");
    Cgroup cgroup = detect().orElseThrow();
    now.addAndGet(SECOND);
    write("sys/fs/cgroup/app/cpu.stat", "usage_usec 100\n"); // the group was made anew

    assertThat(cgroup.read().orElseThrow().cpuUtilization()).isEmpty();

    now.addAndGet(SECOND);
    write("sys/fs/cgroup/app/cpu.stat", "usage_usec 250100\n");
    assertThat(cgroup.read().orElseThrow().cpuUtilization()).hasValue(0.25);
  }

  /**
   * This machine's own control group, read by us and by the JDK ({@code -XshowSettings:system}, in
   * a child JVM): the same hierarchy version, and the same CPU quota and memory limit, or none.
   */
  @Test
  void thisMachine_agreesWithTheJdksContainerSupport() throws Exception {
    assumeThat(Path.of("/proc/self/cgroup")).exists();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XshowSettings:system");
    command.add("-version");
    Process jdk = new ProcessBuilder(command).redirectErrorStream(true).start();
    String settings = new String(jdk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(jdk.waitFor(60, TimeUnit.SECONDS)).isTrue();
    int cpus = Runtime.getRuntime().availableProcessors();
    long memory = new oshi.SystemInfo().getHardware().getMemory().getTotal();

    Optional<Cgroup> ours = Cgroup.detect(Path.of("/"), cpus, memory, System::nanoTime);

    if (settings.contains("No metrics available") || !settings.contains("Provider: cgroupv")) {
      assertThat(ours.map(c -> c.read()).flatMap(u -> u)).isEmpty();
      return;
    }
    assertThat(ours).isPresent();
    assertThat("Provider: cgroupv" + ours.get().version())
        .isIn(settings.lines().map(String::strip).toList());
    Optional<ContainerUsage> usage = ours.get().read();
    String quota = value(settings, "CPU Quota");
    String period = value(settings, "CPU Period").replace("us", "");
    OptionalDouble jdkCores =
        quota.equals("-1") || quota.equals("Unlimited")
            ? OptionalDouble.empty()
            : OptionalDouble.of(
                Double.parseDouble(quota.replace("us", "")) / Double.parseDouble(period));
    OptionalDouble expectedCores =
        jdkCores.isPresent() && jdkCores.getAsDouble() < cpus ? jdkCores : OptionalDouble.empty();
    assertThat(usage.map(ContainerUsage::cpuLimitCores).orElse(OptionalDouble.empty()))
        .isEqualTo(expectedCores);
    String limit = value(settings, "Memory Limit");
    Optional<Long> jdkLimit =
        limit.equals("Unlimited") ? Optional.empty() : Optional.of(bytes(limit));
    Optional<Long> expectedLimit = jdkLimit.filter(l -> l < memory);
    Optional<Long> ourLimit = usage.flatMap(ContainerUsage::memory).map(MemoryUsage::totalBytes);
    if (expectedLimit.isPresent() && !limit.matches("\\d+")) {
      // The JDK prints a rounded figure ("512.00M"): ours is within its rounding.
      assertThat(ourLimit).isPresent();
      assertThat((double) ourLimit.get())
          .isCloseTo(expectedLimit.get(), org.assertj.core.data.Percentage.withPercentage(1));
    } else {
      assertThat(ourLimit).isEqualTo(expectedLimit);
    }
  }

  private static String value(String settings, String name) {
    return settings
        .lines()
        .map(String::strip)
        .filter(l -> l.startsWith(name + ":"))
        .map(l -> l.substring(name.length() + 1).strip())
        .findFirst()
        .orElse("Unlimited");
  }

  /** The JDK's {@code 512.00M}, {@code 2.00G} or plain bytes. */
  private static long bytes(String figure) {
    char unit = figure.charAt(figure.length() - 1);
    long scale =
        switch (unit) {
          case 'K' -> 1L << 10;
          case 'M' -> 1L << 20;
          case 'G' -> 1L << 30;
          default -> 1;
        };
    String number = scale == 1 ? figure : figure.substring(0, figure.length() - 1);
    return (long) (Double.parseDouble(number) * scale);
  }
}
