package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver.Answer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A {@link WebhookNotifier} in {@link WebhookNotifier.Format#TEAMS} against a real HTTP receiver on
 * 127.0.0.1: the message with one Adaptive Card that Microsoft documents for Teams' Workflows and
 * incoming webhooks, compared document for document.
 */
class TeamsFormatIT {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final String PATH =
      "/workflows/7f3e9a/triggers/manual/paths/invoke?api-version=1&sig=Tq9vX3kLm2Wn8Rb5";

  private ScriptedHttpReceiver receiver;

  @AfterEach
  void stop() {
    if (receiver != null) {
      receiver.close();
    }
  }

  private WebhookNotifier teams(Answer... answers) {
    receiver = new ScriptedHttpReceiver(answers);
    return WebhookNotifier.builder()
        .name("teams")
        .format(WebhookNotifier.Format.TEAMS)
        .webhookUrl(receiver.url(PATH))
        .timeout(Duration.ofSeconds(2))
        .build();
  }

  private static Alert alert(
      AlertSeverity severity, Alert.State state, int occurrences, Map<String, Object> details) {
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
        occurrences,
        state == Alert.State.FIRING ? START : START.plusSeconds(90),
        false,
        List.of());
  }

  private static Map<String, Object> cpuDetails() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("cpu_usage", 83.5);
    details.put("host", "web-1");
    details.put("cores", List.of(0, 3));
    return details;
  }

  private JsonNode receivedCard() throws Exception {
    assertThat(receiver.requests).hasSize(1);
    assertThat(receiver.requests.get(0).path()).isEqualTo(PATH);
    return AlertJson.MAPPER.readTree(receiver.requests.get(0).body());
  }

  private static JsonNode json(String text) throws Exception {
    return AlertJson.MAPPER.readTree(text);
  }

  @Test
  void send_firingAlert_postsOneAdaptiveCardWithTitleMessageAndFactSets() throws Exception {
    teams().send(alert(AlertSeverity.CRITICAL, Alert.State.FIRING, 1, cpuDetails()));

    assertThat(receivedCard())
        .isEqualTo(
            json(
                """
                {"type": "message",
                 "attachments": [{
                   "contentType": "application/vnd.microsoft.card.adaptive",
                   "contentUrl": null,
                   "content": {
                     "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                     "type": "AdaptiveCard",
                     "version": "1.4",
                     "msteams": {"width": "Full"},
                     "body": [
                       {"type": "TextBlock", "text": "[CRITICAL] High CPU Usage", "wrap": true,
                        "color": "Attention", "size": "Large", "weight": "Bolder"},
                       {"type": "TextBlock", "text": "CPU usage has exceeded 80%", "wrap": true},
                       {"type": "FactSet", "facts": [
                         {"title": "State", "value": "Firing"},
                         {"title": "Severity", "value": "critical"},
                         {"title": "Source", "value": "system_monitor"},
                         {"title": "Service", "value": "checkout"},
                         {"title": "Time", "value": "2026-01-01T00:00:00Z"},
                         {"title": "instance", "value": "web-1"},
                         {"title": "team", "value": "payments"}]},
                       {"type": "FactSet", "separator": true, "facts": [
                         {"title": "cpu_usage", "value": "83.5"},
                         {"title": "host", "value": "web-1"},
                         {"title": "cores", "value": "[0,3]"}]}]}}]}
                """));
  }

  @Test
  void send_resolvedRepeatedAlertWithoutDetails_saysResolvedWhenAndHowOften() throws Exception {
    teams().send(alert(AlertSeverity.WARNING, Alert.State.RESOLVED, 3, Map.of()));

    JsonNode body = receivedCard().get("attachments").get(0).get("content").get("body");
    assertThat(body)
        .isEqualTo(
            json(
                """
                [{"type": "TextBlock", "text": "[RESOLVED] High CPU Usage", "wrap": true,
                  "color": "Good", "size": "Large", "weight": "Bolder"},
                 {"type": "TextBlock", "text": "CPU usage has exceeded 80%", "wrap": true},
                 {"type": "FactSet", "facts": [
                   {"title": "State", "value": "Resolved"},
                   {"title": "Severity", "value": "warning"},
                   {"title": "Source", "value": "system_monitor"},
                   {"title": "Service", "value": "checkout"},
                   {"title": "Time", "value": "2026-01-01T00:00:00Z"},
                   {"title": "Resolved", "value": "2026-01-01T00:01:30Z"},
                   {"title": "Occurrences", "value": "3"},
                   {"title": "instance", "value": "web-1"},
                   {"title": "team", "value": "payments"}]}]
                """));
  }

  @ParameterizedTest
  @CsvSource({"INFO, Accent", "WARNING, Warning", "ERROR, Attention", "CRITICAL, Attention"})
  void send_eachSeverity_colorsTheTitle(AlertSeverity severity, String color) throws Exception {
    teams().send(alert(severity, Alert.State.FIRING, 1, Map.of()));

    JsonNode title = receivedCard().get("attachments").get(0).get("content").get("body").get(0);
    assertThat(title.get("color").asText()).isEqualTo(color);
    assertThat(title.get("text").asText()).isEqualTo("[" + severity + "] High CPU Usage");
  }

  @Test
  void send_manyDetailsAndLongValues_areBoundedAndSaySo() throws Exception {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("stack", "y".repeat(5000));
    for (int i = 0; i < 59; i++) {
      details.put(String.format("k%02d", i), i);
    }

    teams().send(alert(AlertSeverity.ERROR, Alert.State.FIRING, 1, details));

    JsonNode body = receivedCard().get("attachments").get(0).get("content").get("body");
    // Two labels and 38 details make the 40 listed; the other 22 details are counted.
    JsonNode listed = body.get(3).get("facts");
    assertThat(listed).hasSize(38);
    assertThat(listed.get(0).get("value").asText()).hasSize(500).endsWith("y…");
    assertThat(listed.get(37).get("title").asText()).isEqualTo("k36");
    assertThat(body.get(4))
        .isEqualTo(
            json(
                """
                {"type": "TextBlock", "text": "22 more labels and details not shown",
                 "wrap": true, "isSubtle": true}
                """));
    assertThat(receiver.requests.get(0).body().length()).isLessThan(28_000);
  }

  @Test
  void toStringAndFailures_neverShowTheWebhookUrlsPathOrSignature() {
    WebhookNotifier notifier = teams(Answer.status(400), Answer.status(429, "Retry-After", "5"));

    DeliveryException refused =
        catchThrowableOfType(
            DeliveryException.class,
            () -> notifier.send(alert(AlertSeverity.ERROR, Alert.State.FIRING, 1, Map.of())));
    DeliveryException limited =
        catchThrowableOfType(
            DeliveryException.class,
            () -> notifier.send(alert(AlertSeverity.ERROR, Alert.State.FIRING, 1, Map.of())));

    assertThat(refused).hasMessage("webhook answered 400");
    assertThat(refused.isRetryable()).isFalse();
    assertThat(limited).hasMessage("webhook answered 429");
    assertThat(limited.retryAfter()).contains(Duration.ofSeconds(5));
    assertThat(notifier)
        .hasToString(
            "WebhookNotifier{name=teams, url=http://127.0.0.1:"
                + receiver.port()
                + "/…, format=TEAMS, minSeverity=INFO, signed=false}");
    assertThat(notifier.toString()).doesNotContain("sig=").doesNotContain("workflows");
  }
}
