package io.amptalk.monitoring.internal.util;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one copier of caller-given details (of an alert, of a check's result): JSON-shaped values are
 * copied, so the value holding them stays immutable, and everything else is rendered as text, all
 * within one set of bounds. A map or collection that holds itself becomes {@code "(cycle)"}, one
 * nested past {@link #MAX_DEPTH} {@code "(nested too deep)"}, values past {@link #MAX_VALUES} are
 * left out (a list ends with {@code "(truncated)"}), keys are cut at {@link #MAX_KEY_LENGTH} and
 * strings at {@link #MAX_STRING_LENGTH} characters, and a value whose {@code toString} throws says
 * so. Unbounded, a cyclic map overflowed the stack of {@code alert()}, and details nested past 1000
 * levels made every later {@code /health} fail, since the report could not be written as JSON.
 *
 * <p>Keys and strings together are bounded too, at {@link #MAX_CHARS} characters: a thousand
 * strings of 8,192 characters each were 16 MiB in one alert, and the byte budgets of history and
 * queues could keep only one or two such alerts. The copy knows its {@link #estimatedBytes}, so a
 * budget reads it without walking the details again.
 */
public final class Details {
  /** Details nested deeper are cut: JSON writers refuse deep nesting (Jackson past 1000). */
  public static final int MAX_DEPTH = 32;

  /** Values copied at most, so one list shared many times over is not unfolded. */
  public static final int MAX_VALUES = 1000;

  /** Longer keys are cut (Jackson refuses to read a name past 50,000 characters). */
  public static final int MAX_KEY_LENGTH = 256;

  /** Longer strings are cut. */
  public static final int MAX_STRING_LENGTH = 8192;

  /**
   * Characters of keys and strings kept in all (64 Ki): at two bytes a character, at most 128 KiB
   * of text, so a budget of 16 MiB keeps at least a hundred alerts even of the largest details.
   */
  public static final int MAX_CHARS = 64 * 1024;

  /** What a value that had to be bounded notes. */
  public static final String CUT_NOTE =
      "details were bounded: cycles, nesting past "
          + MAX_DEPTH
          + " levels, values past "
          + MAX_VALUES
          + ", keys past "
          + MAX_KEY_LENGTH
          + " and strings past "
          + MAX_STRING_LENGTH
          + " characters, and text past "
          + MAX_CHARS
          + " characters in all, were cut";

  private Details() {}

  /** The copy, and whether anything had to be cut to make it. */
  public record Copy(Map<String, Object> details, boolean cut) {}

  /**
   * The details as kept: an immutable copy in the caller's order (null keys left out), or the same
   * map when it is already such a copy (repeats and resolutions of one alert share it).
   */
  public static Copy copy(Map<String, ?> map) {
    if (map == null || map.isEmpty()) {
      return new Copy(Map.of(), false);
    }
    if (map instanceof FrozenMap<?> frozen) {
      @SuppressWarnings("unchecked") // a FrozenMap is only ever built from a Map<String, Object>
      Map<String, Object> same = (Map<String, Object>) frozen;
      return new Copy(same, false);
    }
    Copier copier = new Copier(map);
    int capacity = Math.min(map.size(), MAX_VALUES);
    Object[] entries = new Object[2 * capacity];
    int size = 0;
    for (Map.Entry<String, ?> entry : map.entrySet()) {
      if (copier.exhausted() || size == capacity) {
        break;
      }
      String key = entry.getKey();
      if (key != null) {
        copier.bytes += Footprint.ENTRY;
        String name = copier.cut(key, MAX_KEY_LENGTH);
        Object value = copier.copy(entry.getValue(), 1);
        // Two keys cut to one are one key, the last value kept, as a map put would.
        int same = name.length() == key.length() ? -1 : indexOf(entries, size, name);
        if (same >= 0) {
          entries[2 * same + 1] = value;
        } else {
          entries[2 * size] = name;
          entries[2 * size++ + 1] = value;
        }
      }
    }
    if (size < capacity) {
      entries = Arrays.copyOf(entries, 2 * size);
    }
    return new Copy(new FrozenMap<>(entries, copier.bytes + Footprint.CONTAINER), copier.cut);
  }

  /**
   * The estimated heap of details as {@link #copy} keeps them ({@link Footprint}): known from the
   * copy, so reading it costs nothing; other maps are estimated by copying them.
   */
  public static long estimatedBytes(Map<String, ?> details) {
    if (details == null || details.isEmpty()) {
      return 0;
    }
    if (details instanceof FrozenMap<?> frozen) {
      return frozen.bytes;
    }
    return estimatedBytes(copy(details).details());
  }

  /** Cut to {@code max} characters, without splitting a surrogate pair. */
  public static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    if (max <= 0) {
      return "";
    }
    return text.substring(0, Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max);
  }

  /** {@code String.valueOf(value)}, or a note when its {@code toString} throws. */
  public static String render(Object value) {
    try {
      return String.valueOf(value);
    } catch (RuntimeException e) {
      return "(toString threw " + e.getClass().getSimpleName() + ")";
    }
  }

  private static int indexOf(Object[] entries, int size, String name) {
    for (int i = 0; i < size; i++) {
      if (entries[2 * i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** Details as {@link #copy} keeps them, in the caller's order, with their estimated size. */
  private static final class FrozenMap<V> extends ArrayMap<V> {
    private final long bytes;

    FrozenMap(Object[] entries, long bytes) {
      super(entries, false);
      this.bytes = bytes;
    }
  }

  private static final class Copier {
    private final Object root;

    /**
     * The containers being copied, to find cycles; made at the first nested one, since the details
     * of most alerts are flat and the set (an identity map of 32 slots) would double their cost.
     */
    private Set<Object> onPath;

    private int values;
    private int chars;
    long bytes;
    boolean cut;

    Copier(Object root) {
      this.root = root;
    }

    /** Whether the budget of values or characters is spent; if so, what follows is left out. */
    boolean exhausted() {
      if (values < MAX_VALUES && chars < MAX_CHARS) {
        return false;
      }
      cut = true;
      return true;
    }

    Object copy(Object value, int depth) {
      values++;
      if ((value instanceof Double d && !Double.isFinite(d))
          || (value instanceof Float f && !Float.isFinite(f))) {
        return value.toString(); // JSON has no NaN or Infinity
      }
      if (value instanceof String text) {
        return cut(text, MAX_STRING_LENGTH);
      }
      if (value == null) {
        return null;
      }
      if (value instanceof Number || value instanceof Boolean) {
        bytes += Footprint.VALUE;
        return value;
      }
      if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
        if (depth > MAX_DEPTH) {
          cut = true;
          return "(nested too deep)";
        }
        if (onPath == null) {
          onPath = Collections.newSetFromMap(new IdentityHashMap<>());
          onPath.add(root);
        }
        if (!onPath.add(value)) {
          cut = true;
          return "(cycle)";
        }
        try {
          return value instanceof Map<?, ?> map
              ? copyMap(map, depth)
              : copyCollection((Collection<?>) value, depth);
        } finally {
          onPath.remove(value);
        }
      }
      return cut(render(value), MAX_STRING_LENGTH);
    }

    private Map<String, Object> copyMap(Map<?, ?> map, int depth) {
      bytes += Footprint.CONTAINER;
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (exhausted()) {
          break;
        }
        bytes += Footprint.ENTRY;
        copy.put(cut(render(entry.getKey()), MAX_KEY_LENGTH), copy(entry.getValue(), depth + 1));
      }
      return Collections.unmodifiableMap(copy);
    }

    private List<Object> copyCollection(Collection<?> collection, int depth) {
      bytes += Footprint.CONTAINER;
      List<Object> copy = new ArrayList<>();
      for (Object element : collection) {
        bytes += Footprint.VALUE; // the slot
        if (exhausted()) {
          copy.add("(truncated)");
          break;
        }
        copy.add(copy(element, depth + 1));
      }
      return Collections.unmodifiableList(copy);
    }

    /**
     * Cut to {@code max} characters and to what is left of {@link #MAX_CHARS}, remembering that
     * something was cut, and counted.
     */
    String cut(String text, int max) {
      String kept = Details.cut(text, Math.min(max, MAX_CHARS - chars));
      if (kept.length() != text.length()) {
        cut = true;
      }
      chars += kept.length();
      bytes += Footprint.text(kept);
      return kept;
    }
  }
}
