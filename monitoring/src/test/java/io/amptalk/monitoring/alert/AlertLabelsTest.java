package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.alert.AlertSystemTest.Recording;
import io.amptalk.monitoring.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Labels: the built-in ones, the caller's within the rules, the fingerprint, silences on them. */
class AlertLabelsTest {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final MutableClock clock = new MutableClock(START);
  private final Recording log = new Recording("log");
  private final AlertSystem alerts =
      AlertSystem.builder()
          .serviceName("checkout")
          .serviceInstanceId("i-7")
          .clock(clock)
          .noRateLimit()
          .defaultNotifiers(List.of(log))
          .build();

  @AfterEach
  void close() {
    alerts.close();
  }

  @Test
  void alert_carriesTheBuiltInLabelsAndTheCallers_sortedByName() {
    Alert alert =
        alerts.alert(
            "Disk full", "m", AlertSeverity.ERROR, "disk", Map.of(), Map.of("mount", "/var"));

    assertThat(alert.labels())
        .containsExactly(
            Map.entry("alertname", "Disk full"),
            Map.entry("instance", "i-7"),
            Map.entry("mount", "/var"),
            Map.entry("service", "checkout"),
            Map.entry("severity", "error"),
            Map.entry("source", "disk"));
    assertThat(alert.notes()).isEmpty();
    assertThatThrownBy(() -> alert.labels().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void alert_withoutLabels_hasTheFingerprintOfBeforeLabels() {
    Alert alert = alerts.alert("Disk full", "m", AlertSeverity.ERROR, "disk", Map.of());

    // The FNV-1a value of service, source and title, as the release before labels computed it
    // (the same algorithm, run apart on these three strings).
    assertThat(alert.fingerprint())
        .isEqualTo(Alert.fingerprint("checkout", "disk", "Disk full"))
        .isEqualTo(Alert.fingerprint(alert.labels()))
        .isEqualTo("dc34225327f0f75b");
  }

  @Test
  void fingerprint_dependsOnTheCallersLabels_notOnSeverityOrInstanceOrOrder() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("mount", "/var");
    a.put("team", "db");
    Map<String, String> b = new LinkedHashMap<>();
    b.put("team", "db");
    b.put("mount", "/var");

    Alert first = alerts.alert("Disk full", "m", AlertSeverity.ERROR, "disk", Map.of(), a);
    Alert repeat = alerts.alert("Disk full", "m", AlertSeverity.CRITICAL, "disk", Map.of(), b);
    Alert other =
        alerts.alert("Disk full", "m", AlertSeverity.ERROR, "disk", Map.of(), Map.of("mount", "/"));

    assertThat(repeat.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(repeat.id()).isEqualTo(first.id());
    assertThat(repeat.occurrences()).isEqualTo(2);
    assertThat(other.fingerprint()).isNotEqualTo(first.fingerprint());
    assertThat(other.occurrences()).isEqualTo(1);
    Map<String, String> elsewhere = new TreeMap<>(first.labels());
    elsewhere.put("instance", "i-8");
    elsewhere.put("severity", "info");
    assertThat(Alert.fingerprint(elsewhere)).isEqualTo(first.fingerprint());
    // (service, source, title) and the labels are not confused: a name is not a value.
    assertThat(Alert.fingerprint(Map.of("service", "s", "source", "x", "alertname", "t", "a", "b")))
        .isNotEqualTo(
            Alert.fingerprint(Map.of("service", "s", "source", "x", "alertname", "t", "ab", "")));
  }

  @Test
  void alert_badLabels_areDroppedWithANoteEach_neverThrows() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("9lives", "x");
    labels.put("__meta", "x");
    labels.put("severity", "low");
    labels.put("fingerprint", "f");
    labels.put("empty", "");
    labels.put("long", "v".repeat(1025));
    labels.put("ok", "kept");
    labels.put(null, "x");
    labels.put("nothing", null);

    Alert alert = alerts.alert("T", "m", AlertSeverity.WARNING, "s", Map.of(), labels);

    assertThat(alert.labels()).containsEntry("ok", "kept").containsEntry("severity", "warning");
    assertThat(alert.labels()).hasSize(6);
    assertThat(alert.notes())
        .containsExactly(
            "label name '9lives' must match [a-zA-Z_][a-zA-Z0-9_]*; dropped",
            "label name '__meta' is reserved (names starting with __ are); dropped",
            "label 'severity' is built in and cannot be set; dropped",
            "label 'fingerprint' is built in and cannot be set; dropped",
            "label 'empty' has an empty value; dropped",
            "label 'long' has a value of 1025 characters, more than 1024; dropped",
            "label name is null; dropped",
            "label 'nothing' must have a string value, was null; dropped");
  }

  @Test
  void alert_pastTheBounds_keepsTheFirst32ByName_andCountsTheRest() {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 99; i >= 0; i--) {
      labels.put(String.format("l%02d", i), "v");
    }
    labels.put("a".repeat(129), "v");
    for (int i = 0; i < 10; i++) {
      labels.put("-" + i, "v");
    }

    Alert alert = alerts.alert("T", "m", AlertSeverity.WARNING, "s", Map.of(), labels);

    assertThat(alert.labels()).hasSize(5 + 32).containsKey("l31").doesNotContainKey("l32");
    assertThat(alert.notes())
        .hasSize(10)
        .startsWith(
            "label name '" + "a".repeat(32) + "…' is 129 characters long, more than 128; dropped")
        .endsWith(
            "3 more labels were refused and dropped",
            "68 labels past the 32 allowed were dropped (the last by name, down to 'l32')");
  }

