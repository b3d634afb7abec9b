package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.testing.Scrape;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An alert system delivering to a real webhook receiver that misbehaves in each way the issue
 * names: every alert ends delivered or dead-lettered, and a second notifier is never affected.
 */
class AlertDeliveryIT {
  private HttpServer receiver;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> keys = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile Iterator<Integer> answers;
  private final List<AlertSystem> systems = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", this::handle);
    receiver.createContext(
        "/hang",
        exchange -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    receiver.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    systems.forEach(AlertSystem::close);
    receiver.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
    int status = answers.hasNext() ? answers.next() : 200;
    if (status == 429) {
      exchange.getResponseHeaders().set("Retry-After", "1");
    }
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
  }

  private AlertSystem system(AlertNotifier... notifiers) {
    AlertSystem system =
        AlertSystem.builder()
            .serviceName("amptalk")
            .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
            .maxAttempts(3)
            .noRateLimit()
            .defaultNotifiers(List.of(notifiers))
            .build();
    systems.add(system);
    return system;
  }

  private WebhookNotifier webhook(String path) {
    return WebhookNotifier.builder().webhookUrl(url(path)).timeout(Duration.ofMillis(300)).build();
  }

  @Test
  void answer500Then200_isDeliveredOnRetryWithTheSameIdempotencyKey() {
    answers = List.of(500, 200).iterator();
    AlertSystemTest.Recording other = new AlertSystemTest.Recording("other");
    AlertSystem system = system(webhook("/hook"), other);

    Alert alert =
        system.alert("Disk full", "95%", AlertSeverity.ERROR, "disk", Map.of("disk", "/"));

    await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 2);
    assertThat(bodies).containsOnly(AlertJson.toJson(alert));
    assertThat(keys)
        .containsExactly(alert.id() + "/webhook/firing/1", alert.id() + "/webhook/firing/1");
    assertThat(other.sent).containsExactly(alert);
    assertThat(system.getDeadLetters()).isEmpty();
  }

  @Test
  void answer429WithRetryAfter_isDeliveredAfterIt() {
    answers = List.of(429, 200).iterator();
    AlertSystem system =
        AlertSystem.builder()
            // Backoff of an hour: only the receiver's Retry-After (1 s) brings the retry this soon.
            .backoff(Duration.ofHours(1), Duration.ofHours(1))
            .noRateLimit()
            .defaultNotifiers(List.of(webhook("/hook")))
            .build();
    systems.add(system);

    system.alert("Rate limited", "", AlertSeverity.ERROR, "s", Map.of());

    await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 2);
    assertThat(system.getDeadLetters()).isEmpty();
  }

  @Test
  void receiverHangsPastTheTimeout_isDeadLetteredAfterTheAttempts_otherNotifierUnaffected() {
    AlertSystemTest.Recording other = new AlertSystemTest.Recording("other");
    AlertSystem system = system(webhook("/hang"), other);

    Alert alert = system.alert("Slow receiver", "", AlertSeverity.ERROR, "s", Map.of());

    await().atMost(Duration.ofSeconds(20)).until(() -> system.getDeadLetters().size() == 1);
    DeadLetter dead = system.getDeadLetters().get(0);
    assertThat(dead.delivery().alert().id()).isEqualTo(alert.id());
    assertThat(dead.error()).isEqualTo("webhook timed out after 300 ms (after 3 attempts)");
    assertThat(other.sent).containsExactly(alert);
  }

  @Test
  void connectionRefused_isDeadLetteredAsUnreachable() throws IOException {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      deadPort = socket.getLocalPort();
    }
    AlertSystem system =
        system(
            WebhookNotifier.builder()
                .webhookUrl("http://127.0.0.1:" + deadPort + "/hook")
                .timeout(Duration.ofSeconds(2))
                .build());

    system.alert("Nobody home", "", AlertSeverity.ERROR, "s", Map.of());

    await().atMost(Duration.ofSeconds(20)).until(() -> system.getDeadLetters().size() == 1);
    assertThat(system.getDeadLetters().get(0).error())
        .startsWith("webhook unreachable: ConnectException")
        .endsWith("(after 3 attempts)");
  }

  @Test
  void answer400_isDeadLetteredAtOnce() {
    answers = List.of(400).iterator();
    AlertSystem system = system(webhook("/hook"));

    system.alert("Bad request", "", AlertSeverity.ERROR, "s", Map.of());

    await().atMost(Duration.ofSeconds(10)).until(() -> system.getDeadLetters().size() == 1);
    assertThat(system.getDeadLetters().get(0).error())
        .isEqualTo("webhook answered 400 (after 1 attempt)");
    assertThat(bodies).hasSize(1);
  }

  @Test
  void withMonitor_alertsAndOutcomesAreMetrics() throws Exception {
    answers = List.of(500, 200).iterator();
    try (SystemMonitor monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .build()) {
      AlertSystem system =
          AlertSystem.builder()
              .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
              .noRateLimit()
              .meter(monitor.getMeter())
              .defaultNotifiers(List.of(webhook("/hook")))
              .build();
      systems.add(system);

      system.alert("Disk full", "", AlertSeverity.ERROR, "disk", Map.of());
      system.alert("Disk full", "", AlertSeverity.ERROR, "disk", Map.of());
      system.addSilence("web", null, Set.of(), Duration.ofHours(1), "deploying");
      system.alert("Web slow", "", AlertSeverity.WARNING, "web", Map.of());
      await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == 2);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> system.getQueueSizes().get("webhook") == 0);

      String metrics = Scrape.metrics(monitor);
      assertThat(metrics.lines())
          .contains(
              "alerts_raised_total{severity=\"error\",source=\"disk\"} 2.0",
              "alert_notifications_total{notifier=\"webhook\",outcome=\"retried\"} 1.0",
              "alert_notifications_total{notifier=\"webhook\",outcome=\"sent\"} 1.0",
              "alert_notifications_total{notifier=\"webhook\",outcome=\"deduplicated\"} 1.0",
              "alert_queue_size{notifier=\"webhook\"} 0.0",
              "alerts_firing{severity=\"error\",state=\"active\"} 1.0",
              "alerts_firing{severity=\"error\",state=\"suppressed\"} 0.0",
              "alerts_firing{severity=\"warning\",state=\"active\"} 0.0",
              "alerts_firing{severity=\"warning\",state=\"suppressed\"} 1.0",
              "alerts_firing{severity=\"critical\",state=\"active\"} 0.0");
    }
  }
}
