package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.amptalk.monitoring.MonitorTestHooks;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.notify.AlertmanagerNotifier;
import io.amptalk.monitoring.alert.notify.EmailNotifier;
import io.amptalk.monitoring.alert.notify.NotifierTestHooks;
import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.http.AlertHttpHandler;
import io.amptalk.monitoring.testing.MutableTicker;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver.Answer;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver.Request;
import io.amptalk.monitoring.testing.ScriptedSmtpServer;
import io.amptalk.monitoring.testing.ScriptedSmtpServer.Fault;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real notifier targets failing in each way the issue names, through a real alert system joined to
 * a real monitor: every alert ends delivered once the target recovers, or as a dead letter after
 * {@code maxAttempts}; every attempt is counted in {@code alert_notifications_total} on {@code
 * /metrics}; the alert, the queue and the dead letters are visible at {@code /alerts}; and the
 * notifier goes on delivering afterwards. Retries are scheduled on a ticker the test steps, so each
 * count is exact and nothing waits for a backoff.
 *
 * <p>Already proven elsewhere, so not repeated: a webhook answering 500 then 200, hanging past its
 * timeout into a dead letter, and refusing the connection into a dead letter ({@link
 * AlertDeliveryIT}); SMTP refusing the connection until it comes up ({@link EmailDeliveryIT}).
 */
class NotifierFaultsIT {
  /** Backoff of exactly one second (initial = max); the ticker steps past it. */
  private static final Duration BACKOFF = Duration.ofSeconds(1);

  private static final Pattern OUTCOME =
      Pattern.compile(
          "alert_notifications_total\\{notifier=\"([^\"]+)\",outcome=\"([^\"]+)\"} (\\d+)\\.0");

  private final MutableTicker ticker = new MutableTicker();
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private SystemMonitor monitor;
  private AlertSystem system;

