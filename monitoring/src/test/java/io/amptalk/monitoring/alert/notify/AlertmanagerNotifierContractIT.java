package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.testing.AlertNotifierContract;
import io.amptalk.monitoring.testing.HttpReceiver;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The notifier contract, for the Alertmanager notifier against a real receiver. */
class AlertmanagerNotifierContractIT extends AlertNotifierContract {
  private final HttpReceiver receiver = new HttpReceiver();

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Override
  protected AlertNotifier notifier() {
    return AlertmanagerNotifier.builder().url(receiver.url("")).build();
  }

  @Override
  protected void assertReceived(Alert alert) {
    assertThat(receiver.bodies)
        .anySatisfy(
            body ->
                assertThat(body)
                    .contains("\"alertname\":\"" + alert.title() + "\"")
                    .contains("\"fingerprint\":\"" + alert.fingerprint() + "\"")
                    .contains(alert.isFiring() ? "\"startsAt\"" : "\"endsAt\""));
  }

  @Override
  protected AlertNotifier notifierWithReceiverDown() {
    return AlertmanagerNotifier.builder()
        .url(HttpReceiver.deadUrl(""))
        .timeout(Duration.ofSeconds(2))
        .build();
  }
}
