package io.amptalk.monitoring.internal.util;

/**
 * A cheap estimate of the heap a value takes, for the byte budgets of what is kept in memory (alert
 * history, queues, dead letters, recent errors). Without reflection or instrumentation: each string
 * counts two bytes a character (UTF-16, the worst case; Latin-1 text takes half) plus {@link
 * #STRING} for its object and array headers, and every other object a fixed overhead. It errs on
 * the large side, so a budget is a bound on the real figure, not a target.
 */
public final class Footprint {
  /** A {@code String}: its object (24 bytes) and its array's header (16). */
  public static final long STRING = 40;

  /** A map entry of an insertion-ordered map, with its share of the table. */
  public static final long ENTRY = 48;

  /** A map or list object with its table or array header. */
  public static final long CONTAINER = 64;

  /** A boxed number or boolean, or a reference in a list. */
  public static final long VALUE = 16;

  private Footprint() {}

  /** A string's estimate: {@link #STRING} plus two bytes a character; 0 for null. */
  public static long text(String text) {
    return text == null ? 0 : STRING + 2L * text.length();
  }
}