  @Test
  void newAlert_badLabel_isRefusedNamingIt() {
    assertThatThrownBy(() -> Alert.requireValidLabel("team-a", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label name 'team-a' must match [a-zA-Z_][a-zA-Z0-9_]*");
    assertThatThrownBy(
            () ->
                new Alert(
                    "id",
                    "t",
                    "m",
                    AlertSeverity.INFO,
                    "s",
                    "svc",
                    START,
                    Map.of(),
                    Map.of("__x", "y"),
                    "fp",
                    Alert.State.FIRING,
                    1,
                    START,
                    false,
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label name '__x' is reserved (names starting with __ are)");
  }

  @Test
  void silence_labelMatchers_muteWhatTheyMatch_untilItEnds() {
    Silence silence =
        alerts.addSilence(
            List.of("team=db", "alertname=~Disk.*", "instance!=i-8", "mount!~/boot|/"),
            Duration.ofMinutes(10),
            "maintenance");

    Alert muted =
        alerts.alert(
            "Disk full",
            "m",
            AlertSeverity.ERROR,
            "disk",
            Map.of(),
            Map.of("team", "db", "mount", "/var"));
    Alert otherTeam =
        alerts.alert(
            "Disk full", "m", AlertSeverity.ERROR, "disk", Map.of(), Map.of("team", "web"));
    Alert root =
        alerts.alert(
            "Disk full",
            "m",
            AlertSeverity.ERROR,
            "disk",
            Map.of(),
            Map.of("team", "db", "mount", "/"));
    clock.advance(Duration.ofMinutes(10));
    Alert after =
        alerts.alert("Disk slow", "m", AlertSeverity.ERROR, "disk", Map.of(), Map.of("team", "db"));

    assertThat(silence.matchers())
        .extracting(Object::toString)
        .containsExactly("team=db", "alertname=~Disk.*", "instance!=i-8", "mount!~/boot|/");
    assertThat(muted.silenced()).isTrue();
    assertThat(otherTeam.silenced()).isFalse();
    assertThat(root.silenced()).isFalse();
    assertThat(after.silenced()).isFalse();
    await().until(() -> log.sent.size() == 3);
    assertThat(log.sent)
        .extracting(Alert::id)
        .containsExactlyInAnyOrder(otherTeam.id(), root.id(), after.id());
  }

  @Test
  void addSilence_badMatchers_areRefusedNamingThem() {
    assertThatThrownBy(() -> alerts.addSilence(List.of("team=~(db"), Duration.ofMinutes(1), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "label matcher 'team=~(db' has an invalid regular expression: Unclosed group near index 3");
    assertThatThrownBy(() -> alerts.addSilence(List.of("team"), Duration.ofMinutes(1), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "label matcher 'team' must be name=value, name!=value, name=~regex or name!~regex");
    assertThatThrownBy(() -> alerts.addSilence(List.of("1team=db"), Duration.ofMinutes(1), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "label matcher '1team=db': label name '1team' must match [a-zA-Z_][a-zA-Z0-9_]*");
    assertThatThrownBy(() -> alerts.addSilence(List.of(), Duration.ofMinutes(1), ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a silence needs at least one label matcher; an empty list would mute every alert");
    assertThat(alerts.getSilences()).isEmpty();
  }

  @Test
  void silence_oldFields_stillWork_besideLabels() {
    alerts.addSilence("disk", null, null, Duration.ofMinutes(5), "old api");

    assertThat(
            alerts
                .alert("A", "m", AlertSeverity.ERROR, "disk", Map.of(), Map.of("team", "db"))
                .silenced())
        .isTrue();
    assertThat(alerts.alert("A", "m", AlertSeverity.ERROR, "net", Map.of()).silenced()).isFalse();
  }
}
