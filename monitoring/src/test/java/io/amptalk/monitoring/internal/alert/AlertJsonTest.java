package io.amptalk.monitoring.internal.alert;

import static io.amptalk.monitoring.internal.alert.AlertExamples.richAlert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** {@link AlertJson} reads back exactly what it writes. */
class AlertJsonTest {
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  /** The stored and sent form, to the byte: a data file written before a change must still read. */
  private static final String SIMPLE_JSON =
      "{\"id\":\"id-1\",\"title\":\"High CPU\",\"message\":\"cpu at 95%\",\"severity\":\"warning\","
          + "\"source\":\"system_monitor\",\"service\":\"svc\",\"time\":\"2026-03-01T12:00:00Z\","
          + "\"details\":{\"cpu\":95.5},\"labels\":{\"alertname\":\"High CPU\","
          + "\"service\":\"svc\",\"severity\":\"warning\",\"source\":\"system_monitor\"},"
          + "\"fingerprint\":\"fp\",\"state\":\"firing\","
          + "\"occurrences\":1,\"last_seen\":\"2026-03-01T12:00:00Z\",\"silenced\":false,\"inhibited\":false,"
          + "\"notes\":[]}";

  /** As written before alerts had labels. */
  private static final String UNLABELLED_JSON =
      SIMPLE_JSON.replaceFirst("\"labels\":\\{[^}]*\\},", "");

  private static Alert simpleAlert() {
    return new Alert(
        "id-1",
        "High CPU",
        "cpu at 95%",
        AlertSeverity.WARNING,
        "system_monitor",
        "svc",
        T0,
        Map.of("cpu", 95.5),
        "fp",
        Alert.State.FIRING,
        1,
        T0,
        false,
        List.of());
  }

  @Test
  void fromJson_ofAlertJson_isTheSameAlert() {
    Alert alert = richAlert();

    assertThat(AlertJson.fromJson(AlertJson.toJson(alert))).isEqualTo(alert);
  }

