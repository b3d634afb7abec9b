package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.testing.AlertNotifierContract;
import io.amptalk.monitoring.testing.HttpReceiver;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/**
 * The notifier contract, for a webhook posting Teams' Adaptive Card against a real receiver; the
 * secret is the webhook URL's signature, as in a Workflows URL.
 */
class TeamsFormatContractIT extends AlertNotifierContract {
  private static final String SIGNATURE = "sig=Tq9vX3kLm2Wn8Rb5Yc1Zd7Fh4Jp6Gs0";
  private final HttpReceiver receiver = new HttpReceiver();

  @AfterEach
  void stop() {
    receiver.close();
  }

  private static WebhookNotifier teams(String url) {
    return WebhookNotifier.builder()
        .name("teams")
        .format(WebhookNotifier.Format.TEAMS)
        .webhookUrl(url)
        .timeout(Duration.ofSeconds(2))
        .build();
  }

  @Override
  protected AlertNotifier notifier() {
    return teams(receiver.url("/workflows/7f3e/triggers/manual/paths/invoke?" + SIGNATURE));
  }

  @Override
  protected void assertReceived(Alert alert) {
    assertThat(receiver.bodies).contains(TeamsFormat.body(alert));
  }

  @Override
  protected AlertNotifier notifierWithReceiverDown() {
    return teams(HttpReceiver.deadUrl("/workflows/7f3e/triggers/manual/paths/invoke?" + SIGNATURE));
  }

  @Override
  protected String secret() {
    return SIGNATURE;
  }
}
