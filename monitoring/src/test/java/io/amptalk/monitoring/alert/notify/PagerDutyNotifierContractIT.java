package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.testing.AlertNotifierContract;
import io.amptalk.monitoring.testing.HttpReceiver;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/** The notifier contract, for the PagerDuty notifier against a real receiver. */
class PagerDutyNotifierContractIT extends AlertNotifierContract {
  private static final String ROUTING_KEY = PagerDutyNotifierIT.ROUTING_KEY;
  private final HttpReceiver receiver = new HttpReceiver();

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Override
  protected AlertNotifier notifier() {
    return PagerDutyNotifier.builder()
        .routingKey(ROUTING_KEY)
        .url(receiver.url("/v2/enqueue"))
        .build();
  }

  @Override
  protected void assertReceived(Alert alert) {
    assertThat(receiver.bodies).contains(PagerDutyNotifier.event(alert, ROUTING_KEY, null));
  }

  @Override
  protected AlertNotifier notifierWithReceiverDown() {
    return PagerDutyNotifier.builder()
        .routingKey(ROUTING_KEY)
        .url(HttpReceiver.deadUrl("/v2/enqueue"))
        .timeout(Duration.ofSeconds(2))
        .build();
  }

  @Override
  protected String secret() {
    return ROUTING_KEY;
  }
}
