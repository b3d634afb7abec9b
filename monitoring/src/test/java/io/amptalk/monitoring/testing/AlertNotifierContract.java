package io.amptalk.monitoring.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AlertNotifier} must do, written once. A notifier's test extends this and
 * supplies the notifier pointed at a real receiver (and one pointed at none).
 */
public abstract class AlertNotifierContract {

  /** The notifier under test, delivering to a receiver the test controls. */
  protected abstract AlertNotifier notifier();

  /** Whether the receiver got {@code alert} (waiting for it as long as delivery needs). */
  protected abstract void assertReceived(Alert alert) throws Exception;

  /** The same kind of notifier pointed at a receiver that is down, or null if it cannot be. */
  protected abstract AlertNotifier notifierWithReceiverDown();

  /** A secret the notifier was configured with, which must never show; null when none. */
  protected String secret() {
    return null;
  }

  public static Alert alert(AlertSeverity severity, Alert.State state) {
    Instant time = Instant.parse("2026-01-01T12:00:00Z");
    return new Alert(
        "7d1e1a0e-0000-4000-8000-000000000001",
        "High CPU Usage",
        "CPU usage has exceeded 80%",
        severity,
        "system_monitor",
        "amptalk",
        time,
        Map.of("cpu_usage", 83.5),
        Alert.fingerprint("amptalk", "system_monitor", "High CPU Usage"),
        state,
        1,
        time,
        false,
        List.of());
  }

  @Test
  public void contract_nameIsStableAndNotBlank() {
    assertThat(notifier().name()).isNotBlank().isEqualTo(notifier().name());
  }

  @Test
  public void contract_sendDeliversAFiringAlert() throws Exception {
    Alert alert = alert(AlertSeverity.CRITICAL, Alert.State.FIRING);

    notifier().send(alert);

    assertReceived(alert);
  }

  @Test
  public void contract_resolvedAlertIsDeliveredWhenItSendsResolutions() throws Exception {
    if (!notifier().sendsResolved()) {
      return;
    }
    Alert resolved = alert(AlertSeverity.CRITICAL, Alert.State.RESOLVED);

    notifier().send(resolved);

    assertReceived(resolved);
  }

  @Test
  public void contract_receiverDown_failsWithARetryableError() {
    AlertNotifier down = notifierWithReceiverDown();
    if (down == null) {
      return;
    }

    Throwable failure =
        catchThrowable(() -> down.send(alert(AlertSeverity.CRITICAL, Alert.State.FIRING)));

    assertThat(failure).isNotNull();
    if (failure instanceof DeliveryException delivery) {
      assertThat(delivery.isRetryable()).isTrue();
    }
    if (secret() != null) {
      assertThat(String.valueOf(failure.getMessage())).doesNotContain(secret());
    }
  }

  @Test
  public void contract_acceptsByMinSeverity() {
    AlertNotifier notifier = notifier();
    for (AlertSeverity severity : AlertSeverity.values()) {
      assertThat(notifier.accepts(alert(severity, Alert.State.FIRING)))
          .isEqualTo(severity.isAtLeast(notifier.minSeverity()));
    }
  }

  @Test
  public void contract_toStringNeverShowsTheSecret() {
    if (secret() != null) {
      assertThat(notifier().toString()).doesNotContain(secret());
    }
  }
}
