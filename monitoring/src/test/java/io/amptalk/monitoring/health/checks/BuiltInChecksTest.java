package io.amptalk.monitoring.health.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.health.Check;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthStatus;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BuiltInChecksTest {
  private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);
  private static final Set<HealthStatus> JUDGED =
      Set.of(HealthStatus.HEALTHY, HealthStatus.DEGRADED, HealthStatus.UNHEALTHY);

  private final List<SystemMonitor> monitors = new ArrayList<>();
  private final CountDownLatch releaseSlow = new CountDownLatch(1);
  private HttpServer server;
  private ExecutorService serverExecutor;

  @AfterEach
  void tearDown() {
    releaseSlow.countDown();
    if (server != null) {
      server.stop(0);
      serverExecutor.shutdownNow();
    }
    monitors.forEach(SystemMonitor::close);
  }

  /** A monitor with real host figures that samples only when built (or as often as asked). */
  private SystemMonitor monitor(Duration collectInterval) {
    SystemMonitor monitor =
        SystemMonitor.builder()
            .enablePrometheus(false)
            .enableJvmMetrics(false)
            .collectInterval(collectInterval)
            .build();
    monitors.add(monitor);
    return monitor;
  }

  private SystemMonitor quietMonitor() {
    return monitor(Duration.ofHours(1));
  }

  private static void record(SystemMonitor monitor, int count, int status, double durationMs) {
    for (int i = 0; i < count; i++) {
      monitor.recordRequest("/api", "GET", status, durationMs);
    }
  }

  /** The detail a check from the monitor's snapshot adds: when that snapshot was taken. */
  private static Map<String, Object> sampledAt(SystemMonitor monitor) {
    return Map.of("sampled_at", monitor.getLatestSnapshot().time().toString());
  }

  /** A real reading is judged exactly as {@link Thresholds#judgePercent} would judge it. */
  private static void assertJudgedPercent(
      CheckResult result, String what, Thresholds thresholds, Map<String, ?> extra) {
    assertThat(result.status()).isIn(JUDGED);
    double value = (Double) result.details().get("value");
    assertThat(value).isBetween(0.0, 100.0);
    assertThat(result).isEqualTo(thresholds.judgePercent(what, value, extra));
    assertThat(result.message()).matches(what + " \\d+\\.\\d% is .* threshold \\d+\\.\\d%");
  }

  // ---------------------------------------------------------------- thresholds

  @Test
  void judgePercent_belowWarning_isHealthyWithValueAndThresholds() {
    CheckResult result = Thresholds.percent(75, 90).judgePercent("CPU usage", 12.3, Map.of());

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.message()).isEqualTo("CPU usage 12.3% is below the warning threshold 75.0%");
    assertThat(result.details())
        .containsExactly(
            entry("value", 12.3),
            entry("unit", "percent"),
            entry("warning_threshold", 75.0),
            entry("critical_threshold", 90.0));
  }

  @Test
  void judgePercent_justBelowWarning_isHealthy() {
    CheckResult result = Thresholds.percent(75, 90).judgePercent("Memory usage", 74.9, Map.of());

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.message())
        .isEqualTo("Memory usage 74.9% is below the warning threshold 75.0%");
  }

  @Test
  void judgePercent_exactlyWarning_isDegraded() {
    CheckResult result = Thresholds.percent(75, 90).judgePercent("CPU usage", 75.0, Map.of());

    assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(result.message())
        .isEqualTo("CPU usage 75.0% is at or above the warning threshold 75.0%");
  }

  @Test
  void judgePercent_betweenWarningAndCritical_isDegraded() {
    CheckResult result = Thresholds.percent(75, 90).judgePercent("CPU usage", 80.1, Map.of());

    assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(result.message())
        .isEqualTo("CPU usage 80.1% is at or above the warning threshold 75.0%");
  }

  @Test
  void judgePercent_exactlyCritical_isUnhealthy() {
    CheckResult result = Thresholds.percent(75, 90).judgePercent("JVM heap usage", 90.0, Map.of());

    assertThat(result.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(result.message())
        .isEqualTo("JVM heap usage 90.0% is at or above the critical threshold 90.0%");
  }

  @Test
  void judgePercent_extraDetails_followTheThresholds() {
    CheckResult result =
        Thresholds.percent(80, 90).judgePercent("Disk usage of /var", 95.0, Map.of("path", "/var"));

    assertThat(result.message())
        .isEqualTo("Disk usage of /var 95.0% is at or above the critical threshold 90.0%");
    assertThat(result.details().keySet())
        .containsExactly("value", "unit", "warning_threshold", "critical_threshold", "path");
    assertThat(result.details()).containsEntry("path", "/var");
  }

  @Test
  void thresholds_equalWarningAndCritical_criticalWins() {
    assertThat(Thresholds.percent(80, 80).status(80)).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(Thresholds.percent(80, 80).status(79.99)).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void percentFactories_thresholdsOutOfRangeOrReversed_throwNamingTheValue() {
    assertThatThrownBy(() -> HostChecks.cpu(120, 130))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warningThreshold must be in 0..100, was 120.0");
    assertThatThrownBy(() -> HostChecks.memory(75, 100.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("criticalThreshold must be in 0..100, was 100.5");
    assertThatThrownBy(() -> HostChecks.jvmHeap(80, 70))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("criticalThreshold must be at least warningThreshold (80.0), was 70.0");
    assertThatThrownBy(() -> HostChecks.disk("/", Double.NaN, 90))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warningThreshold must be in 0..100, was NaN");
    assertThatThrownBy(() -> HostChecks.disk(" ", 75, 90))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("path must not be blank, was ' '");
  }

  // ---------------------------------------------------------------- host and JVM utilization

  @Test
  void cpuWithMonitor_firstSampleOnly_isAlreadyJudged() throws Exception {
    // The next sample is an hour away: the first one carries the JVM's recent CPU figure, so the
    // check judges at once instead of reporting UNKNOWN until a second sample.
    SystemMonitor monitor = quietMonitor();
    CheckResult result = HostChecks.cpu(monitor, 75, 90).check();

    assertJudgedPercent(result, "CPU usage", Thresholds.percent(75, 90), sampledAt(monitor));
  }

  @Test
  void cpuWithMonitor_sampled_judgesTheSnapshot() throws Exception {
    SystemMonitor monitor = monitor(Duration.ofMillis(20));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> monitor.getLatestSnapshot().cpuUtilization().isPresent());
    Check check = HostChecks.cpu(monitor, 75, 90);

    CheckResult result = check.check();
    // Sampled every 20 ms: the one judged is at most as new as the latest after the run.
    Instant sampledAt = Instant.parse((String) result.details().get("sampled_at"));
    assertThat(sampledAt).isBeforeOrEqualTo(monitor.getLatestSnapshot().time());
    assertJudgedPercent(
        result,
        "CPU usage",
        Thresholds.percent(75, 90),
        Map.of("sampled_at", sampledAt.toString()));
    assertThat(check.measurement()).isEqualTo("utilization");
  }

  @Test
  void cpu_standalone_judgesTicksSinceTheLastRunWithoutBlocking() throws Exception {
    Check check = HostChecks.cpu(75, 90);

    // A run in the same kernel tick as the previous one has nothing to compare yet: UNKNOWN.
    CheckResult result =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(check::check, r -> r.status() != HealthStatus.UNKNOWN);

    assertJudgedPercent(result, "CPU usage", Thresholds.percent(75, 90), Map.of());
  }

  @Test
  void memory_standaloneAndWithMonitor_judgeRealFigures() throws Exception {
    Thresholds thresholds = Thresholds.percent(75, 90);

    assertJudgedPercent(HostChecks.memory(75, 90).check(), "Memory usage", thresholds, Map.of());
    SystemMonitor monitor = quietMonitor();
    assertJudgedPercent(
        HostChecks.memory(monitor, 75, 90).check(), "Memory usage", thresholds, sampledAt(monitor));
    assertThat(HostChecks.memory(75, 90).measurement()).isEqualTo("utilization");
  }

  @Test
  void jvmHeap_real_judgesUsedOverMax() throws Exception {
    Check check = HostChecks.jvmHeap(75, 90);

    assertJudgedPercent(check.check(), "JVM heap usage", Thresholds.percent(75, 90), Map.of());
    assertThat(check.measurement()).isEqualTo("utilization");
  }

  // ---------------------------------------------------------------- disk

  @Test
  void disk_standaloneOnRoot_judgesTheFileStore() throws Exception {
    Check check = HostChecks.disk("/", 75, 90);

    assertJudgedPercent(
        check.check(), "Disk usage of /", Thresholds.percent(75, 90), Map.of("path", "/"));
    assertThat(check.measurement()).isEqualTo("utilization");
  }

  @Test
  void disk_withMonitorOnRoot_agreesWithTheFileStore() throws Exception {
    SystemMonitor monitor = quietMonitor();
    CheckResult fromSnapshot = HostChecks.disk(monitor, "/", 75, 90).check();
    CheckResult fromStore = HostChecks.disk("/", 75, 90).check();

    Map<String, Object> extra = new LinkedHashMap<>();
    extra.put("path", "/");
    extra.putAll(sampledAt(monitor));
    assertJudgedPercent(fromSnapshot, "Disk usage of /", Thresholds.percent(75, 90), extra);
    // Both count used as total minus unallocated; only writes in between may move the figure.
    assertThat((Double) fromSnapshot.details().get("value"))
        .isCloseTo(
            (Double) fromStore.details().get("value"), org.assertj.core.data.Offset.offset(1.0));
  }

  @Test
  void disk_missingPath_isUnhealthy() throws Exception {
    CheckResult standalone = HostChecks.disk("/no/such/dir", 75, 90).check();
    CheckResult withMonitor = HostChecks.disk(quietMonitor(), "/no/such/dir", 75, 90).check();

    assertThat(standalone.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(standalone.message()).isEqualTo("Disk path /no/such/dir does not exist");
    assertThat(standalone.details()).containsExactly(entry("path", "/no/such/dir"));
    assertThat(withMonitor).isEqualTo(standalone);
  }

  @Test
  void fileSystemOf_nestedMounts_picksTheLongestWholeSegmentPrefix() {
    FileSystemUsage root = new FileSystemUsage("/dev/sda1", "/", "ext4", 100, 50);
    FileSystemUsage data = new FileSystemUsage("/dev/sdb1", "/data", "ext4", 100, 50);
    FileSystemUsage archive = new FileSystemUsage("/dev/sdc1", "/data/archive", "xfs", 100, 50);
    List<FileSystemUsage> mounts = List.of(archive, root, data);

    assertThat(HostChecks.fileSystemOf(Path.of("/database/x"), mounts)).contains(root);
    assertThat(HostChecks.fileSystemOf(Path.of("/data"), mounts)).contains(data);
    assertThat(HostChecks.fileSystemOf(Path.of("/data/x"), mounts)).contains(data);
    assertThat(HostChecks.fileSystemOf(Path.of("/data/archive/2024"), mounts)).contains(archive);
    assertThat(HostChecks.fileSystemOf(Path.of("/data/x"), List.of(archive))).isEmpty();
  }

  // ---------------------------------------------------------------- TCP

  @Test
  void tcp_listeningPort_isHealthyWithConnectTime() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = listener.getLocalPort();
      Check check = NetworkChecks.tcp("127.0.0.1", port, Duration.ofSeconds(5));

      CheckResult result = check.check();

      assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(result.message()).matches("Connected to 127\\.0\\.0\\.1:" + port + " in \\d+ ms");
      assertThat(result.details().keySet()).containsExactly("host", "port", "connect_ms");
      assertThat(result.details()).containsEntry("host", "127.0.0.1").containsEntry("port", port);
      assertThat(result.message()).endsWith(" in " + result.details().get("connect_ms") + " ms");
      assertThat(check.measurement()).isEqualTo("connection");
    }
  }

  @Test
  void tcp_closedPort_isUnhealthyWithTheRefusal() throws Exception {
    int port;
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = listener.getLocalPort();
    }

    CheckResult result = NetworkChecks.tcp("127.0.0.1", port, Duration.ofSeconds(5)).check();

    assertThat(result.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(result.message())
        .isEqualTo(
            "Cannot connect to 127.0.0.1:" + port + ": ConnectException: Connection refused");
    assertThat(result.details()).containsExactly(entry("host", "127.0.0.1"), entry("port", port));
  }

  @Test
  void tcp_invalidArguments_throwNamingTheValue() {
    assertThatThrownBy(() -> NetworkChecks.tcp("localhost", 0, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be 1..65535, was 0");
    assertThatThrownBy(() -> NetworkChecks.tcp("localhost", 65536, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be 1..65535, was 65536");
    assertThatThrownBy(() -> NetworkChecks.tcp("", 80, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host must not be blank, was ''");
    assertThatThrownBy(() -> NetworkChecks.tcp("localhost", 80, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be a positive duration, was PT0S");
  }

  // ---------------------------------------------------------------- HTTP

  private String startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    serverExecutor = Executors.newCachedThreadPool();
    server.setExecutor(serverExecutor);
    server.createContext("/ok", exchange -> respond(exchange, 200));
    server.createContext("/fail", exchange -> respond(exchange, 500));
    server.createContext(
        "/slow",
        exchange -> {
          try {
            releaseSlow.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          respond(exchange, 200);
        });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, int status)
      throws IOException {
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  @Test
  void http_acceptedStatus_isHealthyWithResponseTime() throws Exception {
    String url = startServer() + "/ok";
    Check check = NetworkChecks.http(url, Set.of(200), Duration.ofSeconds(5));

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.message()).matches("GET \\Q" + url + "\\E answered 200 in \\d+ ms");
    assertThat(result.details().keySet()).containsExactly("url", "status", "response_ms");
    assertThat(result.details()).containsEntry("url", url).containsEntry("status", 200);
    assertThat(result.message()).endsWith(" in " + result.details().get("response_ms") + " ms");
    assertThat(check.measurement()).isEqualTo("responseTime");
  }

  @Test
  void http_statusNotAccepted_isUnhealthyListingTheAcceptedSorted() throws Exception {
    String url = startServer() + "/fail";

    // Insertion order unsorted on purpose (Set.of's order varies from run to run).
    Set<Integer> accepted = new LinkedHashSet<>(List.of(299, 204, 200));

    CheckResult result = NetworkChecks.http(url, accepted, Duration.ofSeconds(5)).check();

    assertThat(result.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(result.message())
        .isEqualTo("GET " + url + " answered 500, expected one of [200, 204, 299]");
    assertThat(result.details()).containsEntry("status", 500);
  }

  @Test
  void http_serverTooSlow_isUnhealthyAfterTheTimeout() throws Exception {
    String url = startServer() + "/slow";

    CheckResult result = NetworkChecks.http(url, Set.of(200), Duration.ofMillis(200)).check();

    assertThat(result.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(result.message()).isEqualTo("GET " + url + " timed out after 200 ms");
    assertThat(result.details()).containsExactly(entry("url", url));
  }

  @Test
  void http_nothingListening_isUnhealthyNamingTheError() throws Exception {
    int port;
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = listener.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/";

    CheckResult result = NetworkChecks.http(url, Set.of(200), Duration.ofSeconds(5)).check();

    assertThat(result.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(result.message()).isEqualTo("GET " + url + " failed: ConnectException");
  }

  @Test
  void http_invalidArguments_throwNamingTheValue() {
    Duration second = Duration.ofSeconds(1);
    assertThatThrownBy(() -> NetworkChecks.http("ftp://example.com/", Set.of(200), second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("url must be an http(s) URL, was 'ftp://example.com/'");
    assertThatThrownBy(() -> NetworkChecks.http("http://", Set.of(200), second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("url must be an http(s) URL, was 'http://'");
    assertThatThrownBy(() -> NetworkChecks.http("http://a b/", Set.of(200), second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("url must be an http(s) URL, was 'http://a b/'");
    assertThatThrownBy(() -> NetworkChecks.http("http://localhost/", Set.of(), second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("acceptedStatuses must not be empty, was []");
    assertThatThrownBy(() -> NetworkChecks.http("http://localhost/", Set.of(700), second))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("acceptedStatuses must be within 100..599, was [700]");
    assertThatThrownBy(() -> NetworkChecks.http("http://localhost/", Set.of(200), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be a positive duration, was null");
  }

  // ---------------------------------------------------------------- error ratio

  @Test
  void errorRatio_aboveWarning_isDegradedCountingOnly5xx() throws Exception {
    SystemMonitor monitor = quietMonitor();
    record(monitor, 30, 200, 10);
    record(monitor, 5, 404, 10);
    record(monitor, 5, 503, 10);
    Check check = RequestChecks.errorRatio(monitor, FIVE_MINUTES, 0.05, 0.2, 10);

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(result.message())
        .isEqualTo(
            "Error ratio 12.5% over the last 5m (5 of 40 requests) is at or above the warning"
                + " threshold 5.0%");
    assertThat(result.details())
        .containsExactly(
            entry("value", 0.125),
            entry("unit", "ratio"),
            entry("requests", 40L),
            entry("server_errors", 5L),
            entry("window_seconds", 300.0),
            entry("warning_threshold", 0.05),
            entry("critical_threshold", 0.2));
    assertThat(check.measurement()).isEqualTo("errorRatio");
  }

  @Test
  void errorRatio_belowWarning_isHealthy() throws Exception {
    SystemMonitor monitor = quietMonitor();
    record(monitor, 39, 200, 10);
    record(monitor, 1, 500, 10);

    CheckResult result = RequestChecks.errorRatio(monitor, FIVE_MINUTES, 0.05, 0.2, 10).check();

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.message())
        .isEqualTo(
            "Error ratio 2.5% over the last 5m (1 of 40 requests) is below the warning threshold"
                + " 5.0%");
  }

  @Test
  void errorRatio_exactlyWarning_isDegraded() throws Exception {
    SystemMonitor monitor = quietMonitor();
    record(monitor, 38, 200, 10);
    record(monitor, 2, 500, 10);

    CheckResult result = RequestChecks.errorRatio(monitor, FIVE_MINUTES, 0.05, 0.2, 10).check();

    assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(result.message())
        .isEqualTo(
            "Error ratio 5.0% over the last 5m (2 of 40 requests) is at or above the warning"
                + " threshold 5.0%");
  }

  @Test
  void errorRatio_exactlyCritical_isUnhealthy() throws Exception {
    SystemMonitor monitor = quietMonitor();
    record(monitor, 32, 200, 10);
    record(monitor, 8, 502, 10);

    CheckResult result =
        RequestChecks.errorRatio(monitor, Duration.ofSeconds(30), 0.05, 0.2, 10).check();

    assertThat(result.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(result.message())
        .isEqualTo(
            "Error ratio 20.0% over the last 30s (8 of 40 requests) is at or above the critical"
                + " threshold 20.0%");
  }

  @Test
  void errorRatio_fewerThanMinRequests_isHealthyWithoutJudging() throws Exception {
    SystemMonitor monitor = quietMonitor();
    record(monitor, 9, 500, 10);

    CheckResult result = RequestChecks.errorRatio(monitor, FIVE_MINUTES, 0.05, 0.2, 10).check();

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.message())
        .isEqualTo(
            "Only 9 requests in the last 5m, fewer than the 10 needed to judge the error ratio");
    assertThat(result.details())
        .containsExactly(
            entry("requests", 9L), entry("min_requests", 10L), entry("window_seconds", 300.0));
  }

  @Test
  void errorRatio_invalidArguments_throwNamingTheValue() {
    SystemMonitor monitor = quietMonitor();
    assertThatThrownBy(() -> RequestChecks.errorRatio(monitor, FIVE_MINUTES, 1.5, 2, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warningRatio must be in 0..1, was 1.5");
    assertThatThrownBy(() -> RequestChecks.errorRatio(monitor, FIVE_MINUTES, 0.2, 0.1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("criticalRatio must be at least warningRatio (0.2), was 0.1");
    assertThatThrownBy(() -> RequestChecks.errorRatio(monitor, FIVE_MINUTES, 0.05, 0.2, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minRequests must be at least 1, was 0");
    assertThatThrownBy(() -> RequestChecks.errorRatio(monitor, Duration.ZERO, 0.05, 0.2, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be a positive duration, was PT0S");
    assertThatThrownBy(() -> RequestChecks.errorRatio(monitor, Duration.ofHours(1), 0.05, 0.2, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be positive and at most requestWindowRetention (PT15M), was PT1H");
  }

  // ---------------------------------------------------------------- latency

  @Test
  void latency_p99AboveWarning_isDegradedWithTheInterpolatedValue() throws Exception {
    SystemMonitor monitor = quietMonitor();
    record(monitor, 100, 200, 300);
    Check check =
        RequestChecks.latency(
            monitor, FIVE_MINUTES, 0.99, Duration.ofMillis(250), Duration.ofSeconds(1), 10);

    CheckResult result = check.check();

    // All 100 in the bucket (0.25, 0.5]: rank 99 of 100 interpolates to 0.25 + 0.25 * 99 / 100.
    double expected = 0.25 + (0.5 - 0.25) * (0.99 * 100) / 100;
    assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(result.message())
        .isEqualTo(
            "p99 latency 0.498 s over the last 5m is at or above the warning threshold 0.250 s");
    assertThat(result.details())
        .containsExactly(
            entry("value", expected),
            entry("unit", "seconds"),
            entry("quantile", 0.99),
            entry("requests", 100L),
            entry("window_seconds", 300.0),
            entry("warning_threshold", 0.25),
            entry("critical_threshold", 1.0));
    assertThat(check.measurement()).isEqualTo("latency");
  }

  @Test
  void latency_medianBelowWarning_isHealthy() throws Exception {
    SystemMonitor monitor = quietMonitor();
    record(monitor, 100, 200, 300);

    CheckResult result =
        RequestChecks.latency(
                monitor, FIVE_MINUTES, 0.5, Duration.ofMillis(500), Duration.ofSeconds(1), 10)
            .check();

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.message())
        .isEqualTo("p50 latency 0.375 s over the last 5m is below the warning threshold 0.500 s");
  }

  @Test
  void latency_beyondTheLastBucketAtCritical_isUnhealthy() throws Exception {
    SystemMonitor monitor = quietMonitor();
    record(monitor, 20, 200, 20_000);

    CheckResult result =
        RequestChecks.latency(
                monitor, FIVE_MINUTES, 0.999, Duration.ofSeconds(1), Duration.ofSeconds(10), 10)
            .check();

    assertThat(result.status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(result.message())
        .isEqualTo(
            "p99.9 latency 10.000 s over the last 5m is at or above the critical threshold"
                + " 10.000 s");
  }

  @Test
  void latency_fewerThanMinRequests_isHealthyWithoutJudging() throws Exception {
    SystemMonitor monitor = quietMonitor();
    record(monitor, 3, 200, 5_000);

    CheckResult result =
        RequestChecks.latency(
                monitor, FIVE_MINUTES, 0.99, Duration.ofMillis(250), Duration.ofSeconds(1), 10)
            .check();

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.message())
        .isEqualTo("Only 3 requests in the last 5m, fewer than the 10 needed to judge latency");
  }

  @Test
  void latency_invalidArguments_throwNamingTheValue() {
    SystemMonitor monitor = quietMonitor();
    Duration warning = Duration.ofMillis(250);
    Duration critical = Duration.ofSeconds(1);
    assertThatThrownBy(() -> RequestChecks.latency(monitor, FIVE_MINUTES, 0, warning, critical, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("quantile must be above 0 and at most 1, was 0.0");
    assertThatThrownBy(
            () -> RequestChecks.latency(monitor, FIVE_MINUTES, 0.99, Duration.ZERO, critical, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("warning must be a positive duration, was PT0S");
    assertThatThrownBy(
            () -> RequestChecks.latency(monitor, FIVE_MINUTES, 0.99, critical, warning, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("critical must be at least warning (PT1S), was PT0.25S");
  }

  // ---------------------------------------------------------------- formatting

  @Test
  void windowLabel_wholeUnits_useTheLargestExactUnit() {
    assertThat(Format.windowLabel(Duration.ofMinutes(5))).isEqualTo("5m");
    assertThat(Format.windowLabel(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(Format.windowLabel(Duration.ofHours(1))).isEqualTo("1h");
    assertThat(Format.windowLabel(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(Format.windowLabel(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(Format.windowLabel(Duration.ofMillis(1500))).isEqualTo("1500ms");
  }

  @Test
  void quantileLabel_decimalQuantiles_printWithoutTrailingZeros() {
    assertThat(Format.quantileLabel(0.99)).isEqualTo("p99");
    assertThat(Format.quantileLabel(0.999)).isEqualTo("p99.9");
    assertThat(Format.quantileLabel(0.5)).isEqualTo("p50");
    assertThat(Format.quantileLabel(1.0)).isEqualTo("p100");
  }
}
