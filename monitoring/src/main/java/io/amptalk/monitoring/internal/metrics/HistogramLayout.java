package io.amptalk.monitoring.internal.metrics;

/**
 * What the request histogram keeps besides the classic buckets, which the request windows, the
 * latency checks and the objectives always read: a native (sparse exponential) histogram per series
 * when {@code nativeBuckets}, starting at {@code nativeSchema} with at most {@code
 * nativeMaxBuckets} buckets; and whether {@code /metrics} shows the classic buckets ({@code
 * classicBuckets}, always true without native buckets).
 */
public record HistogramLayout(
    boolean classicBuckets, boolean nativeBuckets, int nativeSchema, int nativeMaxBuckets) {
  /** client_java's defaults: schema 5 (buckets 2.2 % wide), at most 160 buckets. */
  public static final int DEFAULT_SCHEMA = 5;

  public static final int DEFAULT_MAX_BUCKETS = 160;
  public static final int MIN_SCHEMA = NativeBuckets.MIN_SCHEMA;
  public static final int MAX_SCHEMA = NativeBuckets.MAX_SCHEMA;

  /** The default: classic buckets only. */
  public static final HistogramLayout CLASSIC =
      new HistogramLayout(true, false, DEFAULT_SCHEMA, DEFAULT_MAX_BUCKETS);

  public HistogramLayout {
    if (!classicBuckets && !nativeBuckets) {
      throw new IllegalArgumentException(
          "classicHistogramBuckets(false) needs nativeHistograms(true): a histogram without"
              + " either has no buckets");
    }
    if (nativeSchema < MIN_SCHEMA || nativeSchema > MAX_SCHEMA) {
      throw new IllegalArgumentException(
          "nativeHistogramSchema must be "
              + MIN_SCHEMA
              + ".."
              + MAX_SCHEMA
              + ", was "
              + nativeSchema);
    }
    if (nativeMaxBuckets < 1 || nativeMaxBuckets > 10_000) {
      throw new IllegalArgumentException(
          "nativeHistogramMaxBuckets must be 1..10000, was " + nativeMaxBuckets);
    }
  }

  /**
   * The largest relative error of a quantile read from buckets at {@code schema}: a bucket's upper
   * bound over its lower, less one ({@code 2^(2^-schema) - 1}).
   */
  public static double relativeError(int schema) {
    return NativeBuckets.relativeError(schema);
  }
}
