package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The notifiers' durations are refused past their maximum by the builder's setter itself, naming
 * the option and the value: one that overflows (an instant plus it, or its milliseconds) would
 * otherwise fail at start, or in the middle of a delivery.
 */
class NotifierBuilderBoundsTest {
  private static final Duration HUGE = Duration.ofHours(9_999_999_999_999L);

  @Test
  void webhook_timeoutPastADay_isRefusedBySetter() {
    assertThatThrownBy(() -> WebhookNotifier.builder().timeout(HUGE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be at most P1D, was PT9999999999999H");
    WebhookNotifier.builder().timeout(Duration.ofDays(1));
  }

  @Test
  void alertmanager_timeoutAndResendIntervalPastADay_areRefusedBySetters() {
    assertThatThrownBy(() -> AlertmanagerNotifier.builder().timeout(HUGE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be at most P1D, was PT9999999999999H");
    assertThatThrownBy(() -> AlertmanagerNotifier.builder().resendInterval(HUGE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resendInterval must be at most P1D, was PT9999999999999H");
    AlertmanagerNotifier.builder().timeout(Duration.ofDays(1)).resendInterval(Duration.ofDays(1));
  }

  @Test
  void pagerDuty_timeoutPastADay_isRefusedBySetter() {
    assertThatThrownBy(() -> PagerDutyNotifier.builder().timeout(HUGE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be at most P1D, was PT9999999999999H");
    PagerDutyNotifier.builder().timeout(Duration.ofDays(1));
  }

  /** Its milliseconds overflow a long: the check must not compute them first. */
  @Test
  void email_timeoutsWhoseMillisOverflow_areRefusedNotThrownArithmetic() {
    assertThatThrownBy(() -> EmailNotifier.builder().connectTimeout(HUGE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout must be 1 ms..24 days, was PT9999999999999H");
    assertThatThrownBy(() -> EmailNotifier.builder().readTimeout(HUGE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("readTimeout must be 1 ms..24 days, was PT9999999999999H");
    assertThatThrownBy(() -> EmailNotifier.builder().readTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("readTimeout must be 1 ms..24 days, was PT-1S");
  }
}
