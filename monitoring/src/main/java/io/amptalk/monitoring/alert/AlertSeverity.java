package io.amptalk.monitoring.alert;

import java.util.Locale;

/** How bad an alert is, in increasing order: {@code INFO < WARNING < ERROR < CRITICAL}. */
public enum AlertSeverity {
  /** For information: nothing needs doing. */
  INFO,
  /** Something may need attention soon; what {@link AlertSystem#alert} uses for a null severity. */
  WARNING,
  /** Something failed and needs attention. */
  ERROR,
  /** Something needs attention now. */
  CRITICAL;

  /** Made once: {@link #jsonName} is on the raising path, twice per alert. */
  private final String jsonName = name().toLowerCase(Locale.ROOT);

  /** Whether this severity is {@code other} or worse. */
  public boolean isAtLeast(AlertSeverity other) {
    return compareTo(other) >= 0;
  }

  /** The lowercase name used in JSON and labels. */
  public String jsonName() {
    return jsonName;
  }

  /**
   * Parses a severity case-insensitively ({@code "warning"}, {@code "Critical"}; also {@code
   * "warn"} and {@code "err"}).
   *
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static AlertSeverity parse(String value) {
    if (value != null) {
      switch (value.trim().toUpperCase(Locale.ROOT)) {
        case "INFO":
          return INFO;
        case "WARNING":
        case "WARN":
          return WARNING;
        case "ERROR":
        case "ERR":
          return ERROR;
        case "CRITICAL":
          return CRITICAL;
        default:
          break;
      }
    }
    throw new IllegalArgumentException(
        "severity must be one of info, warning, error, critical, was "
            + (value == null ? "null" : "'" + value + "'"));
  }
}
