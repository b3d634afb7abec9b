package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.alert.AlertSystemTest.Recording;
import io.amptalk.monitoring.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Grouping, on an injected clock: a group's first notification waits {@code groupWait}, later ones
 * come every {@code groupInterval} at most when it changed, an unchanged firing group is told again
 * after {@code repeatInterval}. The test drives {@code flushGroups()} itself; the alert system's
 * own tick calls it too, on the same clock, so it can only do the same.
 */
class GroupingTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Grouping BY_TEAM = Grouping.by(List.of("team"));

  private final MutableClock clock = new MutableClock(START);
  private final Recording log = new Recording("log");
  private AlertSystem alerts;

  private AlertSystem system(Route route) {
    return AlertSystem.builder()
        .serviceName("checkout")
        .serviceInstanceId("i-7")
        .clock(clock)
        .route(route)
        .defaultNotifiers(List.of(log))
        .build();
  }

  @AfterEach
  void close() {
    if (alerts != null) {
      alerts.close();
    }
  }

  private Alert raise(String title, String team) {
    return alerts.alert(title, "m", AlertSeverity.ERROR, "probe", Map.of(), Map.of("team", team));
  }

  private void at(Duration sinceStart) {
    clock.set(START.plus(sinceStart));
    alerts.flushGroups();
  }

  /** The titles sent so far, once {@code count} have been. */
  private List<String> sent(int count) {
    await().until(() -> log.sent.size() >= count);
    return log.titles();
  }

  @Test
  void aStormOf10000AlertsIn5Groups_isFiveNotifications_notARateLimitSummary() {
    alerts = system(Route.builder().grouping(BY_TEAM).build()); // the default rate limit: 60/min
    for (int i = 0; i < 10_000; i++) {
      raise("Storm " + i, "team-" + i % 5);
    }
    at(Duration.ofSeconds(29));
    assertThat(log.sent).isEmpty();

    at(Duration.ofSeconds(30));
    alerts.close(); // delivers what is queued, and nothing more can come
    assertThat(log.titles())
        .containsExactly(
            "[FIRING:2000] {team=team-0}",
            "[FIRING:2000] {team=team-1}",
            "[FIRING:2000] {team=team-2}",
            "[FIRING:2000] {team=team-3}",
            "[FIRING:2000] {team=team-4}");
    Alert first = log.sent.get(0);
    assertThat(first.labels()).containsEntry("team", "team-0");
    assertThat(first.details())
        .containsEntry("group", Map.of("team", "team-0"))
        .containsEntry("firing", 2000)
        .containsEntry("resolved", 0)
        .containsEntry("more", 1900);
    assertThat((List<?>) first.details().get("alerts")).hasSize(Grouping.MAX_LISTED);
    assertThat(first.message()).startsWith("[ERROR] Storm 0: m\n[ERROR] Storm 5: m\n");
    assertThat(first.message()).endsWith("\n… and 1900 more alerts");
  }

  @Test
  void groupWait_thenGroupInterval_thenRepeatInterval_asAlertmanager() {
    alerts = system(Route.builder().grouping(BY_TEAM).build());
    Alert a = raise("Disk full", "db");
    clock.set(START.plusSeconds(10));
    Alert b = raise("Replica lag", "db");
    at(Duration.ofSeconds(29));
    assertThat(log.sent).isEmpty();
    at(Duration.ofSeconds(30));
    assertThat(sent(1)).containsExactly("[FIRING:2] {team=db}");

    clock.set(START.plusSeconds(60));
    Alert c = raise("Disk slow", "db");
    at(Duration.ofSeconds(329)); // 30 s + 5 min is the earliest
    at(Duration.ofSeconds(330));
    assertThat(sent(2)).containsExactly("[FIRING:2] {team=db}", "[FIRING:3] {team=db}");

    clock.set(START.plusSeconds(360));
    alerts.resolve(a.fingerprint());
    at(Duration.ofSeconds(629));
    at(Duration.ofSeconds(630));
    assertThat(sent(3)).endsWith("[FIRING:2, RESOLVED:1] {team=db}");
    assertThat(log.sent.get(2).message())
        .isEqualTo("[ERROR] Replica lag: m\n[ERROR] Disk slow: m\nresolved: [ERROR] Disk full: m");

    // Unchanged and firing: told again 4 h after the last notification.
    at(Duration.ofSeconds(630).plusHours(4).minusSeconds(1));
    at(Duration.ofSeconds(630).plusHours(4));
    assertThat(sent(4)).endsWith("[FIRING:2] {team=db}");

    alerts.resolve(b.fingerprint());
    alerts.resolve(c.fingerprint());
    at(Duration.ofSeconds(630).plusHours(4).plusMinutes(5));
    alerts.close();
    assertThat(log.titles()).hasSize(5).endsWith("[RESOLVED:2] {team=db}");
    assertThat(log.sent.get(4).state()).isEqualTo(Alert.State.RESOLVED);
  }

  @Test
  void onlyTheRoutesThatGroup_wait_andClose_tellsWhatTheGroupsHeld() {
    alerts =
        system(
            Route.builder()
                .routes(
                    List.of(
                        Route.builder()
                            .matchers(List.of("team=db"))
                            .grouping(BY_TEAM.withGroupWait(Duration.ofMinutes(1)))
                            .build()))
                .build());
    raise("Disk full", "db");
    raise("Disk full", "web"); // the root: no grouping, notified at once, alone
    raise("Replica lag", "db");

    assertThat(sent(1)).containsExactly("Disk full");
    at(Duration.ofSeconds(59));
    alerts.close(); // the db group's minute has not passed: it is told now rather than never
    assertThat(log.titles()).containsExactly("Disk full", "[FIRING:2] {team=db}");
  }

  @Test
  void aReceiverThatIsResentFiringAlerts_getsTheAlertsThemselves_forItGroupsThemItself() {
    List<Alert> alertmanager = new java.util.concurrent.CopyOnWriteArrayList<>();
    AlertNotifier refreshed =
        new AlertNotifier() {
          @Override
          public void send(Alert alert) {
            alertmanager.add(alert);
          }

          @Override
          public String name() {
            return "alertmanager";
          }

          @Override
          public java.util.Optional<Duration> firingResendInterval() {
            return java.util.Optional.of(Duration.ofHours(1));
          }
        };
    alerts =
        AlertSystem.builder()
            .clock(clock)
            .route(
                Route.builder().routes(List.of(Route.builder().grouping(BY_TEAM).build())).build())
            .defaultNotifiers(List.of(log, refreshed))
            .build();
    raise("Disk full", "db");
    raise("Replica lag", "db");
    at(Duration.ofSeconds(30));
    alerts.close();

    assertThat(log.titles()).containsExactly("[FIRING:2] {team=db}");
    assertThat(alertmanager).extracting(Alert::title).containsExactly("Disk full", "Replica lag");
  }

  @Test
  void aGroupOfOneTitle_isNamedByIt_andBadGroupingsAreRefused() {
    alerts = system(Route.builder().grouping(Grouping.by(List.of())).build());
    raise("Disk full", "db");
    raise("Disk full", "web");
    at(Duration.ofSeconds(30));
    assertThat(sent(1)).containsExactly("[FIRING:2] Disk full");

    assertThatThrownBy(() -> Grouping.by(List.of("team", "team")))
        .hasMessage("group_by lists a label twice: [team, team]");
    assertThatThrownBy(() -> Grouping.by(List.of("9")))
        .hasMessage("group_by label '9': label name '9' must match [a-zA-Z_][a-zA-Z0-9_]*");
    assertThatThrownBy(() -> BY_TEAM.withGroupWait(Duration.ofSeconds(-1)))
        .hasMessage("groupWait must not be negative, was PT-1S");
    assertThatThrownBy(() -> BY_TEAM.withGroupInterval(Duration.ZERO))
        .hasMessage("groupInterval must be a positive duration, was PT0S");
  }
}
