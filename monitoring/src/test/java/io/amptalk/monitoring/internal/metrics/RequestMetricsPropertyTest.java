package io.amptalk.monitoring.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.testing.Hostile;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeProperty;

/** The request histogram's own cells, fed durations of every size for a long time. */
class RequestMetricsPropertyTest {
  private RequestMetrics metrics;
  private double previousSum;
  private long recorded;

  @BeforeProperty
  void start() {
    metrics = new RequestMetrics(4, () -> 0L, () -> {});
  }

  @Provide
  Arbitrary<List<Double>> durations() {
    // Mostly the longest durations a cell keeps whole (1e9 ms and up are all kept as 1e6 s):
    // enough of them overflowed a long of nanoseconds after 9,224 records.
    return Arbitraries.oneOf(Hostile.doubles(), Arbitraries.of(1e9, 1e300, Double.MAX_VALUE))
        .filter(RequestMetrics::isValidDuration)
        .list()
        .ofMinSize(50)
        .ofMaxSize(200);
  }

  @Property(tries = 500)
  void anyValidDurations_keepTheSumFiniteNonNegativeAndNeverShrinking(
      @ForAll("durations") List<Double> durations) {
    for (double duration : durations) {
      metrics.record("/r", "GET", 200, duration);
    }
    recorded += durations.size();

    HistogramPointData point = metrics.points().get(0);
    long count = point.getCounts().stream().mapToLong(Long::longValue).sum();
    assertThat(count).isEqualTo(recorded);
    assertThat(point.getSum()).isFinite().isNotNegative().isGreaterThanOrEqualTo(previousSum);
    previousSum = point.getSum();
  }
}
