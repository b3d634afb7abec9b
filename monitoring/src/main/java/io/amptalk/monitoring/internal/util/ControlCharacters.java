package io.amptalk.monitoring.internal.util;

/**
 * Makes text from outside (an alert's title, a check's message) safe to write into a line-based
 * medium: a log line, a plain-text e-mail. Line breaks there would let the text forge lines of its
 * own (a log entry, a {@code Source:} field), and terminal escapes would rewrite what an operator's
 * terminal shows.
 */
public final class ControlCharacters {
  private ControlCharacters() {}

  /**
   * {@code text} with every control character written as a visible escape: {@code \n}, {@code \r}
   * and {@code \t}, the others as {@code \}{@code u001b}. Control characters are the C0 and C1
   * ranges, DEL, the Unicode line and paragraph separators, and the bidirectional overrides and
   * isolates (which reorder what a reader sees). A backslash is left as it is: the escapes are for
   * reading, not for decoding. Returns {@code text} itself when there is nothing to escape.
   */
  public static String escape(String text) {
    int first = firstControl(text);
    if (first < 0) {
      return text;
    }
    StringBuilder escaped = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!isControl(c)) {
        escaped.append(c);
        continue;
      }
      switch (c) {
        case '\n' -> escaped.append("\\n");
        case '\r' -> escaped.append("\\r");
        case '\t' -> escaped.append("\\t");
        default -> escaped.append(String.format("\\u%04x", (int) c));
      }
    }
    return escaped.toString();
  }

  private static int firstControl(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (isControl(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  static boolean isControl(char c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');
  }
}
