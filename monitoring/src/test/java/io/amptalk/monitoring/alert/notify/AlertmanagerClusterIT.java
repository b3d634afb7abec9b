package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.alert.Backoff;
import io.amptalk.monitoring.testing.HttpReceiver;
import io.amptalk.monitoring.testing.MutableTicker;
import io.amptalk.monitoring.testing.Scrape;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver.Answer;
import io.amptalk.monitoring.testing.ScriptedHttpReceiver.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AlertmanagerNotifier} with {@code urls}: an Alertmanager cluster of real HTTP receivers on
 * loopback. The members' own retries wait on a ticker the test steps, so every count is exact and
 * nothing sleeps; the real three-member cluster is {@code .ci/e2e-alertmanager-cluster.sh}.
 */
class AlertmanagerClusterIT {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  /** Exactly one second each retry (no jitter), so one step of the ticker makes one due. */
  private static final Duration WAIT = Duration.ofSeconds(1);

  private final MutableTicker ticker = new MutableTicker();
  private final List<ScriptedHttpReceiver> members = new ArrayList<>();

  @AfterEach
  void stop() {
    members.forEach(ScriptedHttpReceiver::close);
  }

  private ScriptedHttpReceiver member(Answer... answers) {
    ScriptedHttpReceiver member = new ScriptedHttpReceiver(answers);
    members.add(member);
    return member;
  }

  private AlertmanagerNotifier notifier(int maxAttempts, int maxCount, String... urls) {
    return AlertmanagerNotifier.builder()
        .urls(List.of(urls))
        .timeout(Duration.ofSeconds(2))
        .memberRetries(
            new MemberRetries.Limits(
                maxAttempts, new Backoff(WAIT, WAIT, () -> 1.0), WAIT, maxCount, 1L << 20, ticker))
        .build();
  }

  private AlertmanagerNotifier notifier(String... urls) {
    return notifier(8, 100, urls);
  }

  private static Alert alert(String title, Alert.State state) {
    return new Alert(
        "0b6f0c52-0000-4000-8000-00000000000" + title.length(),
        title,
        "details inside",
        AlertSeverity.ERROR,
        "disk",
        "amptalk",
        START,
        Map.of(),
        "a1b2c3d4e5f6071" + title.length(),
        state,
        1,
        state == Alert.State.FIRING ? START : START.plusSeconds(60),
        false,
        List.of());
  }

  private static List<String> paths(ScriptedHttpReceiver member) {
    return member.requests.stream().map(Request::path).toList();
  }

  @Test
  void send_threeMembers_eachGetsTheAlertOnce() throws Exception {
    ScriptedHttpReceiver a = member();
    ScriptedHttpReceiver b = member();
    ScriptedHttpReceiver c = member();
    AlertmanagerNotifier notifier = notifier(a.url(""), b.url("/prefix/"), c.url(""));
    Alert alert = alert("Disk full", Alert.State.FIRING);

    notifier.send(alert);

    String body = AlertmanagerNotifier.payload(alert, null);
    assertThat(a.bodies()).containsExactly(body);
    assertThat(b.bodies()).containsExactly(body);
    assertThat(c.bodies()).containsExactly(body);
    assertThat(paths(b)).containsExactly("/prefix/api/v2/alerts");
    assertThat(notifier.memberRetriesWaiting()).isZero();
  }

  @Test
  void send_oneMemberAnswers503Then200_isRetriedAloneOnce_theOthersGetOneRequest()
      throws Exception {
    ScriptedHttpReceiver a = member();
    ScriptedHttpReceiver b = member(Answer.status(503));
    ScriptedHttpReceiver c = member();
    AlertmanagerNotifier notifier = notifier(a.url(""), b.url(""), c.url(""));

    notifier.send(alert("Disk full", Alert.State.FIRING)); // delivered: a and c accepted

    assertThat(b.requests).hasSize(1);
    assertThat(notifier.memberRetriesWaiting()).isEqualTo(1);
    ticker.advance(WAIT);
    await().atMost(Duration.ofSeconds(10)).until(() -> notifier.memberRetriesWaiting() == 0);
    ticker.advance(WAIT.multipliedBy(10)); // nothing else is due

    assertThat(b.bodies()).hasSize(2).containsOnly(a.bodies().get(0));
    assertThat(a.requests).hasSize(1);
    assertThat(c.requests).hasSize(1);
    assertThat(notifier.memberFailures()).containsOnlyKeys(a.url(""), b.url(""), c.url(""));
    assertThat(notifier.memberFailures().values()).containsOnly(0L);
  }

