package io.amptalk.monitoring.internal.util;

import java.time.Duration;

/**
 * The checks builders and factories apply to their options, each failing with a message that names
 * the option and the value ({@code "timeout must be a positive duration, was PT0S"}).
 */
public final class Options {
  /**
   * The longest an interval may be (how often a check runs, how long a deduplication lasts, when a
   * firing alert repeats): a year. Far longer ones overflow when added to an instant, and would
   * make a scheduler throw on every tick.
   */
  public static final Duration MAX_INTERVAL = Duration.ofDays(365);

  /** The longest a timeout, a sampling or export period, a backoff or a rate period may be. */
  public static final Duration MAX_PERIOD = Duration.ofDays(1);

  private Options() {}

  public static String requireNonBlank(String option, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          option + " must not be blank, was " + (value == null ? "null" : "'" + value + "'"));
    }
    return value;
  }

  public static int requirePositive(String option, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be positive, was " + value);
    }
    return value;
  }

  public static Duration requirePositive(String option, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(option + " must be a positive duration, was " + value);
    }
    return value;
  }

  /** A positive duration of at most {@code max}. */
  public static Duration requirePositive(String option, Duration value, Duration max) {
    return requireAtMost(option, requirePositive(option, value), max);
  }

  /** A duration, when given, of at most {@code max}; the message shows the maximum as ISO-8601. */
  public static Duration requireAtMost(String option, Duration value, Duration max) {
    if (value != null && value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          option + " must be at most " + iso(max) + ", was " + value);
    }
    return value;
  }

  /** {@code P365D} rather than {@code PT8760H} for whole days: how the maxima are documented. */
  static String iso(Duration duration) {
    return duration.toSecondsPart() == 0
            && duration.toMinutesPart() == 0
            && duration.toHoursPart() == 0
            && duration.toNanosPart() == 0
            && duration.toDays() > 0
        ? "P" + duration.toDays() + "D"
        : duration.toString();
  }

  /** A size of at least {@code min} bytes. */
  public static long requireAtLeast(String option, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(option + " must be at least " + min + ", was " + value);
    }
    return value;
  }

  public static int requireAtLeastOne(String option, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, was " + value);
    }
    return value;
  }
}
