package io.amptalk.monitoring.internal.util;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map of few entries in two arrays, in the order they were given: an alert's labels
 * and details are made on the path of every new alert, where a hash or tree map and its entries
 * took several times the objects. Lookups scan the names, or search them when they are sorted.
 * Subclasses say who made it, so that a map already made so is not copied again.
 *
 * @param <V> the values
 */
public abstract class ArrayMap<V> extends AbstractMap<String, V> {
  /** Name, value, name, value…: one array, not two, for the few entries of an alert's maps. */
  private final Object[] entries;

  private final boolean sorted;

  /**
   * Takes {@code entries} as it is (no one else may hold it): names at even indexes, each followed
   * by its value, without repeated names, and in their natural order when {@code sorted}.
   */
  protected ArrayMap(Object[] entries, boolean sorted) {
    this.entries = entries;
    this.sorted = sorted;
  }

  /** The entries as given, for subclasses to search. */
  protected final Object[] entries() {
    return entries;
  }

  /** The name of the {@code i}th entry, for reading without an entry object. */
  public final String nameAt(int i) {
    return (String) entries[2 * i];
  }

  /** The value of the {@code i}th entry. */
  @SuppressWarnings("unchecked") // only values of type V are given
  public final V valueAt(int i) {
    return (V) entries[2 * i + 1];
  }

  @Override
  public final V get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : valueAt(i);
  }

  @Override
  public final boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  @Override
  public final int size() {
    return entries.length / 2;
  }

  private int indexOf(Object key) {
    if (!(key instanceof String name)) {
      return -1;
    }
    return sorted ? search(entries, size(), name) : scan(name);
  }

  private int scan(String name) {
    for (int i = 0; i < size(); i++) {
      if (nameAt(i).equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Where {@code name} is among the first {@code size} entries of sorted {@code entries}, as {@link
   * java.util.Arrays#binarySearch} answers: its entry index, or {@code -(insertion point) - 1}.
   */
  public static int search(Object[] entries, int size, String name) {
    int low = 0;
    int high = size - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int order = ((String) entries[2 * mid]).compareTo(name);
      if (order < 0) {
        low = mid + 1;
      } else if (order > 0) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -(low + 1);
  }

  @Override
  public final Set<Map.Entry<String, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, V>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size();
          }

          @Override
          public Map.Entry<String, V> next() {
            if (next >= size()) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new AbstractMap.SimpleImmutableEntry<>(nameAt(i), valueAt(i));
          }
        };
      }

      @Override
      public int size() {
        return ArrayMap.this.size();
      }
    };
  }
}
