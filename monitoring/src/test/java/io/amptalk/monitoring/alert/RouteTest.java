package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.alert.AlertSystemTest.Recording;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The routing tree: first matching child, continue, inherited receivers, filters still applied. */
class RouteTest {
  private static final List<String> ALL = List.of("log", "pager", "db-email", "slack");

  /** The tree of the class comment, and one more level. */
  private static final Route TREE =
      Route.builder()
          .receivers(List.of("log"))
          .routes(
              List.of(
                  Route.builder()
                      .matchers(List.of("severity=critical"))
                      .receivers(List.of("pager"))
                      .continueMatching(true)
                      .build(),
                  Route.builder()
                      .matchers(List.of("team=db"))
                      .receivers(List.of("db-email"))
                      .routes(
                          List.of(
                              Route.builder()
                                  .matchers(List.of("alertname=~Replica.*"))
                                  .receivers(List.of("slack"))
                                  .build(),
                              Route.builder().matchers(List.of("env!=prod")).build()))
                      .build(),
                  Route.builder()
                      .matchers(List.of("team=~db|web"))
                      .receivers(List.of("slack"))
                      .build()))
          .build();

  private final List<Recording> notifiers = ALL.stream().map(Recording::new).toList();
  private AlertSystem alerts;

  @AfterEach
  void close() {
    if (alerts != null) {
      alerts.close();
    }
  }

  private static List<String> to(Map<String, String> labels) {
    return List.copyOf(TREE.receivers(labels, ALL));
  }

  @Test
  void receivers_firstMatchingChild_continue_nested_andTheRootForTheRest() {
    assertThat(to(Map.of("severity", "warning"))).containsExactly("log");
    // critical continues: the db route takes it too, and stops there (the web route never sees it)
    assertThat(to(Map.of("severity", "critical", "team", "db", "env", "prod")))
        .containsExactly("pager", "db-email");
    assertThat(to(Map.of("severity", "critical"))).containsExactly("pager");
    assertThat(to(Map.of("severity", "error", "team", "web"))).containsExactly("slack");
    // under db: the first child that matches, not the parent
    assertThat(to(Map.of("team", "db", "alertname", "Replica lag", "env", "prod")))
        .containsExactly("slack");
    // a child naming no receivers inherits its parent's
    assertThat(to(Map.of("team", "db", "alertname", "Disk full", "env", "staging")))
        .containsExactly("db-email");
    // a root naming none sends to every notifier
    assertThat(Route.builder().build().receivers(Map.of(), ALL)).containsExactlyElementsOf(ALL);
  }

  @Test
  void alertSystem_sendsEachAlertWhereTheTreeSays_andTheNotifiersOwnFiltersStillApply() {
    Recording pager = notifiers.get(1);
    pager.resolved = false; // a filter of its own, below the tree: no resolutions
    alerts = AlertSystem.builder().noRateLimit().route(TREE).defaultNotifiers(notifiers).build();

    Alert warning = alerts.alert("Slow", "m", AlertSeverity.WARNING, "probe", Map.of());
    Alert dbCritical =
        alerts.alert(
            "Disk full",
            "m",
            AlertSeverity.CRITICAL,
            "probe",
            Map.of(),
            Map.of("team", "db", "env", "prod"));
    Alert webError =
        alerts.alert("5xx", "m", AlertSeverity.ERROR, "probe", Map.of(), Map.of("team", "web"));
    alerts.resolve(dbCritical.fingerprint());

    await().until(() -> notifiers.stream().mapToInt(n -> n.sent.size()).sum() == 5);
    alerts.close(); // delivers what is queued: nothing more can arrive
    assertThat(notifiers.get(0).titles()).containsExactly("Slow");
    assertThat(pager.titles()).containsExactly("Disk full");
    assertThat(notifiers.get(2).titles()).containsExactly("Disk full", "Disk full");
    assertThat(notifiers.get(3).titles()).containsExactly("5xx");
    assertThat(warning.id()).isNotEqualTo(webError.id());
  }

  @Test
  void badTrees_areRefusedNamingTheProblem() {
    assertThatThrownBy(
            () ->
                AlertSystem.builder()
                    .route(
                        Route.builder()
                            .routes(List.of(Route.builder().receivers(List.of("pagr")).build()))
                            .build())
                    .defaultNotifiers(notifiers)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "route receiver 'pagr' is not a notifier; the notifiers are [log, pager, db-email,"
                + " slack]");
    assertThatThrownBy(
            () -> AlertSystem.builder().route(Route.builder().matchers(List.of("a=b")).build()))
        .hasMessage(
            "the root route takes every alert; give its matchers [a=b] to a route under it");
    assertThatThrownBy(() -> Route.builder().matchers(List.of("team=~(db")))
        .hasMessage(
            "label matcher 'team=~(db' has an invalid regular expression: Unclosed group near"
                + " index 3");
    assertThatThrownBy(() -> Route.builder().receivers(List.of("log", "log")))
        .hasMessage("a route lists a receiver twice: [log, log]");
    assertThatThrownBy(() -> Route.builder().receivers(List.of(" ")))
        .hasMessage("a route's receiver name must not be blank");
    // A child shared a thousand times is a thousand routes: counted without walking the tree.
    Route leaf = Route.builder().build();
    Route wide = Route.builder().routes(Collections.nCopies(999, leaf)).build();
    assertThatThrownBy(() -> Route.builder().routes(List.of(wide)).build())
        .hasMessage("a route tree holds 1001 routes; at most 1000 are allowed");
  }

  @Test
  void toString_drawsTheTree() {
    assertThat(TREE)
        .hasToString(
            "* -> [log]\n"
                + "  [severity=critical] -> [pager] (continue)\n"
                + "  [team=db] -> [db-email]\n"
                + "    [alertname=~Replica.*] -> [slack]\n"
                + "    [env!=prod] -> (inherited)\n"
                + "  [team=~db|web] -> [slack]\n");
  }
}