  @BeforeEach
  void startMonitor() {
    monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      system.close();
    }
    for (AutoCloseable resource : resources) {
      resource.close();
    }
    monitor.close();
  }

  private <T extends AutoCloseable> T closing(T resource) {
    resources.add(resource);
    return resource;
  }

  private AlertSystem system(int maxAttempts, Duration maxBackoff, AlertNotifier notifier) {
    system =
        AlertSystem.builder()
            .serviceName("amptalk")
            .meter(monitor.getMeter())
            .nanoTime(ticker)
            .backoff(BACKOFF, maxBackoff)
            .maxAttempts(maxAttempts)
            .noRateLimit()
            .defaultNotifiers(List.of(notifier))
            .build();
    MonitorTestHooks.mount(monitor, "/alerts", new AlertHttpHandler(system, null));
    return system;
  }

  private AlertSystem system(int maxAttempts, AlertNotifier notifier) {
    return system(maxAttempts, BACKOFF, notifier);
  }

  private static WebhookNotifier webhook(String url) {
    return WebhookNotifier.builder().webhookUrl(url).timeout(Duration.ofSeconds(2)).build();
  }

  private static EmailNotifier email(int port) {
    return EmailNotifier.builder()
        .smtpServer("127.0.0.1")
        .smtpPort(port)
        .connectTimeout(Duration.ofSeconds(2))
        .readTimeout(Duration.ofSeconds(2))
        .sender("alerts@example.com")
        .recipients(List.of("oncall@example.com"))
        .build();
  }

  private Alert raise(String title) {
    return system.alert(title, "details inside", AlertSeverity.CRITICAL, "disk", Map.of());
  }

  // ---------------------------------------------------------------- webhook

  @Test
  void webhookClosesTheConnectionWithoutAResponse_thenAnswers_isDeliveredByTheRetry()
      throws Exception {
    ScriptedHttpReceiver receiver =
        closing(new ScriptedHttpReceiver(Answer.closeWithoutResponse()));
    system(3, webhook(receiver.url("/hook")));

    Alert alert = raise("Disk full");
    awaitOutcome("webhook", "retried", 1);
    assertAlerts(alert, Map.of("webhook", 1), 0);

    ticker.advance(BACKOFF);
    awaitOutcome("webhook", "sent", 1);

    String key = alert.id() + "/webhook/firing/1";
    assertThat(receiver.requests).extracting(Request::idempotencyKey).containsExactly(key, key);
    assertThat(receiver.bodies()).containsOnly(AlertJson.toJson(alert));
    assertThat(outcomes("webhook")).isEqualTo(Map.of("retried", 1L, "sent", 1L));
    assertAlerts(alert, Map.of("webhook", 0), 0);
  }

  @Test
  void webhookAnswers500UntilMaxAttempts_isADeadLetter_andTheNextAlertIsDelivered()
      throws Exception {
    ScriptedHttpReceiver receiver =
        closing(
            new ScriptedHttpReceiver(Answer.status(500), Answer.status(500), Answer.status(500)));
    system(3, webhook(receiver.url("/hook")));

    Alert alert = raise("Disk full");
    awaitOutcome("webhook", "retried", 1);
    ticker.advance(BACKOFF);
    awaitOutcome("webhook", "retried", 2);
    ticker.advance(BACKOFF.multipliedBy(2));
    awaitOutcome("webhook", "failed", 1);

    assertThat(receiver.requests).hasSize(3);
    DeadLetter dead = system.getDeadLetters().get(0);
    assertThat(dead.delivery().key()).isEqualTo(alert.id() + "/webhook/firing/1");
    assertThat(dead.error()).isEqualTo("webhook answered 500 (after 3 attempts)");
    assertThat(outcomes("webhook")).isEqualTo(Map.of("retried", 2L, "failed", 1L));
    assertAlerts(alert, Map.of("webhook", 0), 1);

    Alert next = raise("Disk still full");
    awaitOutcome("webhook", "sent", 1);
    assertThat(receiver.bodies().get(3)).isEqualTo(AlertJson.toJson(next));
    assertAlerts(next, Map.of("webhook", 0), 1);
  }

  @Test
  void webhookAnswers429WithRetryAfter_isRetriedNotBeforeIt() throws Exception {
    ScriptedHttpReceiver receiver =
        closing(new ScriptedHttpReceiver(Answer.status(429, "Retry-After", "120")));
    // A backoff of one second: only the receiver's Retry-After can hold the retry back longer.
    system(3, Duration.ofHours(1), webhook(receiver.url("/hook")));

    Alert limited = raise("Disk full");
    awaitOutcome("webhook", "retried", 1);
    ticker.advance(Duration.ofSeconds(119));
    // One second before the Retry-After: a new alert, due now, goes first. Had the retry been due,
    // the queue (ordered by due time) would have sent it before this one.
    Alert overtaking = raise("CPU hot");
    awaitOutcome("webhook", "sent", 1);
    assertThat(receiver.bodies())
        .containsExactly(AlertJson.toJson(limited), AlertJson.toJson(overtaking));
    assertAlerts(overtaking, Map.of("webhook", 1), 0);

    ticker.advance(Duration.ofSeconds(1));
    awaitOutcome("webhook", "sent", 2);

    assertThat(receiver.bodies())
        .containsExactly(
            AlertJson.toJson(limited), AlertJson.toJson(overtaking), AlertJson.toJson(limited));
    assertThat(outcomes("webhook")).isEqualTo(Map.of("retried", 1L, "sent", 2L));
    assertAlerts(overtaking, Map.of("webhook", 0), 0);
  }

  @Test
  void webhookHangsPastTheTimeout_thenAnswers_isDeliveredByTheRetry() throws Exception {
    ScriptedHttpReceiver receiver = closing(new ScriptedHttpReceiver(Answer.hang()));
    system(3, webhook(receiver.url("/hook")));

    Alert alert = raise("Disk full");
    awaitOutcome("webhook", "retried", 1);
    assertAlerts(alert, Map.of("webhook", 1), 0);

    ticker.advance(BACKOFF);
    awaitOutcome("webhook", "sent", 1);

    assertThat(receiver.bodies()).containsExactly(AlertJson.toJson(alert), AlertJson.toJson(alert));
    assertThat(outcomes("webhook")).isEqualTo(Map.of("retried", 1L, "sent", 1L));
    assertAlerts(alert, Map.of("webhook", 0), 0);
  }

  @Test
  void webhookRefusesTheConnection_thenListens_isDeliveredByTheRetry() throws Exception {
    int port = freePort();
    system(3, webhook("http://127.0.0.1:" + port + "/hook"));

    Alert alert = raise("Disk full");
    awaitOutcome("webhook", "retried", 1);
    assertAlerts(alert, Map.of("webhook", 1), 0);

    ScriptedHttpReceiver receiver = closing(new ScriptedHttpReceiver(port));
    ticker.advance(BACKOFF);
    awaitOutcome("webhook", "sent", 1);

    assertThat(receiver.bodies()).containsExactly(AlertJson.toJson(alert));
    assertThat(outcomes("webhook")).isEqualTo(Map.of("retried", 1L, "sent", 1L));
    assertAlerts(alert, Map.of("webhook", 0), 0);
  }

  // ---------------------------------------------------------------- Alertmanager

  @Test
  void alertmanagerClusterAllMembersDown_isRetriedThenADeadLetterNamingEachMember()
      throws Exception {
    String first = "http://127.0.0.1:" + freePort();
    String second = "http://127.0.0.1:" + freePort();
    String third = "http://127.0.0.1:" + freePort();
    system(
        2,
        AlertmanagerNotifier.builder()
            .urls(List.of(first, second, third))
            .timeout(Duration.ofSeconds(2))
            .resendInterval(Duration.ofHours(1))
            .build());

    Alert alert = raise("Disk full");
    awaitOutcome("alertmanager", "retried", 1);
    assertAlerts(alert, Map.of("alertmanager", 1), 0);
    ticker.advance(BACKOFF);
    awaitOutcome("alertmanager", "failed", 1);

    assertThat(outcomes("alertmanager")).isEqualTo(Map.of("retried", 1L, "failed", 1L));
    assertAlerts(alert, Map.of("alertmanager", 0), 1);
    DeadLetter dead = system.getDeadLetters().get(0);
    assertThat(dead.delivery().alert().id()).isEqualTo(alert.id());
    assertThat(dead.error())
        .startsWith("no member of the 3 accepted: " + first + ": alertmanager unreachable: ")
        .contains("; " + second + ": alertmanager unreachable: ")
        .contains("; " + third + ": alertmanager unreachable: ")
        .endsWith(" (after 2 attempts)");
  }

  @Test
  void alertmanagerDown_thenBack_getsTheAlertAndItsResolution() throws Exception {
    int port = freePort();
    system(
        5,
        AlertmanagerNotifier.builder()
            .url("http://127.0.0.1:" + port)
            .timeout(Duration.ofSeconds(2))
            .resendInterval(Duration.ofHours(1)) // no refresh during the test
            .build());

    Alert alert = raise("Disk full");
    awaitOutcome("alertmanager", "retried", 1);
    ticker.advance(BACKOFF);
    awaitOutcome("alertmanager", "retried", 2);
    assertAlerts(alert, Map.of("alertmanager", 1), 0);

    ScriptedHttpReceiver alertmanager = closing(new ScriptedHttpReceiver(port));
    ticker.advance(BACKOFF.multipliedBy(2));
    awaitOutcome("alertmanager", "sent", 1);
    assertThat(system.resolve("disk", "Disk full")).isTrue();
    awaitOutcome("alertmanager", "sent", 2);

    assertThat(alertmanager.requests)
        .extracting(Request::path)
        .containsOnly(NotifierTestHooks.ALERTMANAGER_ALERTS_PATH);
    JsonNode firing = AlertJson.MAPPER.readTree(alertmanager.bodies().get(0)).get(0);
    JsonNode resolved = AlertJson.MAPPER.readTree(alertmanager.bodies().get(1)).get(0);
    assertThat(firing.get("labels").get("alertname").asText()).isEqualTo("Disk full");
    assertThat(firing.get("labels").get("fingerprint").asText()).isEqualTo(alert.fingerprint());
    assertThat(firing.has("endsAt")).isFalse();
    assertThat(resolved.get("labels")).isEqualTo(firing.get("labels"));
    assertThat(resolved.has("endsAt")).isTrue();
    assertThat(outcomes("alertmanager")).isEqualTo(Map.of("retried", 2L, "sent", 2L));
    JsonNode alerts = alerts();
    assertThat(alerts.get("alerts").get(0).get("id").asText()).isEqualTo(alert.id());
    assertThat(alerts.get("alerts").get(0).get("state").asText()).isEqualTo("resolved");
    assertThat(alerts.get("queues"))
        .isEqualTo(AlertJson.MAPPER.valueToTree(Map.of("alertmanager", 0)));
    assertThat(alerts.get("dead_letters").asInt()).isZero();
  }

  // ---------------------------------------------------------------- SMTP

  @Test
  void smtpRefusesTheConnectionUntilMaxAttempts_isADeadLetter_andTheNextAlertIsDelivered()
      throws Exception {
    int port = freePort();
    system(3, email(port));

    Alert alert = raise("Disk full");
    awaitOutcome("email", "retried", 1);
    ticker.advance(BACKOFF);
    awaitOutcome("email", "retried", 2);
    ticker.advance(BACKOFF.multipliedBy(2));
    awaitOutcome("email", "failed", 1);

    DeadLetter dead = system.getDeadLetters().get(0);
    assertThat(dead.delivery().alert().id()).isEqualTo(alert.id());
    assertThat(dead.error())
        .isEqualTo(
            "SMTP server 127.0.0.1:"
                + port
                + " unreachable: ConnectException: Connection refused (after 3 attempts)");
    assertThat(outcomes("email")).isEqualTo(Map.of("retried", 2L, "failed", 1L));
    assertAlerts(alert, Map.of("email", 0), 1);

    ScriptedSmtpServer smtp = closing(new ScriptedSmtpServer(port));
    Alert next = raise("Disk still full");
    awaitOutcome("email", "sent", 1);
    assertThat(smtp.accepted)
        .singleElement()
        .asString()
        .contains("X-Amptalk-Alert-Id: " + next.id());
  }

  @Test
  void smtpAcceptsAndNeverAnswers_isADeadLetterAfterTheReadTimeouts_andTheNextAlertIsDelivered()
      throws Exception {
    ScriptedSmtpServer smtp = closing(new ScriptedSmtpServer(Fault.SILENT, Fault.SILENT));
    system(2, email(smtp.port()));

    Alert alert = raise("Disk full");
    awaitOutcome("email", "retried", 1);
    assertAlerts(alert, Map.of("email", 1), 0);
    ticker.advance(BACKOFF);
    awaitOutcome("email", "failed", 1);

    assertThat(smtp.connections).hasValue(2);
    assertThat(smtp.received).isEmpty();
    assertThat(system.getDeadLetters().get(0).error())
        .isEqualTo(
            "SMTP server 127.0.0.1:"
                + smtp.port()
                + " unreachable: SocketTimeoutException: Read timed out (after 2 attempts)");
    assertThat(outcomes("email")).isEqualTo(Map.of("retried", 1L, "failed", 1L));
    assertAlerts(alert, Map.of("email", 0), 1);

    Alert next = raise("Disk still full");
    awaitOutcome("email", "sent", 1);
    assertThat(smtp.accepted)
        .singleElement()
        .asString()
        .contains("X-Amptalk-Alert-Id: " + next.id());
  }

  @Test
  void smtpDropsTheConnectionAfterEhlo_thenBehaves_isDeliveredByTheRetry() throws Exception {
    ScriptedSmtpServer smtp = closing(new ScriptedSmtpServer(Fault.DROP_AFTER_EHLO));
    system(3, email(smtp.port()));

    Alert alert = raise("Disk full");
    awaitOutcome("email", "retried", 1);
    assertAlerts(alert, Map.of("email", 1), 0);
    assertThat(smtp.received).isEmpty();

    ticker.advance(BACKOFF);
    awaitOutcome("email", "sent", 1);

    assertThat(smtp.connections).hasValue(2);
    assertThat(smtp.accepted)
        .singleElement()
        .asString()
        .contains("Subject: [CRITICAL] Disk full", "X-Amptalk-Alert-Id: " + alert.id());
    assertThat(outcomes("email")).isEqualTo(Map.of("retried", 1L, "sent", 1L));
    assertAlerts(alert, Map.of("email", 0), 0);
  }

  @Test
  void smtpDropsTheConnectionAfterTheData_thenBehaves_isSentAgainWithTheSameMessageId()
      throws Exception {
    ScriptedSmtpServer smtp = closing(new ScriptedSmtpServer(Fault.DROP_AFTER_DATA));
    system(3, email(smtp.port()));

    Alert alert = raise("Disk full");
    awaitOutcome("email", "retried", 1);
    assertAlerts(alert, Map.of("email", 1), 0);

    ticker.advance(BACKOFF);
    awaitOutcome("email", "sent", 1);

    // The server had the whole message the first time but never said so: the client cannot know,
    // so it sends again, with the same Message-ID for the receiver to drop the duplicate by.
    String messageId = "Message-ID: " + NotifierTestHooks.emailMessageId(alert);
    assertThat(smtp.received).hasSize(2).allSatisfy(m -> assertThat(m).contains(messageId));
    assertThat(smtp.accepted).singleElement().asString().contains(messageId);
    assertThat(outcomes("email")).isEqualTo(Map.of("retried", 1L, "sent", 1L));
    assertAlerts(alert, Map.of("email", 0), 0);
  }

  // ---------------------------------------------------------------- helpers

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String get(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Every outcome counted for {@code notifier} on /metrics. */
  private Map<String, Long> outcomes(String notifier) throws Exception {
    Map<String, Long> outcomes = new LinkedHashMap<>();
    for (String line : get("/metrics").lines().toList()) {
      Matcher matcher = OUTCOME.matcher(line);
      if (matcher.matches() && matcher.group(1).equals(notifier)) {
        outcomes.put(matcher.group(2), Long.parseLong(matcher.group(3)));
      }
    }
    return outcomes;
  }

  /** Waits until {@code count} such outcomes were counted; each test then asserts all exactly. */
  private void awaitOutcome(String notifier, String outcome, long count) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> outcomes(notifier).getOrDefault(outcome, 0L) >= count);
  }

  private JsonNode alerts() throws Exception {
    return AlertJson.MAPPER.readTree(get("/alerts"));
  }

  /** /alerts shows {@code newest} first, these queue sizes and this many dead letters. */
  private void assertAlerts(Alert newest, Map<String, Integer> queues, int deadLetters)
      throws Exception {
    JsonNode alerts = alerts();
    assertThat(alerts.get("alerts").get(0).get("id").asText()).isEqualTo(newest.id());
    assertThat(alerts.get("queues")).isEqualTo(AlertJson.MAPPER.valueToTree(queues));
    assertThat(alerts.get("dead_letters").asInt()).isEqualTo(deadLetters);
  }
}
