package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.amptalk.monitoring.alert.notify.PagerDutyNotifier;
import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.testing.MutableTicker;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver.Answer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The PagerDuty notifier and a Teams webhook through a real alert system to real HTTP receivers:
 * trigger then resolve under one dedup key, retries on 429 and 503 until PagerDuty accepts, a 400
 * never retried and counted failed with PagerDuty's reason, and the routing key in no log line.
 * Retries are scheduled on a ticker the test steps, so each count is exact and nothing waits for a
 * backoff.
 */
class OnCallDeliveryIT {
  private static final String ROUTING_KEY = "R0ABCDEF0123456789abcdef01234567";
  private static final Duration BACKOFF = Duration.ofSeconds(1);

  private final MutableTicker ticker = new MutableTicker();
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private final SdkMeterProvider provider =
      SdkMeterProvider.builder().registerMetricReader(reader).build();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger library = (Logger) LoggerFactory.getLogger("io.amptalk");
  private Level level;
  private ScriptedHttpReceiver receiver;
  private AlertSystem system;

  @BeforeEach
  void captureLogs() {
    level = library.getLevel();
    library.setLevel(Level.DEBUG);
    logs.start();
    library.addAppender(logs);
  }

  @AfterEach
  void stop() {
    if (system != null) {
      system.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    provider.close();
    library.detachAppender(logs);
    library.setLevel(level);
  }

  private AlertSystem system(AlertNotifier notifier) {
    system =
        AlertSystem.builder()
            .serviceName("checkout")
            .serviceInstanceId("web-1")
            .meter(provider.get("test"))
            .nanoTime(ticker)
            .backoff(BACKOFF, BACKOFF)
            .maxAttempts(5)
            .noRateLimit()
            .defaultNotifiers(List.of(notifier))
            .build();
    return system;
  }

  private PagerDutyNotifier pagerDuty(Answer... answers) {
    receiver = new ScriptedHttpReceiver(answers);
    return PagerDutyNotifier.builder()
        .routingKey(ROUTING_KEY)
        .url(receiver.url("/v2/enqueue"))
        .timeout(Duration.ofSeconds(2))
        .build();
  }

  private Alert raise() {
    return system.alert(
        "Disk full", "/var is 97% full", AlertSeverity.CRITICAL, "disk", Map.of("path", "/var"));
  }

  private JsonNode body(int request) throws Exception {
    return AlertJson.MAPPER.readTree(receiver.bodies().get(request));
  }

  @Test
  void pagerDuty_alertThenResolve_triggersAndResolvesUnderTheFingerprint() throws Exception {
    system(pagerDuty());

    Alert alert = raise();
    awaitOutcome("pagerduty", "sent", 1);
    assertThat(system.resolve(alert.fingerprint())).isTrue();
    awaitOutcome("pagerduty", "sent", 2);

    assertThat(receiver.requests).hasSize(2);
    assertThat(body(0).get("event_action").asText()).isEqualTo("trigger");
    assertThat(body(0).get("dedup_key").asText()).isEqualTo(alert.fingerprint());
    assertThat(body(0).get("payload").get("severity").asText()).isEqualTo("critical");
    assertThat(body(0).get("payload").get("custom_details").get("labels").get("instance").asText())
        .isEqualTo("web-1");
    assertThat(body(1))
        .isEqualTo(
            AlertJson.MAPPER.readTree(
                "{\"routing_key\":\""
                    + ROUTING_KEY
                    + "\",\"event_action\":\"resolve\",\"dedup_key\":\""
                    + alert.fingerprint()
                    + "\"}"));
    assertThat(outcomes("pagerduty")).isEqualTo(Map.of("sent", 2L));
    assertNoLogShowsTheRoutingKey();
  }

  @Test
  void pagerDuty_429Then503ThenAccepted_isDeliveredByTheThirdAttempt() throws Exception {
    system(pagerDuty(Answer.status(429), Answer.status(503), Answer.status(202)));

    raise();
    awaitOutcome("pagerduty", "retried", 1);
    ticker.advance(BACKOFF);
    awaitOutcome("pagerduty", "retried", 2);
    ticker.advance(BACKOFF);
    awaitOutcome("pagerduty", "sent", 1);

    assertThat(receiver.requests).hasSize(3);
    assertThat(receiver.bodies()).containsOnly(receiver.bodies().get(0));
    assertThat(body(0).get("event_action").asText()).isEqualTo("trigger");
    assertThat(outcomes("pagerduty")).isEqualTo(Map.of("retried", 2L, "sent", 1L));
    assertThat(system.getDeadLetters()).isEmpty();
    assertThat(logs.list)
        .filteredOn(e -> e.getFormattedMessage().contains("pagerduty answered"))
        .hasSize(2);
    assertNoLogShowsTheRoutingKey();
  }

  @Test
  void pagerDuty_answer400_isNotRetried_andIsAFailedDeadLetterWithTheReason() throws Exception {
    String reason =
        "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":"
            + "[\"routing_key "
            + ROUTING_KEY
            + " is unknown\"]}";
    system(pagerDuty(Answer.status(400).withBody(reason)));

    Alert alert = raise();
    awaitOutcome("pagerduty", "failed", 1);
    // Were it retried, the next attempt would be due after one backoff.
    ticker.advance(BACKOFF.multipliedBy(10));
    Alert next = system.alert("CPU hot", "95%", AlertSeverity.ERROR, "cpu", Map.of());
    awaitOutcome("pagerduty", "sent", 1);

    assertThat(receiver.requests).hasSize(2);
    assertThat(body(1).get("dedup_key").asText()).isEqualTo(next.fingerprint());
    DeadLetter dead = system.getDeadLetters().get(0);
    assertThat(dead.delivery().key()).isEqualTo(alert.id() + "/pagerduty/firing/1");
    assertThat(dead.error())
        .isEqualTo(
            "pagerduty answered 400: {\"status\":\"invalid event\",\"message\":\"Event object is"
                + " invalid\",\"errors\":[\"routing_key … is unknown\"]} (after 1 attempt)");
    assertThat(outcomes("pagerduty")).isEqualTo(Map.of("failed", 1L, "sent", 1L));
    assertThat(logs.list)
        .anySatisfy(
            event ->
                assertThat(event.getFormattedMessage())
                    .isEqualTo(
                        "Alert 'Disk full' could not be delivered to pagerduty: " + dead.error()));
    assertNoLogShowsTheRoutingKey();
  }

  @Test
  void teams_answers429ThenAccepts_isDeliveredByTheRetry() throws Exception {
    receiver = new ScriptedHttpReceiver(Answer.status(429), Answer.status(202));
    system(
        WebhookNotifier.builder()
            .name("teams")
            .format(WebhookNotifier.Format.TEAMS)
            .webhookUrl(receiver.url("/workflows/7f3e/triggers/manual/paths/invoke?sig=s3cr3t"))
            .timeout(Duration.ofSeconds(2))
            .build());

    raise();
    awaitOutcome("teams", "retried", 1);
    ticker.advance(BACKOFF);
    awaitOutcome("teams", "sent", 1);

    assertThat(receiver.requests).hasSize(2);
    assertThat(receiver.bodies()).containsOnly(receiver.bodies().get(0));
    assertThat(body(0).get("attachments").get(0).get("contentType").asText())
        .isEqualTo("application/vnd.microsoft.card.adaptive");
    assertThat(outcomes("teams")).isEqualTo(Map.of("retried", 1L, "sent", 1L));
    assertThat(logs.list).noneSatisfy(e -> assertThat(e.getFormattedMessage()).contains("s3cr3t"));
  }

  private void assertNoLogShowsTheRoutingKey() {
    assertThat(logs.list)
        .noneSatisfy(
            event -> {
              assertThat(
                      event.getFormattedMessage()
                          + (event.getThrowableProxy() == null
                              ? ""
                              : event.getThrowableProxy().getMessage()))
                  .contains(ROUTING_KEY);
            });
    assertThat(system.toString() + system.getDeadLetters()).doesNotContain(ROUTING_KEY);
  }

  /** Every outcome counted for {@code notifier}. */
  private Map<String, Long> outcomes(String notifier) {
    Map<String, Long> outcomes = new TreeMap<>();
    reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals("alert.notifications"))
        .flatMap(m -> m.getLongSumData().getPoints().stream())
        .filter(p -> notifier.equals(p.getAttributes().get(AttributeKey.stringKey("notifier"))))
        .forEach(
            (LongPointData p) ->
                outcomes.merge(
                    p.getAttributes().get(AttributeKey.stringKey("outcome")),
                    p.getValue(),
                    Long::sum));
    outcomes.values().removeIf(count -> count == 0);
    return outcomes;
  }

  private void awaitOutcome(String notifier, String outcome, long count) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> outcomes(notifier).getOrDefault(outcome, 0L) >= count);
  }
}