  @Test
  void send_memberNeverAccepting_isRetriedUpToItsAttempts_thenCounted() throws Exception {
    ScriptedHttpReceiver a = member();
    ScriptedHttpReceiver b =
        member(Answer.status(500), Answer.status(500), Answer.status(500), Answer.status(500));
    AlertmanagerNotifier notifier = notifier(3, 100, a.url(""), b.url(""));

    notifier.send(alert("Disk full", Alert.State.FIRING));
    ticker.advance(WAIT);
    await().atMost(Duration.ofSeconds(10)).until(() -> b.requests.size() == 2);
    ticker.advance(WAIT);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> notifier.memberFailures().get(b.url("")) == 1L);

    assertThat(b.requests).hasSize(3);
    assertThat(a.requests).hasSize(1);
    assertThat(notifier.memberRetriesWaiting()).isZero();
    assertThat(notifier.memberFailures()).containsEntry(a.url(""), 0L);
  }

  @Test
  void memberFailures_areAMetric_perNotifierAndMember() throws Exception {
    ScriptedHttpReceiver a = member();
    ScriptedHttpReceiver b = member(Answer.status(400)); // refused for good: counted at once
    AlertmanagerNotifier notifier = notifier(a.url(""), b.url(""));
    try (SystemMonitor monitor =
            SystemMonitor.builder()
                .prometheusHost("127.0.0.1")
                .prometheusPort(0)
                .enableJvmMetrics(false)
                .build();
        AlertSystem alerts =
            AlertSystem.builder()
                .noRateLimit()
                .meter(monitor.getMeter())
                .defaultNotifiers(List.of(notifier))
                .build()) {
      alerts.alert("Disk full", "", AlertSeverity.ERROR, "disk", Map.of());
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> notifier.memberFailures().get(b.url("")) == 1L);

      String metrics = Scrape.metrics(monitor);
      assertThat(metrics.lines())
          .contains(
              "alert_member_failures_total{member=\""
                  + a.url("")
                  + "\",notifier=\"alertmanager\"} 0.0",
              "alert_member_failures_total{member=\""
                  + b.url("")
                  + "\",notifier=\"alertmanager\"} 1.0");
    }
  }

  @Test
  void send_newerStateAccepted_replacesTheWaitingRetry_soNoStaleFiringFollows() throws Exception {
    ScriptedHttpReceiver a = member();
    ScriptedHttpReceiver b = member(Answer.status(503));
    AlertmanagerNotifier notifier = notifier(a.url(""), b.url(""));

    notifier.send(alert("Disk full", Alert.State.FIRING));
    notifier.send(alert("Disk full", Alert.State.RESOLVED));
    ticker.advance(WAIT.multipliedBy(10));

    assertThat(notifier.memberRetriesWaiting()).isZero();
    assertThat(b.bodies()).hasSize(2);
    assertThat(b.bodies().get(1)).contains("\"endsAt\"");
    assertThat(notifier.memberFailures().values()).containsOnly(0L);
  }

  @Test
  void send_noRoomForAnotherRetry_countsTheMember() throws Exception {
    ScriptedHttpReceiver a = member();
    ScriptedHttpReceiver b = member(Answer.status(503), Answer.status(503));
    AlertmanagerNotifier notifier = notifier(8, 1, a.url(""), b.url(""));

    notifier.send(alert("Disk full", Alert.State.FIRING));
    notifier.send(alert("CPU hot", Alert.State.FIRING));

    assertThat(notifier.memberRetriesWaiting()).isEqualTo(1);
    assertThat(notifier.memberFailures()).containsEntry(b.url(""), 1L);
  }

  @Test
  void send_noMemberAccepts_throwsRetryableNamingEachMemberWithoutItsSecret() {
    String dead1 = HttpReceiver.deadUrl("").replace("http://", "http://admin:hunter2@");
    String dead2 = HttpReceiver.deadUrl("/am?token=s3cret");
    AlertmanagerNotifier notifier = notifier(dead1, dead2);

    DeliveryException e =
        catchThrowableOfType(
            DeliveryException.class, () -> notifier.send(alert("Disk full", Alert.State.FIRING)));

    assertThat(e.isRetryable()).isTrue();
    assertThat(e.getMessage())
        .startsWith(
            "no member of the 2 accepted: "
                + dead1.replace("admin:hunter2@", "")
                + ": alertmanager unreachable: ConnectException")
        .contains("; " + dead2.replace("/am?token=s3cret", "/…") + ": alertmanager unreachable")
        .doesNotContain("hunter2")
        .doesNotContain("s3cret");
    assertThat(notifier.memberRetriesWaiting()).isZero();
  }

  @Test
  void send_everyMemberRefusesFor400_isPermanent() {
    ScriptedHttpReceiver a = member(Answer.status(400).withBody("\"bad\""));
    ScriptedHttpReceiver b = member(Answer.status(422));
    AlertmanagerNotifier notifier = notifier(a.url(""), b.url(""));

    DeliveryException e =
        catchThrowableOfType(
            DeliveryException.class, () -> notifier.send(alert("Disk full", Alert.State.FIRING)));

    assertThat(e.isRetryable()).isFalse();
    assertThat(e)
        .hasMessage(
            "no member of the 2 accepted: "
                + a.url("")
                + ": alertmanager answered 400: bad; "
                + b.url("")
                + ": alertmanager answered 422");
  }

  @Test
  void send_everyMemberAsksToWait_retriesAfterTheShortestWait() {
    ScriptedHttpReceiver a = member(Answer.status(503, "Retry-After", "30"));
    ScriptedHttpReceiver b = member(Answer.status(429, "Retry-After", "7"));
    AlertmanagerNotifier notifier = notifier(a.url(""), b.url(""));

    DeliveryException e =
        catchThrowableOfType(
            DeliveryException.class, () -> notifier.send(alert("Disk full", Alert.State.FIRING)));

    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void urls_toStringListsEachMemberWithoutSecrets() {
    AlertmanagerNotifier notifier =
        AlertmanagerNotifier.builder()
            .urls(List.of("http://am-0:9093", "https://admin:hunter2@am-1:9093/prefix?x=1"))
            .build();

    assertThat(notifier)
        .hasToString(
            "AlertmanagerNotifier{name=alertmanager, urls=[http://am-0:9093, https://am-1:9093/…],"
                + " minSeverity=INFO, resendInterval=PT1M}");
  }

  @Test
  void urls_badLists_nameTheFieldAndTheValue() {
    assertThatThrownBy(() -> AlertmanagerNotifier.builder().urls(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("urls must list at least one Alertmanager, was []");
    assertThatThrownBy(
            () ->
                AlertmanagerNotifier.builder()
                    .urls(List.of("http://am-0:9093", "http://am-1:9093/", "http://am-1:9093")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("urls[2] repeats http://am-1:9093; list each member once");
    assertThatThrownBy(
            () -> AlertmanagerNotifier.builder().urls(List.of("http://am-0:9093", "am-1:9093")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "urls[1] must be an http(s) URL, was not one (9 characters, not shown since a URL may"
                + " hold a secret)");
    assertThatThrownBy(
            () -> AlertmanagerNotifier.builder().urls(List.of("ftp://user:pw@am-0:21/x")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("urls[0] must be an http(s) URL, was 'ftp://am-0:21/…'");
    assertThatThrownBy(
            () ->
                AlertmanagerNotifier.builder()
                    .url("http://am-0:9093")
                    .urls(List.of("http://am-1:9093"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "url and urls are exclusive: give one Alertmanager in url, or every member of a"
                + " cluster in urls");
  }
}
