package io.amptalk.monitoring.internal.metrics;

import io.amptalk.monitoring.internal.util.Details;
import io.amptalk.monitoring.internal.util.Footprint;
import io.amptalk.monitoring.metrics.ErrorRecord;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recent errors with their details, oldest first, at most {@code size} of them. Details
 * are kept for reading, never exported, and flattened to bounded text so the list stays small: at
 * most {@link #MAX_ENTRIES} entries, keys cut at {@link Details#MAX_KEY_LENGTH}, values rendered
 * and cut at {@link #MAX_VALUE_LENGTH} characters. The list is bounded by bytes too, at {@link
 * #MAX_BYTES} estimated ({@link Footprint}), dropping the oldest first: at its largest a record
 * takes about 80 KiB, and a history of 100,000 of them was a few gigabytes.
 */
public final class ErrorHistory {
  public static final int MAX_ENTRIES = 32;
  public static final int MAX_VALUE_LENGTH = 1024;
  public static final int MAX_KEY_LENGTH = Details.MAX_KEY_LENGTH;
  private static final int MAX_DEPTH = 8;

  /**
   * The most the recent errors take, estimated: 2 MiB. Far above what the default 100 records of
   * typical details take (a few hundred bytes each), and at least two dozen of the largest.
   */
  public static final long MAX_BYTES = 2L * 1024 * 1024;

  /** The record and its instant, beside its strings. */
  static final long RECORD = 48;

  private final int size;
  private final ArrayDeque<ErrorRecord> recent;
  private final ArrayDeque<Long> sizes;
  private final long maxBytes;
  private long bytes;
  private final Object lock = new Object();

  public ErrorHistory(int size) {
    this(size, MAX_BYTES);
  }

  /** For tests: a smaller byte budget. */
  ErrorHistory(int size, long maxBytes) {
    this.size = size;
    this.maxBytes = maxBytes;
    this.recent = new ArrayDeque<>(Math.min(size, 1024));
    this.sizes = new ArrayDeque<>(Math.min(size, 1024));
  }

  public void add(Instant time, String type, Map<String, ?> details) {
    ErrorRecord record = new ErrorRecord(time, type, flatten(details));
    long footprint = footprint(record);
    synchronized (lock) {
      recent.addLast(record);
      sizes.addLast(footprint);
      bytes += footprint;
      // The newest is always kept: the error just recorded can be read.
      while (recent.size() > 1 && (recent.size() > size || bytes > maxBytes)) {
        recent.removeFirst();
        bytes -= sizes.removeFirst();
      }
    }
  }

  /** The estimated bytes of the errors kept. */
  long bytes() {
    synchronized (lock) {
      return bytes;
    }
  }

  static long footprint(ErrorRecord record) {
    long bytes = RECORD + Footprint.text(record.errorType()) + Footprint.CONTAINER;
    for (Map.Entry<String, String> entry : record.details().entrySet()) {
      bytes += Footprint.ENTRY + Footprint.text(entry.getKey()) + Footprint.text(entry.getValue());
    }
    return bytes;
  }

  public List<ErrorRecord> recent() {
    synchronized (lock) {
      return List.copyOf(recent);
    }
  }

  private static Map<String, String> flatten(Map<String, ?> details) {
    if (details == null || details.isEmpty()) {
      return Map.of();
    }
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, ?> entry : details.entrySet()) {
      if (copy.size() == MAX_ENTRIES) {
        break;
      }
      if (entry.getKey() != null) {
        copy.put(Details.cut(entry.getKey(), MAX_KEY_LENGTH), render(entry.getValue()));
      }
    }
    return copy;
  }

  /**
   * A detail value as text of at most {@link #MAX_VALUE_LENGTH} characters. Maps and collections
   * are written here, not by their own {@code toString}: that never returns for one that holds
   * itself (a StackOverflowError, which the record methods would have thrown), and would build a
   * huge string only to cut it. A value whose {@code toString} throws is kept as a note.
   */
  public static String render(Object value) {
    StringBuilder text = new StringBuilder();
    render(value, text, 0);
    return Details.cut(text.toString(), MAX_VALUE_LENGTH);
  }

  private static void render(Object value, StringBuilder text, int depth) {
    if (text.length() > MAX_VALUE_LENGTH) {
      return;
    }
    if (value instanceof Map<?, ?> map) {
      if (depth == MAX_DEPTH) {
        text.append("{…}");
        return;
      }
      text.append('{');
      String separator = "";
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (text.length() > MAX_VALUE_LENGTH) {
          return;
        }
        text.append(separator);
        render(entry.getKey(), text, depth + 1);
        text.append('=');
        render(entry.getValue(), text, depth + 1);
        separator = ", ";
      }
      text.append('}');
    } else if (value instanceof Collection<?> collection) {
      if (depth == MAX_DEPTH) {
        text.append("[…]");
        return;
      }
      text.append('[');
      String separator = "";
      for (Object element : collection) {
        if (text.length() > MAX_VALUE_LENGTH) {
          return;
        }
        text.append(separator);
        render(element, text, depth + 1);
        separator = ", ";
      }
      text.append(']');
    } else {
      String printed = Details.render(value);
      text.append(printed, 0, Math.min(printed.length(), MAX_VALUE_LENGTH + 1));
    }
  }
}
