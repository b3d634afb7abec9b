package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.alert.AlertSeverity;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the bindings of the configuration's sections share: handing a value to the library so that
 * what it refuses is reported at the value's file, line and key, in the library's own words, and
 * the few readings every section makes the same way (a required key, a severity).
 */
final class Bindings {
  /**
   * The longest interval of a key the library does not check itself (a silence): as the library's
   * longest intervals, 365 days.
   */
  static final Duration MAX_INTERVAL = Duration.ofDays(365);

  /**
   * The longest timeout or window of a key the library does not check itself (a check's request
   * timeout, a request window, a latency threshold): a day, as the library's periods.
   */
  static final Duration MAX_PERIOD = Duration.ofDays(1);

  /** The largest byte budget a key takes: 64 GiB, far beyond any heap this agent runs in. */
  static final long MAX_BYTES = 64L << 30;

  private static final java.util.regex.Pattern SIZE =
      java.util.regex.Pattern.compile("([0-9]{1,12})\\s*(B|KiB|MiB|GiB)?");

  private Bindings() {}

  /**
   * The value as a size in bytes: a number of bytes, or one with {@code KiB}, {@code MiB} or {@code
   * GiB} ({@code 16MiB}), of at least {@code min} and at most {@link #MAX_BYTES}.
   */
  static long bytes(ConfigReader.Value value, long min) {
    java.util.regex.Matcher size = SIZE.matcher(value.text().strip());
    if (!size.matches()) {
      throw value.expected("a size such as 16MiB (bytes, or a number with KiB, MiB or GiB)");
    }
    String unit = size.group(2) == null ? "B" : size.group(2);
    int shift =
        switch (unit) {
          case "KiB" -> 10;
          case "MiB" -> 20;
          case "GiB" -> 30;
          default -> 0;
        };
    long number = Long.parseLong(size.group(1));
    if (number > (MAX_BYTES >> shift) || (number << shift) < min) {
      throw value.expected("a size from " + (min >> 10) + "KiB to 64GiB");
    }
    return number << shift;
  }

  /** The value's severity: info, warning, error or critical. */
  static AlertSeverity severity(ConfigReader.Value value) {
    try {
      return AlertSeverity.parse(value.text());
    } catch (IllegalArgumentException e) {
      throw value.expected("info, warning, error or critical");
    }
  }

  /** The value at {@code key}; its absence is an error at the section. */
  static ConfigReader.Value required(ConfigReader.Section section, String key) {
    return section.get(key).orElseThrow(() -> section.error("'" + key + "' is required"));
  }

  /**
   * Records a builder step, trying it first on a scratch builder so that a value the library
   * refuses fails here, at its key and line.
   */
  static <B> void step(
      List<Consumer<B>> steps, Supplier<B> scratch, ConfigReader.Value at, Consumer<B> step) {
    apply(
        at,
        () -> {
          B builder = scratch.get();
          step.accept(builder);
          return builder;
        });
    steps.add(step);
  }

  /** Calls the library; what it refuses becomes an error at {@code at}, in its words. */
  static <T> T apply(ConfigReader.Value at, Supplier<T> call) {
    try {
      return call.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw at.error(e.getMessage());
    }
  }
}
