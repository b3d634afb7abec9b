package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.alert.AlertSystem;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A close timeout past what a long of nanoseconds holds (the agent's 9999999999999h) is refused
 * when set; the longest allowed closes at once.
 */
@Timeout(60)
class HugeCloseTimeoutIT {
  private static final Duration HUGE = Duration.ofHours(9_999_999_999_999L);
  private static final Duration LONGEST = Duration.ofDays(1);

  @Test
  void anAlertSystemWithAHugeCloseTimeoutClosesWithoutThrowing() {
    // A timeout that would overflow is refused where it is set; the longest one allowed closes.
    assertThatThrownBy(() -> AlertSystem.builder().closeTimeout(HUGE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("closeTimeout must be at most P1D, was PT9999999999999H");
    AlertSystem alerts = AlertSystem.builder().closeTimeout(LONGEST).build();
    assertThatCode(alerts::close).doesNotThrowAnyException();
  }

  @Test
  void monitoringWithAHugeCloseTimeoutClosesEverythingAndReleasesThePort() throws Exception {
    Monitoring monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder().prometheusHost("127.0.0.1").prometheusPort(0).build())
            .alertSystem(
                m -> AlertSystem.builder().meter(m.getMeter()).closeTimeout(LONGEST).build())
            .build();
    int port = monitoring.systemMonitor().getPrometheusPort();
    assertThatCode(monitoring::close).doesNotThrowAnyException();
    assertThat(FailedBuildIT.bindable(port)).as("port %d released", port).isTrue();
  }
}
