package io.amptalk.monitoring.slo;

import io.amptalk.monitoring.alert.AlertSeverity;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An alert on how fast an objective's error budget burns: it fires while the error ratio over both
 * {@code longWindow} and {@code shortWindow} is above {@code factor} times the budget (the
 * multi-window, multi-burn-rate alerts of Google's SRE Workbook, "Alerting on SLOs"). The long
 * window makes it significant, the short one makes it stop soon after the burning does.
 *
 * @param severity {@code CRITICAL} pages, {@code WARNING} opens a ticket (the rules' {@code
 *     severity} label: {@code critical}, {@code warning})
 * @param longWindow the window the burn rate must hold over, e.g. 1 h
 * @param shortWindow the recent window that must agree, e.g. 5 min (the Workbook's 1/12)
 * @param factor how many times the sustainable rate: 14.4 spends 2 % of a 30-day budget in an hour
 */
public record BurnRateAlert(
    AlertSeverity severity, Duration longWindow, Duration shortWindow, double factor) {

  /**
   * The Workbook's table for a 30-day window: page at 14.4× over 1 h and 5 min, page at 6× over 6 h
   * and 30 min, ticket at 3× over 1 d and 2 h, ticket at 1× over 3 d and 6 h.
   */
  public static final List<BurnRateAlert> WORKBOOK =
      List.of(
          new BurnRateAlert(
              AlertSeverity.CRITICAL, Duration.ofHours(1), Duration.ofMinutes(5), 14.4),
          new BurnRateAlert(AlertSeverity.CRITICAL, Duration.ofHours(6), Duration.ofMinutes(30), 6),
          new BurnRateAlert(AlertSeverity.WARNING, Duration.ofDays(1), Duration.ofHours(2), 3),
          new BurnRateAlert(AlertSeverity.WARNING, Duration.ofDays(3), Duration.ofHours(6), 1));

  /**
   * Checks the alert.
   *
   * @throws IllegalArgumentException unless the windows are whole minutes with the short one
   *     shorter, and the factor is positive
   */
  public BurnRateAlert {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(longWindow, "longWindow");
    Objects.requireNonNull(shortWindow, "shortWindow");
    for (Duration window : List.of(longWindow, shortWindow)) {
      if (window.isNegative()
          || window.isZero()
          || window.toSeconds() % 60 != 0
          || window.toNanosPart() != 0) {
        throw new IllegalArgumentException(
            "a burn-rate window must be a positive whole number of minutes, was "
                + shortForm(window));
      }
    }
    if (shortWindow.compareTo(longWindow) >= 0) {
      throw new IllegalArgumentException(
          "shortWindow must be shorter than longWindow "
              + shortForm(longWindow)
              + ", was "
              + shortForm(shortWindow));
    }
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("factor must be a positive number, was " + factor);
    }
  }

  /** {@code 5m}, {@code 1h}, {@code 3d}: Prometheus' duration form of a whole-minute window. */
  public static String shortForm(Duration window) {
    long minutes = window.toMinutes();
    if (window.toSeconds() % 60 != 0 || minutes == 0) {
      return window.toSeconds() + "s";
    }
    if (minutes % (24 * 60) == 0) {
      return minutes / (24 * 60) + "d";
    }
    return minutes % 60 == 0 ? minutes / 60 + "h" : minutes + "m";
  }
}
