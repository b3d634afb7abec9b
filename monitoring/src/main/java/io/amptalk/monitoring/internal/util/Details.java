package io.amptalk.monitoring.internal.util;

import java.util.AbstractMap;
import java.util.ArrayList;
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
          + " characters were cut";

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
    Copier copier = new Copier();
    copier.onPath.add(map);
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, ?> entry : map.entrySet()) {
      if (copier.exhausted()) {
        break;
      }
      if (entry.getKey() != null) {
        copy.put(copier.cut(entry.getKey(), MAX_KEY_LENGTH), copier.copy(entry.getValue(), 1));
      }
    }
    return new Copy(new FrozenMap<>(copy), copier.cut);
  }

  /** Cut to {@code max} characters, without splitting a surrogate pair. */
  public static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
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

  /** An unmodifiable view of a map no one else holds, so it is immutable; keeps its order. */
  private static final class FrozenMap<V> extends AbstractMap<String, V> {
    private final Map<String, V> map;

    FrozenMap(Map<String, V> map) {
      this.map = map;
    }

    @Override
    public Set<Map.Entry<String, V>> entrySet() {
      return Collections.unmodifiableMap(map).entrySet();
    }

    @Override
    public V get(Object key) {
      return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public int size() {
      return map.size();
    }
  }

  private static final class Copier {
    final Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
    private int values;
    boolean cut;

    /** Whether the budget of values is spent; if so, what follows is left out (and noted). */
    boolean exhausted() {
      if (values < MAX_VALUES) {
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
      if (value == null || value instanceof Number || value instanceof Boolean) {
        return value;
      }
      if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
        if (depth > MAX_DEPTH) {
          cut = true;
          return "(nested too deep)";
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
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (exhausted()) {
          break;
        }
        copy.put(cut(render(entry.getKey()), MAX_KEY_LENGTH), copy(entry.getValue(), depth + 1));
      }
      return Collections.unmodifiableMap(copy);
    }

    private List<Object> copyCollection(Collection<?> collection, int depth) {
      List<Object> copy = new ArrayList<>();
      for (Object element : collection) {
        if (exhausted()) {
          copy.add("(truncated)");
          break;
        }
        copy.add(copy(element, depth + 1));
      }
      return Collections.unmodifiableList(copy);
    }

    /** Cut to {@code max} characters, remembering that something was cut. */
    String cut(String text, int max) {
      String kept = Details.cut(text, max);
      if (kept.length() != text.length()) {
        cut = true;
      }
      return kept;
    }
  }
}
