package io.amptalk.monitoring.internal.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.internal.history.StatusHistory.Points;
import io.amptalk.monitoring.internal.history.StatusHistory.RouteFigures;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StatusHistoryTest {
  private static final Instant T0 = Instant.parse("2026-12-03T15:00:00Z");
  private static final Duration STEP = Duration.ofSeconds(10);

  private final MutableClock clock = new MutableClock(T0);
  private final RequestMetrics requests = new RequestMetrics(1000, () -> 0L, () -> {});
  private final AtomicReference<SystemSnapshot> host = new AtomicReference<>(snapshot(0.25));

  private StatusHistory history(Duration retention) {
    return new StatusHistory(requests::forEachSeries, host::get, clock, STEP, retention);
  }

  private static SystemSnapshot snapshot(double cpu) {
    return new SystemSnapshot(
        T0,
        OptionalDouble.of(cpu),
        Optional.of(new MemoryUsage(1000, 400)),
        List.of(
            new FileSystemUsage("/dev/a", "/", "ext4", 1000, 900),
            new FileSystemUsage("/dev/b", "/data", "ext4", 1000, 300)),
        List.of(),
        OptionalDouble.empty(),
        OptionalLong.empty(),
        OptionalLong.empty(),
        OptionalLong.empty());
  }

  private void record(String route, int status, double ms, int times) {
    for (int i = 0; i < times; i++) {
      requests.record(route, "GET", status, ms);
    }
  }

  private static List<Double> values(Double... values) {
    return Arrays.asList(values);
  }

  @Test
  void points_atStart_oneStepWithHostFiguresAndNoRequestFigures() {
    Points points = history(Duration.ofMinutes(15)).points();

    assertThat(points.times()).containsExactly(T0);
    assertThat(points.requests().rate()).isEqualTo(values((Double) null));
    assertThat(points.requests().p99Ms()).isEqualTo(values((Double) null));
    assertThat(points.routes()).isEmpty();
    assertThat(points.cpu()).containsExactly(0.25);
    assertThat(points.memory()).containsExactly(0.6);
    assertThat(points.disk()).containsExactly(0.7); // the fullest: /data
  }

  @Test
  void tick_knownTraffic_exactRatesRatiosAndQuantiles() {
    StatusHistory history = history(Duration.ofMinutes(15));
    record("/api/a", 200, 20, 8); // (10 ms, 25 ms]
    record("/api/a", 500, 200, 2); // (100 ms, 250 ms]
    record("/api/b", 200, 3, 5); // (0, 5 ms]
    clock.advance(STEP);
    host.set(snapshot(0.5));
    history.tick();

    Points points = history.points();
    assertThat(points.times()).containsExactly(T0, T0.plus(STEP));
    assertThat(points.requests().rate()).isEqualTo(values(null, 1.5));
    assertThat(points.requests().errorRatio()).isEqualTo(values(null, 2.0 / 15));
    // Ranks 7.5, 14.25 and 14.85 of 15, interpolated inside their buckets, to the microsecond:
    // 10 + 15 * 2.5 / 8, 100 + 150 * 1.25 / 2, 100 + 150 * 1.85 / 2.
    assertThat(points.requests().p50Ms()).isEqualTo(values(null, 14.688));
    assertThat(points.requests().p95Ms()).isEqualTo(values(null, 193.75));
    assertThat(points.requests().p99Ms()).isEqualTo(values(null, 238.75));
    assertThat(points.cpu()).containsExactly(0.25, 0.5);

    assertThat(points.routes()).extracting(RouteFigures::route).containsExactly("/api/a", "/api/b");
    RouteFigures a = points.routes().get(0);
    assertThat(a.requests()).isEqualTo(10);
    assertThat(a.rate()).isEqualTo(1.0);
    assertThat(a.errorRatio()).isEqualTo(0.2);
    assertThat(a.p50Ms()).isEqualTo(19.375); // 10 + 15 * 5 / 8
    assertThat(a.p95Ms()).isEqualTo(212.5); // 100 + 150 * 1.5 / 2
    assertThat(a.p99Ms()).isEqualTo(242.5); // 100 + 150 * 1.9 / 2
    assertThat(a.series().p99Ms()).isEqualTo(values(null, 242.5));
    assertThat(a.series().rate()).isEqualTo(values(null, 1.0));
    assertThat(a.series().errorRatio()).isEqualTo(values(null, 0.2));
    RouteFigures b = points.routes().get(1);
    assertThat(b.requests()).isEqualTo(5);
    assertThat(b.rate()).isEqualTo(0.5);
    assertThat(b.errorRatio()).isEqualTo(0.0);
    assertThat(b.p50Ms()).isEqualTo(2.5);
    assertThat(b.p99Ms()).isEqualTo(4.95);
  }

  @Test
  void tick_stepWithoutRequests_rateZeroRatioAndQuantilesNull() {
    StatusHistory history = history(Duration.ofMinutes(15));
    record("/api/a", 200, 20, 10);
    clock.advance(STEP);
    history.tick();
    clock.advance(STEP);
    history.tick();

    Points points = history.points();
    assertThat(points.requests().rate()).isEqualTo(values(null, 1.0, 0.0));
    assertThat(points.requests().errorRatio()).isEqualTo(values(null, 0.0, null));
    assertThat(points.requests().p50Ms()).isEqualTo(values(null, 17.5, null));
    RouteFigures a = points.routes().get(0);
    assertThat(a.rate()).isEqualTo(0.5); // 10 requests over the 20 s the counts cover
    assertThat(a.series().rate()).isEqualTo(values(null, 1.0, 0.0));
    assertThat(a.series().p99Ms().get(2)).isNull();
  }

  @Test
  void tick_missedStep_staysUnknownAndTheNextCoversTheGap() {
    StatusHistory history = history(Duration.ofMinutes(15));
    clock.advance(STEP);
    history.tick();
    record("/api/a", 200, 20, 40);
    host.set(SystemSnapshot.empty(T0));
    clock.advance(STEP.multipliedBy(2)); // the tick at 15:00:20 never ran
    history.tick();

    Points points = history.points();
    assertThat(points.times()).hasSize(4);
    assertThat(points.requests().rate()).isEqualTo(values(null, 0.0, null, 2.0));
    assertThat(points.cpu()).isEqualTo(values(0.25, 0.25, null, null));
    assertThat(points.disk()).isEqualTo(values(0.7, 0.7, null, null));
  }

  @Test
  void tick_twiceOnOneStep_addsToIt() {
    StatusHistory history = history(Duration.ofMinutes(15));
    clock.advance(Duration.ofMillis(9_000));
    record("/api/a", 200, 20, 9);
    history.tick();
    clock.advance(Duration.ofMillis(1_004)); // late by 4 ms: still the step of 15:00:10
    record("/api/a", 200, 20, 1);
    history.tick();

    Points points = history.points();
    assertThat(points.times()).containsExactly(T0, T0.plus(STEP));
    assertThat(points.requests().rate().get(1)).isEqualTo(10 / 10.004);
  }

  @Test
  void tick_pastRetention_forgetsOldStepsAndIdleRoutes() {
    StatusHistory history = history(Duration.ofSeconds(30)); // four steps
    record("/api/gone", 200, 20, 3);
    clock.advance(STEP);
    history.tick();
    long withGone = history.footprintBytes();
    for (int i = 0; i < 4; i++) {
      record("/api/stays", 200, 20, 1);
      clock.advance(STEP);
      history.tick();
    }

    Points points = history.points();
    assertThat(points.times())
        .containsExactly(
            T0.plusSeconds(20), T0.plusSeconds(30), T0.plusSeconds(40), T0.plusSeconds(50));
    assertThat(points.routes()).extracting(RouteFigures::route).containsExactly("/api/stays");
    assertThat(points.routes().get(0).requests()).isEqualTo(4);
    assertThat(points.routes().get(0).rate()).isEqualTo(0.1);
    assertThat(points.requests().rate()).containsExactly(0.1, 0.1, 0.1, 0.1);
    // /api/gone keeps its cumulative counts (288 bytes) but not its steps; /api/stays has steps.
    assertThat(history.footprintBytes()).isEqualTo(withGone + 288);
  }

  @Test
  void points_twelveBusyRoutes_topTenMostFirstThenByName() {
    StatusHistory history = history(Duration.ofMinutes(15));
    for (int i = 1; i <= 12; i++) {
      record(String.format("/r%02d", i), 200, 20, i == 12 ? 1 : i);
    }
    clock.advance(STEP);
    history.tick();

    assertThat(history.points().routes())
        .extracting(RouteFigures::route)
        .containsExactly(
            "/r11", "/r10", "/r09", "/r08", "/r07", "/r06", "/r05", "/r04", "/r03", "/r02");
  }

  @Test
  void tick_250Routes_keeps200WithStepsAndTheRestUnderOther() {
    StatusHistory history = history(Duration.ofMinutes(15));
    for (int i = 0; i < 250; i++) {
      record("/r" + i, 200, 20, 1);
    }
    clock.advance(STEP);
    history.tick();

    Points points = history.points();
    assertThat(points.routes().get(0).route()).isEqualTo("other");
    assertThat(points.routes().get(0).requests()).isEqualTo(50);
    assertThat(points.routes()).hasSize(10);
    assertThat(points.requests().rate()).isEqualTo(values(null, 25.0));
    // 91 steps: 168 bytes each and 96 of headers; 250 routes' cumulative counts, 288 bytes each;
    // 201 routes with steps (200 and other), 91 * 64 + 16 bytes each.
    assertThat(history.footprintBytes())
        .isEqualTo(96 + 168 * 91 + 251 * 288 + 201 * (91 * 64 + 16));
  }

  @Test
  void tick_routesPastTheLimitOverSeveralSteps_countUnderOtherOnce() {
    StatusHistory history = history(Duration.ofMinutes(15));
    for (int step = 0; step < 3; step++) {
      for (int i = 0; i < 205; i++) {
        record("/r" + i, 200, 20, 1);
      }
      record("other", 200, 20, 2); // the cells' own overflow route
      clock.advance(STEP);
      history.tick();
    }

    RouteFigures other = history.points().routes().get(0);
    assertThat(other.route()).isEqualTo("other");
    assertThat(other.requests()).isEqualTo(3 * (5 + 2));
    assertThat(other.series().rate()).isEqualTo(values(null, 0.7, 0.7, 0.7));
  }

  @Test
  void footprintBytes_15MinutesWith200BusyRoutes_isTheDocumentedBound() {
    assertThat(filled(Duration.ofMinutes(15), 91).footprintBytes())
        .isEqualTo(1_247_112); // 15,384 + 201 * 5,840 + 201 * 288
  }

  @Test
  void footprintBytes_1HourWith200BusyRoutes_isTheDocumentedBound() {
    assertThat(filled(Duration.ofHours(1), 361).footprintBytes())
        .isEqualTo(4_765_752); // 168 * 361 + 96 + 201 * (64 * 361 + 16) + 201 * 288
  }

  /** A history over {@code steps} steps, each with a request on 200 routes and on {@code other}. */
  private StatusHistory filled(Duration retention, int steps) {
    StatusHistory history = history(retention);
    for (int step = 0; step < steps; step++) {
      for (int i = 0; i < 200; i++) {
        record("/r" + i, 200, 20, 1);
      }
      record("other", 200, 20, 1);
      clock.advance(STEP);
      history.tick();
    }
    assertThat(history.points().times()).hasSize(steps);
    return history;
  }

  @Test
  void start_ticksOnItsOwnThreadOnEachStep_untilClosed() {
    StatusHistory history =
        new StatusHistory(
            requests::forEachSeries,
            host::get,
            java.time.Clock.systemUTC(),
            Duration.ofMillis(100),
            Duration.ofSeconds(10));
    long before = historyThreads(); // counted: a monitoring another test left open has one too
    history.start();
    try {
      record("/api/a", 200, 20, 3);
      await().atMost(Duration.ofSeconds(10)).until(() -> history.points().routes().size() == 1);
      assertThat(historyThreads()).isEqualTo(before + 1);
      assertThat(history.points().routes().get(0).requests()).isEqualTo(3);
    } finally {
      history.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> historyThreads() == before);
    history.close(); // idempotent
  }

  private static long historyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals(StatusHistory.THREAD_NAME))
        .count();
  }

  /**
   * The heap the history really retains at 15 minutes with 200 busy routes, measured as heap in use
   * after a full collection before it was made and after it was filled (the cells existed before):
   * printed for BENCHMARKS.md, and checked only to be at least the arrays counted and at most twice
   * them (map entries, route objects and names are on top of the arrays).
   */
  @Test
  void heapRetained_15MinutesWith200BusyRoutes_isAboutTheCountedBytes() {
    for (int i = 0; i < 200; i++) {
      record("/r" + i, 200, 20, 1);
    }
    record("other", 200, 20, 1);
    // Once before measuring, thrown away: what the first run loads (classes, their constants) is
    // not the history's.
    filled(Duration.ofMinutes(15), 91).points();
    long before = heapAfterCollection();
    StatusHistory history = filled(Duration.ofMinutes(15), 91);
    long retained = heapAfterCollection() - before;
    long counted = history.footprintBytes();
    System.out.printf(
        "status history, 15 min, 200 busy routes: %,d bytes retained on the heap, %,d counted%n",
        retained, counted);

    assertThat(retained).isBetween(counted, 2 * counted);
    java.lang.ref.Reference.reachabilityFence(history);
  }

  private static long heapAfterCollection() {
    java.lang.management.MemoryMXBean memory =
        java.lang.management.ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    // A few collections, keeping the lowest: one may leave garbage a concurrent phase still holds.
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
