package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.alert.Backoff;
import io.amptalk.monitoring.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertSystemTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(START);
  private final List<AlertSystem> systems = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    systems.forEach(AlertSystem::close);
  }

  /** Records what it is sent; fails the first {@code failures} attempts with {@code failure}. */
  static final class Recording implements AlertNotifier {
    final String name;
    final List<Alert> sent = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    volatile int failures;
    volatile Exception failure = new java.io.IOException("receiver down");
    volatile boolean resolved = true;
    volatile AlertSeverity min = AlertSeverity.INFO;

    Recording(String name) {
      this.name = name;
    }

    @Override
    public void send(Alert alert) throws Exception {
      if (attempts.incrementAndGet() <= failures) {
        throw failure;
      }
      sent.add(alert);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public boolean sendsResolved() {
      return resolved;
    }

    @Override
    public AlertSeverity minSeverity() {
      return min;
    }

    List<String> titles() {
      synchronized (sent) {
        return sent.stream().map(Alert::title).toList();
      }
    }
  }

  private AlertSystem system(Consumer<AlertSystem.Builder> config, AlertNotifier... notifiers) {
    AlertSystem.Builder builder =
        AlertSystem.builder()
            .serviceName("amptalk")
            .clock(clock)
            .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
            .noRateLimit()
            .defaultNotifiers(List.of(notifiers));
    config.accept(builder);
    AlertSystem system = builder.build();
    systems.add(system);
    return system;
  }

  private static void awaitSent(Recording notifier, int count) {
    await().atMost(Duration.ofSeconds(10)).until(() -> notifier.sent.size() >= count);
  }

  @Test
  void alert_isDeliveredToEveryAcceptingNotifier() {
    Recording all = new Recording("all");
    Recording errorsOnly = new Recording("errors");
    errorsOnly.min = AlertSeverity.ERROR;
    AlertSystem system = system(b -> {}, all, errorsOnly);

    Alert warning =
        system.alert(
            "High CPU Usage",
            "CPU usage has exceeded 80%",
            AlertSeverity.WARNING,
            "system_monitor",
            Map.of("cpu_usage", 83.5));
    Alert error =
        system.alert(
            "Database Connection Failed",
            "Failed to connect",
            AlertSeverity.ERROR,
            "database",
            Map.of("database", "main"));

    awaitSent(all, 2);
    awaitSent(errorsOnly, 1);
    assertThat(all.sent).containsExactlyInAnyOrder(warning, error);
    assertThat(errorsOnly.sent).containsExactly(error);
    assertThat(warning.service()).isEqualTo("amptalk");
    assertThat(warning.time()).isEqualTo(START);
    assertThat(warning.details()).isEqualTo(Map.of("cpu_usage", 83.5));
    assertThat(warning.state()).isEqualTo(Alert.State.FIRING);
    assertThat(warning.fingerprint())
        .isEqualTo(Alert.fingerprint("amptalk", "system_monitor", "High CPU Usage"))
        .hasSize(16);
    assertThat(warning.notes()).isEmpty();
  }

  @Test
  void alert_malformedInput_isNormalisedAndNoted() {
    Recording notifier = new Recording("r");
    AlertSystem system = system(b -> {}, notifier);

    Alert alert = system.alert(null, null, null, " ", null);

    assertThat(alert.title()).isEqualTo("(untitled)");
    assertThat(alert.source()).isEqualTo("unknown");
    assertThat(alert.message()).isEmpty();
    assertThat(alert.severity()).isEqualTo(AlertSeverity.WARNING);
    assertThat(alert.details()).isEmpty();
    assertThat(alert.notes())
        .containsExactly(
            "title was null; set to '(untitled)'",
            "source was blank; set to 'unknown'",
            "message was null; set to ''",
            "severity was null; raised as WARNING");
    Alert long_ = system.alert("t".repeat(300), "m", AlertSeverity.INFO, "s", Map.of());
    assertThat(long_.title()).hasSize(AlertSystem.MAX_TITLE_LENGTH);
    assertThat(long_.notes()).containsExactly("title was cut from 300 to 256 characters");
  }

  @Test
  void alert_cyclicDeepHugeOrUnprintableDetails_areBoundedAndNoted() {
    AlertSystem system = system(b -> {}, new Recording("r"));
    Map<String, Object> cyclic = new java.util.LinkedHashMap<>();
    cyclic.put("self", cyclic);
    Object deep = "bottom";
    for (int i = 0; i < 40; i++) {
      deep = List.of(deep);
    }
    Map<String, Object> details = new java.util.LinkedHashMap<>();
    details.put("cyclic", cyclic);
    details.put("deep", deep);
    details.put("k".repeat(300), "v".repeat(10_000));
    details.put(
        "unprintable",
        new Object() {
          @Override
          public String toString() {
            throw new IllegalStateException("no");
          }
        });
    details.put("many", java.util.Collections.nCopies(2000, 1));

    // A cyclic map once threw StackOverflowError out of alert(), which promises never to throw.
    Alert alert = system.alert("t", "m", AlertSeverity.INFO, "s", details);

    assertThat(alert.details().get("cyclic")).isEqualTo(Map.of("self", "(cycle)"));
    Object level = alert.details().get("deep");
    for (int i = 1; i < Alert.MAX_DETAIL_DEPTH; i++) {
      level = ((List<?>) level).get(0);
    }
    assertThat(level).isEqualTo(List.of("(nested too deep)"));
    assertThat(alert.details().get("k".repeat(Alert.MAX_DETAIL_KEY_LENGTH)))
        .isEqualTo("v".repeat(Alert.MAX_DETAIL_STRING_LENGTH));
    assertThat(alert.details().get("unprintable"))
        .isEqualTo("(toString threw IllegalStateException)");
    // 37 values came before it, the list itself is the 38th: 962 of its elements fit in 1000.
    List<?> many = (List<?>) alert.details().get("many");
    assertThat(many).hasSize(963);
    assertThat(many.get(961)).isEqualTo(1);
    assertThat(many.get(962)).isEqualTo("(truncated)");
    assertThat(alert.notes()).containsExactly(Alert.DETAILS_CUT_NOTE);
    assertThat(AlertJson.toJson(alert)).contains("\"self\":\"(cycle)\"");
  }

  @Test
  void alertMetrics_manyDistinctSources_cacheAtMostTheCap_andLabelsAreWellFormed() {
    io.amptalk.monitoring.SystemMonitor monitor =
        io.amptalk.monitoring.SystemMonitor.builder()
            .enablePrometheus(false)
            .enableJvmMetrics(false)
            .build();
    try {
      AlertSystem system = system(b -> b.meter(monitor.getMeter()), new Recording("r"));

      for (int i = 0; i < 5000; i++) {
        system.alert("t", "m", AlertSeverity.INFO, "source-" + i, null);
      }

      // Sources past the cap count as "other"; they were cached all the same, one entry each.
      assertThat(system.metrics().cachedAttributeSets()).isEqualTo(400);
      assertThat(AlertMetrics.wellFormed("a\uD800")).isEqualTo("a\uFFFD");
      assertThat(AlertMetrics.wellFormed("\uDC00\uD83D\uDE00")).isEqualTo("\uFFFD\uD83D\uDE00");
    } finally {
      monitor.close();
    }
  }

  @Test
  void getHistory_newestFirstWithNullMeaningNoFilter() {
    AlertSystem system = system(b -> {}, new Recording("r"));
    system.alert("a", "", AlertSeverity.INFO, "api", Map.of());
    clock.advance(Duration.ofSeconds(1));
    system.alert("b", "", AlertSeverity.ERROR, "database", Map.of());
    clock.advance(Duration.ofSeconds(1));
    system.alert("c", "", AlertSeverity.WARNING, "database", Map.of());
    clock.advance(Duration.ofSeconds(1));
    system.alert("d", "", AlertSeverity.CRITICAL, "api", Map.of());

    assertThat(titles(system.getHistory(10, null, null))).containsExactly("d", "c", "b", "a");
    assertThat(titles(system.getHistory(2, null, null))).containsExactly("d", "c");
    assertThat(titles(system.getHistory(10, AlertSeverity.WARNING, "database")))
        .containsExactly("c", "b");
    assertThat(titles(system.getHistory(10, AlertSeverity.ERROR, null))).containsExactly("d", "b");
    assertThat(
            titles(
                system.getHistory(
                    new AlertQuery(10, null, null, START.plusSeconds(1), START.plusSeconds(3)))))
        .containsExactly("c", "b");
    system.clearHistory();
    assertThat(system.getHistory(10, null, null)).isEmpty();
  }

  @Test
  void history_isBounded() {
    AlertSystem system = system(b -> b.maxHistorySize(3), new Recording("r"));
    for (int i = 0; i < 5; i++) {
      system.alert("a" + i, "", AlertSeverity.INFO, "s", Map.of());
    }

    assertThat(titles(system.getHistory(10, null, null))).containsExactly("a4", "a3", "a2");
  }

  @Test
  void dedup_repeatsWithinWindowAreCountedNotNotified_remindAfterRepeatInterval() {
    Recording notifier = new Recording("r");
    AlertSystem system =
        system(
            b -> b.dedupWindow(Duration.ofMinutes(5)).repeatInterval(Duration.ofMinutes(30)),
            notifier);

    Alert first = system.alert("Disk full", "95%", AlertSeverity.ERROR, "disk", Map.of());
    for (int i = 0; i < 9; i++) {
      clock.advance(Duration.ofMinutes(1));
      system.alert("Disk full", "95%", AlertSeverity.ERROR, "disk", Map.of());
    }
    awaitSent(notifier, 1);

    List<Alert> history = system.getHistory(10, null, null);
    assertThat(history).hasSize(1);
    assertThat(history.get(0).id()).isEqualTo(first.id());
    assertThat(history.get(0).occurrences()).isEqualTo(10);
    assertThat(history.get(0).lastSeen()).isEqualTo(START.plus(Duration.ofMinutes(9)));

    // Still firing 30 minutes after the last notification: a reminder, same alert.
    for (int i = 0; i < 21; i++) {
      clock.advance(Duration.ofMinutes(1));
      system.alert("Disk full", "95%", AlertSeverity.ERROR, "disk", Map.of());
    }
    awaitSent(notifier, 2);
    assertThat(notifier.sent.get(1).id()).isEqualTo(first.id());
    assertThat(notifier.sent.get(1).occurrences()).isEqualTo(31);

    // Quiet for longer than the window: a new episode, a new alert.
    clock.advance(Duration.ofMinutes(6));
    Alert again = system.alert("Disk full", "95%", AlertSeverity.ERROR, "disk", Map.of());
    awaitSent(notifier, 3);
    assertThat(again.id()).isNotEqualTo(first.id());
    assertThat(system.getHistory(10, null, null)).hasSize(2);
  }

  @Test
  void storm_100kAlertsOneFingerprintFromSeveralThreads_historyCountsAllNotifiersFew()
      throws Exception {
    Recording notifier = new Recording("r");
    AlertSystem system = system(b -> {}, notifier);
    int threads = 4;
    int perThread = 25_000;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
                for (int i = 0; i < perThread; i++) {
                  system.alert("Storm", "again", AlertSeverity.CRITICAL, "storm", Map.of("i", i));
                }
              });
      worker.start();
      workers.add(worker);
    }
    for (Thread worker : workers) {
      worker.join(60_000);
    }

    awaitSent(notifier, 1);
    List<Alert> history = system.getHistory(10, null, null);
    assertThat(history).hasSize(1);
    assertThat(history.get(0).occurrences()).isEqualTo(threads * perThread);
    assertThat(notifier.sent).hasSize(1);
  }

  @Test
  void resolve_byFingerprintAndBySourceAndTitle_tellsNotifiersThatAskForIt() {
    Recording wantsResolved = new Recording("yes");
    Recording noResolved = new Recording("no");
    noResolved.resolved = false;
    AlertSystem system = system(b -> {}, wantsResolved, noResolved);
    Alert cpu = system.alert("High CPU", "", AlertSeverity.WARNING, "host", Map.of());
    system.alert("Disk full", "", AlertSeverity.ERROR, "host", Map.of());
    clock.advance(Duration.ofMinutes(2));

    assertThat(system.resolve(cpu.fingerprint())).isTrue();
    assertThat(system.resolve(cpu.fingerprint())).isFalse();
    assertThat(system.resolve("host", "Disk full")).isTrue();
    assertThat(system.resolve("host", "never raised")).isFalse();

    awaitSent(wantsResolved, 4);
    awaitSent(noResolved, 2);
    assertThat(wantsResolved.sent.subList(2, 4))
        .extracting(Alert::title, Alert::state, Alert::lastSeen)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "High CPU", Alert.State.RESOLVED, START.plus(Duration.ofMinutes(2))),
            org.assertj.core.groups.Tuple.tuple(
                "Disk full", Alert.State.RESOLVED, START.plus(Duration.ofMinutes(2))));
    assertThat(system.getHistory(10, null, null))
        .allSatisfy(a -> assertThat(a.state()).isEqualTo(Alert.State.RESOLVED));
  }

  @Test
  void silence_keepsAlertInHistoryMarked_notNotified_untilItEnds() {
    Recording notifier = new Recording("r");
    AlertSystem system = system(b -> {}, notifier);
    Silence silence =
        system.addSilence(
            "deploy",
            "Restart.*",
            Set.of(AlertSeverity.WARNING),
            Duration.ofMinutes(10),
            "rolling deploy");

    Alert muted = system.alert("Restarting api-1", "", AlertSeverity.WARNING, "deploy", Map.of());
    Alert otherSeverity =
        system.alert("Restarting api-2", "", AlertSeverity.ERROR, "deploy", Map.of());
    clock.advance(Duration.ofMinutes(10));
    Alert afterEnd =
        system.alert("Restarting api-3", "", AlertSeverity.WARNING, "deploy", Map.of());

    awaitSent(notifier, 2);
    assertThat(muted.silenced()).isTrue();
    assertThat(otherSeverity.silenced()).isFalse();
    assertThat(afterEnd.silenced()).isFalse();
    assertThat(notifier.titles()).containsExactlyInAnyOrder("Restarting api-2", "Restarting api-3");
    assertThat(system.getHistory(10, null, null))
        .extracting(Alert::silenced)
        .containsExactly(false, false, true);
    assertThat(system.getSilences()).isEmpty();
    assertThat(silence.comment()).isEqualTo("rolling deploy");
  }

  @Test
  void silence_longerThanAYear_isRefusedNamingTheMaximum_aYearIsKept() {
    AlertSystem system = system(b -> {}, new Recording("r"));
    Duration huge = Duration.ofSeconds(Long.MAX_VALUE);

    assertThatThrownBy(() -> system.addSilence("deploy", null, Set.of(), huge, "forever"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration must be at most P365D, was " + huge);
    assertThatThrownBy(() -> system.addSilence("deploy", null, Set.of(), Duration.ZERO, "never"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration must be a positive duration, was PT0S");
    Silence year = system.addSilence("deploy", null, Set.of(), Duration.ofDays(365), "a year");
    assertThat(year.until()).isEqualTo(clock.instant().plus(Duration.ofDays(365)));
    assertThat(system.getSilences()).containsExactly(year);
  }

  @Test
  void retry_failuresThenSuccess_isDeliveredOnce() {
    Recording flaky = new Recording("flaky");
    flaky.failures = 2;
    AlertSystem system = system(b -> b.maxAttempts(5), flaky);

    system.alert("a", "", AlertSeverity.ERROR, "s", Map.of());

    awaitSent(flaky, 1);
    assertThat(flaky.attempts).hasValue(3);
    assertThat(system.getDeadLetters()).isEmpty();
  }

  @Test
  void retry_exhausted_isDeadLetterWithLastError_othersUnaffected() {
    Recording down = new Recording("down");
    down.failures = Integer.MAX_VALUE;
    Recording fine = new Recording("fine");
    AlertSystem system = system(b -> b.maxAttempts(3), down, fine);

    Alert alert = system.alert("a", "", AlertSeverity.ERROR, "s", Map.of());

    await().atMost(Duration.ofSeconds(10)).until(() -> system.getDeadLetters().size() == 1);
    DeadLetter dead = system.getDeadLetters().get(0);
    assertThat(dead.delivery().notifier()).isEqualTo("down");
    assertThat(dead.delivery().alert().id()).isEqualTo(alert.id());
    assertThat(dead.delivery().key()).isEqualTo(alert.id() + "/down/firing/1");
    assertThat(dead.error()).isEqualTo("IOException: receiver down (after 3 attempts)");
    assertThat(down.attempts).hasValue(3);
    assertThat(fine.sent).containsExactly(alert);
  }

  @Test
  void permanentFailure_isDeadLetteredWithoutRetry() {
    Recording rejects = new Recording("rejects");
    rejects.failures = Integer.MAX_VALUE;
    rejects.failure = DeliveryException.permanent("webhook answered 400", null);
    AlertSystem system = system(b -> {}, rejects);

    system.alert("a", "", AlertSeverity.ERROR, "s", Map.of());

    await().atMost(Duration.ofSeconds(10)).until(() -> system.getDeadLetters().size() == 1);
    assertThat(system.getDeadLetters().get(0).error())
        .isEqualTo("webhook answered 400 (after 1 attempt)");
    assertThat(rejects.attempts).hasValue(1);
  }

  @Test
  void retryAfter_isHonouredAsTheNextDelay() {
    Recording limited = new Recording("limited");
    limited.failures = 1;
    limited.failure = DeliveryException.retryAfter("webhook answered 429", Duration.ofMillis(300));
    // A backoff of an hour: only the receiver's Retry-After can make the retry come this soon.
    AlertSystem system = system(b -> b.backoff(Duration.ofHours(1), Duration.ofHours(2)), limited);

    system.alert("a", "", AlertSeverity.ERROR, "s", Map.of());

    awaitSent(limited, 1);
    assertThat(limited.attempts).hasValue(2);
  }

  @Test
  void hangingNotifier_isBoundedBySendTimeout_othersUnaffected() {
    AlertNotifier hangs =
        new AlertNotifier() {
          @Override
          public void send(Alert alert) throws Exception {
            release.await();
          }

          @Override
          public String name() {
            return "hangs";
          }
        };
    Recording fine = new Recording("fine");
    AlertSystem system =
        system(b -> b.sendTimeout(Duration.ofMillis(100)).maxAttempts(2), hangs, fine);

    system.alert("a", "", AlertSeverity.ERROR, "s", Map.of());
    system.alert("b", "", AlertSeverity.ERROR, "s", Map.of());

    awaitSent(fine, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> system.getDeadLetters().size() == 2);
    assertThat(system.getDeadLetters())
        .extracting(DeadLetter::error)
        .containsOnly("send timed out after 100 ms (after 2 attempts)");
  }

  @Test
  void rateLimit_holdsBackThenSummarises() {
    Recording notifier = new Recording("r");
    AlertSystem system = system(b -> b.rateLimit(2, Duration.ofHours(1)), notifier);

    for (int i = 0; i < 5; i++) {
      system.alert(
          "alert " + i, "", i == 3 ? AlertSeverity.CRITICAL : AlertSeverity.WARNING, "s", Map.of());
    }
    awaitSent(notifier, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> system.getQueueSizes().get("r") == 0);
    clock.advance(Duration.ofHours(1));

    awaitSent(notifier, 3);
    assertThat(notifier.titles()).containsExactly("alert 0", "alert 1", "3 alerts suppressed");
    Alert summary = notifier.sent.get(2);
    assertThat(summary.message())
        .isEqualTo(
            "3 alerts suppressed by the rate limit of notifier 'r': alert 2, alert 3, alert 4");
    assertThat(summary.severity()).isEqualTo(AlertSeverity.CRITICAL);
    assertThat(summary.source()).isEqualTo("amptalk-monitoring");
    assertThat(summary.details())
        .isEqualTo(Map.of("suppressed", 3, "titles", List.of("alert 2", "alert 3", "alert 4")));
  }

  @Test
  void rateLimit_firstHeldBackAlertWakesAnIdleWorker_forItsSummary() {
    // An idle worker sleeps without a tick; the first alert held back must wake it, or the summary
    // would wait for the next delivery, which may never come.
    Recording notifier = new Recording("r");
    AlertSystem system = system(b -> b.rateLimit(2, Duration.ofHours(1)), notifier);
    system.alert("alert 0", "", AlertSeverity.WARNING, "s", Map.of());
    system.alert("alert 1", "", AlertSeverity.WARNING, "s", Map.of());
    awaitSent(notifier, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> system.getQueueSizes().get("r") == 0);

    system.alert("held back", "", AlertSeverity.ERROR, "s", Map.of());
    clock.advance(Duration.ofHours(1));

    awaitSent(notifier, 3);
    assertThat(notifier.titles()).containsExactly("alert 0", "alert 1", "1 alert suppressed");
  }

  @Test
  void queueFull_isDeadLetterNotLost() {
    AlertNotifier slow =
        new AlertNotifier() {
          @Override
          public void send(Alert alert) throws Exception {
            release.await();
          }

          @Override
          public String name() {
            return "slow";
          }
        };
    AlertSystem system = system(b -> b.queueCapacity(2).sendTimeout(Duration.ofMinutes(1)), slow);

    for (int i = 0; i < 6; i++) {
      system.alert("a" + i, "", AlertSeverity.ERROR, "s", Map.of());
    }

    // One in flight, two queued: at least three of six cannot wait and are kept as dead letters.
    assertThat(system.getDeadLetters().size()).isBetween(3, 4);
    assertThat(system.getDeadLetters())
        .extracting(DeadLetter::error)
        .containsOnly("queue of notifier 'slow' is full");
  }

  @Test
  void close_deliversWhatIsQueued_isIdempotent_laterAlertsAreKept() {
    Recording notifier = new Recording("r");
    AlertSystem system = system(b -> {}, notifier);
    for (int i = 0; i < 50; i++) {
      system.alert("a" + i, "", AlertSeverity.INFO, "s", Map.of());
    }

    system.close();
    system.close();

    assertThat(notifier.sent).hasSize(50);
    system.alert("after", "", AlertSeverity.INFO, "s", Map.of());
    assertThat(system.getDeadLetters())
        .extracting(DeadLetter::error)
        .containsExactly("the alert system is closed");
    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("amptalk-alert-r") && t.isAlive()))
        .isEmpty();
  }

  @Test
  void defaultNotifier_isLogging() {
    AlertSystem system = system(b -> b.defaultNotifiers(List.of()));

    assertThat(system.getQueueSizes()).containsOnlyKeys("logging");
  }

  /** Durations that would overflow an instant are refused: 365 days for intervals, 1 day else. */
  @Test
  void builder_rejectsDurationsPastTheirMaximum() {
    Duration huge = Duration.ofHours(9_999_999_999_999L);
    assertThatThrownBy(() -> AlertSystem.builder().dedupWindow(huge))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dedupWindow must be at most P365D, was PT9999999999999H");
    assertThatThrownBy(() -> AlertSystem.builder().repeatInterval(huge))
        .hasMessage("repeatInterval must be at most P365D, was PT9999999999999H");
    assertThatThrownBy(() -> AlertSystem.builder().rateLimit(10, huge))
        .hasMessage("rateLimit period must be at most P1D, was PT9999999999999H");
    assertThatThrownBy(() -> AlertSystem.builder().backoff(huge, huge))
        .hasMessage("backoff initial must be at most P1D, was PT9999999999999H");
    assertThatThrownBy(() -> AlertSystem.builder().backoff(Duration.ofSeconds(1), huge))
        .hasMessage("backoff max must be at most P1D, was PT9999999999999H");
    assertThatThrownBy(() -> AlertSystem.builder().sendTimeout(huge))
        .hasMessage("sendTimeout must be at most P1D, was PT9999999999999H");
    assertThatThrownBy(() -> AlertSystem.builder().closeTimeout(huge))
        .hasMessage("closeTimeout must be at most P1D, was PT9999999999999H");

    AlertSystem.builder()
        .dedupWindow(Duration.ofDays(365))
        .repeatInterval(Duration.ofDays(365))
        .rateLimit(10, Duration.ofDays(1))
        .backoff(Duration.ofDays(1), Duration.ofDays(1))
        .sendTimeout(Duration.ofDays(1))
        .closeTimeout(Duration.ofDays(1));
  }

  @Test
  void builder_rejectsBadOptions() {
    assertThatThrownBy(() -> AlertSystem.builder().maxHistorySize(0))
        .hasMessage("maxHistorySize must be at least 1, was 0");
    assertThatThrownBy(() -> AlertSystem.builder().dedupWindow(Duration.ZERO))
        .hasMessage("dedupWindow must be a positive duration, was PT0S");
    assertThatThrownBy(
            () -> AlertSystem.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .hasMessage("backoff max must be at least initial (PT2S), was PT1S");
    assertThatThrownBy(
            () ->
                AlertSystem.builder()
                    .defaultNotifiers(List.of(new Recording("x"), new Recording("x")))
                    .build())
        .hasMessage("notifier name 'x' is used twice; give each a unique name");
    assertThatThrownBy(() -> AlertSeverity.parse("loud"))
        .hasMessage("severity must be one of info, warning, error, critical, was 'loud'");
    assertThat(AlertSeverity.parse(" Critical ")).isEqualTo(AlertSeverity.CRITICAL);
    assertThat(AlertSeverity.parse("warn")).isEqualTo(AlertSeverity.WARNING);
  }

  @Test
  void backoff_doublesWithJitterUpToMax() {
    Backoff low = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 0.0);
    Backoff high = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), () -> 1.0);

    assertThat(low.delay(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(high.delay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(high.delay(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(high.delay(10)).isEqualTo(Duration.ofSeconds(10));
    assertThat(low.delay(10)).isEqualTo(Duration.ofSeconds(5));
  }

  private static List<String> titles(List<Alert> alerts) {
    return alerts.stream().map(Alert::title).toList();
  }
}
