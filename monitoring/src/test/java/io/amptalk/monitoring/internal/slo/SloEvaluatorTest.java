package io.amptalk.monitoring.internal.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.slo.BurnRateAlert;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import io.amptalk.monitoring.slo.SloStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The objectives evaluated in the service on a time line the test moves minute by minute: counts
 * folded from the request cells, the Workbook's alerts raised and resolved with their labels, the
 * budget and burn rates, the counts saved and reloaded, and wall-clock steps that change nothing.
 */
class SloEvaluatorTest {
  private static final long MINUTE = 60_000_000_000L;
  private static final Instant START = Instant.parse("2026-12-02T00:00:00Z");

  private final AtomicLong nanos = new AtomicLong(1_000);
  private final RequestMetrics requests = new RequestMetrics(200, () -> 0L, () -> {});
  private final AlertSystem alerts =
      AlertSystem.builder()
          .serviceName("shop")
          .serviceInstanceId("i-1")
          .clock(Clock.fixed(START, ZoneOffset.UTC))
          .noRateLimit()
          .build();

  private final ServiceLevelObjective checkout =
      ServiceLevelObjective.builder("checkout").routes(List.of("/orders")).objective(99.9).build();

  @AfterEach
  void close() {
    alerts.close();
  }

  private SloEvaluator evaluator(Map<String, byte[]> saved, Clock wall) {
    return new SloEvaluator(
        List.of(checkout),
        requests::forEachSeries,
        alerts,
        key -> Optional.ofNullable(saved.get(key)),
        wall,
        nanos::get);
  }

  /** One minute of traffic on /orders, {@code bad} of {@code total} answered 503, then on. */
  private void minute(SloEvaluator evaluator, int total, int bad) {
    for (int i = 0; i < total; i++) {
      requests.record("/orders", "POST", i < bad ? 503 : 201, 20);
    }
    evaluator.evaluate();
    nanos.addAndGet(MINUTE);
  }

  private static List<String> firing(SloEvaluator evaluator) {
    return evaluator.status().get(0).firing().stream()
        .map(a -> BurnRateAlert.shortForm(a.longWindow()))
        .toList();
  }

  @Test
  void steadyHalfBudget_quiet_thenTwoPercent_firesFastestLast_andRecoveryResolvesThem() {
    SloEvaluator evaluator = evaluator(Map.of(), Clock.fixed(START, ZoneOffset.UTC));
    requests.record("/search", "GET", 500, 20); // not covered: never counted
    for (int m = 0; m < 120; m++) {
      minute(evaluator, 10_000, 5);
    }
    assertThat(firing(evaluator)).isEmpty();
    SloStatus steady = evaluator.status().get(0);
    assertThat(steady.totalRequests()).isEqualTo(1_200_000);
    assertThat(steady.goodRequests()).isEqualTo(1_199_400);
    assertThat(steady.errorBudgetRemaining()).isCloseTo(0.5, within(1e-9));
    assertThat(steady.burnRates()).containsOnlyKeys("5m", "30m", "1h", "2h", "6h", "1d", "3d");
    assertThat(steady.burnRates().get("1h")).isCloseTo(0.5, within(1e-9));

    for (int m = 0; m < 40; m++) {
      minute(evaluator, 10_000, 200);
    }
    // After 40 minutes at 2 % (20 times the budget) on 2 hours of 0.05 %, the tickets fire: 0.54 %
    // over the 160 minutes (above 3 and 1 times 0.1 %), 0.7 % over the last 2 hours. The pages do
    // not: the hour holds 20 quiet minutes (1.35 %, under 14.4 times the budget), and 6 hours all
    // 160 minutes (0.54 %, under 6 times it).
    assertThat(firing(evaluator)).containsExactly("1d", "3d");
    List<Alert> raised =
        alerts.getHistory(new AlertQuery(100, null, SloEvaluator.SOURCE, null, null));
    assertThat(raised).hasSize(2);
    Alert oneDay =
        raised.stream().filter(a -> "1d".equals(a.labels().get("window"))).findFirst().get();
    assertThat(oneDay.title()).isEqualTo("SLO checkout: error budget burning over 1d");
    // The ratios as they were when it fired, 18 minutes in: 600 + 18 * 200 bad of 1.38 million
    // over the day (all there is), 102 * 5 + 18 * 200 of 1.2 million over the last 2 hours.
    assertThat(oneDay.message())
        .isEqualTo(
            "Over the last 1d and the last 2h, 0.304 % and 0.343 % of requests failed the objective,"
                + " more than 3 times the error budget of 0.1 % (99.9 % over 30d).");
    assertThat(oneDay.severity()).isEqualTo(AlertSeverity.WARNING);
    assertThat(oneDay.labels())
        .containsEntry("slo", "checkout")
        .containsEntry("window", "1d")
        .containsEntry("severity", "warning")
        .containsEntry("source", "slo")
        .containsEntry("service", "shop");

    // Recovery: the short windows fall under their factors and resolve the alerts, the 2 hours
    // once they hold at most 15 incident minutes (105 minutes on), the 6 hours under 0.1 % once
    // the incident minutes in them weigh less than the quiet ones (351 minutes on).
    for (int m = 0; m < 104; m++) {
      minute(evaluator, 10_000, 5);
    }
    assertThat(firing(evaluator)).containsExactly("1d", "3d");
    minute(evaluator, 10_000, 5);
    assertThat(firing(evaluator)).containsExactly("3d");
    for (int m = 0; m < 245; m++) {
      minute(evaluator, 10_000, 5);
    }
    assertThat(firing(evaluator)).containsExactly("3d");
    minute(evaluator, 10_000, 5);
    assertThat(firing(evaluator)).isEmpty();
    Map<String, Alert.State> states =
        alerts.getHistory(new AlertQuery(100, null, SloEvaluator.SOURCE, null, null)).stream()
            .collect(Collectors.toMap(a -> a.labels().get("window"), Alert::state));
    assertThat(states)
        .containsOnly(Map.entry("1d", Alert.State.RESOLVED), Map.entry("3d", Alert.State.RESOLVED));
  }

