package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.notify.EmailNotifier;
import io.amptalk.monitoring.testing.Scrape;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Through the alert system: SMTP down when the alert is raised, up later; the retry delivers. */
class EmailDeliveryIT {

  @Test
  void smtpDownThenUp_isDeliveredByARetry() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    AlertSystemTest.Recording webhookLike = new AlertSystemTest.Recording("other");
    SystemMonitor monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .build();
    AlertSystem system =
        AlertSystem.builder()
            .meter(monitor.getMeter())
            .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
            .maxAttempts(100)
            .noRateLimit()
            .defaultNotifiers(
                List.of(
                    EmailNotifier.builder()
                        .smtpServer("127.0.0.1")
                        .smtpPort(port)
                        .sender("alerts@example.com")
                        .recipients(List.of("oncall@example.com"))
                        .build(),
                    webhookLike))
            .build();
    GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    try {
      Alert alert =
          system.alert(
              "Disk full", "95% used", AlertSeverity.CRITICAL, "disk", Map.of("disk", "/"));
      // The other notifier is not held up by the failing one.
      await().atMost(Duration.ofSeconds(10)).until(() -> webhookLike.sent.size() == 1);
      // Wait until the e-mail has failed at least once, so what follows is a retry.
      await().atMost(Duration.ofSeconds(10)).until(() -> Scrape.metrics(monitor).contains(RETRIED));
      assertThat(smtp.getReceivedMessages()).isEmpty();

      smtp.start();

      assertThat(smtp.waitForIncomingEmail(20_000, 1)).isTrue();
      assertThat(smtp.getReceivedMessages()[0].getSubject()).isEqualTo("[CRITICAL] Disk full");
      assertThat(smtp.getReceivedMessages()[0].getHeader("X-Amptalk-Alert-Id")[0])
          .isEqualTo(alert.id());
      assertThat(system.getDeadLetters()).isEmpty();
    } finally {
      system.close();
      smtp.stop();
      monitor.close();
    }
  }

  private static final String RETRIED =
      "alert_notifications_total{notifier=\"email\",outcome=\"retried\"}";
}
