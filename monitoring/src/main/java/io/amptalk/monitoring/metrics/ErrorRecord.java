package io.amptalk.monitoring.metrics;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One error recorded with {@code SystemMonitor.recordError}: its type as exported in the {@code
 * app.errors} counter, and the details that are deliberately kept out of metric labels.
 *
 * @param time when it was recorded, from the monitor's clock
 * @param errorType the normalised error type, exactly as exported
 * @param details the caller's details, values rendered as strings
 */
public record ErrorRecord(Instant time, String errorType, Map<String, String> details) {
  /**
   * Copies {@code details}, so the record stays immutable.
   *
   * @throws NullPointerException when {@code time}, {@code errorType} or {@code details} is null,
   *     or {@code details} holds a null key or value
   */
  public ErrorRecord {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(errorType, "errorType");
    details = Map.copyOf(details);
  }
}
