package io.amptalk.monitoring.alert;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Mutes matching alerts until {@link #until()}: they are kept in history, marked silenced, and not
 * notified. A null source or title pattern, or an empty severity set, matches anything.
 *
 * @param id assigned by {@link AlertSystem#addSilence}
 * @param source only alerts from this source
 * @param titlePattern only alerts whose whole title matches this regular expression
 * @param severities only alerts of these severities
 * @param until when the silence ends
 * @param comment why, for whoever reads it later
 */
public record Silence(
    String id,
    String source,
    Pattern titlePattern,
    Set<AlertSeverity> severities,
    Instant until,
    String comment) {

  /**
   * Copies {@code severities}; a null comment becomes empty.
   *
   * @throws NullPointerException when {@code id}, {@code severities} or {@code until} is null, or
   *     {@code severities} holds a null
   */
  public Silence {
    Objects.requireNonNull(id, "id");
    severities = Set.copyOf(severities);
    Objects.requireNonNull(until, "until");
    comment = comment == null ? "" : comment;
  }

  /** Whether this silence mutes {@code alert} at {@code now}. */
  public boolean mutes(Alert alert, Instant now) {
    return now.isBefore(until)
        && (source == null || source.equals(alert.source()))
        && (titlePattern == null || titlePattern.matcher(alert.title()).matches())
        && (severities.isEmpty() || severities.contains(alert.severity()));
  }
}
