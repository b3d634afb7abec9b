package io.amptalk.monitoring.internal.slo;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The good and total request counts of one objective, per minute over its longest alert window and
 * per hour over its whole window: two rings of longs, so a 30-day objective with the Workbook's
 * alerts (3 days the longest) keeps 4,320 minutes and 721 hours, 79 KiB (80,752 bytes), where
 * minutes over 30 days would be 675 KiB. Windows up to the minute ring's span are summed from
 * minutes, exactly; longer ones (the budget) from hours, whose oldest hour may be partly outside
 * the window.
 *
 * <p>Minutes are numbered on one time line the owner keeps (the evaluator's, monotonic); counts are
 * only ever added to the newest minute, so a minute that went back adds to the newest instead and
 * nothing is lost. Not thread-safe: the evaluator uses it under its lock.
 */
final class BudgetCounts {
  private static final int FORMAT = 1;

  private final long[] minuteGood;
  private final long[] minuteTotal;
  private final long[] hourGood;
  private final long[] hourTotal;

  /** The newest minute counted into; the slots of older minutes hold the minutes before it. */
  private long minute;

  /**
   * @param minutes how many minutes the minute ring spans, the current one included
   * @param hours how many hours the hour ring spans, the current one included
   * @param startMinute the minute the counts begin at
   */
  BudgetCounts(int minutes, int hours, long startMinute) {
    this.minuteGood = new long[minutes];
    this.minuteTotal = new long[minutes];
    this.hourGood = new long[hours];
    this.hourTotal = new long[hours];
    this.minute = startMinute;
  }

  /** The bytes the counts take on the heap, arrays included (for the documented bound). */
  long footprintBytes() {
    return 16L * 4 + 8L * 2 * (minuteGood.length + hourGood.length) + 32;
  }

  long minute() {
    return minute;
  }

  /**
   * Adds {@code good} of {@code total} requests at {@code atMinute}, or at the newest minute when
   * {@code atMinute} is older: a time line that went back loses nothing.
   */
  void add(long atMinute, long good, long total) {
    advanceTo(atMinute);
    int m = slot(minute, minuteGood.length);
    minuteGood[m] += good;
    minuteTotal[m] += total;
    int h = slot(Math.floorDiv(minute, 60), hourGood.length);
    hourGood[h] += good;
    hourTotal[h] += total;
  }

  /** Moves the newest minute to {@code atMinute} (when later), clearing the slots it passes. */
  void advanceTo(long atMinute) {
    if (atMinute <= minute) {
      return;
    }
    long passed = atMinute - minute;
    for (long i = 1; i <= Math.min(passed, minuteGood.length); i++) {
      int m = slot(minute + i, minuteGood.length);
      minuteGood[m] = 0;
      minuteTotal[m] = 0;
    }
    long fromHour = Math.floorDiv(minute, 60);
    long toHour = Math.floorDiv(atMinute, 60);
    for (long i = 1; i <= Math.min(toHour - fromHour, hourGood.length); i++) {
      int h = slot(fromHour + i, hourGood.length);
      hourGood[h] = 0;
      hourTotal[h] = 0;
    }
    minute = atMinute;
  }

  /**
   * Good and total over the last {@code minutes} minutes, the newest included: from the minute ring
   * while it spans them, else from the hours covering them.
   */
  long[] sum(long minutes) {
    long good = 0;
    long total = 0;
    if (minutes <= minuteGood.length) {
      for (long i = 0; i < minutes; i++) {
        int m = slot(minute - i, minuteGood.length);
        good += minuteGood[m];
        total += minuteTotal[m];
      }
    } else {
      long hours = Math.min(hourGood.length, (minutes + 59) / 60);
      long hour = Math.floorDiv(minute, 60);
      for (long i = 0; i < hours; i++) {
        int h = slot(hour - i, hourGood.length);
        good += hourGood[h];
        total += hourTotal[h];
      }
    }
    return new long[] {good, total};
  }

  /** The counts as bytes, for the store: a format number, the newest minute, then the rings. */
  byte[] toBytes() {
    ByteBuffer out =
        ByteBuffer.allocate(4 + 8 + 4 + 4 + 8 * 2 * (minuteGood.length + hourGood.length));
    out.putInt(FORMAT).putLong(minute).putInt(minuteGood.length).putInt(hourGood.length);
    for (int i = 0; i < minuteGood.length; i++) {
      out.putLong(minuteGood[i]).putLong(minuteTotal[i]);
    }
    for (int i = 0; i < hourGood.length; i++) {
      out.putLong(hourGood[i]).putLong(hourTotal[i]);
    }
    return out.array();
  }

  /**
   * Counts saved by {@link #toBytes}, into rings of this size, ending at the saved minute; empty
   * when the bytes are not counts of this format (a damaged or foreign row is ignored, not fatal).
   * Rings of another size (the alerts or the window changed) keep what fits.
   */
  static Optional<BudgetCounts> fromBytes(byte[] bytes, int minutes, int hours) {
    try {
      ByteBuffer in = ByteBuffer.wrap(bytes);
      if (in.getInt() != FORMAT) {
        return Optional.empty();
      }
      long savedMinute = in.getLong();
      int savedMinutes = in.getInt();
      int savedHours = in.getInt();
      if (savedMinutes <= 0
          || savedHours <= 0
          || in.remaining() != 16L * (savedMinutes + (long) savedHours)) {
        return Optional.empty();
      }
      BudgetCounts counts = new BudgetCounts(minutes, hours, savedMinute);
      long[] good = new long[savedMinutes];
      long[] total = new long[savedMinutes];
      for (int i = 0; i < savedMinutes; i++) {
        good[i] = in.getLong();
        total[i] = in.getLong();
      }
      for (long i = 0; i < Math.min(savedMinutes, minutes); i++) {
        int from = slot(savedMinute - i, savedMinutes);
        int to = slot(savedMinute - i, minutes);
        counts.minuteGood[to] = good[from];
        counts.minuteTotal[to] = total[from];
      }
      good = new long[savedHours];
      total = new long[savedHours];
      for (int i = 0; i < savedHours; i++) {
        good[i] = in.getLong();
        total[i] = in.getLong();
      }
      long savedHour = Math.floorDiv(savedMinute, 60);
      for (long i = 0; i < Math.min(savedHours, hours); i++) {
        int from = slot(savedHour - i, savedHours);
        int to = slot(savedHour - i, hours);
        counts.hourGood[to] = good[from];
        counts.hourTotal[to] = total[from];
      }
      return Optional.of(counts);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static int slot(long index, int length) {
    return (int) Math.floorMod(index, (long) length);
  }
}
