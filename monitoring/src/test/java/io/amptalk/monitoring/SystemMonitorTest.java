package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthStatus;
import io.amptalk.monitoring.health.checks.HostChecks;
import io.amptalk.monitoring.internal.host.HostInstruments;
import io.amptalk.monitoring.internal.host.HostSampler;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.metrics.ErrorRecord;
import io.amptalk.monitoring.metrics.SystemInfo;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.MutableClock;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SystemMonitorTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(START);
  private final FakeHostProbe probe = new FakeHostProbe();
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final List<SystemMonitor> monitors = new ArrayList<>();

  @AfterEach
  void closeMonitors() {
    monitors.forEach(SystemMonitor::close);
  }

  private SystemMonitor monitor() {
    return monitor(b -> {});
  }

  private SystemMonitor monitor(Consumer<SystemMonitor.Builder> config) {
    SystemMonitor.Builder builder =
        SystemMonitor.builder()
            .serviceName("amptalk")
            .enablePrometheus(false)
            .enableJvmMetrics(false)
            .clock(clock)
            .hostProbe(probe)
            .metricReader(reader);
    config.accept(builder);
    SystemMonitor monitor = builder.build();
    monitors.add(monitor);
    return monitor;
  }

  private Collection<MetricData> collect() {
    return reader.collectAllMetrics();
  }

  private MetricData metric(Collection<MetricData> metrics, String name) {
    return metrics.stream()
        .filter(m -> m.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no metric " + name));
  }

  private Map<Attributes, Long> longPoints(String name) {
    return metric(collect(), name).getData().getPoints().stream()
        .map(LongPointData.class::cast)
        .collect(Collectors.toMap(PointData::getAttributes, LongPointData::getValue));
  }

  private Map<Attributes, Double> doublePoints(String name) {
    return metric(collect(), name).getData().getPoints().stream()
        .map(DoublePointData.class::cast)
        .collect(Collectors.toMap(PointData::getAttributes, DoublePointData::getValue));
  }

  private List<HistogramPointData> requestPoints() {
    return metric(collect(), "http.server.request.duration").getHistogramData().getPoints().stream()
        .toList();
  }

  private static Attributes request(String route, String method, long status) {
    return Attributes.of(
        RequestMetrics.HTTP_ROUTE,
        route,
        RequestMetrics.HTTP_REQUEST_METHOD,
        method,
        RequestMetrics.HTTP_RESPONSE_STATUS_CODE,
        status);
  }

  private static Attributes reason(String reason) {
    return Attributes.of(SystemMonitor.REASON, reason);
  }

  @Test
  void seedExample_compilesAndWorks() {
    SystemMonitor monitor =
        SystemMonitor.builder()
            .serviceName("amptalk")
            .prometheusPort(0)
            .enablePrometheus(true)
            .build();
    try {
      monitor.recordRequest("/api/transcription", "POST", 200, 157.3);
      monitor.recordError("database_connection", Map.of("database", "main", "host", "localhost"));
      monitor.setHealthStatus(true, "All systems operational");
      SystemInfo info = monitor.getSystemInfo();

      assertThat(info.serviceName()).isEqualTo("amptalk");
      assertThat(info.logicalCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(monitor.getPrometheusPort()).isBetween(1, 65535);
      assertThat(monitor.getHealthReason()).isEqualTo("All systems operational");
    } finally {
      monitor.close();
    }
  }

  @Test
  void recordRequest_recordsHistogramInSecondsWithSemanticConventionAttributes() {
    SystemMonitor monitor = monitor();

    monitor.recordRequest("/api/transcription", "POST", 200, 157.3);
    monitor.recordRequest("/api/transcription", "POST", 200, 4.0);
    monitor.recordRequest("/api/transcription", "GET", 404, 12_000);

    List<HistogramPointData> points = requestPoints();
    assertThat(points).hasSize(2);
    HistogramPointData post =
        points.stream()
            .filter(p -> p.getAttributes().equals(request("/api/transcription", "POST", 200)))
            .findFirst()
            .orElseThrow();
    assertThat(post.getCount()).isEqualTo(2);
    assertThat(post.getSum()).isEqualTo(0.1613);
    assertThat(post.getBoundaries()).isEqualTo(RequestMetrics.BOUNDARIES);
    // 0.004 s falls in the first bucket (le 0.005), 0.1573 s in le 0.25.
    assertThat(post.getCounts())
        .containsExactly(1L, 0L, 0L, 0L, 0L, 0L, 1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
    HistogramPointData get =
        points.stream()
            .filter(p -> p.getAttributes().equals(request("/api/transcription", "GET", 404)))
            .findFirst()
            .orElseThrow();
    assertThat(get.getCounts().get(14)).isEqualTo(1L);
    assertThat(metric(collect(), "http.server.request.duration").getUnit()).isEqualTo("s");
  }

  @Test
  void recordRequest_normalisesMethods() {
    SystemMonitor monitor = monitor();

    monitor.recordRequest("/a", "post", 200, 1);
    monitor.recordRequest("/a", "Patch", 200, 1);
    monitor.recordRequest("/a", "PROPFIND", 200, 1);
    monitor.recordRequest("/a", null, 200, 1);
    monitor.recordRequest("/a", "  ", 200, 1);

    assertThat(requestPoints())
        .extracting(PointData::getAttributes)
        .containsExactlyInAnyOrder(
            request("/a", "POST", 200),
            request("/a", "PATCH", 200),
            request("/a", "_OTHER", 200),
            request("/a", "unknown", 200));
    assertThat(requestPoints().stream().mapToLong(HistogramPointData::getCount).sum()).isEqualTo(5);
  }

  @Test
  void recordRequest_nullOrBlankEndpoint_isUnknown() {
    SystemMonitor monitor = monitor();

    monitor.recordRequest(null, "GET", 200, 1);
    monitor.recordRequest("", "GET", 200, 1);
    monitor.recordRequest(" \t", "GET", 200, 1);

    assertThat(requestPoints())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getAttributes()).isEqualTo(request("unknown", "GET", 200));
              assertThat(p.getCount()).isEqualTo(3);
            });
  }

  @Test
  void recordRequest_overlongEndpoint_isTruncated() {
    SystemMonitor monitor = monitor();

    monitor.recordRequest("/" + "x".repeat(500), "GET", 200, 1);

    assertThat(requestPoints())
        .singleElement()
        .extracting(p -> p.getAttributes().get(RequestMetrics.HTTP_ROUTE))
        .isEqualTo("/" + "x".repeat(127));
  }

  @Test
  void recordRequest_invalidDurations_areDroppedAndCounted() {
    SystemMonitor monitor = monitor();

    monitor.recordRequest("/a", "GET", 200, -0.5);
    monitor.recordRequest("/a", "GET", 200, Double.NaN);
    monitor.recordRequest("/a", "GET", 200, Double.POSITIVE_INFINITY);
    monitor.recordRequest("/a", "GET", 200, Double.NEGATIVE_INFINITY);
    monitor.recordRequest("/a", "GET", 200, 0);

    assertThat(requestPoints())
        .singleElement()
        .extracting(HistogramPointData::getCount)
        .isEqualTo(1L);
    assertThat(longPoints("monitoring.dropped"))
        .containsEntry(reason("invalid_duration"), 4L)
        .containsEntry(reason("invalid_status_code"), 0L)
        .containsEntry(reason("internal_error"), 0L);
  }

  @Test
  void recordRequest_drops_areLoggedAtMostOncePerMinutePerReason() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(SystemMonitor.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new ch.qos.logback.core.read.ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      SystemMonitor monitor = monitor();

      monitor.recordRequest("/a", "GET", 200, -1);
      monitor.recordRequest("/a", "GET", 200, -2);
      monitor.recordRequest("/a", "GET", 700, 1);
      clock.advance(Duration.ofMinutes(1));
      monitor.recordRequest("/a", "GET", 200, Double.NaN);

      assertThat(appender.list)
          .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
          .containsExactly(
              "Dropped an observation (duration -1.0 ms is negative, NaN or infinite); counted in"
                  + " monitoring.dropped",
              "Dropped an observation (status code 700 is outside 100..599); counted in"
                  + " monitoring.dropped",
              "Dropped an observation (duration NaN ms is negative, NaN or infinite); counted in"
                  + " monitoring.dropped");
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void recordRequest_statusOutside100To599_isDroppedAndCounted() {
    SystemMonitor monitor = monitor();

    monitor.recordRequest("/a", "GET", 99, 1);
    monitor.recordRequest("/a", "GET", 600, 1);
    monitor.recordRequest("/a", "GET", -200, 1);
    monitor.recordRequest("/a", "GET", 100, 1);
    monitor.recordRequest("/a", "GET", 599, 1);

    assertThat(requestPoints())
        .extracting(PointData::getAttributes)
        .containsExactlyInAnyOrder(request("/a", "GET", 100), request("/a", "GET", 599));
    assertThat(longPoints("monitoring.dropped")).containsEntry(reason("invalid_status_code"), 3L);
  }

  @Test
  void recordRequest_beyondMaxRoutes_recordsOther() {
    SystemMonitor monitor = monitor(b -> b.maxRoutes(2));

    monitor.recordRequest("/a", "GET", 200, 1);
    monitor.recordRequest("/b", "GET", 200, 1);
    monitor.recordRequest("/c", "GET", 200, 1);
    monitor.recordRequest("/d", "GET", 200, 1);
    monitor.recordRequest("/a", "GET", 200, 1);

    Map<String, Long> byRoute = new HashMap<>();
    requestPoints()
        .forEach(p -> byRoute.put(p.getAttributes().get(RequestMetrics.HTTP_ROUTE), p.getCount()));
    assertThat(byRoute)
        .containsOnly(Map.entry("/a", 2L), Map.entry("/b", 1L), Map.entry("other", 2L));
  }

  @Test
  void recordRequest_aRouteNamedOther_sharesTheOverflowSeries() {
    // Two series with one label set made the exporter drop the whole histogram from /metrics.
    SystemMonitor monitor = monitor(b -> b.maxRoutes(1));

    monitor.recordRequest("/a", "GET", 200, 1);
    monitor.recordRequest("/b", "GET", 200, 1);
    monitor.recordRequest("other", "GET", 200, 1);

    Map<String, Long> byRoute = new HashMap<>();
    requestPoints()
        .forEach(p -> byRoute.put(p.getAttributes().get(RequestMetrics.HTTP_ROUTE), p.getCount()));
    assertThat(byRoute).containsOnly(Map.entry("/a", 1L), Map.entry("other", 2L));
  }

  @Test
  void recordRequest_routesDifferingOnlyInUnpairedSurrogates_areOneSeries() {
    SystemMonitor monitor = monitor();

    monitor.recordRequest("/a\uD800", "GET", 200, 1);
    monitor.recordRequest("/a\uDC00", "GET", 200, 1);

    assertThat(requestPoints())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getAttributes()).isEqualTo(request("/a\uFFFD", "GET", 200));
              assertThat(p.getCount()).isEqualTo(2);
            });
  }

  @Test
  void recordRequest_sumOfHugeDurations_saturatesInsteadOfWrappingNegative() {
    SystemMonitor monitor = monitor();

    // Each is kept as 1e6 s (1e15 ns); 9,224 of them passed Long.MAX_VALUE nanoseconds.
    for (int i = 0; i < 10_000; i++) {
      monitor.recordRequest("/slow", "GET", 200, 1e300);
    }

    assertThat(requestPoints())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getCount()).isEqualTo(10_000);
              assertThat(p.getSum()).isEqualTo(Long.MAX_VALUE / 1e9);
            });
  }

  @Test
  void recordRequest_concurrentThreads_countIsExact() throws Exception {
    SystemMonitor monitor = monitor();
    int threads = 8;
    int perThread = 25_000;
    CyclicBarrier start = new CyclicBarrier(threads);
    CountDownLatch done = new CountDownLatch(threads);
    List<Throwable> failures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    // Half on one shared series, half spread over per-thread series.
                    String route = i % 2 == 0 ? "/shared" : "/t" + (id % 4);
                    monitor.recordRequest(route, "GET", 200 + (i % 3), i % 100);
                  }
                } catch (Throwable e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                } finally {
                  done.countDown();
                }
              });
      thread.start();
    }

    assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(failures).isEmpty();
    List<HistogramPointData> points = requestPoints();
    assertThat(points.stream().mapToLong(HistogramPointData::getCount).sum())
        .isEqualTo((long) threads * perThread);
    long shared =
        points.stream()
            .filter(p -> "/shared".equals(p.getAttributes().get(RequestMetrics.HTTP_ROUTE)))
            .mapToLong(HistogramPointData::getCount)
            .sum();
    assertThat(shared).isEqualTo((long) threads * perThread / 2);
  }

  @Test
  void recordError_countsByTypeOnly_andKeepsDetailsInHistory() {
    SystemMonitor monitor = monitor();

    monitor.recordError("database_connection", Map.of("database", "main", "host", "localhost"));
    clock.advance(Duration.ofSeconds(5));
    monitor.recordError("database_connection", Map.of("database", "replica"));
    monitor.recordError("timeout", null);

    assertThat(longPoints("app.errors"))
        .containsOnly(
            Map.entry(Attributes.of(SystemMonitor.ERROR_TYPE, "database_connection"), 2L),
            Map.entry(Attributes.of(SystemMonitor.ERROR_TYPE, "timeout"), 1L));
    assertThat(monitor.getRecentErrors())
        .containsExactly(
            new ErrorRecord(
                START, "database_connection", Map.of("database", "main", "host", "localhost")),
            new ErrorRecord(
                START.plusSeconds(5), "database_connection", Map.of("database", "replica")),
            new ErrorRecord(START.plusSeconds(5), "timeout", Map.of()));
  }

  @Test
  void recordError_historyIsBoundedOldestFirst() {
    SystemMonitor monitor = monitor(b -> b.errorHistorySize(3));

    for (int i = 0; i < 5; i++) {
      monitor.recordError("e" + i, Map.of("i", i));
    }

    assertThat(monitor.getRecentErrors())
        .extracting(ErrorRecord::errorType)
        .containsExactly("e2", "e3", "e4");
    assertThat(monitor.getRecentErrors().get(0).details()).isEqualTo(Map.of("i", "2"));
  }

  @Test
  void recordError_anErrorTypeNamedOther_sharesTheOverflowSeries() {
    SystemMonitor monitor = monitor(b -> b.maxErrorTypes(1));

    monitor.recordError("a", null);
    monitor.recordError("b", null);
    monitor.recordError("other", null);

    assertThat(longPoints("app.errors"))
        .containsOnly(
            Map.entry(Attributes.of(SystemMonitor.ERROR_TYPE, "a"), 1L),
            Map.entry(Attributes.of(SystemMonitor.ERROR_TYPE, "other"), 2L));
  }

  @Test
  void recordError_cyclicOrUnprintableDetails_areKeptRenderedAndBounded() {
    SystemMonitor monitor = monitor();
    Map<String, Object> cyclic = new java.util.LinkedHashMap<>();
    cyclic.put("self", cyclic);
    List<Object> list = new ArrayList<>();
    list.add(list);
    Map<String, Object> details = new java.util.LinkedHashMap<>();
    details.put("cyclic", cyclic);
    details.put("list", list);
    details.put(
        "unprintable",
        new Object() {
          @Override
          public String toString() {
            throw new IllegalStateException("no");
          }
        });
    details.put("k".repeat(1000), "long key");

    monitor.recordError("cycle", details);

    assertThat(monitor.getRecentErrors())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.details())
                    .containsOnly(
                        Map.entry("cyclic", "{self=".repeat(8) + "{…}" + "}".repeat(8)),
                        Map.entry("list", "[".repeat(8) + "[…]" + "]".repeat(8)),
                        Map.entry("unprintable", "(toString threw IllegalStateException)"),
                        Map.entry("k".repeat(SystemMonitor.MAX_DETAIL_KEY_LENGTH), "long key")));
    assertThat(longPoints("monitoring.dropped")).containsEntry(reason("internal_error"), 0L);
  }

  @Test
  void recordError_badInput_neverThrows() {
    SystemMonitor monitor = monitor(b -> b.maxErrorTypes(2));
    Map<String, Object> withNulls = new HashMap<>();
    withNulls.put(null, "x");
    withNulls.put("value", null);
    withNulls.put("long", "y".repeat(5000));

    monitor.recordError(null, withNulls);
    monitor.recordError(" ", null);
    monitor.recordError("a", Map.of());
    monitor.recordError("b", Map.of());

    assertThat(longPoints("app.errors"))
        .containsOnly(
            Map.entry(Attributes.of(SystemMonitor.ERROR_TYPE, "unknown"), 2L),
            Map.entry(Attributes.of(SystemMonitor.ERROR_TYPE, "a"), 1L),
            Map.entry(Attributes.of(SystemMonitor.ERROR_TYPE, "other"), 1L));
    ErrorRecord first = monitor.getRecentErrors().get(0);
    assertThat(first.details()).containsOnlyKeys("value", "long");
    assertThat(first.details().get("value")).isEqualTo("null");
    assertThat(first.details().get("long")).hasSize(SystemMonitor.MAX_DETAIL_VALUE_LENGTH);
  }

  @Test
  void getRequestWindow_differencesCumulativeTotalsOnTheInjectedClock() {
    SystemMonitor monitor =
        monitor(
            b ->
                b.collectInterval(Duration.ofHours(1))
                    .requestWindowRetention(Duration.ofMinutes(5)));
    monitor.recordRequest("/a", "GET", 200, 30); // t=0, before any tick
    clock.advance(Duration.ofMinutes(1));
    monitor.sampleNow(); // t=1m
    monitor.recordRequest("/a", "GET", 503, 300);
    monitor.recordRequest("/b", "POST", 200, 3);
    clock.advance(Duration.ofMinutes(1));
    monitor.sampleNow(); // t=2m
    monitor.recordRequest("/a", "GET", 500, 3000);

    var lastMinute = monitor.getRequestWindow(Duration.ofMinutes(1));
    var twoMinutes = monitor.getRequestWindow(Duration.ofMinutes(2));
    var fiveMinutes = monitor.getRequestWindow(Duration.ofMinutes(5));

    // Since the t=1m tick: everything but the first request.
    assertThat(lastMinute.window()).isEqualTo(Duration.ofMinutes(1));
    assertThat(lastMinute.requests()).isEqualTo(3);
    assertThat(lastMinute.serverErrors()).isEqualTo(2);
    assertThat(twoMinutes.requests()).isEqualTo(4);
    assertThat(twoMinutes.serverErrors()).isEqualTo(2);
    // 3 ms, 30 ms, 300 ms and 3 s.
    assertThat(twoMinutes.bucketCounts())
        .containsExactly(1L, 0L, 0L, 1L, 0L, 0L, 0L, 1L, 0L, 0L, 0L, 1L, 0L, 0L, 0L);
    // Younger than the window: everything since start, and the span says so.
    assertThat(fiveMinutes.window()).isEqualTo(Duration.ofMinutes(2));
    assertThat(fiveMinutes.requests()).isEqualTo(4);
    assertThatThrownBy(() -> monitor.getRequestWindow(Duration.ofMinutes(6)))
        .hasMessage("window must be positive and at most requestWindowRetention (PT5M), was PT6M");
  }

  @Test
  void setHealthStatus_drivesGaugeAndKeepsReason_backgroundNeverOverwrites() {
    SystemMonitor monitor = monitor(b -> b.collectInterval(Duration.ofMillis(10)));
    assertThat(longPoints("app.health.status")).containsOnly(Map.entry(Attributes.empty(), 1L));

    monitor.setHealthStatus(false, "Database unreachable");
    int samplesBefore = probe.cpuCalls.get();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> probe.cpuCalls.get() >= samplesBefore + 3);

    assertThat(longPoints("app.health.status")).containsOnly(Map.entry(Attributes.empty(), 0L));
    assertThat(monitor.isHealthy()).isFalse();
    assertThat(monitor.getHealthReason()).isEqualTo("Database unreachable");
    assertThat(metric(collect(), "app.health.status").getData().getPoints())
        .allSatisfy(p -> assertThat(p.getAttributes().isEmpty()).isTrue());
  }

  @Test
  void hostFigures_areExportedUnderSemanticConventionNames() {
    monitor();

    Collection<MetricData> metrics = collect();
    assertThat(metric(metrics, "system.cpu.utilization").getDoubleGaugeData().getPoints())
        .singleElement()
        .extracting(DoublePointData::getValue)
        .isEqualTo(0.25);
    assertThat(longPoints("system.memory.usage"))
        .containsOnly(
            Map.entry(Attributes.of(HostInstruments.MEMORY_STATE, "used"), 2_000L),
            Map.entry(Attributes.of(HostInstruments.MEMORY_STATE, "free"), 6_000L));
    assertThat(doublePoints("system.memory.utilization"))
        .containsOnly(Map.entry(Attributes.empty(), 0.25));
    Attributes root =
        Attributes.builder()
            .put(HostInstruments.DEVICE, "/dev/sda1")
            .put(HostInstruments.MOUNTPOINT, "/")
            .put(HostInstruments.FS_TYPE, "ext4")
            .build();
    assertThat(longPoints("system.filesystem.usage"))
        .containsOnly(
            Map.entry(root.toBuilder().put(HostInstruments.FS_STATE, "used").build(), 600L),
            Map.entry(root.toBuilder().put(HostInstruments.FS_STATE, "free").build(), 400L));
    assertThat(doublePoints("system.filesystem.utilization")).containsOnly(Map.entry(root, 0.6));
    assertThat(longPoints("system.network.io"))
        .containsOnly(
            Map.entry(
                Attributes.of(
                    HostInstruments.INTERFACE, "eth0", HostInstruments.DIRECTION, "receive"),
                123L),
            Map.entry(
                Attributes.of(
                    HostInstruments.INTERFACE, "eth0", HostInstruments.DIRECTION, "transmit"),
                456L));
    assertThat(doublePoints("process.cpu.utilization"))
        .containsOnly(Map.entry(Attributes.empty(), 0.125));
    assertThat(longPoints("process.memory.usage"))
        .containsOnly(Map.entry(Attributes.empty(), 64_000L));
    assertThat(longPoints("process.thread.count")).containsOnly(Map.entry(Attributes.empty(), 12L));
    assertThat(longPoints("process.open_file_descriptor.count"))
        .containsOnly(Map.entry(Attributes.empty(), 7L));
    // No container limit binds: no container series.
    assertThat(metrics).extracting(MetricData::getName).noneMatch(n -> n.startsWith("container."));
  }

  @Test
  void containerLimits_exportedBesideTheHostFigures_andTheBuiltInChecksJudgeAgainstThem()
      throws Exception {
    probe.container =
        Optional.of(
            new SystemSnapshot.ContainerUsage(
                OptionalDouble.of(1.5),
                OptionalDouble.of(0.8),
                Optional.of(new SystemSnapshot.MemoryUsage(4_000, 1_000))));
    SystemMonitor monitor = monitor();

    assertThat(doublePoints("container.cpu.limit"))
        .containsOnly(Map.entry(Attributes.empty(), 1.5));
    assertThat(doublePoints("container.cpu.utilization"))
        .containsOnly(Map.entry(Attributes.empty(), 0.8));
    assertThat(longPoints("container.memory.limit"))
        .containsOnly(Map.entry(Attributes.empty(), 4_000L));
    assertThat(longPoints("container.memory.usage"))
        .containsOnly(Map.entry(Attributes.empty(), 3_000L));
    assertThat(doublePoints("container.memory.utilization"))
        .containsOnly(Map.entry(Attributes.empty(), 0.75));
    // The host's own figures keep their names and values.
    assertThat(doublePoints("system.cpu.utilization"))
        .containsOnly(Map.entry(Attributes.empty(), 0.25));
    assertThat(doublePoints("system.memory.utilization"))
        .containsOnly(Map.entry(Attributes.empty(), 0.25));

    assertThat(monitor.getLatestSnapshot().effectiveCpuUtilization()).hasValue(0.8);
    CheckResult cpu = HostChecks.cpu(monitor, 75, 90).check();
    assertThat(cpu.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(cpu.details()).containsEntry("value", 80.0);
    CheckResult memory = HostChecks.memory(monitor, 75, 90).check();
    assertThat(memory.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(memory.details()).containsEntry("value", 75.0);
  }

  @Test
  void containerQuotaWhoseUseCannotBeRead_cpuIsTheHosts_memoryWithoutLimitIsTheHosts() {
    probe.container =
        Optional.of(
            new SystemSnapshot.ContainerUsage(
                OptionalDouble.of(1.5), OptionalDouble.empty(), Optional.empty()));
    SystemMonitor monitor = monitor();

    assertThat(monitor.getLatestSnapshot().effectiveCpuUtilization()).hasValue(0.25);
    assertThat(monitor.getLatestSnapshot().effectiveMemory())
        .hasValue(new SystemSnapshot.MemoryUsage(8_000, 6_000));
    assertThat(collect())
        .extracting(MetricData::getName)
        .contains("container.cpu.limit")
        .doesNotContain(
            "container.cpu.utilization",
            "container.memory.limit",
            "container.memory.usage",
            "container.memory.utilization");
  }

  @Test
  void failingProbe_dropsOnlyThatFigure() {
    probe.failMemory = new IllegalStateException("no /proc/meminfo");
    SystemMonitor monitor = monitor();

    assertThat(monitor.getLatestSnapshot().memory()).isEmpty();
    assertThat(monitor.getLatestSnapshot().cpuUtilization()).hasValue(0.25);
    Collection<MetricData> metrics = collect();
    assertThat(metrics).extracting(MetricData::getName).doesNotContain("system.memory.usage");
    assertThat(metrics).extracting(MetricData::getName).contains("system.cpu.utilization");
  }

  /** The host series: none may be exported while the probe fails. */
  private static final List<String> HOST_SERIES =
      List.of(
          "system.cpu.utilization",
          "system.memory.usage",
          "system.memory.utilization",
          "system.filesystem.usage",
          "system.filesystem.utilization",
          "system.network.io",
          "process.cpu.utilization",
          "process.memory.usage",
          "process.thread.count",
          "process.open_file_descriptor.count");

  @Test
  void everyProbeCallThrowing_monitorStartsWithoutHostSeries_thenExportsThemOnceItRecovers() {
    probe.failEverything(new Error("Invalid memory access")); // what JNA throws on a native fault
    probe.failCpu = new OutOfMemoryError("Java heap space");
    probe.failMemory = new IllegalStateException("no /proc/meminfo");
    SystemMonitor monitor = monitor(b -> b.collectInterval(Duration.ofMillis(5)));

    SystemInfo info = monitor.getSystemInfo();
    assertThat(info.processor()).isEqualTo("unknown");
    assertThat(info.physicalCores()).isZero();
    assertThat(info.logicalCores()).isZero();
    assertThat(info.totalMemoryBytes()).isZero();
    assertThat(monitor.getLatestSnapshot().cpuUtilization()).isEmpty();
    assertThat(collect()).extracting(MetricData::getName).doesNotContainAnyElementsOf(HOST_SERIES);
    int calls = probe.cpuCalls.get();
    // The sampler thread goes on through the failures ...
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> probe.cpuCalls.get() >= calls + 3);
    assertThat(collect()).extracting(MetricData::getName).doesNotContainAnyElementsOf(HOST_SERIES);

    // ... and a later good sample is exported.
    probe.failEverything(null);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> monitor.getLatestSnapshot().memory().isPresent());
    assertThat(collect()).extracting(MetricData::getName).containsAll(HOST_SERIES);
    assertThat(doublePoints("system.memory.utilization"))
        .containsOnly(Map.entry(Attributes.empty(), 0.25));
  }

  @Test
  void resource_namesServiceInstanceAndHost() throws Exception {
    monitor(b -> b.serviceInstanceId("instance-7"));

    Attributes resource = collect().iterator().next().getResource().getAttributes();
    assertThat(resource.get(io.opentelemetry.api.common.AttributeKey.stringKey("service.name")))
        .isEqualTo("amptalk");
    assertThat(
            resource.get(io.opentelemetry.api.common.AttributeKey.stringKey("service.instance.id")))
        .isEqualTo("instance-7");
    assertThat(resource.get(io.opentelemetry.api.common.AttributeKey.stringKey("host.name")))
        .isEqualTo(InetAddress.getLocalHost().getHostName());
  }

  @Test
  void getSystemInfo_describesHostAndUptimeByClock() {
    SystemMonitor monitor = monitor();
    clock.advance(Duration.ofMinutes(90));

    SystemInfo info = monitor.getSystemInfo();

    assertThat(info.processor()).isEqualTo("Test CPU 3000");
    assertThat(info.physicalCores()).isEqualTo(4);
    assertThat(info.logicalCores()).isEqualTo(8);
    assertThat(info.totalMemoryBytes()).isEqualTo(8_000);
    assertThat(info.os()).isEqualTo(System.getProperty("os.name"));
    assertThat(info.architecture()).isEqualTo(System.getProperty("os.arch"));
    assertThat(info.platform())
        .isEqualTo(
            System.getProperty("os.name")
                + "-"
                + System.getProperty("os.version")
                + "-"
                + System.getProperty("os.arch"));
    assertThat(info.javaVersion()).isEqualTo(Runtime.version().toString());
    assertThat(info.startTime()).isEqualTo(START);
    assertThat(info.uptime()).isEqualTo(Duration.ofMinutes(90));
  }

  /** Periods that would overflow an instant are refused: each is at most a day. */
  @Test
  void builder_rejectsPeriodsPastADay() {
    Duration huge = Duration.ofHours(9_999_999_999_999L);
    assertThatThrownBy(() -> SystemMonitor.builder().collectInterval(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("collectInterval must be at most P1D, was PT9999999999999H");
    assertThatThrownBy(() -> SystemMonitor.builder().metricsExportInterval(huge))
        .hasMessage("metricsExportInterval must be at most P1D, was PT9999999999999H");
    assertThatThrownBy(() -> SystemMonitor.builder().requestWindowRetention(huge))
        .hasMessage("requestWindowRetention must be at most P1D, was PT9999999999999H");

    SystemMonitor.builder()
        .collectInterval(Duration.ofDays(1))
        .metricsExportInterval(Duration.ofDays(1))
        .requestWindowRetention(Duration.ofDays(1));
  }

  @Test
  void builder_rejectsBadOptionsNamingOptionAndValue() {
    assertThatThrownBy(() -> SystemMonitor.builder().prometheusPort(70000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prometheusPort must be 0..65535, was 70000");
    assertThatThrownBy(() -> SystemMonitor.builder().prometheusPort(-1))
        .hasMessage("prometheusPort must be 0..65535, was -1");
    assertThatThrownBy(() -> SystemMonitor.builder().serviceName(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("serviceName must not be blank, was ' '");
    assertThatThrownBy(() -> SystemMonitor.builder().serviceName(null))
        .hasMessage("serviceName must not be blank, was null");
    assertThatThrownBy(() -> SystemMonitor.builder().collectInterval(Duration.ZERO))
        .hasMessage("collectInterval must be a positive duration, was PT0S");
    assertThatThrownBy(() -> SystemMonitor.builder().metricsExportInterval(Duration.ofSeconds(-1)))
        .hasMessage("metricsExportInterval must be a positive duration, was PT-1S");
    assertThatThrownBy(() -> SystemMonitor.builder().maxRoutes(0))
        .hasMessage("maxRoutes must be positive, was 0");
    assertThatThrownBy(() -> SystemMonitor.builder().otlpEndpoint("collector:4318"))
        .hasMessage("otlpEndpoint must be an http(s) URL, was 'collector:4318'");
    assertThatThrownBy(() -> SystemMonitor.builder().otlpEndpoint("http://bad host"))
        .hasMessage("otlpEndpoint must be an http(s) URL, was 'http://bad host'");
  }

  @Test
  void builder_nativeHistogramOptions_checkedWhenSet_classicOffWithoutNativeAtBuild() {
    assertThatThrownBy(() -> SystemMonitor.builder().nativeHistogramSchema(9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nativeHistogramSchema must be -4..8, was 9");
    assertThatThrownBy(() -> SystemMonitor.builder().nativeHistogramSchema(-5))
        .hasMessage("nativeHistogramSchema must be -4..8, was -5");
    assertThatThrownBy(() -> SystemMonitor.builder().nativeHistogramMaxBuckets(0))
        .hasMessage("nativeHistogramMaxBuckets must be 1..10000, was 0");
    assertThatThrownBy(() -> SystemMonitor.builder().nativeHistogramMaxBuckets(10_001))
        .hasMessage("nativeHistogramMaxBuckets must be 1..10000, was 10001");
    assertThatThrownBy(
            () ->
                SystemMonitor.builder()
                    .enablePrometheus(false)
                    .classicHistogramBuckets(false)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "classicHistogramBuckets(false) needs nativeHistograms(true): a histogram without"
                + " either has no buckets");
    SystemMonitor.builder()
        .nativeHistograms(true)
        .nativeHistogramSchema(-4)
        .nativeHistogramSchema(8)
        .nativeHistogramMaxBuckets(1)
        .nativeHistogramMaxBuckets(10_000)
        .classicHistogramBuckets(false);
  }

  @Test
  void builder_badOtlpEndpoint_showsNeitherUserInfoNorQuery() {
    assertThatThrownBy(
            () ->
                SystemMonitor.builder().otlpEndpoint("htp://otel:pa55word@collector:4318?key=k3y"))
        .hasMessage("otlpEndpoint must be an http(s) URL, was 'htp://…@collector:4318?…'");
    assertThatThrownBy(
            () -> SystemMonitor.builder().otlpEndpoint("http://otel:pa55word@bad host:4318/v1"))
        .hasMessage("otlpEndpoint must be an http(s) URL, was 'http://…@bad host:4318/v1'")
        .hasNoCause();
  }

  @Test
  void build_portInUse_failsNamingPortAndOption() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();

      assertThatThrownBy(
              () ->
                  SystemMonitor.builder()
                      .prometheusHost("0.0.0.0")
                      .prometheusPort(port)
                      .hostProbe(probe)
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "prometheusPort "
                  + port
                  + " is already in use on 0.0.0.0: stop what holds it, or choose another with"
                  + " prometheusPort(...) (0 picks a free port)");
    }
    awaitNoThread(HostSampler.THREAD_NAME);
  }

  @Test
  void build_portInUse_throwsNamingThePort_leavesNothingRunningAndThePortFree() throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    int port;
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      port = taken.getLocalPort();

      assertThatThrownBy(
              () ->
                  SystemMonitor.builder()
                      .prometheusHost("127.0.0.1")
                      .prometheusPort(port)
                      .enableJvmMetrics(true)
                      .hostProbe(probe)
                      .build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(
              "prometheusPort " + port + " is already in use on 127.0.0.1: stop what holds it");

      // Nothing was started: no thread that was not there before, daemon or not.
      assertThat(Thread.getAllStackTraces().keySet())
          .filteredOn(thread -> !before.contains(thread))
          .filteredOn(thread -> !thread.isDaemon() || thread.getName().startsWith("amptalk-"))
          .extracting(Thread::getName)
          .isEmpty();
      assertThat(probe.cpuCalls).hasValue(0);
    }
    // Nothing holds the port either: once its owner lets go, a monitor takes it.
    SystemMonitor monitor =
        monitor(b -> b.enablePrometheus(true).prometheusHost("127.0.0.1").prometheusPort(port));
    assertThat(monitor.getPrometheusPort()).isEqualTo(port);
  }

  @Test
  void close_isIdempotentAndStopsThreads() {
    SystemMonitor monitor = monitor(b -> b.enablePrometheus(true).prometheusPort(0));
    assertThat(threadNames()).contains(HostSampler.THREAD_NAME);

    monitor.close();
    monitor.close();

    awaitNoThread(HostSampler.THREAD_NAME);
    monitor.recordRequest("/after-close", "GET", 200, 1);
  }

  /** Pool workers finish dying just after their pool reports termination, hence the wait. */
  private static void awaitNoThread(String name) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !threadNames().contains(name));
  }

  private static List<String> threadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).toList();
  }
}
