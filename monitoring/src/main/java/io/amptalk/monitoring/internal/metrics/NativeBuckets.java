package io.amptalk.monitoring.internal.metrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One series' sparse exponential histogram, as Prometheus' native histograms and OpenTelemetry's
 * exponential histograms keep it: at schema {@code s} the base is {@code 2^(2^-s)}, and the bucket
 * of index {@code i} holds the observations in {@code (base^(i-1), base^i]} (Prometheus' indices;
 * OpenTelemetry's are one lower). Observations at or below {@link #ZERO_THRESHOLD} (zero, and
 * defensively negative or NaN ones, which the recorders drop before they get here) go to the zero
 * bucket. At most {@code maxBuckets} buckets are kept: when one more would be needed, the schema is
 * lowered (each step merges pairs of neighbouring buckets) until they fit, as client_java does; at
 * {@link #MIN_SCHEMA} the limit no longer applies (at that schema all of a double's range is 72
 * buckets).
 *
 * <p>Recording is lock-free and allocates nothing once a bucket exists: the buckets live in an
 * open-addressing table of {@code int} indices and {@code long} counts, indexed by the bucket index
 * itself (neighbouring buckets take neighbouring slots, so a contiguous range never collides), a
 * new index claimed with one CAS, a count added with one atomic add. The table is replaced (grown,
 * or rebuilt at a lower schema) under a per-series lock, at most a few times in a series' life: the
 * one doing it seals each old slot with {@code getAndSet}, so that an add which lands in a sealed
 * slot sees a negative count and is retried in the new table, and one that landed before is in the
 * count the seal took. No observation is lost or counted twice. Readers take the same lock, so they
 * never see a table half moved.
 */
final class NativeBuckets {
  /** The lowest and highest schemas Prometheus accepts. */
  static final int MIN_SCHEMA = -4;

  static final int MAX_SCHEMA = 8;

  /** client_java's default zero threshold: 2^-128. */
  static final double ZERO_THRESHOLD = 0x1p-128;

  private static final int EMPTY = Integer.MIN_VALUE;
  private static final int SEALED_KEY = Integer.MIN_VALUE + 1;
  private static final long SEALED = Long.MIN_VALUE;
  private static final int MIN_CAPACITY = 16;

  /** For schema s > 0, the 2^s bounds of a frexp fraction in [0.5, 1): 2^(i/2^s - 1). */
  private static final double[][] BOUNDS = new double[MAX_SCHEMA + 1][];

  /**
   * For schema s > 0, the fraction's range cut by the top s + 1 bits of its mantissa into 2^(s+1)
   * slices, each narrower than the narrowest bucket, so that at most one bound lies inside a slice:
   * the index of the first bound at or above each slice's start. A lookup and at most one
   * comparison then find what a binary search of the bounds finds.
   */
  private static final int[][] SLICES = new int[MAX_SCHEMA + 1][];

  static {
    for (int schema = 1; schema <= MAX_SCHEMA; schema++) {
      int n = 1 << schema;
      double[] bounds = new double[n];
      for (int i = 0; i < n; i++) {
        bounds[i] = Math.pow(2.0, (double) i / n - 1.0);
      }
      BOUNDS[schema] = bounds;
      int slices = 2 * n;
      int[] first = new int[slices];
      for (int j = 0, i = 0; j < slices; j++) {
        double start = 0.5 * (1 + (double) j / slices); // exact: j has at most 9 bits
        while (i < n && bounds[i] < start) {
          i++;
        }
        first[j] = i;
      }
      SLICES[schema] = first;
    }
  }

  private static final VarHandle KEYS = MethodHandles.arrayElementVarHandle(int[].class);
  private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle ZERO;
  private static final VarHandle USED;

