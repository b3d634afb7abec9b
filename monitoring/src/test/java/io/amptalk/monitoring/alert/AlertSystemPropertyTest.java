package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.testing.Hostile;
import io.amptalk.monitoring.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Property-based (issue #7): {@code alert()}, the {@code createXxxAlert} helpers and {@code
 * resolve} fed any strings, severities and details never throw, record exactly the README's
 * normalisation, and keep history, firing alerts and metric attributes within their caps.
 */
class AlertSystemPropertyTest {
  private static final int MAX_HISTORY = 25;
  private static final int MAX_FIRING = 10;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private SystemMonitor monitor;
  private AlertSystem system;

  @BeforeProperty
  void start() {
    monitor =
        SystemMonitor.builder()
            .enablePrometheus(false)
            .enableJvmMetrics(false)
            .collectInterval(Duration.ofHours(1))
            .clock(clock)
            .build();
    AlertNotifier quiet = alert -> {};
    system =
        AlertSystem.builder()
            .clock(clock)
            .meter(monitor.getMeter())
            .noRateLimit()
            .maxHistorySize(MAX_HISTORY)
            .maxFiring(MAX_FIRING)
            .defaultNotifiers(List.of(quiet))
            .build();
  }

  @AfterProperty
  void stop() {
    system.close();
    monitor.close();
  }

  /** Which entry point raises the alert. */
  enum Entry {
    ALERT,
    INFO,
    WARNING,
    ERROR,
    CRITICAL
  }

  record Raise(
      Entry entry,
      String title,
      String message,
      AlertSeverity severity,
      String source,
      Hostile.Details details) {}

  @Provide
  Arbitrary<Raise> raises() {
    return net.jqwik.api.Combinators.combine(
            Arbitraries.of(Entry.class),
            Hostile.strings(),
            Hostile.strings(),
            Arbitraries.of(AlertSeverity.class).injectNull(0.2),
            Hostile.strings(),
            Hostile.details())
        .as(Raise::new);
  }

  private Alert raise(Raise r) {
    return switch (r.entry()) {
      case ALERT -> system.alert(r.title(), r.message(), r.severity(), r.source(), details(r));
      case INFO ->
          AlertSystem.createInfoAlert(system, r.title(), r.message(), r.source(), details(r));
      case WARNING ->
          AlertSystem.createWarningAlert(system, r.title(), r.message(), r.source(), details(r));
      case ERROR ->
          AlertSystem.createErrorAlert(system, r.title(), r.message(), r.source(), details(r));
      case CRITICAL ->
          AlertSystem.createCriticalAlert(system, r.title(), r.message(), r.source(), details(r));
    };
  }

  private static java.util.Map<String, Object> details(Raise r) {
    return r.details().map();
  }

  // ---------------------------------------------------------------- the oracle, from the README

