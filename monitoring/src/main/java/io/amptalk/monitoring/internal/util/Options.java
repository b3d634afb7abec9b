package io.amptalk.monitoring.internal.util;

import java.time.Duration;

/**
 * The checks builders and factories apply to their options, each failing with a message that names
 * the option and the value ({@code "timeout must be a positive duration, was PT0S"}).
 */
public final class Options {
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

  public static int requireAtLeastOne(String option, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, was " + value);
    }
    return value;
  }
}