  @Test
  void savedCounts_reloadedAfterARestart_keepTheBudget() {
    SloEvaluator before = evaluator(Map.of(), Clock.fixed(START, ZoneOffset.UTC));
    for (int m = 0; m < 10; m++) {
      minute(before, 1_000, 2);
    }
    Map<String, byte[]> saved = new HashMap<>(before.state());
    assertThat(saved).containsOnlyKeys("slo/checkout");

    // Down for 5 minutes by the wall clock; a new process, new cells, a new monotonic origin.
    RequestMetrics fresh = new RequestMetrics(200, () -> 0L, () -> {});
    nanos.set(77);
    SloEvaluator after =
        new SloEvaluator(
            List.of(checkout),
            fresh::forEachSeries,
            alerts,
            key -> Optional.ofNullable(saved.get(key)),
            Clock.fixed(START.plus(Duration.ofMinutes(15)), ZoneOffset.UTC),
            nanos::get);
    fresh.record("/orders", "POST", 201, 20);
    after.evaluate();

    SloStatus status = after.status().get(0);
    assertThat(status.totalRequests()).isEqualTo(10_001);
    assertThat(status.goodRequests()).isEqualTo(9_981);
    assertThat(status.errorBudgetRemaining()).isCloseTo(1 - (20.0 / 10_001) / 0.001, within(1e-9));
  }

  @Test
  void wallClockSteppedByHours_losesNoCounts_andRaisesNothing() {
    // The wall clock only anchors the time line; stepping it after the start changes nothing, as
    // the time line is monotonic: what a step would do to a wall-clock-keyed count is the test.
    MutableClock wall = new MutableClock(START);
    SloEvaluator evaluator = evaluator(Map.of(), wall);
    for (int m = 0; m < 30; m++) {
      minute(evaluator, 1_000, 0);
      wall.set(START.plus(Duration.ofHours(m % 2 == 0 ? 5 : -5)));
    }
    assertThat(firing(evaluator)).isEmpty();
    assertThat(evaluator.status().get(0).totalRequests()).isEqualTo(30_000);
    assertThat(evaluator.status().get(0).errorBudgetRemaining()).isEqualTo(1.0);
    assertThat(alerts.getHistory(new AlertQuery(100, null, null, null, null))).isEmpty();
  }

  @Test
  void timeLineThatGoesBack_addsToTheNewestMinute() {
    SloEvaluator evaluator = evaluator(Map.of(), Clock.fixed(START, ZoneOffset.UTC));
    for (int m = 0; m < 5; m++) {
      minute(evaluator, 100, 0);
    }
    nanos.addAndGet(-3 * 60 * MINUTE); // a monotonic source that is not: three hours back
    minute(evaluator, 100, 0);
    minute(evaluator, 100, 0);
    SloStatus status = evaluator.status().get(0);
    assertThat(status.totalRequests()).isEqualTo(700);
    assertThat(status.burnRates().get("5m")).isZero();
    assertThat(firing(evaluator)).isEmpty();
  }

  @Test
  void noRequests_fullBudget_noBurn() {
    SloEvaluator evaluator = evaluator(Map.of(), Clock.fixed(START, ZoneOffset.UTC));
    evaluator.evaluate();
    SloStatus status = evaluator.status().get(0);
    assertThat(status.totalRequests()).isZero();
    assertThat(status.errorBudgetRemaining()).isEqualTo(1.0);
    assertThat(status.burnRates().values()).containsOnly(0.0);
  }

  @Test
  void footprint_ofAThirtyDayObjectiveWithTheWorkbookAlerts() {
    SloEvaluator evaluator = evaluator(Map.of(), Clock.fixed(START, ZoneOffset.UTC));
    // 4,320 minutes and 721 hours, two longs each.
    assertThat(evaluator.footprintBytes()).isEqualTo(16L * 4 + 16L * (4_320 + 721) + 32);
  }

  private static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
