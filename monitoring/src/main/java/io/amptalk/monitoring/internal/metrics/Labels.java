package io.amptalk.monitoring.internal.metrics;

import io.amptalk.monitoring.internal.util.Details;

/** Normalisation of caller-supplied strings that become label values. */
public final class Labels {
  /** Longer label values are cut: they bloat every scrape and are almost always a mistake. */
  public static final int MAX_LENGTH = 128;

  public static final String UNKNOWN = "unknown";
  public static final String OTHER = "other";

  private Labels() {}

  /**
   * Returns {@code value} as a label value: {@link #UNKNOWN} for null or blank, an unpaired
   * surrogate replaced by U+FFFD, cut to {@link #MAX_LENGTH} characters without splitting a
   * surrogate pair.
   *
   * <p>Why the replacement: UTF-8 cannot carry an unpaired surrogate, so the exposition writes each
   * as '?'. Two values differing only there ("/a\uD800" and "/a\uDC00") were two series written as
   * one, a duplicate that makes Prometheus reject the whole scrape.
   */
  public static String normalize(String value) {
    if (value == null || value.isBlank()) {
      return UNKNOWN;
    }
    value = wellFormed(value);
    if (value.length() <= MAX_LENGTH) {
      return value;
    }
    return Details.cut(value, MAX_LENGTH);
  }

  /** {@code value} with every unpaired surrogate replaced by U+FFFD; itself when there is none. */
  public static String wellFormed(String value) {
    int length = value.length();
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (!Character.isSurrogate(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < length
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
        continue;
      }
      return replaceUnpaired(value);
    }
    return value;
  }

  private static String replaceUnpaired(String value) {
    StringBuilder clean = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        clean.append(c).append(value.charAt(++i));
      } else {
        clean.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    return clean.toString();
  }
}
