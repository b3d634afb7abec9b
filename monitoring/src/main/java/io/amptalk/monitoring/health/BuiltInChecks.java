package io.amptalk.monitoring.health;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.metrics.RequestWindow;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleFunction;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;

/**
 * The checks behind {@code HealthCheck.createXxxHealthCheck}. Arguments are validated when a check
 * is created; a run never throws for an expected failure (a refused connection, a missing path): it
 * reports it as a result.
 */
final class BuiltInChecks {
  private BuiltInChecks() {}

  // ---------------------------------------------------------------- host and JVM utilization

  static Check cpu(double warningThreshold, double criticalThreshold) {
    return new Utilization(
        "CPU usage",
        Thresholds.percent(warningThreshold, criticalThreshold),
        new CpuTicks()::percent);
  }

  static Check cpu(SystemMonitor monitor, double warningThreshold, double criticalThreshold) {
    Objects.requireNonNull(monitor, "monitor");
    return new Utilization(
        "CPU usage",
        Thresholds.percent(warningThreshold, criticalThreshold),
        () -> {
          OptionalDouble fraction = monitor.getLatestSnapshot().cpuUtilization();
          return fraction.isPresent()
              ? OptionalDouble.of(fraction.getAsDouble() * 100)
              : OptionalDouble.empty();
        });
  }

  static Check memory(double warningThreshold, double criticalThreshold) {
    Thresholds thresholds = Thresholds.percent(warningThreshold, criticalThreshold);
    GlobalMemory memory = new oshi.SystemInfo().getHardware().getMemory();
    return new Utilization(
        "Memory usage",
        thresholds,
        () -> {
          long total = memory.getTotal();
          // Used is total minus available, as in the monitor's snapshot (Linux MemAvailable).
          long used = total - Math.min(memory.getAvailable(), total);
          return OptionalDouble.of(total <= 0 ? 0 : 100.0 * used / total);
        });
  }

  static Check memory(SystemMonitor monitor, double warningThreshold, double criticalThreshold) {
    Objects.requireNonNull(monitor, "monitor");
    return new Utilization(
        "Memory usage",
        Thresholds.percent(warningThreshold, criticalThreshold),
        () ->
            monitor
                .getLatestSnapshot()
                .memory()
                .map(m -> OptionalDouble.of(m.utilization() * 100))
                .orElse(OptionalDouble.empty()));
  }

  static Check jvmHeap(double warningThreshold, double criticalThreshold) {
    return new Utilization(
        "JVM heap usage",
        Thresholds.percent(warningThreshold, criticalThreshold),
        () -> {
          MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
          // max is -1 when the heap has no configured limit; committed is then the ceiling.
          long max = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
          return OptionalDouble.of(max <= 0 ? 0 : Math.min(100, 100.0 * heap.getUsed() / max));
        });
  }

  static Check disk(String path, double warningThreshold, double criticalThreshold) {
    return new Disk(validPath(path), Thresholds.percent(warningThreshold, criticalThreshold), null);
  }

  static Check disk(
      SystemMonitor monitor, String path, double warningThreshold, double criticalThreshold) {
    Objects.requireNonNull(monitor, "monitor");
    return new Disk(
        validPath(path), Thresholds.percent(warningThreshold, criticalThreshold), monitor);
  }

  // ---------------------------------------------------------------- reachability

  static Check tcp(String host, int port, Duration timeout) {
    requireNonBlank("host", host);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
    return new Tcp(host, port, requirePositive("timeout", timeout));
  }

  static Check http(String url, Set<Integer> acceptedStatuses, Duration timeout) {
    URI uri = httpUri(url);
    if (acceptedStatuses == null || acceptedStatuses.isEmpty()) {
      throw new IllegalArgumentException(
          "acceptedStatuses must not be empty, was " + acceptedStatuses);
    }
    for (Integer status : acceptedStatuses) { // iterate: Set.of(...).contains(null) throws
      if (status == null || status < 100 || status > 599) {
        throw new IllegalArgumentException(
            "acceptedStatuses must be within 100..599, was " + acceptedStatuses);
      }
    }
    return new Http(
        url,
        uri,
        List.copyOf(new TreeSet<>(acceptedStatuses)),
        requirePositive("timeout", timeout));
  }

  // ---------------------------------------------------------------- the monitor's requests

  static Check errorRatio(
      SystemMonitor monitor,
      Duration window,
      double warningRatio,
      double criticalRatio,
      long minRequests) {
    Thresholds thresholds = Thresholds.ratio(warningRatio, criticalRatio);
    return new ErrorRatio(
        monitor, requestWindow(monitor, window), thresholds, requireMinRequests(minRequests));
  }

