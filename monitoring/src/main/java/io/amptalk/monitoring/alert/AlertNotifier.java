package io.amptalk.monitoring.alert;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Delivers alerts somewhere: a log, a mailbox, a webhook, Alertmanager. Implement {@link
 * #send(Alert)} to make one attempt; the alert system runs each notifier on its own queue and
 * thread, bounds every attempt with a timeout, retries failures with backoff and keeps what never
 * got through as a dead letter. Throw {@link DeliveryException} to say whether to retry and when.
 *
 * <pre>{@code
 * AlertNotifier pager = alert -> pagerClient.page(alert.title(), alert.message());
 * }</pre>
 */
@FunctionalInterface
public interface AlertNotifier {
  /** Makes one delivery attempt. Anything thrown is a failed attempt (retried, unless told not). */
  void send(Alert alert) throws Exception;

  /** Names this notifier in metrics, logs and dead letters; unique within one alert system. */
  default String name() {
    return getClass().getSimpleName();
  }

  /** Alerts below this severity are not sent here. */
  default AlertSeverity minSeverity() {
    return AlertSeverity.INFO;
  }

  /** When not empty, only alerts from these sources are sent here. */
  default Set<String> sources() {
    return Set.of();
  }

  /** Whether resolutions are sent here too (as the alert with state RESOLVED). */
  default boolean sendsResolved() {
    return false;
  }

  /**
   * How often the alert system sends this notifier each still-firing alert again, for a receiver
   * that forgets an alert it has not heard of for a while (Alertmanager resolves it after its
   * {@code resolve_timeout}); empty, the default, for none. A positive duration of at least a
   * millisecond, read once when the alert system is built.
   */
  default Optional<Duration> firingResendInterval() {
    return Optional.empty();
  }

  /** Whether this notifier takes {@code alert} by its severity and source. */
  default boolean accepts(Alert alert) {
    return alert.severity().isAtLeast(minSeverity())
        && (sources().isEmpty() || sources().contains(alert.source()));
  }
}