  /** A field as recorded: the fallback when null or blank, else cut without splitting a pair. */
  private static String clean(String value, String fallback, int max) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    if (value.length() <= max) {
      return value;
    }
    return value.substring(0, Character.isHighSurrogate(value.charAt(max - 1)) ? max - 1 : max);
  }

  private static void note(
      List<String> notes, String field, String value, String fallback, int max) {
    if (value == null || value.isBlank()) {
      notes.add(
          field + " was " + (value == null ? "null" : "blank") + "; set to '" + fallback + "'");
    } else if (value.length() > max) {
      notes.add(field + " was cut from " + value.length() + " to " + max + " characters");
    }
  }

  private static AlertSeverity severity(Raise r) {
    return switch (r.entry()) {
      case ALERT -> r.severity() == null ? AlertSeverity.WARNING : r.severity();
      case INFO -> AlertSeverity.INFO;
      case WARNING -> AlertSeverity.WARNING;
      case ERROR -> AlertSeverity.ERROR;
      case CRITICAL -> AlertSeverity.CRITICAL;
    };
  }

  // ---------------------------------------------------------------- properties

  @Property(tries = 600)
  void anyInput_neverThrows_recordsTheNormalisedAlert_andStaysWithinTheCaps(
      @ForAll("raises") Raise r) throws Exception {
    clock.advance(Duration.ofSeconds(1));

    Alert alert = raise(r); // a throw fails the property

    assertThat(alert).isNotNull();
    String title = clean(r.title(), "(untitled)", AlertSystem.MAX_TITLE_LENGTH);
    String source = clean(r.source(), "unknown", AlertSystem.MAX_TITLE_LENGTH);
    assertThat(alert.title()).isEqualTo(title);
    assertThat(alert.source()).isEqualTo(source);
    assertThat(alert.fingerprint())
        .isEqualTo(Alert.fingerprint(system.getServiceName(), source, title));
    assertThat(alert.state()).isEqualTo(Alert.State.FIRING);
    if (alert.occurrences() == 1) {
      // A first occurrence carries this call's message, severity and notes (a repeat, its first's).
      List<String> notes = new ArrayList<>();
      note(notes, "title", r.title(), "(untitled)", AlertSystem.MAX_TITLE_LENGTH);
      note(notes, "source", r.source(), "unknown", AlertSystem.MAX_TITLE_LENGTH);
      note(notes, "message", r.message(), "", AlertSystem.MAX_MESSAGE_LENGTH);
      if (r.entry() == Entry.ALERT && r.severity() == null) {
        notes.add("severity was null; raised as WARNING");
      }
      assertThat(alert.message()).isEqualTo(clean(r.message(), "", AlertSystem.MAX_MESSAGE_LENGTH));
      assertThat(alert.severity()).isEqualTo(severity(r));
      // Plus one note when the details had to be bounded (example tests pin down when).
      if (alert.notes().size() == notes.size() + 1) {
        notes.add(Alert.DETAILS_CUT_NOTE);
      }
      assertThat(alert.notes()).containsExactlyElementsOf(notes);
      assertThat(alert.time()).isEqualTo(clock.instant());
    }
    // Whatever the details were (cyclic, deep, unprintable), the alert is written as JSON.
    JsonNode json = AlertJson.MAPPER.readTree(AlertJson.toJson(alert));
    assertThat(json.get("title").asText()).isEqualTo(title);
    assertThat(json.get("id").asText()).isEqualTo(alert.id());
    assertThat(system.getHistory(MAX_HISTORY + 10, null, null))
        .hasSizeLessThanOrEqualTo(MAX_HISTORY)
        .extracting(Alert::id)
        .contains(alert.id());
    assertThat(system.firingCount()).isBetween(1, MAX_FIRING);
    assertThat(system.metrics().cachedAttributeSets())
        .isLessThanOrEqualTo(100 * AlertSeverity.values().length);
  }

  @Property(tries = 300)
  void resolve_bySourceAndTitle_endsExactlyTheAlertJustRaised(@ForAll("raises") Raise r) {
    clock.advance(Duration.ofSeconds(1));
    Alert alert = raise(r);

    assertThat(system.resolve(r.source(), r.title())).isTrue();
    assertThat(system.resolve(r.source(), r.title())).isFalse();
    assertThat(system.resolve(alert.fingerprint())).isFalse();
    assertThat(system.getHistory(1, null, null))
        .singleElement()
        .satisfies(
            resolved -> {
              assertThat(resolved.id()).isEqualTo(alert.id());
              assertThat(resolved.state()).isEqualTo(Alert.State.RESOLVED);
            });
  }

  @Property(tries = 300)
  void resolve_anyString_neverThrows_andOnlyEndsWhatIsFiring(
      @ForAll("fingerprints") String fingerprint) {
    int firing = system.firingCount();

    boolean resolved = system.resolve(fingerprint);

    assertThat(system.firingCount()).isEqualTo(resolved ? firing - 1 : firing);
    assertThat(system.resolve(fingerprint)).isFalse();
  }

  @Provide
  Arbitrary<String> fingerprints() {
    return Hostile.strings();
  }

  @Property(tries = 200)
  void manyDistinctSources_keepTheMetricAttributeCacheBounded(
      @ForAll("sources") List<String> sources) {
    for (String source : sources) {
      system.alert("t", "m", AlertSeverity.INFO, source, null);
    }

    assertThat(system.metrics().cachedAttributeSets())
        .isLessThanOrEqualTo(100 * AlertSeverity.values().length);
  }

  @Provide
  Arbitrary<List<String>> sources() {
    return Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12).list().ofMaxSize(50);
  }
}