  @Test
  void fromJson_notAnAlert_throwsNamingTheProblem() {
    assertThatThrownBy(() -> AlertJson.fromJson("{\"id\": \"x\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field 'title' is missing");
    assertThatThrownBy(() -> AlertJson.fromJson("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("not a JSON object");
    assertThatThrownBy(() -> AlertJson.fromJson("{"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("not JSON: ");
  }

  @Test
  void fromJson_writtenBeforeLabels_readsWithTheBuiltInOnes() {
    assertThat(UNLABELLED_JSON).doesNotContain("labels");

    Alert alert = AlertJson.fromJson(UNLABELLED_JSON);

    assertThat(alert).isEqualTo(simpleAlert());
    assertThat(alert.labels())
        .containsExactly(
            Map.entry("alertname", "High CPU"),
            Map.entry("service", "svc"),
            Map.entry("severity", "warning"),
            Map.entry("source", "system_monitor"));
  }

  @Test
  void roundTrip_keepsTheCallersLabelsAndTheInstance_sorted() {
    Alert labelled =
        new Alert(
            "id-2",
            "Disk",
            "m",
            AlertSeverity.ERROR,
            "disk",
            "svc",
            Instant.parse("2026-03-01T12:00:00Z"),
            Map.of(),
            Map.of("mount", "/var", "instance", "i-1", "team", "db"),
            "fp",
            Alert.State.FIRING,
            1,
            Instant.parse("2026-03-01T12:00:00Z"),
            false,
            List.of());

    String json = AlertJson.toJson(labelled);

    assertThat(json)
        .contains(
            "\"labels\":{\"alertname\":\"Disk\",\"instance\":\"i-1\",\"mount\":\"/var\","
                + "\"service\":\"svc\",\"severity\":\"error\",\"source\":\"disk\",\"team\":\"db\"}");
    assertThat(AlertJson.fromJson(json)).isEqualTo(labelled);
    assertThatThrownBy(() -> AlertJson.fromJson(json.replace("\"team\":\"db\"", "\"team\":1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("labels must be an object of strings");
  }

  @Test
  void toJson_isTheDocumentedShape_andReadsBack() {
    assertThat(AlertJson.toJson(simpleAlert())).isEqualTo(SIMPLE_JSON);
    assertThat(AlertJson.fromJson(SIMPLE_JSON)).isEqualTo(simpleAlert());
  }

  @Test
  void toJson_ofFromJson_isTheSameText() {
    String json = AlertJson.toJson(richAlert());

    assertThat(AlertJson.toJson(AlertJson.fromJson(json))).isEqualTo(json);
  }

  @Test
  void roundTrip_keepsTheDetailTypesAndTheirOrder() {
    Map<String, Object> details = AlertJson.fromJson(AlertJson.toJson(richAlert())).details();

    assertThat(details.keySet())
        .containsExactly("cpu_usage", "count", "big", "ok", "none", "nested", "list", "text");
    assertThat(details.get("cpu_usage")).isEqualTo(83.5);
    assertThat(details.get("count")).isEqualTo(42);
    assertThat(details.get("big")).isEqualTo(12_345_678_901L);
    assertThat(details.get("ok")).isEqualTo(false);
    assertThat(details).containsEntry("none", null);
    assertThat(List.<Object>copyOf(((Map<?, ?>) details.get("nested")).keySet()))
        .containsExactly("zeta", "alpha", "nothing");
    assertThat(details.get("list")).isEqualTo(List.of(Map.of("k", "v"), List.of(), "x"));
    assertThat(details.get("text")).isEqualTo("Grüße, \"quoted\" \\ back\nslash — 日本語 😀");
  }

  @Test
  void roundTrip_everySeverityAndState_silencedOrNot() {
    for (AlertSeverity severity : AlertSeverity.values()) {
      for (Alert.State state : Alert.State.values()) {
        for (boolean silenced : new boolean[] {false, true}) {
          Alert alert = alert(severity, state, silenced, "t", List.of(), Map.of());

          assertThat(AlertJson.fromJson(AlertJson.toJson(alert))).isEqualTo(alert);
        }
      }
    }
  }

  @Test
  void roundTrip_inhibited_andJsonWrittenBeforeInhibitRules_readsAsNotInhibited() {
    Alert simple = simpleAlert();
    Alert inhibited =
        new Alert(
            simple.id(),
            simple.title(),
            simple.message(),
            simple.severity(),
            simple.source(),
            simple.service(),
            simple.time(),
            simple.details(),
            simple.labels(),
            simple.fingerprint(),
            simple.state(),
            simple.occurrences(),
            simple.lastSeen(),
            false,
            true,
            List.of());
    Map<String, Object> older = AlertJson.toMap(simple);
    older.remove("inhibited");

    assertThat(AlertJson.toMap(inhibited)).containsEntry("inhibited", true);
    assertThat(AlertJson.fromJson(AlertJson.toJson(inhibited))).isEqualTo(inhibited);
    assertThat(AlertJson.fromJson(AlertJson.write(older))).isEqualTo(simple);
  }

  @Test
  void roundTrip_timesKeepTheirNanoseconds_beforeAndAfterTheEpoch() {
    for (Instant time :
        List.of(
            Instant.parse("1969-12-31T23:59:59.999999999Z"),
            Instant.EPOCH,
            Instant.parse("2262-04-11T23:47:16.854775807Z"),
            Instant.parse("+10000-01-01T00:00:00.000000001Z"))) {
      Alert alert =
          new Alert(
              "id",
              "t",
              "m",
              AlertSeverity.INFO,
              "s",
              "svc",
              time,
              Map.of(),
              "fp",
              Alert.State.FIRING,
              Integer.MAX_VALUE,
              time,
              false,
              List.of());

      assertThat(AlertJson.fromJson(AlertJson.toJson(alert))).isEqualTo(alert);
    }
  }

  @Test
  void fromJson_absentOrNullDetailsAndNotes_readAsEmpty() {
    Map<String, Object> json = AlertJson.toMap(simpleAlert());
    json.put("details", null);
    json.remove("notes");

    Alert alert = AlertJson.fromJson(AlertJson.write(json));

    assertThat(alert.details()).isEmpty();
    assertThat(alert.notes()).isEmpty();
  }

  @Test
  void fromJson_ignoresFieldsItDoesNotKnow() {
    Map<String, Object> json = AlertJson.toMap(simpleAlert());
    json.put("added_later", List.of(1));

    assertThat(AlertJson.fromJson(AlertJson.write(json))).isEqualTo(simpleAlert());
  }

  @Test
  void fromJson_badField_throwsNamingIt() {
    assertThatThrownBy(() -> AlertJson.fromJson(with("notes", "a note")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("notes must be an array");
    assertThatThrownBy(() -> AlertJson.fromJson(with("silenced", null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("field 'silenced' is missing");
    assertThatThrownBy(() -> AlertJson.fromJson(with("severity", "loud")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loud");
    assertThatThrownBy(() -> AlertJson.fromJson(with("state", "pending")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PENDING");
    assertThatThrownBy(() -> AlertJson.fromJson(with("time", "yesterday")))
        .isInstanceOf(DateTimeParseException.class)
        .hasMessageContaining("yesterday");
  }

  @Property(tries = 300)
  void roundTrip_anyAlert_isTheSameAlert(@ForAll("alerts") Alert alert) {
    String json = AlertJson.toJson(alert);

    assertThat(AlertJson.fromJson(json)).isEqualTo(alert);
    assertThat(AlertJson.toJson(AlertJson.fromJson(json))).isEqualTo(json);
  }

  @Provide
  Arbitrary<Alert> alerts() {
    Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(30);
    return Combinators.combine(
            Arbitraries.of(AlertSeverity.class),
            Arbitraries.of(Alert.State.class),
            Arbitraries.of(true, false),
            text,
            text.list().ofMaxSize(3),
            details(text, 2))
        .as(AlertJsonTest::alert);
  }

  /** Details as JSON reads them back: ints, longs past the int range, finite doubles, nesting. */
  private static Arbitrary<Map<String, Object>> details(Arbitrary<String> text, int depth) {
    List<Arbitrary<? extends Object>> values = new ArrayList<>();
    values.add(Arbitraries.integers());
    values.add(Arbitraries.longs().greaterOrEqual(Integer.MAX_VALUE + 1L));
    values.add(Arbitraries.doubles().between(-1e300, 1e300));
    values.add(Arbitraries.of(true, false));
    values.add(text);
    values.add(Arbitraries.just((Object) null));
    if (depth > 0) {
      values.add(details(text, depth - 1));
      values.add(Arbitraries.integers().list().ofMaxSize(3));
    }
    return Arbitraries.maps(text, Arbitraries.oneOf(values)).ofMaxSize(4).map(LinkedHashMap::new);
  }

  private static Alert alert(
      AlertSeverity severity,
      Alert.State state,
      boolean silenced,
      String text,
      List<String> notes,
      Map<String, Object> details) {
    return new Alert(
        text,
        text,
        text,
        severity,
        text,
        text,
        T0,
        details,
        text,
        state,
        3,
        T0.plusNanos(1),
        silenced,
        notes);
  }

  private static String with(String field, Object value) {
    Map<String, Object> json = AlertJson.toMap(simpleAlert());
    json.put(field, value);
    return AlertJson.write(json);
  }
}
