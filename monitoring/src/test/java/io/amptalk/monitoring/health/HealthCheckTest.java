package io.amptalk.monitoring.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amptalk.monitoring.testing.MutableClock;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthCheckTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(START);
  private final List<HealthCheck> registries = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    registries.forEach(HealthCheck::close);
  }

  private HealthCheck registry() {
    return registry(b -> {});
  }

  private HealthCheck registry(Consumer<HealthCheck.Builder> config) {
    HealthCheck.Builder builder = HealthCheck.builder().autoCheck(false).clock(clock);
    config.accept(builder);
    HealthCheck registry = builder.build();
    registries.add(registry);
    return registry;
  }

  /** A check that answers the given statuses in turn, then the last one forever. */
  private static Check script(HealthStatus... statuses) {
    Iterator<HealthStatus> it = List.of(statuses).iterator();
    HealthStatus[] last = {statuses[0]};
    return () -> {
      if (it.hasNext()) {
        last[0] = it.next();
      }
      return CheckResult.of(last[0], last[0].jsonName() + " now", Map.of());
    };
  }

  private Check hanging(AtomicInteger calls) {
    return () -> {
      calls.incrementAndGet();
      // Ignores interruption, as a badly written check would: only the test's latch frees it.
      while (true) {
        try {
          release.await();
          return CheckResult.healthy("released");
        } catch (InterruptedException e) {
          // keep hanging
        }
      }
    };
  }

  private static HealthStatus reported(HealthCheck registry, String name) {
    return registry.getStatusReport().checks().get(name).status();
  }

  @Test
  void registerCheck_rejectsDuplicateInvalidAndReservedNames() {
    HealthCheck registry = registry();
    registry.registerCheck("db", () -> CheckResult.healthy("ok"), "Database");

    assertThatThrownBy(() -> registry.registerCheck("db", () -> null, "again"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("health check 'db' is already registered");
    assertThatThrownBy(() -> registry.registerCheck("has space", () -> null, ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "health check name must be 1-64 of A-Z, a-z, 0-9, '.', '-' and '_', was 'has space'");
    assertThatThrownBy(() -> registry.registerCheck(null, () -> null, ""))
        .hasMessage("health check name must be 1-64 of A-Z, a-z, 0-9, '.', '-' and '_', was null");
    assertThatThrownBy(() -> registry.registerCheck("ready", () -> null, ""))
        .hasMessage("health check name 'ready' is reserved for the /health/ready path");
  }

  @Test
  void unregisterCheck_returnsWhetherItExisted() {
    HealthCheck registry = registry();
    registry.registerCheck("db", () -> CheckResult.healthy("ok"), "Database");

    assertThat(registry.unregisterCheck("db")).isTrue();
    assertThat(registry.unregisterCheck("db")).isFalse();
    assertThat(registry.getStatusReport().checks()).isEmpty();
    assertThat(registry.getCheckNames()).isEmpty();
  }

  @Test
  void runCheck_unknownName_throwsNamingIt() {
    HealthCheck registry = registry();

    assertThatThrownBy(() -> registry.runCheck("nope"))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("no health check named 'nope'");
  }

  @Test
  void runCheck_nullName_isNoSuchElementLikeAnyUnknownName() {
    HealthCheck registry = registry();

    // It was a bare NullPointerException from the ConcurrentHashMap.
    assertThatThrownBy(() -> registry.runCheck(null))
        .isExactlyInstanceOf(NoSuchElementException.class)
        .hasMessage("no health check named 'null'");
    assertThatThrownBy(() -> registry.getCheckHistory(null, 1))
        .isExactlyInstanceOf(NoSuchElementException.class);
    assertThat(registry.unregisterCheck(null)).isFalse();
    assertThat(registry.clearHistory(null)).isFalse();
  }

  @Test
  void runCheck_cyclicOrDeepDetails_areBounded_andTheReportStillWritesAsJson() {
    HealthCheck registry = registry();
    Map<String, Object> cyclic = new java.util.LinkedHashMap<>();
    cyclic.put("self", cyclic);
    Object deep = "bottom";
    for (int i = 0; i < 1500; i++) {
      deep = List.of(deep);
    }
    Object deepest = deep;
    registry.registerCheck(
        "odd",
        () -> CheckResult.healthy("fine", Map.of("cyclic", cyclic, "deep", deepest)),
        "Odd details");

    CheckResult result = registry.runCheck("odd");

    assertThat(result.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(result.details().get("cyclic")).isEqualTo(Map.of("self", "(cycle)"));
    Object level = result.details().get("deep");
    for (int i = 1; i < CheckResult.MAX_DETAIL_DEPTH; i++) {
      level = ((List<?>) level).get(0);
    }
    assertThat(level).isEqualTo(List.of("(nested too deep)"));
    // 1500 levels once made the report unwritable (Jackson stops at 1000): /health failed.
    assertThat(registry.getStatusReport().toJson()).contains("\"self\":\"(cycle)\"");
  }

  @Test
  void runCheck_stampsTimeAndKeepsMessageAndDetails() {
    HealthCheck registry = registry();
    registry.registerCheck(
        "db",
        () -> {
          clock.advance(Duration.ofMillis(250));
          return CheckResult.degraded("slow", Map.of("latency_ms", 250));
        },
        "Database");

    CheckResult result = registry.runCheck("db");

    assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(result.message()).isEqualTo("slow");
    assertThat(result.details()).isEqualTo(Map.of("latency_ms", 250));
    assertThat(result.time()).isEqualTo(START);
    assertThat(result.duration()).isEqualTo(Duration.ofMillis(250));
    assertThat(result.error()).isEmpty();
  }

  @Test
  void runAllChecks_runsChecksInParallel() {
    int n = 4;
    CyclicBarrier barrier = new CyclicBarrier(n);
    HealthCheck registry = registry(b -> b.threads(n));
    for (int i = 0; i < n; i++) {
      // Each waits for all the others: they complete only if all run at once.
      registry.registerCheck(
          "c" + i,
          () -> {
            barrier.await(10, TimeUnit.SECONDS);
            return CheckResult.healthy("met the others");
          },
          "");
    }

    Map<String, CheckResult> results = registry.runAllChecks();

    assertThat(results).containsOnlyKeys("c0", "c1", "c2", "c3");
    assertThat(results.values())
        .allSatisfy(r -> assertThat(r.message()).isEqualTo("met the others"));
  }

  @Test
  void runAllChecks_hangingThrowingAndNullChecks_othersStillReport() {
    AtomicInteger hangingCalls = new AtomicInteger();
    HealthCheck registry = registry(b -> b.defaultTimeout(Duration.ofMillis(300)));
    registry.registerCheck("hangs", hanging(hangingCalls), "");
    registry.registerCheck(
        "throws",
        () -> {
          throw new IllegalStateException("boom");
        },
        "");
    registry.registerCheck(
        "overflows",
        () -> {
          throw new StackOverflowError();
        },
        "");
    registry.registerCheck("returns-null", () -> null, "");
    registry.registerCheck("fine", () -> CheckResult.healthy("fine"), "");

    Map<String, CheckResult> results = registry.runAllChecks();

    assertThat(results.get("hangs").status()).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(results.get("hangs").message()).isEqualTo("Timed out after 300 ms");
    assertThat(results.get("throws").message())
        .isEqualTo("Check threw IllegalStateException: boom");
    assertThat(results.get("throws").error()).containsInstanceOf(IllegalStateException.class);
    assertThat(results.get("overflows").message()).isEqualTo("Check threw StackOverflowError");
    assertThat(results.get("returns-null").message()).isEqualTo("Check returned no result");
    assertThat(results.get("fine").status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void runCheck_stillHangingAfterTimeout_isNotStartedAgain() {
    AtomicInteger calls = new AtomicInteger();
    HealthCheck registry = registry(b -> b.defaultTimeout(Duration.ofMillis(200)));
    registry.registerCheck("hangs", hanging(calls), "");

    CheckResult first = registry.runCheck("hangs");
    CheckResult second = registry.runCheck("hangs");

    assertThat(first.message()).isEqualTo("Timed out after 200 ms");
    assertThat(second.message())
        .isEqualTo("Timed out after 200 ms and still running; not started again until it returns");
    assertThat(calls).hasValue(1);

    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> registry.runCheck("hangs").message().equals("released"));
    assertThat(calls).hasValue(2);
  }

  @Test
  void scheduler_keepsRunningChecksWhileOneHangs() {
    AtomicInteger hangingCalls = new AtomicInteger();
    AtomicInteger fineCalls = new AtomicInteger();
    HealthCheck registry =
        registry(
            b ->
                b.autoCheck(true)
                    .clock(java.time.Clock.systemUTC())
                    .tick(Duration.ofMillis(10))
                    .checkInterval(Duration.ofMillis(20))
                    .defaultTimeout(Duration.ofMillis(100)));
    registry.registerCheck("hangs", hanging(hangingCalls), "");
    registry.registerCheck(
        "fine",
        () -> {
          fineCalls.incrementAndGet();
          return CheckResult.healthy("fine");
        },
        "");

    await().atMost(Duration.ofSeconds(20)).until(() -> fineCalls.get() >= 20);

    assertThat(hangingCalls).hasValue(1);
    assertThat(registry.getCheckHistory("hangs", 100))
        .extracting(CheckResult::message)
        .contains("Timed out after 100 ms")
        .contains("Timed out after 100 ms and still running; not started again until it returns");
  }

  @Test
  void scheduler_sleepsUntilTheNextCheckIsDue_notUntilTheTick() {
    // With a tick of an hour, only waking when each run is due can run this check three times.
    CountDownLatch threeRuns = new CountDownLatch(3);
    HealthCheck registry = scheduledWithAnHourTick(Duration.ofMillis(50));
    registry.registerCheck("often", counting(threeRuns), "");

    assertThat(awaitLatch(threeRuns)).as("three runs 50 ms apart").isTrue();
  }

  @Test
  void scheduler_asleepUntilALaterRun_wakesForANewlyRegisteredCheck() {
    CountDownLatch firstRan = new CountDownLatch(1);
    CountDownLatch newcomerRan = new CountDownLatch(1);
    HealthCheck registry = scheduledWithAnHourTick(Duration.ofHours(1));
    registry.registerCheck("hourly", counting(firstRan), "");
    assertThat(awaitLatch(firstRan)).isTrue();

    // The scheduler now sleeps until the hourly check's next run, an hour away.
    registry.registerCheck("newcomer", counting(newcomerRan), "");

    assertThat(awaitLatch(newcomerRan)).as("the newcomer ran without waiting an hour").isTrue();
  }

  /** Scheduling on the real clock, where the scheduler may sleep an hour between looks. */
  private HealthCheck scheduledWithAnHourTick(Duration checkInterval) {
    return registry(
        b ->
            b.autoCheck(true)
                .clock(java.time.Clock.systemUTC())
                .tick(Duration.ofHours(1))
                .checkInterval(checkInterval));
  }

  private static Check counting(CountDownLatch latch) {
    return () -> {
      latch.countDown();
      return CheckResult.healthy("ran");
    };
  }

  private static boolean awaitLatch(CountDownLatch latch) {
    try {
      return latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Test
  void runDueChecks_followsRegistryAndCheckIntervalsOnTheInjectedClock() {
    AtomicInteger everyMinute = new AtomicInteger();
    AtomicInteger everyTenSeconds = new AtomicInteger();
    AtomicInteger delayed = new AtomicInteger();
    HealthCheck registry = registry(b -> b.checkInterval(Duration.ofSeconds(60)));
    registry.registerCheck("minute", counting(everyMinute), "");
    registry.registerCheck(
        "ten",
        counting(everyTenSeconds),
        "",
        CheckOptions.builder().interval(Duration.ofSeconds(10)).build());
    registry.registerCheck(
        "delayed",
        counting(delayed),
        "",
        CheckOptions.builder().initialDelay(Duration.ofSeconds(30)).build());

    runDueAt(registry, Duration.ZERO); // t=0: minute, ten
    runDueAt(registry, Duration.ofSeconds(9)); // t=9: nothing due
    runDueAt(registry, Duration.ofSeconds(1)); // t=10: ten
    runDueAt(registry, Duration.ofSeconds(20)); // t=30: ten, delayed
    runDueAt(registry, Duration.ofSeconds(30)); // t=60: minute, ten

    await().atMost(Duration.ofSeconds(10)).until(() -> everyTenSeconds.get() == 4);
    assertThat(everyMinute).hasValue(2);
    assertThat(delayed).hasValue(1);
  }

  private static Check counting(AtomicInteger counter) {
    return () -> CheckResult.healthy("run " + counter.incrementAndGet());
  }

  /** Advances the clock, runs what is due, and waits until those runs are recorded. */
  private void runDueAt(HealthCheck registry, Duration advance) {
    clock.advance(advance);
    registry.runDueChecks();
    await().atMost(Duration.ofSeconds(10)).until(() -> registry.runsInFlight() == 0);
  }

  @Test
  void thresholds_changeReportedStatusOnlyAfterConsecutiveResults() {
    HealthCheck registry = registry();
    HealthStatus h = HealthStatus.HEALTHY;
    HealthStatus u = HealthStatus.UNHEALTHY;
    registry.registerCheck(
        "flaky",
        script(h, u, u, u, h, h),
        "",
        CheckOptions.builder().failureThreshold(3).successThreshold(2).build());

    List<HealthStatus> reported = new ArrayList<>();
    List<HealthStatus> raw = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      raw.add(registry.runCheck("flaky").status());
      reported.add(reported(registry, "flaky"));
    }

    assertThat(raw).containsExactly(h, u, u, u, h, h);
    assertThat(reported).containsExactly(h, h, h, u, u, h);
  }

  @Test
  void thresholds_absorbFlapping() {
    HealthCheck registry = registry();
    HealthStatus h = HealthStatus.HEALTHY;
    HealthStatus u = HealthStatus.UNHEALTHY;
    HealthStatus d = HealthStatus.DEGRADED;
    registry.registerCheck(
        "flapping",
        script(h, u, h, u, h, d, h, u, d, h),
        "",
        CheckOptions.builder().failureThreshold(2).build());
    List<HealthStatus> changes = new CopyOnWriteArrayList<>();
    registry.addListener(
        new HealthListener() {
          @Override
          public void onCheckStatusChange(
              String check, HealthStatus previous, HealthStatus current, CheckResult result) {
            changes.add(current);
          }
        });

    for (int i = 0; i < 10; i++) {
      registry.runCheck("flapping");
    }

    // Only the first result (UNKNOWN to HEALTHY) and the one run of two worse results (u, d)
    // change it; a success threshold of 1 brings it back at once.
    assertThat(changes).containsExactly(h, d, h);
  }

  @Test
  void thresholds_applyFromTheStart_aBadFirstResultWaitsForTheStreak() {
    HealthCheck registry = registry();
    registry.registerCheck(
        "spiky",
        script(
            HealthStatus.UNHEALTHY,
            HealthStatus.HEALTHY,
            HealthStatus.UNHEALTHY,
            HealthStatus.UNHEALTHY),
        "",
        CheckOptions.builder().failureThreshold(2).build());

    List<HealthStatus> reported = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      registry.runCheck("spiky");
      reported.add(reported(registry, "spiky"));
    }

    // A start-up spike stays UNKNOWN; the first success is taken at once; two failures turn it.
    assertThat(reported)
        .containsExactly(
            HealthStatus.UNKNOWN,
            HealthStatus.HEALTHY,
            HealthStatus.HEALTHY,
            HealthStatus.UNHEALTHY);
  }

  @Test
  void overallStatus_isWorstOfCriticalChecksByExplicitOrder() {
    HealthCheck registry = registry();
    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.UNKNOWN);

    registry.registerCheck("a", () -> CheckResult.healthy("a"), "");
    registry.runAllChecks();
    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.HEALTHY);

    registry.registerCheck("b", () -> CheckResult.unknown("b"), "");
    registry.runAllChecks();
    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.UNKNOWN);

    registry.registerCheck("c", () -> CheckResult.degraded("c"), "");
    registry.runAllChecks();
    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.DEGRADED);

    registry.registerCheck(
        "d", () -> CheckResult.unhealthy("d"), "", CheckOptions.builder().critical(false).build());
    registry.runAllChecks();
    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.DEGRADED);

    registry.registerCheck("e", () -> CheckResult.unhealthy("e"), "");
    registry.runAllChecks();
    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void overallStatus_registeredButNotRun_isUnknown() {
    HealthCheck registry = registry();
    registry.registerCheck("a", () -> CheckResult.healthy("a"), "");

    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(registry.getStatusReport().checks().get("a").message()).isEqualTo("Not run yet");
  }

  @Test
  void history_isBoundedAndNewestFirst() {
    HealthCheck registry = registry(b -> b.historySize(3));
    AtomicInteger runs = new AtomicInteger();
    registry.registerCheck("a", counting(runs), "");
    registry.registerCheck("b", counting(new AtomicInteger()), "");

    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(1));
      registry.runCheck("a");
    }
    registry.runCheck("b");

    assertThat(registry.getCheckHistory("a", 10))
        .extracting(CheckResult::message)
        .containsExactly("run 5", "run 4", "run 3");
    assertThat(registry.getCheckHistory("a", 2))
        .extracting(CheckResult::time)
        .containsExactly(START.plusSeconds(5), START.plusSeconds(4));
    assertThat(registry.clearHistory("a")).isTrue();
    assertThat(registry.getCheckHistory("a", 10)).isEmpty();
    assertThat(registry.getCheckHistory("b", 10)).hasSize(1);
    registry.clearHistory();
    assertThat(registry.getCheckHistory("b", 10)).isEmpty();
    assertThat(registry.clearHistory("nope")).isFalse();
    assertThatThrownBy(() -> registry.getCheckHistory("nope", 1))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("no health check named 'nope'");
  }

  @Test
  void listeners_toldOfCheckAndOverallChanges_throwingListenerHarmsNothing() {
    HealthCheck registry = registry();
    List<String> events = new CopyOnWriteArrayList<>();
    registry.addListener(
        new HealthListener() {
          @Override
          public void onCheckStatusChange(
              String check, HealthStatus previous, HealthStatus current, CheckResult result) {
            throw new IllegalStateException("listener bug");
          }
        });
    registry.addListener(
        new HealthListener() {
          @Override
          public void onCheckStatusChange(
              String check, HealthStatus previous, HealthStatus current, CheckResult result) {
            events.add(check + ": " + previous + " -> " + current + " (" + result.message() + ")");
          }

          @Override
          public void onOverallStatusChange(HealthStatus previous, HealthStatus current) {
            events.add("overall: " + previous + " -> " + current);
          }
        });
    registry.registerCheck(
        "db", script(HealthStatus.HEALTHY, HealthStatus.HEALTHY, HealthStatus.UNHEALTHY), "");

    registry.runCheck("db");
    registry.runCheck("db");
    registry.runCheck("db");

    assertThat(events)
        .containsExactly(
            "db: UNKNOWN -> HEALTHY (healthy now)",
            "overall: UNKNOWN -> HEALTHY",
            "db: HEALTHY -> UNHEALTHY (unhealthy now)",
            "overall: HEALTHY -> UNHEALTHY");
    assertThat(reported(registry, "db")).isEqualTo(HealthStatus.UNHEALTHY);
  }

  @Test
  void close_isIdempotentAndEndsThreads() {
    HealthCheck registry = registry(b -> b.autoCheck(true));
    registry.registerCheck("a", () -> CheckResult.healthy("a"), "");
    registry.runAllChecks();

    registry.close();
    registry.close();

    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("amptalk-health")));
    assertThat(registry.runCheck("a").message()).isEqualTo("The health check registry is closed");
  }

  /**
   * A duration that overflows when added to an instant would make the scheduler throw on every
   * tick: each is bounded, the intervals by 365 days, the timeouts by one day.
   */
  @Test
  void builder_rejectsDurationsPastTheirMaximum() {
    Duration huge = Duration.ofHours(9_999_999_999_999L);
    assertThatThrownBy(() -> HealthCheck.builder().checkInterval(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("checkInterval must be at most P365D, was PT9999999999999H");
    assertThatThrownBy(() -> HealthCheck.builder().defaultTimeout(Duration.ofDays(1).plusNanos(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("defaultTimeout must be at most P1D, was PT24H0.000000001S");
    assertThatThrownBy(() -> CheckOptions.builder().interval(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("interval must be at most P365D, was PT9999999999999H");
    assertThatThrownBy(() -> CheckOptions.builder().timeout(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be at most P1D, was PT9999999999999H");
    assertThatThrownBy(() -> CheckOptions.builder().initialDelay(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialDelay must be at most P365D, was PT9999999999999H");

    HealthCheck.builder().checkInterval(Duration.ofDays(365)).defaultTimeout(Duration.ofDays(1));
    CheckOptions.builder()
        .interval(Duration.ofDays(365))
        .timeout(Duration.ofDays(1))
        .initialDelay(Duration.ofDays(365))
        .build();
  }

  @Test
  void report_whileResultsCountTowardAChange_saysWhatIsPendingAndHowFarAlong() throws Exception {
    HealthCheck registry = registry();
    registry.registerCheck(
        "queue",
        script(
            HealthStatus.HEALTHY,
            HealthStatus.UNHEALTHY,
            HealthStatus.UNHEALTHY,
            HealthStatus.UNHEALTHY,
            HealthStatus.HEALTHY,
            HealthStatus.HEALTHY),
        "",
        CheckOptions.builder().failureThreshold(3).successThreshold(2).build());
    String stamp = "\"timestamp\":\"2026-01-01T00:00:00Z\",\"description\":\"\",";

    registry.runCheck("queue");
    assertThat(registry.getStatusReport().checks().get("queue").pending()).isEmpty();
    assertThat(checkJson(registry, "queue").has("pending")).isFalse();

    registry.runCheck("queue");
    registry.runCheck("queue");
    // Reported healthy, with an unhealthy message: the pending change says why both.
    assertThat(registry.getStatusReport().checks().get("queue").pending())
        .contains(new HealthReport.Pending(HealthStatus.UNHEALTHY, 2, 3));
    assertThat(checkJson(registry, "queue").toString())
        .isEqualTo(
            "{\"status\":\"healthy\",\"message\":\"unhealthy now\","
                + stamp
                + "\"duration_ms\":0.0,\"details\":{},"
                + "\"pending\":{\"status\":\"unhealthy\",\"count\":2,\"of\":3}}");

    registry.runCheck("queue");
    assertThat(reported(registry, "queue")).isEqualTo(HealthStatus.UNHEALTHY);
    assertThat(checkJson(registry, "queue").has("pending")).isFalse();

    registry.runCheck("queue");
    assertThat(checkJson(registry, "queue").get("pending").toString())
        .isEqualTo("{\"status\":\"healthy\",\"count\":1,\"of\":2}");
    registry.runCheck("queue");
    assertThat(reported(registry, "queue")).isEqualTo(HealthStatus.HEALTHY);
    assertThat(registry.getStatusReport().checks().get("queue").pending()).isEmpty();
  }

  @Test
  void report_firstResultWorseThanUnknown_staysUnknownAndSaysItIsPending() throws Exception {
    HealthCheck registry = registry();
    registry.registerCheck(
        "cpu",
        script(HealthStatus.DEGRADED),
        "",
        CheckOptions.builder().failureThreshold(3).build());

    registry.runCheck("cpu");

    assertThat(reported(registry, "cpu")).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(checkJson(registry, "cpu").get("pending").toString())
        .isEqualTo("{\"status\":\"degraded\",\"count\":1,\"of\":3}");
    // Anonymous callers get the status alone: no pending either.
    assertThat(registry.getStatusReport().toJson(false)).isEqualTo("{\"status\":\"unknown\"}");
  }

  // ---------------------------------------------------------------- queueing: timeouts and skips

  /** What a check waiting for a thread does: it answers at once, or counts its calls. */
  private static Check answering(String message, AtomicInteger calls) {
    return () -> {
      calls.incrementAndGet();
      return CheckResult.healthy(message);
    };
  }

  /** A check that holds its thread until the test's latch is released. */
  private Check holding(CountDownLatch started) {
    return () -> {
      started.countDown();
      release.await();
      return CheckResult.healthy("released");
    };
  }

  private static final CheckOptions LONG_TIMEOUT =
      CheckOptions.builder().timeout(Duration.ofHours(1)).build();

  private static JsonNode checkJson(HealthCheck registry, String name) throws Exception {
    return new ObjectMapper().readTree(registry.getStatusReport().toJson()).get("checks").get(name);
  }

  @Test
  void runAllChecks_checksQueuedBehindBusyThreads_timeOutFromTheirStartNotFromTheirQueueing() {
    // 4 threads, 12 checks: the first 4 take every thread for a second (well within their own
    // timeout of an hour); the 8 others wait that second in the queue, then answer at once. Their
    // timeout of 200 ms is five times shorter than their wait: counted from being queued, all 8
    // would be "Timed out after 200 ms".
    HealthCheck registry = registry(b -> b.threads(4).defaultTimeout(Duration.ofMillis(200)));
    CountDownLatch never = new CountDownLatch(1);
    for (int i = 1; i <= 4; i++) {
      registry.registerCheck(
          "busy-" + i,
          () -> {
            boolean released = never.await(1, TimeUnit.SECONDS); // the work: a second
            return CheckResult.healthy(released ? "released" : "worked a second");
          },
          "",
          LONG_TIMEOUT);
    }
    AtomicInteger queuedCalls = new AtomicInteger();
    for (int i = 1; i <= 8; i++) {
      registry.registerCheck("queued-" + i, answering("ran", queuedCalls), "");
    }

    Map<String, CheckResult> results = registry.runAllChecks();

    assertThat(results).hasSize(12);
    for (int i = 1; i <= 4; i++) {
      assertThat(results.get("busy-" + i).message()).isEqualTo("worked a second");
    }
    for (int i = 1; i <= 8; i++) {
      assertThat(results.get("queued-" + i).status()).isEqualTo(HealthStatus.HEALTHY);
      assertThat(results.get("queued-" + i).message()).isEqualTo("ran");
      assertThat(results.get("queued-" + i).duration()).isLessThan(Duration.ofMillis(200));
    }
    assertThat(queuedCalls).hasValue(8);
    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void runDueChecks_runStillWaitingForAThreadWhenItsNextIsDue_isSkippedAndCounted_notFailed()
      throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(reader).build();
    HealthCheck registry =
        registry(
            b ->
                b.threads(4)
                    .checkInterval(Duration.ofSeconds(10))
                    .defaultTimeout(Duration.ofMillis(100))
                    .meter(provider.get("test")));
    CountDownLatch allBusy = new CountDownLatch(4);
    for (int i = 1; i <= 4; i++) {
      registry.registerCheck("busy-" + i, holding(allBusy), "", LONG_TIMEOUT);
    }
    AtomicInteger queuedCalls = new AtomicInteger();
    for (int i = 1; i <= 8; i++) {
      registry.registerCheck("queued-" + i, answering("ran", queuedCalls), "");
    }

    // All 12 are due: the 4 holders take the 4 threads, the 8 others queue behind them. Then two
    // more intervals pass by the registry's clock while no thread frees up.
    registry.runDueChecks();
    assertThat(allBusy.await(10, TimeUnit.SECONDS)).as("the 4 holders started").isTrue();
    for (int round = 1; round <= 2; round++) {
      clock.advance(Duration.ofSeconds(10));
      registry.runDueChecks();
    }

    for (int i = 1; i <= 8; i++) {
      String name = "queued-" + i;
      assertThat(registry.getCheckHistory(name, 100)).as(name + " has no result").isEmpty();
      assertThat(reported(registry, name)).isEqualTo(HealthStatus.UNKNOWN);
      assertThat(checkJson(registry, name).get("skipped").asInt()).as(name).isEqualTo(2);
      assertThat(skippedMetric(reader, name)).as(name).isEqualTo(2);
    }
    for (int i = 1; i <= 4; i++) {
      assertThat(checkJson(registry, "busy-" + i).has("skipped")).isFalse();
      assertThat(skippedMetric(reader, "busy-" + i)).isZero();
    }
    assertThat(queuedCalls).hasValue(0);

    // Freed, each queued run runs once (the skipped ones were never queued twice) and passes.
    release.countDown();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                registry.getCheckNames().stream()
                    .allMatch(name -> registry.getCheckHistory(name, 100).size() == 1));
    assertThat(queuedCalls).hasValue(8);
    for (String name : registry.getCheckNames()) {
      assertThat(registry.getCheckHistory(name, 100))
          .extracting(CheckResult::status)
          .as(name)
          .containsExactly(HealthStatus.HEALTHY);
    }
    assertThat(checkJson(registry, "queued-1").get("skipped").asInt()).isEqualTo(2);
    assertThat(registry.getOverallStatus()).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void runCheck_noThreadFreeWithinTheInterval_answersUnknownNotStarted_andTheRunStaysQueued()
      throws Exception {
    HealthCheck registry =
        registry(
            b ->
                b.threads(1)
                    .checkInterval(Duration.ofMillis(300))
                    .defaultTimeout(Duration.ofMillis(100)));
    CountDownLatch busy = new CountDownLatch(1);
    registry.registerCheck("busy", holding(busy), "", LONG_TIMEOUT);
    AtomicInteger calls = new AtomicInteger();
    registry.registerCheck("queued", answering("ran", calls), "");
    registry.runDueChecks();
    assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();

    CheckResult result = registry.runCheck("queued");

    assertThat(result.status()).isEqualTo(HealthStatus.UNKNOWN);
    assertThat(result.message())
        .isEqualTo("Not started: the 1 health check thread stayed busy for 300 ms");
    assertThat(registry.getCheckHistory("queued", 100)).isEmpty();
    assertThat(calls).hasValue(0);

    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> registry.getCheckHistory("queued", 100).size() == 1);
    assertThat(registry.getCheckHistory("queued", 100).get(0).message()).isEqualTo("ran");
  }

  private static long skippedMetric(InMemoryMetricReader reader, String check) {
    return reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals("health.check.skipped"))
        .flatMap(m -> m.getLongSumData().getPoints().stream())
        .filter(p -> check.equals(p.getAttributes().get(AttributeKey.stringKey("check"))))
        .mapToLong(LongPointData::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no health.check.skipped for " + check));
  }

  @Test
  void builder_rejectsBadOptionsNamingOptionAndValue() {
    assertThatThrownBy(() -> HealthCheck.builder().checkInterval(Duration.ZERO))
        .hasMessage("checkInterval must be a positive duration, was PT0S");
    assertThatThrownBy(() -> HealthCheck.builder().defaultTimeout(Duration.ofSeconds(-1)))
        .hasMessage("defaultTimeout must be a positive duration, was PT-1S");
    assertThatThrownBy(() -> HealthCheck.builder().historySize(0))
        .hasMessage("historySize must be at least 1, was 0");
    assertThatThrownBy(() -> HealthCheck.builder().threads(0))
        .hasMessage("threads must be 1..256, was 0");
    assertThatThrownBy(() -> CheckOptions.builder().failureThreshold(0))
        .hasMessage("failureThreshold must be at least 1, was 0");
    assertThatThrownBy(() -> CheckOptions.builder().groups("Bad Group"))
        .hasMessage("group must be 1-64 of a-z, 0-9, '-' and '_', was 'Bad Group'");
  }
}
