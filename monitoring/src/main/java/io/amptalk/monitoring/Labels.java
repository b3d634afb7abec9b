package io.amptalk.monitoring;

/** Normalisation of caller-supplied strings that become label values. */
final class Labels {
  /** Longer label values are cut: they bloat every scrape and are almost always a mistake. */
  static final int MAX_LENGTH = 128;

  static final String UNKNOWN = "unknown";
  static final String OTHER = "other";

  private Labels() {}

  /**
   * Returns {@code value} as a label value: {@link #UNKNOWN} for null or blank, cut to {@link
   * #MAX_LENGTH} characters without splitting a surrogate pair.
   */
  static String normalize(String value) {
    if (value == null || value.isBlank()) {
      return UNKNOWN;
    }
    if (value.length() <= MAX_LENGTH) {
      return value;
    }
    int end = MAX_LENGTH;
    if (Character.isHighSurrogate(value.charAt(end - 1))) {
      end--;
    }
    return value.substring(0, end);
  }
}
