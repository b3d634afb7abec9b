package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver.Answer;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PagerDutyNotifier} against a real HTTP receiver on 127.0.0.1, asserting the events of
 * PagerDuty's Events API v2 reference document for document.
 */
class PagerDutyNotifierIT {
  static final String ROUTING_KEY = "e93facc04764012d7bfb002500d5d1a6";
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private ScriptedHttpReceiver receiver;

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.close();
    }
  }

  private PagerDutyNotifier.Builder pagerDuty(Answer... answers) {
    receiver = new ScriptedHttpReceiver(answers);
    return PagerDutyNotifier.builder()
        .routingKey(ROUTING_KEY)
        .url(receiver.url("/v2/enqueue"))
        .timeout(Duration.ofSeconds(2));
  }

  static Alert alert(AlertSeverity severity, Alert.State state) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("cpu_usage", 83.5);
    details.put("cores", List.of(0, 3));
    return new Alert(
        "7d3c5a4e-0000-4000-8000-000000000001",
        "High CPU Usage",
        "CPU usage has exceeded 80%",
        severity,
        "system_monitor",
        "checkout",
        START,
        details,
        Map.of("instance", "web-1", "team", "payments"),
        "5f1e2d3c4b5a6978",
        state,
        1,
        state == Alert.State.FIRING ? START : START.plusSeconds(90),
        false,
        List.of());
  }

  private Request receivedOne() {
    assertThat(receiver.requests).hasSize(1);
    Request request = receiver.requests.get(0);
    assertThat(request.path()).isEqualTo("/v2/enqueue");
    return request;
  }

  private static JsonNode json(String text) throws Exception {
    return AlertJson.MAPPER.readTree(text);
  }

  // ---------------------------------------------------------------- events

  @Test
  void send_firingAlert_postsTheTriggerEventWithEveryFieldOfTheReference() throws Exception {
    pagerDuty(Answer.status(202)).build().send(alert(AlertSeverity.CRITICAL, Alert.State.FIRING));

    assertThat(json(receivedOne().body()))
        .isEqualTo(
            json(
                """
                {"routing_key": "e93facc04764012d7bfb002500d5d1a6",
                 "event_action": "trigger",
                 "dedup_key": "5f1e2d3c4b5a6978",
                 "payload": {
                   "summary": "High CPU Usage: CPU usage has exceeded 80%",
                   "source": "checkout",
                   "severity": "critical",
                   "timestamp": "2026-01-01T00:00:00Z",
                   "component": "system_monitor",
                   "class": "High CPU Usage",
                   "custom_details": {
                     "message": "CPU usage has exceeded 80%",
                     "details": {"cpu_usage": 83.5, "cores": [0, 3]},
                     "labels": {"alertname": "High CPU Usage", "instance": "web-1",
                                "service": "checkout", "severity": "critical",
                                "source": "system_monitor", "team": "payments"}}},
                 "client": "amptalk-monitoring"}
                """));
  }

  @Test
  void send_resolvedAlert_postsTheResolveEventWithTheSameDedupKeyOnly() throws Exception {
    PagerDutyNotifier notifier = pagerDuty().build();

    notifier.send(alert(AlertSeverity.CRITICAL, Alert.State.FIRING));
    notifier.send(alert(AlertSeverity.CRITICAL, Alert.State.RESOLVED));

    assertThat(receiver.requests).hasSize(2);
    JsonNode trigger = json(receiver.bodies().get(0));
    JsonNode resolve = json(receiver.bodies().get(1));
    assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
    assertThat(resolve)
        .isEqualTo(
            json(
                """
                {"routing_key": "e93facc04764012d7bfb002500d5d1a6",
                 "event_action": "resolve",
                 "dedup_key": "5f1e2d3c4b5a6978"}
                """));
    assertThat(resolve.get("dedup_key")).isEqualTo(trigger.get("dedup_key"));
  }

  @ParameterizedTest
  @CsvSource({"INFO, info", "WARNING, warning", "ERROR, error", "CRITICAL, critical"})
  void send_eachSeverity_isPagerDutysOfTheSameName(AlertSeverity ours, String theirs)
      throws Exception {
    pagerDuty().build().send(alert(ours, Alert.State.FIRING));

    assertThat(json(receivedOne().body()).get("payload").get("severity").asText())
        .isEqualTo(theirs);
    assertThat(PagerDutyNotifier.severity(ours)).isEqualTo(theirs);
  }

  @Test
  void send_withClientUrl_linksBackFromPagerDuty() throws Exception {
    pagerDuty()
        .clientUrl("http://monitor.internal:8000/")
        .build()
        .send(alert(AlertSeverity.ERROR, Alert.State.FIRING));

    JsonNode event = json(receivedOne().body());
    assertThat(event.get("client").asText()).isEqualTo("amptalk-monitoring");
    assertThat(event.get("client_url").asText()).isEqualTo("http://monitor.internal:8000/");
  }

  @Test
  void send_summaryLongerThanPagerDutyTakes_isCutTo1024Characters() throws Exception {
    Alert alert = alert(AlertSeverity.ERROR, Alert.State.FIRING);
    Alert wordy =
        new Alert(
            alert.id(),
            alert.title(),
            "x".repeat(2000),
            alert.severity(),
            alert.source(),
            alert.service(),
            alert.time(),
            alert.details(),
            alert.labels(),
            alert.fingerprint(),
            alert.state(),
            1,
            alert.lastSeen(),
            false,
            List.of());

    pagerDuty().build().send(wordy);

    JsonNode payload = json(receivedOne().body()).get("payload");
    String summary = payload.get("summary").asText();
    assertThat(summary).hasSize(1024).endsWith("x…").startsWith("High CPU Usage: xxx");
    assertThat(payload.get("custom_details").get("message").asText()).hasSize(2000);
  }

  @Test
  void dedupKey_fingerprintLongerThan255_isItsSha256TheSameEachTime() {
    String fingerprint = "f".repeat(300);

    assertThat(PagerDutyNotifier.dedupKey(fingerprint))
        .isEqualTo(PagerDutyNotifier.dedupKey(fingerprint))
        .matches("sha256:[0-9a-f]{64}");
    assertThat(PagerDutyNotifier.dedupKey("f".repeat(255))).isEqualTo("f".repeat(255));
  }

  // ---------------------------------------------------------------- outcomes

  @ParameterizedTest
  @ValueSource(ints = {200, 202})
  void send_accepted_isDelivered(int status) throws Exception {
    pagerDuty(Answer.status(status)).build().send(alert(AlertSeverity.ERROR, Alert.State.FIRING));

    assertThat(receiver.requests).hasSize(1);
  }

  @Test
  void send_answer429_isRetryableAfterTheRetryAfterGiven() {
    PagerDutyNotifier notifier = pagerDuty(Answer.status(429, "Retry-After", "30")).build();

    DeliveryException e = failure(notifier);

    assertThat(e).hasMessage("pagerduty answered 429");
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 503, 504})
  void send_answer5xx_isRetryable(int status) {
    DeliveryException e = failure(pagerDuty(Answer.status(status)).build());

    assertThat(e).hasMessage("pagerduty answered " + status);
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void send_answer400_isPermanentAndQuotesPagerDutysReasonWithoutTheKey() {
    // PagerDuty's documented answer to an event it refuses, here also echoing the key.
    String reason =
        "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":"
            + "[\"'payload.summary' is missing or blank\",\"key "
            + ROUTING_KEY
            + "\"]}";
    PagerDutyNotifier notifier = pagerDuty(Answer.status(400).withBody(reason)).build();

    DeliveryException e = failure(notifier);

    assertThat(e)
        .hasMessage(
            "pagerduty answered 400: {\"status\":\"invalid event\",\"message\":\"Event object is"
                + " invalid\",\"errors\":[\"'payload.summary' is missing or blank\",\"key …\"]}");
    assertThat(e.isRetryable()).isFalse();
    assertThat(e.getMessage()).doesNotContain(ROUTING_KEY);
    assertThat(receiver.requests).hasSize(1);
  }

  @Test
  void send_receiverHangsPastTheTimeout_isRetryableTimedOut() {
    PagerDutyNotifier notifier = pagerDuty(Answer.hang()).timeout(Duration.ofSeconds(1)).build();

    long start = System.nanoTime();
    DeliveryException e = failure(notifier);
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(e).hasMessage("pagerduty timed out after 1000 ms");
    assertThat(e.isRetryable()).isTrue();
    assertThat(elapsedMillis).isBetween(950L, 6_000L);
  }

  private static DeliveryException failure(PagerDutyNotifier notifier) {
    return catchThrowableOfType(
        DeliveryException.class,
        () -> notifier.send(alert(AlertSeverity.CRITICAL, Alert.State.FIRING)));
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void builder_defaults_pointAtPagerDutyAndNeverShowTheKey() {
    PagerDutyNotifier notifier = PagerDutyNotifier.builder().routingKey(ROUTING_KEY).build();

    assertThat(notifier.name()).isEqualTo("pagerduty");
    assertThat(notifier.minSeverity()).isEqualTo(AlertSeverity.INFO);
    assertThat(notifier.sources()).isEmpty();
    assertThat(notifier.sendsResolved()).isTrue();
    assertThat(notifier.firingResendInterval()).isEmpty();
    assertThat(notifier)
        .hasToString(
            "PagerDutyNotifier{name=pagerduty, url=https://events.pagerduty.com/…,"
                + " minSeverity=INFO}");
    assertThat(PagerDutyNotifier.EVENTS_URL).isEqualTo("https://events.pagerduty.com/v2/enqueue");
  }

  @Test
  void builder_options_areKept() {
    PagerDutyNotifier notifier =
        PagerDutyNotifier.builder()
            .name("oncall")
            .routingKey(ROUTING_KEY)
            .url("https://events.eu.pagerduty.com/v2/enqueue")
            .minSeverity(AlertSeverity.ERROR)
            .sources(List.of("database"))
            .sendsResolved(false)
            .build();

    assertThat(notifier)
        .hasToString(
            "PagerDutyNotifier{name=oncall, url=https://events.eu.pagerduty.com/…,"
                + " minSeverity=ERROR}");
    assertThat(notifier.sources()).containsExactly("database");
    assertThat(notifier.sendsResolved()).isFalse();
  }

  @Test
  void build_noRoutingKey_saysSo() {
    assertThatThrownBy(() -> PagerDutyNotifier.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "routingKey must be the 32 letters and digits of a PagerDuty integration key, was"
                + " null");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "short-key",
        "e93facc04764012d7bfb002500d5d1a",
        "e93facc04764012d7bfb00250 d5d1a6"
      })
  void build_badRoutingKey_givesItsLengthNeverItsValue(String key) {
    assertThatThrownBy(() -> PagerDutyNotifier.builder().routingKey(key).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "routingKey must be the 32 letters and digits of a PagerDuty integration key, was "
                + key.length()
                + " characters (not shown: the key is a secret)");
  }

  @Test
  void build_badUrls_nameTheOption() {
    assertThatThrownBy(
            () ->
                PagerDutyNotifier.builder().routingKey(ROUTING_KEY).url("ftp://x.example").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("url must be an http(s) URL, was 'ftp://x.example'");
    assertThatThrownBy(() -> PagerDutyNotifier.builder().routingKey(ROUTING_KEY).url(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("url must be an http(s) URL, was null");
    assertThatThrownBy(
            () ->
                PagerDutyNotifier.builder()
                    .routingKey(ROUTING_KEY)
                    .clientUrl("ftp://monitor.internal/status")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("clientUrl must be an http(s) URL, was 'ftp://monitor.internal/…'");
  }

  @Test
  void build_badNameOrTimeout_isRefused() {
    assertThatThrownBy(() -> PagerDutyNotifier.builder().routingKey(ROUTING_KEY).name(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was ' '");
    assertThatThrownBy(() -> PagerDutyNotifier.builder().timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be a positive duration, was PT0S");
  }
}