  static Check latency(
      SystemMonitor monitor,
      Duration window,
      double quantile,
      Duration warning,
      Duration critical,
      long minRequests) {
    if (!(quantile > 0 && quantile <= 1)) {
      throw new IllegalArgumentException("quantile must be above 0 and at most 1, was " + quantile);
    }
    requirePositive("warning", warning);
    requirePositive("critical", critical);
    if (critical.compareTo(warning) < 0) {
      throw new IllegalArgumentException(
          "critical must be at least warning (" + warning + "), was " + critical);
    }
    return new Latency(
        monitor,
        requestWindow(monitor, window),
        quantile,
        new Thresholds(seconds(warning), seconds(critical)),
        requireMinRequests(minRequests));
  }

  // ---------------------------------------------------------------- verdicts

  /**
   * A warning and a critical threshold: at or above critical is UNHEALTHY, else at or above warning
   * is DEGRADED, else HEALTHY.
   */
  record Thresholds(double warning, double critical) {

    static Thresholds percent(double warningThreshold, double criticalThreshold) {
      return within(
          "warningThreshold", warningThreshold, "criticalThreshold", criticalThreshold, 100);
    }

    static Thresholds ratio(double warningRatio, double criticalRatio) {
      return within("warningRatio", warningRatio, "criticalRatio", criticalRatio, 1);
    }

    private static Thresholds within(
        String warningName, double warning, String criticalName, double critical, int max) {
      requireIn(warningName, warning, max);
      requireIn(criticalName, critical, max);
      if (critical < warning) {
        throw new IllegalArgumentException(
            criticalName
                + " must be at least "
                + warningName
                + " ("
                + warning
                + "), was "
                + critical);
      }
      return new Thresholds(warning, critical);
    }

    private static void requireIn(String name, double value, int max) {
      if (!(value >= 0 && value <= max)) { // written so that NaN fails too
        throw new IllegalArgumentException(name + " must be in 0.." + max + ", was " + value);
      }
    }

    HealthStatus status(double value) {
      if (value >= critical) {
        return HealthStatus.UNHEALTHY;
      }
      return value >= warning ? HealthStatus.DEGRADED : HealthStatus.HEALTHY;
    }

    /**
     * The verdict on {@code value}: "{measured} is below the warning threshold {warning}", or "is
     * at or above" the threshold crossed, each threshold shown by {@code render}.
     */
    CheckResult judge(
        String measured, double value, DoubleFunction<String> render, Map<String, ?> details) {
      HealthStatus status = status(value);
      String verdict =
          switch (status) {
            case UNHEALTHY -> " is at or above the critical threshold " + render.apply(critical);
            case DEGRADED -> " is at or above the warning threshold " + render.apply(warning);
            default -> " is below the warning threshold " + render.apply(warning);
          };
      return CheckResult.of(status, measured + verdict, details);
    }
  }

