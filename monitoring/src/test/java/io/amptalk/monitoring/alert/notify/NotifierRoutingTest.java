package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The routing every built-in notifier shares, and the re-send capability of the SPI. */
class NotifierRoutingTest {
  private static final String URL = "http://127.0.0.1:9";

  @Test
  void routing_copiesAndChecksItsSources() {
    List<String> sources = new ArrayList<>(List.of("db", "disk"));
    Routing routing = new Routing(AlertSeverity.WARNING, Set.copyOf(sources), false);
    sources.add("cpu");

    assertThat(routing.sources()).containsExactlyInAnyOrder("db", "disk");
    assertThatThrownBy(() -> routing.sources().add("cpu"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> new Routing(null, Set.of(), true))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("minSeverity");
    assertThatThrownBy(() -> new Routing(AlertSeverity.INFO, null, true))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("sources");
  }

  @Test
  void routingBuilder_defaultsToEverythingAndResolutions() {
    assertThat(new Routing.Builder().build())
        .isEqualTo(new Routing(AlertSeverity.INFO, Set.of(), true));
  }

  @Test
  void builders_setTheRoutingTheSameWay() {
    List<String> sources = new ArrayList<>(List.of("db"));
    List<AlertNotifier> notifiers =
        List.of(
            EmailNotifier.builder()
                .recipients(List.of("ops@example.com"))
                .minSeverity(AlertSeverity.ERROR)
                .sources(sources)
                .sendsResolved(false)
                .build(),
            WebhookNotifier.builder()
                .webhookUrl(URL)
                .minSeverity(AlertSeverity.ERROR)
                .sources(sources)
                .sendsResolved(false)
                .build(),
            AlertmanagerNotifier.builder()
                .url(URL)
                .minSeverity(AlertSeverity.ERROR)
                .sources(sources)
                .build(),
            new LoggingNotifier(AlertSeverity.ERROR, Set.copyOf(sources)));
    sources.add("cpu"); // after the setters: not seen

    assertThat(notifiers)
        .allSatisfy(
            n -> {
              assertThat(n.minSeverity()).isEqualTo(AlertSeverity.ERROR);
              assertThat(n.sources()).containsExactly("db");
            });
    assertThat(notifiers)
        .extracting(AlertNotifier::sendsResolved)
        .containsExactly(false, false, true, true);
  }

  @Test
  void builders_refuseANullSourceWithOneMessage() {
    List<String> sources = new ArrayList<>();
    sources.add(null);

    List<ThrowingCallable> setters =
        List.of(
            () -> EmailNotifier.builder().sources(sources),
            () -> WebhookNotifier.builder().sources(sources),
            () -> AlertmanagerNotifier.builder().sources(sources));

    for (ThrowingCallable setter : setters) {
      assertThatThrownBy(setter)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("sources must not hold null");
    }
    assertThatThrownBy(() -> EmailNotifier.builder().minSeverity(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("minSeverity");
  }

  @Test
  void firingResendInterval_isAlertmanagersResendInterval_andNoneElsewhere() {
    AlertNotifier alertmanager =
        AlertmanagerNotifier.builder().url(URL).resendInterval(Duration.ofSeconds(30)).build();
    AlertNotifier custom = alert -> {};

    assertThat(alertmanager.firingResendInterval()).contains(Duration.ofSeconds(30));
    assertThat(custom.firingResendInterval()).isEmpty();
    assertThat(new LoggingNotifier().firingResendInterval()).isEmpty();
    assertThat(WebhookNotifier.builder().webhookUrl(URL).build().firingResendInterval()).isEmpty();
  }

  @Test
  void alertSystem_resendsFiringAlerts_toANotifierThatAsks() {
    // Copy-on-write: the assertion iterates it while the notifier thread adds.
    List<Alert> sent = new CopyOnWriteArrayList<>();
    AlertNotifier forgetful =
        new AlertNotifier() {
          @Override
          public void send(Alert alert) {
            sent.add(alert);
          }

          @Override
          public Optional<Duration> firingResendInterval() {
            return Optional.of(Duration.ofMillis(50));
          }
        };
    try (AlertSystem system =
        AlertSystem.builder().noRateLimit().defaultNotifiers(List.of(forgetful)).build()) {
      Alert raised = system.alert("Disk full", "95%", AlertSeverity.ERROR, "disk", Map.of());

      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(sent)
                      .hasSizeGreaterThanOrEqualTo(3)
                      .allMatch(a -> a.id().equals(raised.id())));
    }
  }
}