  static {
    try {
      ZERO = MethodHandles.lookup().findVarHandle(NativeBuckets.class, "zeroCount", long.class);
      USED = MethodHandles.lookup().findVarHandle(Table.class, "used", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final int maxBuckets;
  private final Object lock = new Object();
  private volatile Table table;

  @SuppressWarnings("unused") // through ZERO
  private volatile long zeroCount;

  NativeBuckets(int schema, int maxBuckets) {
    if (schema < MIN_SCHEMA || schema > MAX_SCHEMA) {
      throw new IllegalArgumentException(
          "schema must be " + MIN_SCHEMA + ".." + MAX_SCHEMA + ", was " + schema);
    }
    if (maxBuckets < 1) {
      throw new IllegalArgumentException("maxBuckets must be at least 1, was " + maxBuckets);
    }
    this.maxBuckets = maxBuckets;
    this.table = new Table(schema, MIN_CAPACITY, limit(schema, MIN_CAPACITY));
  }

  /**
   * The Prometheus bucket index of {@code value} (positive, finite) at {@code schema}: the smallest
   * {@code i} with {@code value <= base^i}, found as Prometheus' Go client does, from the value's
   * binary exponent and, above schema 0, the first of the schema's bounds at or above the fraction
   * (found through {@link #SLICES}), so that powers of the base land exactly on their own bucket.
   */
  static int index(double value, int schema) {
    int exp = Math.getExponent(value) + 1; // value = frac * 2^exp, frac in [0.5, 1)
    double frac = Math.scalb(value, -exp);
    if (schema > 0) {
      double[] bounds = BOUNDS[schema];
      long mantissa = Double.doubleToRawLongBits(value) & 0x000f_ffff_ffff_ffffL;
      int i = SLICES[schema][(int) (mantissa >>> (52 - (schema + 1)))];
      if (i < bounds.length && bounds[i] < frac) {
        i++; // the one bound inside the slice, below the fraction
      }
      return i + (exp - 1) * bounds.length;
    }
    int key = frac == 0.5 ? exp - 1 : exp;
    int shift = -schema;
    return (key + (1 << shift) - 1) >> shift;
  }

  /** The index at a schema {@code steps} lower: ceil(index / 2^steps). */
  static int reduce(int index, int steps) {
    return (index + (1 << steps) - 1) >> steps;
  }

  /** The relative error of a bucket at {@code schema}: base - 1. */
  static double relativeError(int schema) {
    return Math.pow(2.0, Math.pow(2.0, -schema)) - 1;
  }

  private int limit(int schema, int capacity) {
    return schema == MIN_SCHEMA ? capacity / 2 : Math.min(maxBuckets, capacity / 2);
  }

  /** Counts one observation in seconds. Never throws. */
  void record(double value) {
    if (!(value > ZERO_THRESHOLD)) { // zero, negative or NaN
      ZERO.getAndAdd(this, 1L);
      return;
    }
    while (true) {
      Table t = table;
      int index = index(value, t.schema);
      int result = t.add(index);
      if (result == Table.FULL) {
        replace(t, index);
      } else if (result == Table.MOVED) {
        Thread.onSpinWait(); // sealed: the new table is being filled, or is there already
      } else {
        return;
      }
    }
  }

  /**
   * Replaces {@code full}, which had no room for {@code index}: with a table twice its size at the
   * same schema when the bucket limit allows, else at the highest lower schema where its buckets
   * and {@code index} fit.
   */
  private void replace(Table full, int index) {
    synchronized (lock) {
      if (table != full || (int) USED.getVolatile(full) < full.limit) {
        return; // replaced meanwhile, or a claim that lost its slot and gave it back
      }
      int[] keys = new int[full.keys.length];
      long[] counts = new long[full.keys.length];
      int n = full.seal(keys, counts);
      int schema = full.schema;
      int needed = distinct(keys, n, index, 0);
      while (needed > maxBuckets && schema > MIN_SCHEMA) {
        schema--;
        needed = distinct(keys, n, index, full.schema - schema);
      }
      int capacity = MIN_CAPACITY;
      while (capacity / 2 < needed + 1) {
        capacity <<= 1;
      }
      Table next = new Table(schema, capacity, limit(schema, capacity));
      int steps = full.schema - schema;
      for (int i = 0; i < n; i++) {
        next.put(reduce(keys[i], steps), counts[i]);
      }
      table = next;
    }
  }

  /** How many distinct buckets {@code keys} and {@code extra} make, {@code steps} schemas lower. */
  private static int distinct(int[] keys, int n, int extra, int steps) {
    int[] reduced = new int[n + 1];
    for (int i = 0; i < n; i++) {
      reduced[i] = reduce(keys[i], steps);
    }
    reduced[n] = reduce(extra, steps);
    Arrays.sort(reduced);
    int distinct = 0;
    for (int i = 0; i <= n; i++) {
      if (i == 0 || reduced[i] != reduced[i - 1]) {
        distinct++;
      }
    }
    return distinct;
  }

  /** What a reader gets: the schema, the zero count and the populated buckets, by index. */
  record Snapshot(int schema, long zeroCount, int[] indices, long[] counts) {
    long count() {
      long total = zeroCount;
      for (long c : counts) {
        total += c;
      }
      return total;
    }
  }

  /** The buckets now; under the lock, so never a table half moved. */
  Snapshot snapshot() {
    synchronized (lock) {
      long zero = (long) ZERO.getVolatile(this);
      Table t = table;
      int capacity = t.keys.length;
      long[] packed = new long[capacity];
      int n = 0;
      for (int i = 0; i < capacity; i++) {
        int key = (int) KEYS.getVolatile(t.keys, i);
        if (key != EMPTY) {
          long count = (long) COUNTS.getVolatile(t.counts, i);
          if (count > 0) {
            packed[n++] = ((long) key << 32) | i; // sorts by key, the signed high half
          }
        }
      }
      Arrays.sort(packed, 0, n);
      int[] indices = new int[n];
      long[] counts = new long[n];
      for (int j = 0; j < n; j++) {
        indices[j] = (int) (packed[j] >> 32);
        counts[j] = (long) COUNTS.getVolatile(t.counts, (int) packed[j]);
      }
      return new Snapshot(t.schema, zero, indices, counts);
    }
  }

  /** The schema now (for tests). */
  int schema() {
    return table.schema;
  }

  /** An open-addressing table of bucket indices and their counts at one schema. */
  private static final class Table {
    static final int ADDED = 0;
    static final int FULL = 1;
    static final int MOVED = 2;

    final int schema;
    final int limit;
    final int mask;
    final int[] keys;
    final long[] counts;

    /** Slots claimed (an upper bound of the buckets: a claim that lost its CAS gives it back). */
    @SuppressWarnings("unused") // through USED
    volatile int used;

    Table(int schema, int capacity, int limit) {
      this.schema = schema;
      this.limit = limit;
      this.mask = capacity - 1;
      this.keys = new int[capacity];
      Arrays.fill(keys, EMPTY);
      this.counts = new long[capacity];
    }

    int add(int key) {
      int slot = key & mask;
      for (int probe = 0; probe <= mask; probe++, slot = (slot + 1) & mask) {
        int k = (int) KEYS.getAcquire(keys, slot);
        if (k == EMPTY) {
          if ((int) USED.getAndAdd(this, 1) >= limit) {
            USED.getAndAdd(this, -1);
            return FULL;
          }
          if (KEYS.compareAndSet(keys, slot, EMPTY, key)) {
            return addCount(slot);
          }
          USED.getAndAdd(this, -1);
          k = (int) KEYS.getAcquire(keys, slot);
        }
        if (k == key) {
          return addCount(slot);
        }
        if (k == SEALED_KEY) {
          return MOVED;
        }
      }
      return FULL;
    }

    private int addCount(int slot) {
      long before = (long) COUNTS.getAndAdd(counts, slot, 1L);
      return before < 0 ? MOVED : ADDED;
    }

    /** Fills a table not yet published, single-threaded. */
    void put(int key, long count) {
      int slot = key & mask;
      while (true) {
        if (keys[slot] == EMPTY) {
          keys[slot] = key;
          counts[slot] = count;
          used++;
          return;
        }
        if (keys[slot] == key) {
          counts[slot] += count;
          return;
        }
        slot = (slot + 1) & mask;
      }
    }

    /**
     * Seals every slot, so that no add lands here any more, and copies the buckets with their
     * counts into {@code outKeys} and {@code outCounts}; returns how many.
     */
    int seal(int[] outKeys, long[] outCounts) {
      int n = 0;
      for (int slot = 0; slot < keys.length; slot++) {
        int key = (int) KEYS.compareAndExchange(keys, slot, EMPTY, SEALED_KEY);
        if (key == EMPTY) {
          continue; // sealed empty
        }
        long count = (long) COUNTS.getAndSet(counts, slot, SEALED);
        if (count > 0) {
          outKeys[n] = key;
          outCounts[n] = count;
          n++;
        }
      }
      return n;
    }
  }
}
