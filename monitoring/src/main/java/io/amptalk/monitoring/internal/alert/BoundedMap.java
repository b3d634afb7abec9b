package io.amptalk.monitoring.internal.alert;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A map kept within a count and an estimated size in bytes, forgetting its eldest entries first,
 * and counting what it forgot and why. The newest entry is always kept, even alone over the byte
 * budget, so that what was just saved can be read. Not thread-safe: its owner holds a lock.
 *
 * @param <V> the values, whose size {@code sizer} estimates
 */
public final class BoundedMap<V> {
  /** Why an entry was forgotten. */
  public enum Reason {
    COUNT,
    BYTES;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final int maxCount;
  private final long maxBytes;
  private final ToLongFunction<V> sizer;
  private final LinkedHashMap<String, Entry<V>> map;
  private long bytes;
  private long evictedByCount;
  private long evictedByBytes;

  /** Replaced in place when its key is put again: repeats of a firing alert make no new one. */
  private static final class Entry<V> {
    private V value;
    private long bytes;

    Entry(V value, long bytes) {
      this.value = value;
      this.bytes = bytes;
    }

    V value() {
      return value;
    }

    long bytes() {
      return bytes;
    }
  }

  /**
   * @param accessOrder whether reading or replacing an entry makes it the newest (for the firing
   *     alerts: the least recently raised goes first); otherwise the order of first insertion
   */
  public BoundedMap(int maxCount, long maxBytes, ToLongFunction<V> sizer, boolean accessOrder) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
    this.sizer = sizer;
    this.map = new LinkedHashMap<>(16, 0.75f, accessOrder);
  }

  /** Adds or replaces (keeping its place unless access-ordered), then trims to the bounds. */
  public void put(String key, V value) {
    long size = sizer.applyAsLong(value);
    // get, like put, makes the entry the newest when access-ordered, and keeps its place if not.
    Entry<V> entry = map.get(key);
    if (entry == null) {
      map.put(key, new Entry<>(value, size));
      bytes += size;
    } else {
      bytes += size - entry.bytes;
      entry.value = value;
      entry.bytes = size;
    }
    trim();
  }

  /** Adds unless present; returns whether it was added. */
  public boolean putIfAbsent(String key, V value) {
    if (map.containsKey(key)) {
      return false;
    }
    put(key, value);
    return true;
  }

  public V get(String key) {
    Entry<V> entry = map.get(key);
    return entry == null ? null : entry.value();
  }

  /** Whether {@code key} is held, without making it the newest as {@link #get} may. */
  public boolean containsKey(String key) {
    return map.containsKey(key);
  }

  public V remove(String key) {
    Entry<V> entry = map.remove(key);
    if (entry == null) {
      return null;
    }
    bytes -= entry.bytes();
    return entry.value();
  }

  public void clear() {
    map.clear();
    bytes = 0;
  }

  public int size() {
    return map.size();
  }

  public boolean isEmpty() {
    return map.isEmpty();
  }

  /** The estimated size of what is kept. */
  public long bytes() {
    return bytes;
  }

  public long evicted(Reason reason) {
    return reason == Reason.COUNT ? evictedByCount : evictedByBytes;
  }

  /** The values, eldest first; a copy. */
  public java.util.List<V> values() {
    return map.values().stream().map(Entry::value).toList();
  }

  /** The values, eldest first, for removing while iterating (a write-back). */
  public Iterator<V> drain() {
    Iterator<Entry<V>> entries = map.values().iterator();
    return new Iterator<>() {
      private Entry<V> last;

      @Override
      public boolean hasNext() {
        return entries.hasNext();
      }

      @Override
      public V next() {
        last = entries.next();
        return last.value();
      }

      @Override
      public void remove() {
        entries.remove();
        bytes -= last.bytes();
      }
    };
  }

  /** For iterating keys with values in order, as {@code forEach} on a map. */
  public Collection<Map.Entry<String, V>> entries() {
    return map.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue().value())).toList();
  }

  private void trim() {
    Iterator<Entry<V>> eldest = map.values().iterator();
    while (map.size() > 1 && (map.size() > maxCount || bytes > maxBytes)) {
      Entry<V> entry = eldest.next();
      if (map.size() > maxCount) {
        evictedByCount++;
      } else {
        evictedByBytes++;
      }
      bytes -= entry.bytes();
      eldest.remove();
    }
    if (map.size() > maxCount) { // a bound of 0 keeps nothing
      map.clear();
      bytes = 0;
      evictedByCount++;
    }
  }
}