  /**
   * The verdict on a utilization in percent, e.g. "CPU usage 80.1% is at or above the warning
   * threshold 75.0%", with details {@code value, unit, warning_threshold, critical_threshold} and
   * then {@code extraDetails}.
   */
  static CheckResult judgePercent(
      String what, double percent, Thresholds thresholds, Map<String, ?> extraDetails) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("value", percent);
    details.put("unit", "percent");
    details.put("warning_threshold", thresholds.warning());
    details.put("critical_threshold", thresholds.critical());
    details.putAll(extraDetails);
    return thresholds.judge(
        what + " " + percent(percent), percent, BuiltInChecks::percent, details);
  }

  // ---------------------------------------------------------------- the checks

  /** A reading in percent; empty when there is none yet. */
  @FunctionalInterface
  private interface PercentReading {
    OptionalDouble read();
  }

  private record Utilization(String what, Thresholds thresholds, PercentReading reading)
      implements Check {
    @Override
    public CheckResult check() {
      OptionalDouble percent = reading.read();
      return percent.isPresent()
          ? judgePercent(what, percent.getAsDouble(), thresholds, Map.of())
          : CheckResult.unknown(what + " has not been sampled yet");
    }

    @Override
    public String measurement() {
      return "utilization";
    }
  }

  /**
   * Whole-host CPU busy percent since the previous run (since creation for the first), from the
   * kernel's tick counters: no run ever sleeps for a sampling interval.
   */
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
        // Ticks advance every 10 ms or so; a run right after the previous one has nothing to
        // compare yet, and OSHI would report 0% for it. Keep the older ticks and answer with the
        // JVM's own recent system load, which never blocks (the seed's example runs its checks
        // right after creating them).
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

  /** Use of the file system holding {@code path}: from the monitor's snapshot when one matches. */
  private record Disk(String path, Thresholds thresholds, SystemMonitor monitor) implements Check {
    @Override
    public CheckResult check() throws IOException {
      Path real;
      try {
        // Real path: a symlink to another file system is judged on that file system.
        real = Path.of(path).toRealPath();
      } catch (NoSuchFileException e) {
        return CheckResult.unhealthy("Disk path " + path + " does not exist", Map.of("path", path));
      }
      Optional<FileSystemUsage> mounted =
          monitor == null
              ? Optional.empty()
              : fileSystemOf(real, monitor.getLatestSnapshot().fileSystems());
      double percent =
          mounted.isPresent() ? mounted.get().utilization() * 100 : fileStorePercent(real);
      return judgePercent("Disk usage of " + path, percent, thresholds, Map.of("path", path));
    }

    @Override
    public String measurement() {
      return "utilization";
    }
  }

  /**
   * The file system whose mountpoint is the longest prefix of {@code path}, by whole path segments
   * ({@code /data} holds {@code /data/x}, not {@code /database}).
   */
  static Optional<FileSystemUsage> fileSystemOf(Path path, List<FileSystemUsage> fileSystems) {
    FileSystemUsage best = null;
    int bestDepth = -1;
    for (FileSystemUsage fs : fileSystems) {
      Path mount;
      try {
        mount = Path.of(fs.mountpoint());
      } catch (InvalidPathException e) {
        continue;
      }
      if (path.startsWith(mount) && mount.getNameCount() > bestDepth) {
        best = fs;
        bestDepth = mount.getNameCount();
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Used is total minus unallocated (free blocks, root-reserved ones included): the figure OSHI
   * gives the monitor's snapshot, so both disk variants report the same percent for one mount.
   * ({@code df}'s Use% reads higher on ext4: it leaves the reserved blocks out of the total.)
   */
  private static double fileStorePercent(Path path) throws IOException {
    FileStore store = Files.getFileStore(path);
    long total = store.getTotalSpace();
    return total <= 0 ? 0 : 100.0 * (total - store.getUnallocatedSpace()) / total;
  }

  private record Tcp(String host, int port, Duration timeout) implements Check {
    @Override
    public CheckResult check() {
      String target = hostPort(host, port);
      long start = System.nanoTime();
      try (Socket socket = new Socket()) {
        // An unresolvable host fails in connect() (UnknownHostException), not here.
        socket.connect(new InetSocketAddress(host, port), millis(timeout));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return CheckResult.healthy(
            "Connected to " + target + " in " + elapsed + " ms",
            details("host", host, "port", port, "connect_ms", elapsed));
      } catch (SocketTimeoutException e) {
        return CheckResult.unhealthy(
            "Cannot connect to " + target + " within " + timeout.toMillis() + " ms",
            details("host", host, "port", port));
      } catch (IOException e) {
        return CheckResult.unhealthy(
            "Cannot connect to " + target + ": " + describe(e),
            details("host", host, "port", port));
      }
    }

    @Override
    public String measurement() {
      return "connection";
    }
  }

  private static final class Http implements Check {
    private final String url;
    private final HttpRequest request;
    private final List<Integer> accepted;
    private final Duration timeout;
    // One client per check: it keeps its connections (and its one selector thread, a daemon).
    private final HttpClient client;

    Http(String url, URI uri, List<Integer> accepted, Duration timeout) {
      this.url = url;
      this.accepted = accepted;
      this.timeout = timeout;
      this.request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
      this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public CheckResult check() throws InterruptedException {
      long start = System.nanoTime();
      int status;
      try {
        status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (HttpTimeoutException e) { // the connect timeout is a subclass
        return CheckResult.unhealthy(
            "GET " + url + " timed out after " + timeout.toMillis() + " ms", Map.of("url", url));
      } catch (IOException e) {
        return CheckResult.unhealthy("GET " + url + " failed: " + describe(e), Map.of("url", url));
      }
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      Map<String, Object> details = details("url", url, "status", status, "response_ms", elapsed);
      return accepted.contains(status)
          ? CheckResult.healthy(
              "GET " + url + " answered " + status + " in " + elapsed + " ms", details)
          : CheckResult.unhealthy(
              "GET " + url + " answered " + status + ", expected one of " + accepted, details);
    }

    @Override
    public String measurement() {
      return "responseTime";
    }
  }

  private record ErrorRatio(
      SystemMonitor monitor, Duration window, Thresholds thresholds, long minRequests)
      implements Check {
    @Override
    public CheckResult check() {
      RequestWindow requests = monitor.getRequestWindow(window);
      if (requests.requests() < minRequests) {
        return tooFewRequests(requests, window, minRequests, "the error ratio");
      }
      double ratio = requests.errorRatio();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("value", ratio);
      details.put("unit", "ratio");
      details.put("requests", requests.requests());
      details.put("server_errors", requests.serverErrors());
      details.put("window_seconds", seconds(window));
      details.put("warning_threshold", thresholds.warning());
      details.put("critical_threshold", thresholds.critical());
      String measured =
          String.format(
              Locale.ROOT,
              "Error ratio %s over the last %s (%d of %d requests)",
              percent(ratio * 100),
              windowLabel(window),
              requests.serverErrors(),
              requests.requests());
      return thresholds.judge(measured, ratio, r -> percent(r * 100), details);
    }

    @Override
    public String measurement() {
      return "errorRatio";
    }
  }

  private record Latency(
      SystemMonitor monitor,
      Duration window,
      double quantile,
      Thresholds thresholds,
      long minRequests)
      implements Check {
    @Override
    public CheckResult check() {
      RequestWindow requests = monitor.getRequestWindow(window);
      if (requests.requests() < minRequests) {
        return tooFewRequests(requests, window, minRequests, "latency");
      }
      // Present: minRequests >= 1, so the window has requests. Values beyond the histogram's
      // highest bound (10 s) read as that bound.
      double value = requests.quantile(quantile).getAsDouble();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("value", value);
      details.put("unit", "seconds");
      details.put("quantile", quantile);
      details.put("requests", requests.requests());
      details.put("window_seconds", seconds(window));
      details.put("warning_threshold", thresholds.warning());
      details.put("critical_threshold", thresholds.critical());
      String measured =
          quantileLabel(quantile)
              + " latency "
              + secondsText(value)
              + " over the last "
              + windowLabel(window);
      return thresholds.judge(measured, value, BuiltInChecks::secondsText, details);
    }

    @Override
    public String measurement() {
      return "latency";
    }
  }

  private static CheckResult tooFewRequests(
      RequestWindow requests, Duration window, long minRequests, String what) {
    return CheckResult.healthy(
        "Only "
            + requests.requests()
            + " requests in the last "
            + windowLabel(window)
            + ", fewer than the "
            + minRequests
            + " needed to judge "
            + what,
        details(
            "requests", requests.requests(),
            "min_requests", minRequests,
            "window_seconds", seconds(window)));
  }

  // ---------------------------------------------------------------- formatting

  static String percent(double percent) {
    return String.format(Locale.ROOT, "%.1f%%", percent);
  }

  static String secondsText(double seconds) {
    return String.format(Locale.ROOT, "%.3f s", seconds);
  }

  /** "5m", "30s", "1h", "1500ms": the largest unit that divides the window exactly. */
  static String windowLabel(Duration window) {
    long ms = window.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** "p99", "p99.9", "p50": decimal digits of the quantile, so 0.999 never prints as 99.899…. */
  static String quantileLabel(double quantile) {
    return "p"
        + BigDecimal.valueOf(quantile).movePointRight(2).stripTrailingZeros().toPlainString();
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** "ConnectException: Connection refused"; the JDK leaves some messages null. */
  private static String describe(Exception e) {
    String name = e.getClass().getSimpleName();
    return e.getMessage() == null ? name : name + ": " + e.getMessage();
  }

  private static Map<String, Object> details(Object... keysAndValues) {
    Map<String, Object> details = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      details.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return details;
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  /** Socket.connect takes an int of milliseconds, and reads 0 as "no timeout". */
  private static int millis(Duration timeout) {
    return (int) Math.max(1, Math.min(timeout.toMillis(), Integer.MAX_VALUE));
  }

  // ---------------------------------------------------------------- validation

  private static String requireNonBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          name + " must not be blank, was " + (value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }

  private static Duration requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + value);
    }
    return value;
  }

  private static long requireMinRequests(long minRequests) {
    if (minRequests < 1) {
      throw new IllegalArgumentException("minRequests must be at least 1, was " + minRequests);
    }
    return minRequests;
  }

  private static String validPath(String path) {
    requireNonBlank("path", path);
    try {
      Path.of(path);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("path must be a valid path, was '" + path + "'", e);
    }
    return path;
  }

  private static URI httpUri(String url) {
    String rule = "url must be an http(s) URL, was '" + url + "'";
    if (url == null) {
      throw new IllegalArgumentException(rule);
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(rule, e);
    }
    if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(rule);
    }
    return uri;
  }

  /** Fails now, with the monitor's own message, for a window longer than it keeps. */
  private static Duration requestWindow(SystemMonitor monitor, Duration window) {
    Objects.requireNonNull(monitor, "monitor");
    requirePositive("window", window);
    monitor.getRequestWindow(window);
    return window;
  }
}
