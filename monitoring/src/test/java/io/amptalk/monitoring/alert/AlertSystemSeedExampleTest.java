package io.amptalk.monitoring.alert;

import static io.amptalk.monitoring.alert.AlertSystem.createErrorAlert;
import static io.amptalk.monitoring.alert.AlertSystem.createWarningAlert;
import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.notify.EmailNotifier;
import io.amptalk.monitoring.alert.notify.LoggingNotifier;
import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed's AlertSystem example, exactly as the issue writes it in Java. */
class AlertSystemSeedExampleTest {

  @Test
  void seedExample_compilesAndWorks() {
    AlertSystem alertSystem =
        AlertSystem.builder()
            .serviceName("amptalk")
            .defaultNotifiers(
                List.of(
                    new LoggingNotifier(),
                    EmailNotifier.builder()
                        .recipients(List.of("admin@example.com"))
                        .minSeverity(AlertSeverity.WARNING)
                        .build(),
                    WebhookNotifier.builder()
                        .webhookUrl("https://example.com/webhook")
                        .minSeverity(AlertSeverity.ERROR)
                        .build()))
            .build();
    createWarningAlert(
        alertSystem,
        "High CPU Usage",
        "CPU usage has exceeded 80%",
        "system_monitor",
        Map.of("cpu_usage", 83.5));
    createErrorAlert(
        alertSystem,
        "Database Connection Failed",
        "Failed to connect to the database",
        "database",
        Map.of("database", "main", "host", "localhost"));
    alertSystem.alert(
        "API Rate Limit Exceeded",
        "Too many requests to the API",
        AlertSeverity.WARNING,
        "api_gateway",
        Map.of("rate", 120, "limit", 100));
    List<Alert> history = alertSystem.getHistory(10, AlertSeverity.WARNING, "database");
    alertSystem.close();

    assertThat(history)
        .singleElement()
        .satisfies(
            alert -> {
              assertThat(alert.title()).isEqualTo("Database Connection Failed");
              assertThat(alert.severity()).isEqualTo(AlertSeverity.ERROR);
              assertThat(alert.service()).isEqualTo("amptalk");
              assertThat(alert.details())
                  .isEqualTo(Map.of("database", "main", "host", "localhost"));
            });
    assertThat(alertSystem.getHistory(10, null, null))
        .extracting(Alert::title)
        .containsExactly("API Rate Limit Exceeded", "Database Connection Failed", "High CPU Usage");
  }
}
