package io.amptalk.monitoring.health.checks;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** How the built-in checks write figures in their messages and details. */
final class Format {
  private Format() {}

  static String percent(double percent) {
    return String.format(Locale.ROOT, "%.1f%%", percent);
  }

  static String secondsText(double seconds) {
    return String.format(Locale.ROOT, "%.3f s", seconds);
  }

  /** "5m", "30s", "1h", "1500ms": the largest unit that divides the window exactly. */
  static String windowLabel(Duration window) {
    long ms = window.toMillis();
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** "p99", "p99.9", "p50": decimal digits of the quantile, so 0.999 never prints as 99.899…. */
  static String quantileLabel(double quantile) {
    return "p"
        + BigDecimal.valueOf(quantile).movePointRight(2).stripTrailingZeros().toPlainString();
  }

  static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }

  static Map<String, Object> details(Object... keysAndValues) {
    Map<String, Object> details = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      details.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return details;
  }
}
