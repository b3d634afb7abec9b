package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.alert.AlertSystemTest.Recording;
import io.amptalk.monitoring.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inhibit rules: a firing root cause keeps its symptoms out of the notifiers, in history marked
 * inhibited, until it resolves. Each test ends with a marker alert and waits for it: one notifier
 * delivers in order, so once the marker is sent, nothing raised before it is still on its way.
 */
class InhibitionTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  /** While a host is down, its warnings and errors only repeat the news. */
  private static final InhibitRule HOST_DOWN =
      InhibitRule.of(
          List.of("alertname=Host down"), List.of("severity=~warning|error"), List.of("host"));

  private final MutableClock clock = new MutableClock(START);
  private final Recording log = new Recording("log");
  private AlertSystem alerts = system(List.of(HOST_DOWN), 10_000);

  private AlertSystem system(List<InhibitRule> rules, int maxFiring) {
    return AlertSystem.builder()
        .serviceName("checkout")
        .serviceInstanceId("i-7")
        .clock(clock)
        .noRateLimit()
        .repeatInterval(Duration.ofHours(1))
        .dedupWindow(Duration.ofHours(2))
        .maxFiring(maxFiring)
        .inhibitRules(rules)
        .defaultNotifiers(List.of(log))
        .build();
  }

  @AfterEach
  void close() {
    alerts.close();
  }

  private Alert raise(String title, AlertSeverity severity, String host) {
    return alerts.alert(title, "m", severity, "probe", Map.of(), Map.of("host", host));
  }

  /** What the notifier got, once everything raised before this call was delivered. */
  private List<String> delivered() {
    Alert marker = alerts.alert("marker " + log.sent.size(), "", AlertSeverity.INFO, "test", null);
    await().until(() -> log.sent.stream().anyMatch(a -> a.id().equals(marker.id())));
    alerts.resolve(marker.fingerprint());
    await().until(() -> log.sent.stream().filter(a -> a.id().equals(marker.id())).count() == 2);
    return log.sent.stream()
        .filter(a -> !a.title().startsWith("marker"))
        .map(a -> a.title() + " " + a.labels().get("host") + " " + a.state())
        .toList();
  }

  @Test
  void aFiringSource_inhibitsTheTargetsItsRuleMatches_onItsOwnHostOnly() {
    Alert down = raise("Host down", AlertSeverity.CRITICAL, "a");
    Alert disk = raise("Disk full", AlertSeverity.ERROR, "a");
    Alert cpu = raise("CPU high", AlertSeverity.WARNING, "a");
    Alert otherHost = raise("Disk full", AlertSeverity.ERROR, "b");
    Alert info = raise("Deploy done", AlertSeverity.INFO, "a");

    assertThat(down.inhibited()).isFalse();
    assertThat(disk.inhibited()).isTrue();
    assertThat(cpu.inhibited()).isTrue();
    assertThat(otherHost.inhibited()).isFalse();
    assertThat(info.inhibited()).isFalse();
    assertThat(delivered())
        .containsExactly("Host down a FIRING", "Disk full b FIRING", "Deploy done a FIRING");
    // Kept in history, marked.
    assertThat(alerts.getHistory(100, null, "probe"))
        .filteredOn(Alert::inhibited)
        .extracting(Alert::id)
        .containsExactlyInAnyOrder(disk.id(), cpu.id());
  }

  @Test
  void whenTheSourceResolves_targetsStillFiringAreNotified_andOnesThatEndedNever() {
    Alert down = raise("Host down", AlertSeverity.CRITICAL, "a");
    Alert disk = raise("Disk full", AlertSeverity.ERROR, "a");
    Alert blip = raise("CPU high", AlertSeverity.WARNING, "a");
    assertThat(alerts.resolve(blip.fingerprint())).isTrue();

    assertThat(delivered()).containsExactly("Host down a FIRING");

    assertThat(alerts.resolve(down.fingerprint())).isTrue();
    assertThat(delivered())
        .containsExactly("Host down a FIRING", "Host down a RESOLVED", "Disk full a FIRING");
    Alert released = log.sent.get(log.sent.size() - 3);
    assertThat(released.id()).isEqualTo(disk.id());
    assertThat(released.inhibited()).isFalse();

    assertThat(alerts.resolve(disk.fingerprint())).isTrue();
    assertThat(delivered())
        .containsExactly(
            "Host down a FIRING",
            "Host down a RESOLVED",
            "Disk full a FIRING",
            "Disk full a RESOLVED");
  }

  @Test
  void aTargetHeldByTwoSources_waitsForTheLast() {
    alerts.close();
    alerts =
        system(
            List.of(
                HOST_DOWN,
                InhibitRule.of(
                    List.of("alertname=Rack down"), List.of("alertname=Disk full"), List.of())),
            10_000);
    Alert host = raise("Host down", AlertSeverity.CRITICAL, "a");
    Alert rack = raise("Rack down", AlertSeverity.CRITICAL, "r1");
    raise("Disk full", AlertSeverity.ERROR, "a");

    alerts.resolve(host.fingerprint());
    assertThat(delivered())
        .containsExactly("Host down a FIRING", "Rack down r1 FIRING", "Host down a RESOLVED");

    alerts.resolve(rack.fingerprint());
    assertThat(delivered()).endsWith("Rack down r1 RESOLVED", "Disk full a FIRING").hasSize(5);
  }

  @Test
  void alertsMatchingBothSides_doNotInhibitEachOther_butOneMatchingOnlyTheSourceDoes() {
    alerts.close();
    alerts =
        system(
            List.of(
                InhibitRule.of(
                    List.of("severity=critical"), List.of("source=probe"), List.of("host"))),
            10_000);
    Alert first = raise("Host down", AlertSeverity.CRITICAL, "a");
    Alert second = raise("Disk gone", AlertSeverity.CRITICAL, "a");
    clock.advance(Duration.ofMinutes(61));
    Alert reminder = raise("Host down", AlertSeverity.CRITICAL, "a");
    Alert sourceOnly =
        alerts.alert(
            "Switch down", "m", AlertSeverity.CRITICAL, "switch", Map.of(), Map.of("host", "a"));
    Alert third = raise("Disk slow", AlertSeverity.CRITICAL, "a");

    assertThat(first.inhibited()).isFalse();
    assertThat(second.inhibited()).isFalse();
    assertThat(reminder.id()).isEqualTo(first.id());
    assertThat(reminder.inhibited()).isFalse();
    assertThat(sourceOnly.inhibited()).isFalse();
    assertThat(third.inhibited()).isTrue();
    assertThat(delivered())
        .containsExactly(
            "Host down a FIRING",
            "Disk gone a FIRING",
            "Host down a FIRING",
            "Switch down a FIRING");
  }

  @Test
  void aSourceRaisedAfterItsTarget_holdsBackTheReminders_butNotTheResolution() {
    Alert disk = raise("Disk full", AlertSeverity.ERROR, "a");
    Alert down = raise("Host down", AlertSeverity.CRITICAL, "a");
    clock.advance(Duration.ofMinutes(61));
    Alert reminder = raise("Disk full", AlertSeverity.ERROR, "a");

    assertThat(reminder.id()).isEqualTo(disk.id());
    assertThat(reminder.occurrences()).isEqualTo(2);
    assertThat(reminder.inhibited()).isFalse(); // its receivers were told: it is not theirs to miss
    assertThat(delivered()).containsExactly("Disk full a FIRING", "Host down a FIRING");

    alerts.resolve(down.fingerprint());
    alerts.resolve(disk.fingerprint());
    assertThat(delivered())
        .containsExactly(
            "Disk full a FIRING",
            "Host down a FIRING",
            "Host down a RESOLVED",
            "Disk full a RESOLVED");
  }

  @Test
  void aSourceTheFiringBoundsForgot_holdsNothingBack_atTheTargetsNextRepeat() {
    alerts.close();
    alerts = system(List.of(HOST_DOWN), 3);
    raise("Host down", AlertSeverity.CRITICAL, "a");
    Alert disk = raise("Disk full", AlertSeverity.ERROR, "a");
    raise("Other 1", AlertSeverity.INFO, "x");
    raise("Other 2", AlertSeverity.INFO, "y"); // the least recently raised, Host down, goes
    Alert repeat = raise("Disk full", AlertSeverity.ERROR, "a");

    assertThat(disk.inhibited()).isTrue();
    assertThat(repeat.id()).isEqualTo(disk.id());
    assertThat(repeat.inhibited()).isFalse();
    assertThat(delivered())
        .containsExactly(
            "Host down a FIRING", "Other 1 x FIRING", "Other 2 y FIRING", "Disk full a FIRING");
  }

  @Test
  void badRules_areRefusedNamingTheProblem() {
    assertThatThrownBy(() -> InhibitRule.of(List.of(), List.of("a=b"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "an inhibit rule needs at least one source matcher; none would let any alert inhibit");
    assertThatThrownBy(() -> InhibitRule.of(List.of("a=b"), List.of(), List.of()))
        .hasMessage(
            "an inhibit rule needs at least one target matcher; none would inhibit every alert");
    assertThatThrownBy(() -> InhibitRule.of(List.of("team=~(db"), List.of("a=b"), List.of()))
        .hasMessage(
            "label matcher 'team=~(db' has an invalid regular expression: Unclosed group near"
                + " index 3");
    assertThatThrownBy(() -> InhibitRule.of(List.of("a=b"), List.of("a=c"), List.of("9x")))
        .hasMessage(
            "inhibit rule's equal label '9x': label name '9x' must match [a-zA-Z_][a-zA-Z0-9_]*");
    assertThatThrownBy(
            () -> InhibitRule.of(List.of("a=b"), List.of("a=c"), List.of("host", "host")))
        .hasMessage("inhibit rule's equal lists a label twice: [host, host]");
    assertThatThrownBy(
            () ->
                AlertSystem.builder()
                    .inhibitRules(Collections.nCopies(InhibitRule.MAX_RULES + 1, HOST_DOWN)))
        .hasMessage("inhibitRules holds 101 rules; at most 100 are allowed");
  }

  @Test
  void toString_readsAsTheRule() {
    assertThat(HOST_DOWN)
        .hasToString("[alertname=Host down] mutes [severity=~warning|error] on [host]");
  }
}
