package io.amptalk.monitoring.alert;

import java.time.Instant;

/**
 * A history query; a null filter means no filter, as {@code None} did in the seed.
 *
 * @param limit at most this many alerts, newest first
 * @param minSeverity only this severity or worse
 * @param source only from this source
 * @param from only alerts raised at or after this time
 * @param to only alerts raised before this time
 */
public record AlertQuery(
    int limit, AlertSeverity minSeverity, String source, Instant from, Instant to) {
  /**
   * Checks the limit; each filter may be null.
   *
   * @throws IllegalArgumentException when {@code limit} is negative
   */
  public AlertQuery {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
  }

  /** Whether {@code alert} passes the filters (not the limit). */
  public boolean matches(Alert alert) {
    return (minSeverity == null || alert.severity().isAtLeast(minSeverity))
        && (source == null || source.equals(alert.source()))
        && (from == null || !alert.time().isBefore(from))
        && (to == null || alert.time().isBefore(to));
  }
}
