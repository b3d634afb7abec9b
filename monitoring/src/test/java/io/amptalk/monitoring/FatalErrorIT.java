package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A {@link VirtualMachineError} that reaches one of the library's threads fails the monitoring
 * rather than leaving it half-dead: logged, {@code /health/live} 503 with the error, and the
 * builder's {@code onFatalError} told. Here the error comes from a notifier's {@code accepts},
 * which the library calls unguarded on its own threads: on the alert scheduler (caught at the top
 * of its periodic task) and on an HTTP worker (escaping the thread, to its uncaught-exception
 * handler).
 */
@Timeout(60)
class FatalErrorIT {
  private static final String TOKEN = "fatal-test-token";
  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger monitoringLog = (Logger) LoggerFactory.getLogger(Monitoring.class);
  private Monitoring monitoring;

  @BeforeEach
  void listen() {
    log.start();
    monitoringLog.addAppender(log);
  }

  @AfterEach
  void close() {
    monitoringLog.detachAppender(log);
    if (monitoring != null) {
      monitoring.close();
    }
  }

  /** A notifier whose {@code accepts} runs out of memory on threads named {@code thread*}. */
  private static AlertNotifier failingOn(String thread) {
    return new AlertNotifier() {
      @Override
      public void send(Alert alert) {}

      @Override
      public String name() {
        return "failing";
      }

      @Override
      public Optional<Duration> firingResendInterval() {
        return Optional.of(Duration.ofMillis(20));
      }

      @Override
      public boolean accepts(Alert alert) {
        if (Thread.currentThread().getName().startsWith(thread)) {
          throw new OutOfMemoryError("test");
        }
        return true;
      }
    };
  }

  private Monitoring start(AlertNotifier notifier, List<Throwable> told) {
    Monitoring.Builder builder =
        Monitoring.builder()
            .systemMonitor(SystemMonitor.builder().prometheusHost("127.0.0.1").prometheusPort(0))
            .alertSystem(
                m ->
                    AlertSystem.builder()
                        .meter(m.getMeter())
                        .defaultNotifiers(List.of(notifier))
                        .build())
            .apiToken(TOKEN);
    if (told != null) {
      builder.onFatalError(told::add);
    }
    return builder.build();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort() + path);
  }

  private List<String> logged() {
    return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void errorInAScheduledThread_failsTheMonitoring_liveness503_logged_handlerTold()
      throws Exception {
    List<Throwable> told = new CopyOnWriteArrayList<>();
    monitoring = start(failingOn("amptalk-alert-scheduler"), told);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    monitoring.alertSystem().alert("firing", "m", AlertSeverity.ERROR, "s", Map.of());

    String failure = "monitor thread died: OutOfMemoryError: test (amptalk-alert-scheduler)";
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/health/live").statusCode() == 503);
    HttpResponse<String> live = get("/health/live");
    assertThat(live.body()).contains("\"status\":\"unhealthy\"");
    assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    assertThat(logged())
        .containsOnlyOnce(
            "The monitoring is failed: " + failure + "; /health/live answers 503 from now on");
    assertThat(told).isNotEmpty().allMatch(e -> e instanceof OutOfMemoryError);
    HttpResponse<String> details =
        http.send(
            HttpRequest.newBuilder(uri("/health/live"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(details.body()).contains("\"message\":\"" + failure + "\"");
  }

  @Test
  void errorEndingAnHttpWorker_failsTheMonitoring_andThePortStillAnswers() throws Exception {
    monitoring = start(failingOn("amptalk-http-"), null);
    try {
      http.send(
          HttpRequest.newBuilder(uri("/alerts"))
              .header("Authorization", "Bearer " + TOKEN)
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"title\":\"t\",\"message\":\"m\",\"severity\":\"error\","
                          + "\"source\":\"s\"}"))
              .timeout(Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException cut) {
      // The worker died mid-exchange: no answer is the expected outcome.
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/health/live").statusCode() == 503);
    assertThat(logged())
        .anyMatch(
            line ->
                line.startsWith(
                    "The monitoring is failed: monitor thread died: OutOfMemoryError: test"
                        + " (amptalk-http-"));
  }
}
