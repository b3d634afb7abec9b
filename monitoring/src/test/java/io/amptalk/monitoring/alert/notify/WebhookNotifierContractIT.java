package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.testing.AlertNotifierContract;
import io.amptalk.monitoring.testing.HttpReceiver;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The notifier contract, for the webhook notifier against a real receiver. */
class WebhookNotifierContractIT extends AlertNotifierContract {
  private final HttpReceiver receiver = new HttpReceiver();

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Override
  protected AlertNotifier notifier() {
    return WebhookNotifier.builder().webhookUrl(receiver.url("/hook")).secret("s3cret-key").build();
  }

  @Override
  protected void assertReceived(Alert alert) {
    assertThat(receiver.bodies).contains(AlertJson.toJson(alert));
  }

  @Override
  protected AlertNotifier notifierWithReceiverDown() {
    return WebhookNotifier.builder()
        .webhookUrl(HttpReceiver.deadUrl("/hook"))
        .secret("s3cret-key")
        .timeout(Duration.ofSeconds(2))
        .build();
  }

  @Override
  protected String secret() {
    return "s3cret-key";
  }
}
