package io.amptalk.monitoring.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class NativeBucketsTest {

  /** The definition: the smallest i with value <= base^i, base = 2^(2^-schema). */
  private static int formula(double value, int schema) {
    return (int) Math.ceil(Math.log(value) / Math.log(2) * Math.pow(2, schema));
  }

  private static Map<Integer, Long> buckets(NativeBuckets.Snapshot snapshot) {
    Map<Integer, Long> buckets = new TreeMap<>();
    for (int i = 0; i < snapshot.indices().length; i++) {
      buckets.put(snapshot.indices()[i], snapshot.counts()[i]);
    }
    return buckets;
  }

  @Test
  void index_powersOfTheBaseAreTheirOwnBucketsUpperBound() {
    for (int schema = NativeBuckets.MIN_SCHEMA; schema <= NativeBuckets.MAX_SCHEMA; schema++) {
      assertThat(NativeBuckets.index(1.0, schema)).as("1 at schema %d", schema).isEqualTo(0);
    }
    assertThat(NativeBuckets.index(2.0, 0)).isEqualTo(1);
    assertThat(NativeBuckets.index(2.0, 3)).isEqualTo(8);
    assertThat(NativeBuckets.index(2.0, 8)).isEqualTo(256);
    assertThat(NativeBuckets.index(0.5, 5)).isEqualTo(-32);
    assertThat(NativeBuckets.index(Math.sqrt(2), 1)).isEqualTo(1);
    assertThat(NativeBuckets.index(Math.nextUp(Math.sqrt(2)), 1)).isEqualTo(2);
    // Below schema 0 a bucket spans 2^(2^-schema): at -1, (1, 4] is bucket 1, (4, 16] bucket 2.
    assertThat(NativeBuckets.index(2.0, -1)).isEqualTo(1);
    assertThat(NativeBuckets.index(4.0, -1)).isEqualTo(1);
    assertThat(NativeBuckets.index(4.000001, -1)).isEqualTo(2);
    assertThat(NativeBuckets.index(0.25, -1)).isEqualTo(-1);
    assertThat(NativeBuckets.index(65536.0, -4)).isEqualTo(1);
    assertThat(NativeBuckets.index(65537.0, -4)).isEqualTo(2);
  }

  /**
   * Each bound of each schema, and the doubles just around it: the bound itself is its bucket's
   * upper end (inclusive), the next double up is in the next bucket, as a search of the bounds
   * says.
   */
  @Test
  void index_atAndAroundEveryBound_isTheFirstBoundAtOrAboveTheValue() {
    for (int schema = 1; schema <= NativeBuckets.MAX_SCHEMA; schema++) {
      int n = 1 << schema;
      for (int i = 0; i < n; i++) {
        double bound = 2 * Math.pow(2.0, (double) i / n - 1.0); // base^i, in [1, 2)
        assertThat(NativeBuckets.index(bound, schema)).as("base^%d at %d", i, schema).isEqualTo(i);
        assertThat(NativeBuckets.index(Math.nextUp(bound), schema)).isEqualTo(i + 1);
        if (i > 0) {
          assertThat(NativeBuckets.index(Math.nextDown(bound), schema)).isEqualTo(i);
        }
        assertThat(NativeBuckets.index(Math.scalb(bound, -20), schema)).isEqualTo(i - 20 * n);
      }
    }
  }

  @Test
  void index_knownDurationsAtEachSchema_matchTheFormula() {
    double[] seconds = {
      0.0001234, 0.003, 0.0157, 0.042, 0.1, 0.157, 0.3, 0.75, 1.5, 3.7, 12.5, 600
    };
    for (int schema = NativeBuckets.MIN_SCHEMA; schema <= NativeBuckets.MAX_SCHEMA; schema++) {
      for (double v : seconds) {
        assertThat(NativeBuckets.index(v, schema))
            .as("%s s at schema %d", v, schema)
            .isEqualTo(formula(v, schema));
      }
    }
    // Worked by hand: 1.5 s at schema 3 is in (2^(4/8), 2^(5/8)] = (1.414, 1.542]: bucket 5.
    assertThat(NativeBuckets.index(1.5, 3)).isEqualTo(5);
    // 0.157 s at schema 5: log2(0.157) * 32 = -85.48..., so bucket -85.
    assertThat(NativeBuckets.index(0.157, 5)).isEqualTo(-85);
  }

  @Test
  void index_randomValues_matchTheFormulaAndReduceAsALowerSchema() {
    SplittableRandom random = new SplittableRandom(14);
    for (int n = 0; n < 20_000; n++) {
      double v = Math.exp(random.nextDouble(-20, 12));
      for (int schema = NativeBuckets.MIN_SCHEMA; schema <= NativeBuckets.MAX_SCHEMA; schema++) {
        double exact = Math.log(v) / Math.log(2) * Math.pow(2, schema);
        if (Math.abs(exact - Math.rint(exact)) < 1e-6) {
          continue; // on a bound, where the logarithm's rounding decides
        }
        assertThat(NativeBuckets.index(v, schema))
            .as("%s at %d", v, schema)
            .isEqualTo(formula(v, schema));
        assertThat(NativeBuckets.reduce(NativeBuckets.index(v, 8), 8 - schema))
            .as("%s reduced from 8 to %d", v, schema)
            .isEqualTo(NativeBuckets.index(v, schema));
      }
    }
  }

  @Test
  void record_countsEachValueInItsBucket_zeroNegativeAndNaNInTheZeroBucket() {
    NativeBuckets buckets = new NativeBuckets(3, 160);
    buckets.record(1.5);
    buckets.record(1.5);
    buckets.record(0.3);
    buckets.record(0.0);
    buckets.record(-1.0);
    buckets.record(Double.NaN);
    buckets.record(0x1p-128); // at the threshold: zero
    buckets.record(0x1p-127);

    NativeBuckets.Snapshot snapshot = buckets.snapshot();
    assertThat(snapshot.schema()).isEqualTo(3);
    assertThat(snapshot.zeroCount()).isEqualTo(4);
    assertThat(buckets(snapshot))
        .containsExactly(Map.entry(-127 * 8, 1L), Map.entry(formula(0.3, 3), 1L), Map.entry(5, 2L));
    assertThat(snapshot.count()).isEqualTo(8);
  }

  @Test
  void record_manyBucketsBelowTheLimit_growsTheTableAndKeepsTheSchema() {
    NativeBuckets buckets = new NativeBuckets(5, 160);
    Map<Integer, Long> expected = new TreeMap<>();
    for (int i = -70; i < 80; i++) { // 150 neighbouring buckets, twice each
      double v = Math.pow(2, (i - 0.5) / 32);
      buckets.record(v);
      buckets.record(v);
      expected.merge(NativeBuckets.index(v, 5), 2L, Long::sum);
    }
    assertThat(expected).hasSize(150);
    assertThat(buckets.schema()).isEqualTo(5);
    assertThat(buckets(buckets.snapshot())).isEqualTo(expected);
  }

  @Test
  void record_oneBucketPastTheLimit_lowersTheSchemaUntilTheyFit() {
    NativeBuckets buckets = new NativeBuckets(3, 4);
    for (double v : new double[] {1, 2, 4, 8}) {
      buckets.record(v);
    }
    assertThat(buckets.schema()).isEqualTo(3);
    assertThat(buckets(buckets.snapshot()))
        .containsExactly(Map.entry(0, 1L), Map.entry(8, 1L), Map.entry(16, 1L), Map.entry(24, 1L));

    // A fifth power of two: at schemas 3..0 they stay five buckets, at -1 (bounds 1, 4, 16) three.
    buckets.record(16);
    NativeBuckets.Snapshot snapshot = buckets.snapshot();
    assertThat(snapshot.schema()).isEqualTo(-1);
    assertThat(buckets(snapshot))
        .containsExactly(Map.entry(0, 1L), Map.entry(1, 2L), Map.entry(2, 2L));
    for (double v : new double[] {1, 2, 4, 8, 16}) {
      assertThat(buckets(snapshot)).containsKey(NativeBuckets.index(v, -1));
    }
  }

  @Test
  void record_atTheLowestSchema_exceedsTheLimitRatherThanDrop() {
    NativeBuckets buckets = new NativeBuckets(-4, 2);
    buckets.record(1e-6);
    buckets.record(1);
    buckets.record(1e6);
    assertThat(buckets.schema()).isEqualTo(-4);
    assertThat(buckets.snapshot().counts()).containsExactly(1L, 1L, 1L);
  }

  @Test
  void constructor_refusesASchemaOrLimitOutOfRange() {
    assertThatThrownBy(() -> new NativeBuckets(9, 160)).hasMessage("schema must be -4..8, was 9");
    assertThatThrownBy(() -> new NativeBuckets(-5, 160)).hasMessage("schema must be -4..8, was -5");
    assertThatThrownBy(() -> new NativeBuckets(5, 0))
        .hasMessage("maxBuckets must be at least 1, was 0");
  }

  @Test
  void relativeError_isTheBaseLessOne() {
    assertThat(NativeBuckets.relativeError(0)).isEqualTo(1.0);
    assertThat(NativeBuckets.relativeError(3)).isEqualTo(Math.pow(2, 0.125) - 1);
    assertThat(NativeBuckets.relativeError(-1)).isEqualTo(3.0);
  }

  /**
   * Threads released together record values whose buckets force the table to grow and the schema to
   * drop several times under them, while a reader takes snapshots: no observation is lost or
   * counted twice, each snapshot's count only grows, and the end state is the one the same values
   * give recorded on one thread.
   */
  @Test
  void record_concurrentlyWithGrowthReductionAndReads_losesNothing() throws Exception {
    int threads = 4;
    int perThread = 50_000;
    double[][] values = new double[threads][perThread];
    SplittableRandom random = new SplittableRandom(7);
    for (double[] row : values) {
      for (int i = 0; i < perThread; i++) {
        row[i] = Math.exp(random.nextDouble(-9, 4)); // 0.1 ms .. 55 s
      }
    }
    NativeBuckets shared = new NativeBuckets(8, 40);
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    CountDownLatch writersDone = new CountDownLatch(threads);
    AtomicBoolean readerSawDecrease = new AtomicBoolean();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (double[] row : values) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (double v : row) {
                    shared.record(v);
                  }
                  writersDone.countDown();
                  return null;
                }));
      }
      futures.add(
          pool.submit(
              () -> {
                start.await();
                long last = 0;
                while (writersDone.getCount() > 0) {
                  long count = shared.snapshot().count();
                  if (count < last) {
                    readerSawDecrease.set(true);
                  }
                  last = count;
                }
                return null;
              }));
      for (Future<?> future : futures) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    NativeBuckets alone = new NativeBuckets(8, 40);
    for (double[] row : values) {
      for (double v : row) {
        alone.record(v);
      }
    }
    NativeBuckets.Snapshot together = shared.snapshot();
    assertThat(readerSawDecrease).isFalse();
    assertThat(together.count()).isEqualTo((long) threads * perThread);
    assertThat(together.schema()).isEqualTo(alone.schema()).isLessThan(8);
    assertThat(buckets(together)).isEqualTo(buckets(alone.snapshot()));
    assertThat(together.indices().length).isLessThanOrEqualTo(40);
  }
}
