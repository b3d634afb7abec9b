package io.amptalk.monitoring.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {

  @Test
  void bucketIndex_boundariesAreInclusiveUpperBounds() {
    assertThat(RequestMetrics.bucketIndex(0)).isEqualTo(0);
    assertThat(RequestMetrics.bucketIndex(0.005)).isEqualTo(0);
    assertThat(RequestMetrics.bucketIndex(0.0050001)).isEqualTo(1);
    assertThat(RequestMetrics.bucketIndex(0.25)).isEqualTo(6);
    assertThat(RequestMetrics.bucketIndex(10)).isEqualTo(13);
    assertThat(RequestMetrics.bucketIndex(10.000001)).isEqualTo(14);
    assertThat(RequestMetrics.bucketIndex(1e300)).isEqualTo(14);
  }

  @Test
  void methodIndex_standardMethodsCaseInsensitive_othersAndMissing() {
    assertThat(RequestMetrics.METHODS.get(RequestMetrics.methodIndex("GET"))).isEqualTo("GET");
    assertThat(RequestMetrics.METHODS.get(RequestMetrics.methodIndex("delete")))
        .isEqualTo("DELETE");
    assertThat(RequestMetrics.METHODS.get(RequestMetrics.methodIndex("oPtIoNs")))
        .isEqualTo("OPTIONS");
    assertThat(RequestMetrics.METHODS.get(RequestMetrics.methodIndex("QUERY"))).isEqualTo("_OTHER");
    assertThat(RequestMetrics.METHODS.get(RequestMetrics.methodIndex("_OTHER")))
        .isEqualTo("_OTHER");
    assertThat(RequestMetrics.METHODS.get(RequestMetrics.methodIndex(null))).isEqualTo("unknown");
    assertThat(RequestMetrics.METHODS.get(RequestMetrics.methodIndex(""))).isEqualTo("unknown");
  }

  @Test
  void validity_durationAndStatus() {
    assertThat(RequestMetrics.isValidDuration(0)).isTrue();
    assertThat(RequestMetrics.isValidDuration(Double.MAX_VALUE)).isTrue();
    assertThat(RequestMetrics.isValidDuration(-Double.MIN_VALUE)).isFalse();
    assertThat(RequestMetrics.isValidDuration(Double.NaN)).isFalse();
    assertThat(RequestMetrics.isValidDuration(Double.POSITIVE_INFINITY)).isFalse();
    assertThat(RequestMetrics.isValidStatus(100)).isTrue();
    assertThat(RequestMetrics.isValidStatus(599)).isTrue();
    assertThat(RequestMetrics.isValidStatus(99)).isFalse();
    assertThat(RequestMetrics.isValidStatus(600)).isFalse();
  }

  @Test
  void recordNanos_bucketsAndSumsAsTheFiltersTime_aNegativeDurationAsZero() {
    RequestMetrics metrics = new RequestMetrics(10, () -> 0L, () -> {});
    metrics.recordNanos("/a", "GET", 200, 5_000_000L); // 5 ms: the first bucket, inclusive
    metrics.recordNanos("/a", "GET", 200, 300_000_000L); // 0.3 s: the le=0.5 bucket
    metrics.recordNanos("/a", "GET", 200, -7L); // a ticker that went backwards

    HistogramDataPointSnapshot point =
        metrics.prometheusSnapshot().getDataPoints().stream().findFirst().orElseThrow();
    assertThat(point.getClassicBuckets().getCount(0)).isEqualTo(2);
    assertThat(point.getClassicBuckets().getCount(7)).isEqualTo(1);
    assertThat(point.getCount()).isEqualTo(3);
    assertThat(point.getSum()).isEqualTo(0.305);
  }
}
