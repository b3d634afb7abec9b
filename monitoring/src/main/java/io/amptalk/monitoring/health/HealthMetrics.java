package io.amptalk.monitoring.health;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Check statuses and durations as metrics on a meter, read from the cached report at collection
 * time: {@code health.check.status} is a state set (1 for the current state, 0 for the others, so
 * every state has a series to alert on), {@code health.check.duration} the last run's, {@code
 * health.check.skipped} the periodic runs skipped for want of a thread (a counter from 0 for every
 * check, so a first skip is an increase).
 */
final class HealthMetrics implements AutoCloseable {
  static final AttributeKey<String> CHECK = AttributeKey.stringKey("check");
  static final AttributeKey<String> STATE = AttributeKey.stringKey("state");

  private final List<AutoCloseable> registrations;

  HealthMetrics(Meter meter, Supplier<HealthReport> report) {
    this.registrations =
        List.of(
            meter
                .gaugeBuilder("health.check.status")
                .setDescription("1 for the check's current status, 0 for the other statuses.")
                .ofLongs()
                .buildWithCallback(
                    m ->
                        eachCheck(
                            report,
                            (name, check) -> {
                              for (HealthStatus state : HealthStatus.values()) {
                                m.record(
                                    check.status() == state ? 1 : 0,
                                    Attributes.of(CHECK, name, STATE, state.jsonName()));
                              }
                            })),
            meter
                .gaugeBuilder("health.check.duration")
                .setDescription("How long the check's last run took.")
                .setUnit("s")
                .buildWithCallback(
                    m ->
                        eachCheck(
                            report,
                            (name, check) -> {
                              if (check.timestamp() != null) {
                                m.record(
                                    check.duration().toNanos() / 1e9, Attributes.of(CHECK, name));
                              }
                            })),
            meter
                .counterBuilder("health.check.skipped")
                .setDescription(
                    "Periodic runs skipped: due while the previous run still waited for a thread.")
                .buildWithCallback(
                    m ->
                        eachCheck(
                            report,
                            (name, check) ->
                                m.record(check.skipped(), Attributes.of(CHECK, name)))));
  }

  /** Each check of the report as it is at collection time. */
  private static void eachCheck(
      Supplier<HealthReport> report, BiConsumer<String, HealthReport.CheckReport> action) {
    report.get().checks().forEach(action);
  }

  @Override
  public void close() {
    for (AutoCloseable registration : registrations) {
      try {
        registration.close();
      } catch (Exception e) {
        // Closing an instrument registration does not fail in the SDK; nothing to undo.
      }
    }
  }
}
