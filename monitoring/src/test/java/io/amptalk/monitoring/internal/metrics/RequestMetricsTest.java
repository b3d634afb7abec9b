package io.amptalk.monitoring.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {
  private static final long T0 = 1_700_000_000_123_000_000L;

  private final SdkTracerProvider tracing =
      SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build();
  private final Tracer tracer = tracing.get("test");
  private final AtomicLong now = new AtomicLong(T0);

  @AfterEach
  void closeTracing() {
    tracing.close();
  }

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
  void prometheusPoints_inTheOrderClientJavaSortsThemIn_soItsSortComparesOncePerPoint() {
    RequestMetrics metrics = new RequestMetrics(100, now::get, () -> {});
    // Routes, methods and statuses recorded out of order, some only later, "other" among them.
    String[] routes = {"/z", "/a/{id}", "other", "/m", "/a", "/b/c"};
    String[] methods = {"PUT", "GET", "delete", "QUERY", null, "POST"};
    int[] statuses = {503, 200, 404, 201, 100, 599, 302};
    int recorded = 0;
    for (int i = 0; i < 60; i++) {
      metrics.record(
          routes[(i * 7) % routes.length],
          methods[(i * 5) % methods.length],
          statuses[(i * 3) % statuses.length],
          i);
      recorded++;
    }
    metrics.record("/late", "PATCH", 204, 1);

    List<HistogramDataPointSnapshot> points = metrics.prometheusPoints();

    assertThat(points).extracting(p -> p.getLabels()).isSorted().doesNotHaveDuplicates();
    assertThat(points)
        .extracting(p -> p.getLabels())
        .isEqualTo(labelsOf(metrics.prometheusSnapshot()));
    assertThat(points.stream().mapToLong(HistogramDataPointSnapshot::getCount).sum())
        .isEqualTo(recorded + 1);
  }

  private static List<Labels> labelsOf(
      io.prometheus.metrics.model.snapshots.HistogramSnapshot snapshot) {
    return snapshot.getDataPoints().stream().map(p -> p.getLabels()).toList();
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

  @Test
  void record_sampledSpanCurrent_itsBucketKeepsTraceAndSpanIdValueAndClockTime() {
    RequestMetrics metrics = new RequestMetrics(10, now::get, () -> {});
    Span span = recordUnderSpan(metrics, 30); // 0.03 s: the le=0.05 bucket
    metrics.record("/a", "GET", 200, 300); // no span: its bucket keeps none

    HistogramDataPointSnapshot point = onlyPoint(metrics);
    Exemplars exemplars = point.getExemplars();
    assertThat(exemplars.size()).isEqualTo(1);
    Exemplar exemplar = exemplars.get(0);
    assertThat((Object) exemplar.getLabels())
        .isEqualTo(
            Labels.of(
                "trace_id",
                span.getSpanContext().getTraceId(),
                "span_id",
                span.getSpanContext().getSpanId()));
    assertThat(exemplar.getValue()).isEqualTo(0.03);
    assertThat(exemplar.getTimestampMillis()).isEqualTo(1_700_000_000_123L);
    assertThat(exemplars.get(0.025, 0.05)).isSameAs(exemplar);

    HistogramPointData otel = onlyOtelPoint(metrics);
    assertThat(otel.getExemplars()).hasSize(1);
    DoubleExemplarData data = otel.getExemplars().get(0);
    assertThat(data.getSpanContext()).isEqualTo(span.getSpanContext());
    assertThat(data.getValue()).isEqualTo(0.03);
    assertThat(data.getEpochNanos()).isEqualTo(T0);
    assertThat(data.getFilteredAttributes().isEmpty()).isTrue();
    assertThat(otel.getCounts())
        .containsExactly(0L, 0L, 0L, 1L, 0L, 0L, 0L, 1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L);
    assertThat(otel.getCount()).isEqualTo(2);
    assertThat(otel.getSum()).isEqualTo(0.33);
  }

  @Test
  void recordNanos_sampledSpanCurrent_itsBucketKeepsTheSpan() {
    RequestMetrics metrics = new RequestMetrics(10, now::get, () -> {});
    Span span = tracer.spanBuilder("POST /b").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      metrics.recordNanos("/b", "POST", 201, 2_000_000_000L); // 2 s: the le=2.5 bucket
    } finally {
      span.end();
    }

    Exemplar exemplar = onlyPoint(metrics).getExemplars().get(1.0, 2.5);
    assertThat(exemplar).isNotNull();
    assertThat(exemplar.getValue()).isEqualTo(2.0);
    assertThat(exemplar.getLabels().get("trace_id")).isEqualTo(span.getSpanContext().getTraceId());
    assertThat(onlyOtelPoint(metrics).getExemplars().get(0).getSpanContext())
        .isEqualTo(span.getSpanContext());
  }

  @Test
  void record_noSpanOrUnsampledSpan_keepsNoExemplar() {
    RequestMetrics metrics = new RequestMetrics(10, now::get, () -> {});
    metrics.record("/a", "GET", 200, 30);
    try (SdkTracerProvider off =
        SdkTracerProvider.builder().setSampler(Sampler.alwaysOff()).build()) {
      Span unsampled = off.get("test").spanBuilder("GET /a").startSpan();
      assertThat(unsampled.getSpanContext().isValid()).isTrue();
      try (Scope ignored = unsampled.makeCurrent()) {
        metrics.record("/a", "GET", 200, 30);
        metrics.recordNanos("/a", "GET", 200, 30_000_000L);
      }
    }

    assertThat(onlyPoint(metrics).getExemplars()).isSameAs(Exemplars.EMPTY);
    HistogramPointData otel = onlyOtelPoint(metrics);
    assertThat(otel.getExemplars()).isEmpty();
    assertThat(otel.getCount()).isEqualTo(3);
  }

  @Test
  void offerExemplar_replacedOnlyOnceOlderThanMinAge_hiddenOnceMaxAge_perBucket() {
    RequestMetrics metrics = new RequestMetrics(10, now::get, () -> {});
    Span first = recordUnderSpan(metrics, 30);
    now.addAndGet(RequestMetrics.EXEMPLAR_MIN_AGE_NANOS - 1);
    recordUnderSpan(metrics, 40); // same bucket, too soon: the first stays
    Span otherBucket = recordUnderSpan(metrics, 300); // another bucket: kept beside it
    assertThat(traceIdIn(metrics, 0.025, 0.05)).isEqualTo(first.getSpanContext().getTraceId());
    assertThat(traceIdIn(metrics, 0.25, 0.5)).isEqualTo(otherBucket.getSpanContext().getTraceId());

    now.addAndGet(1); // the first is now exactly the minimum age old
    Span second = recordUnderSpan(metrics, 40);
    assertThat(traceIdIn(metrics, 0.025, 0.05)).isEqualTo(second.getSpanContext().getTraceId());
    assertThat(onlyPoint(metrics).getExemplars().get(0.025, 0.05).getValue()).isEqualTo(0.04);

    // The second was kept at T0 + 7 s, the other bucket's at T0 + 7 s - 1 ns.
    now.set(T0 + RequestMetrics.EXEMPLAR_MIN_AGE_NANOS + RequestMetrics.EXEMPLAR_MAX_AGE_NANOS - 1);
    assertThat(onlyPoint(metrics).getExemplars().size()).isEqualTo(1);
    assertThat(traceIdIn(metrics, 0.025, 0.05)).isEqualTo(second.getSpanContext().getTraceId());
    assertThat(onlyOtelPoint(metrics).getExemplars()).hasSize(1);
    now.addAndGet(1);
    assertThat(onlyPoint(metrics).getExemplars()).isSameAs(Exemplars.EMPTY);
    assertThat(onlyOtelPoint(metrics).getExemplars()).isEmpty();

    // A clock that went back: the kept one counts as old and is replaced.
    now.set(T0);
    Span third = recordUnderSpan(metrics, 40);
    assertThat(traceIdIn(metrics, 0.025, 0.05)).isEqualTo(third.getSpanContext().getTraceId());
  }

  private static final HistogramLayout NATIVE = new HistogramLayout(true, true, 3, 160);

  @Test
  void nativeLayout_pointHasClassicAndNativeBuckets_zeroAndNegativeNanosInTheZeroBucket() {
    RequestMetrics metrics = new RequestMetrics(10, NATIVE, now::get, () -> {});
    metrics.record("/a", "GET", 200, 1500);
    metrics.record("/a", "GET", 200, 300);
    metrics.recordNanos("/a", "GET", 200, 0);
    metrics.recordNanos("/a", "GET", 200, -7L); // a ticker that went backwards: 0

    HistogramDataPointSnapshot point = onlyPoint(metrics);
    assertThat(point.getCount()).isEqualTo(4);
    assertThat(point.getClassicBuckets().getCount(0)).isEqualTo(2); // le=0.005: the two zeros
    assertThat(point.getNativeSchema()).isEqualTo(3);
    assertThat(point.getNativeZeroCount()).isEqualTo(2);
    assertThat(point.getNativeZeroThreshold()).isEqualTo(0x1p-128);
    assertThat(point.getNativeBucketsForPositiveValues().stream().map(b -> b.getBucketIndex()))
        .containsExactly(-13, 5);
    assertThat(point.getNativeBucketsForNegativeValues().size()).isZero();

    ExponentialHistogramPointData otel = metrics.exponentialPoints().get(0);
    assertThat(otel.getScale()).isEqualTo(3);
    assertThat(otel.getCount()).isEqualTo(4);
    assertThat(otel.getZeroCount()).isEqualTo(2);
    assertThat(otel.getSum()).isEqualTo(1.8);
    assertThat(otel.getPositiveBuckets().getOffset()).isEqualTo(-14);
    assertThat(otel.getPositiveBuckets().getBucketCounts()).hasSize(19).startsWith(1L).endsWith(1L);
    assertThat(otel.getAttributes().get(RequestMetrics.HTTP_ROUTE)).isEqualTo("/a");
  }

  @Test
  void nativeOnlyLayout_pointHasNoClassicBuckets() {
    RequestMetrics metrics =
        new RequestMetrics(10, new HistogramLayout(false, true, 5, 160), now::get, () -> {});
    metrics.record("/a", "GET", 200, 1500);
    HistogramDataPointSnapshot point = onlyPoint(metrics);
    assertThat(point.hasClassicHistogramData()).isFalse();
    assertThat(point.getCount()).isEqualTo(1);
    assertThat(point.getNativeBucketsForPositiveValues().getBucketIndex(0))
        .isEqualTo(NativeBuckets.index(1.5, 5));
  }

  /**
   * client_java refuses a point whose classic and native counts differ: snapshots taken while
   * threads record into the same series never do, and the last one counts every observation.
   */
  @Test
  void nativeLayout_snapshotsWhileRecording_classicAndNativeCountsAgree() throws Exception {
    RequestMetrics metrics = new RequestMetrics(10, NATIVE, now::get, () -> {});
    metrics.record("/a", "GET", 200, 1); // the series exists before the first snapshot
    int writers = 2;
    int perWriter = 200_000;
    CyclicBarrier start = new CyclicBarrier(writers + 1);
    CountDownLatch done = new CountDownLatch(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perWriter; i++) {
                    metrics.record("/a", "GET", 200, 1 + (i % 997));
                  }
                  done.countDown();
                  return null;
                }));
      }
      start.await();
      int snapshots = 0;
      while (done.getCount() > 0) {
        HistogramDataPointSnapshot point = onlyPoint(metrics); // would throw if they differed
        if (point.hasClassicHistogramData()) {
          long nativeCount = point.getNativeZeroCount();
          for (var bucket : point.getNativeBucketsForPositiveValues()) {
            nativeCount += bucket.getCount();
          }
          assertThat(nativeCount).isEqualTo(point.getCount());
        }
        snapshots++;
      }
      for (Future<?> future : futures) {
        future.get(60, TimeUnit.SECONDS);
      }
      assertThat(snapshots).isPositive();
    } finally {
      pool.shutdownNow();
    }
    HistogramDataPointSnapshot last = onlyPoint(metrics);
    assertThat(last.hasClassicHistogramData()).isTrue();
    assertThat(last.getCount()).isEqualTo((long) writers * perWriter + 1);
  }

  private Span recordUnderSpan(RequestMetrics metrics, double millis) {
    Span span = tracer.spanBuilder("GET /a").startSpan();
    try (Scope ignored = span.makeCurrent()) {
      metrics.record("/a", "GET", 200, millis);
    } finally {
      span.end();
    }
    return span;
  }

  private static String traceIdIn(RequestMetrics metrics, double lower, double upper) {
    Exemplar exemplar = onlyPoint(metrics).getExemplars().get(lower, upper);
    return exemplar == null ? null : exemplar.getLabels().get("trace_id");
  }

  private static HistogramDataPointSnapshot onlyPoint(RequestMetrics metrics) {
    List<HistogramDataPointSnapshot> points = metrics.prometheusSnapshot().getDataPoints();
    assertThat(points).hasSize(1);
    return points.get(0);
  }

  private static HistogramPointData onlyOtelPoint(RequestMetrics metrics) {
    List<HistogramPointData> points = metrics.points();
    assertThat(points).hasSize(1);
    return points.get(0);
  }
}
