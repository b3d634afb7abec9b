package io.amptalk.monitoring.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestWindowTest {
  private static final List<Double> BOUNDS = List.of(0.1, 0.5, 1.0);

  private static RequestWindow window(long... buckets) {
    long requests = 0;
    for (long b : buckets) {
      requests += b;
    }
    return new RequestWindow(
        Duration.ofSeconds(10),
        requests,
        2,
        BOUNDS,
        java.util.Arrays.stream(buckets).boxed().toList());
  }

  @Test
  void quantile_interpolatesInsideTheBucket() {
    RequestWindow w = window(10, 30, 0, 0);

    assertThat(w.quantile(0.5)).hasValue(0.1 + 0.4 * (20 - 10) / 30.0);
    assertThat(w.quantile(0.25)).hasValue(0.1);
    assertThat(w.quantile(0.05)).hasValue(0.1 * 2 / 10);
    assertThat(w.quantile(1.0)).hasValue(0.5);
  }

  @Test
  void quantile_inInfBucket_isHighestFiniteBound() {
    assertThat(window(0, 0, 0, 5).quantile(0.99)).hasValue(1.0);
  }

  @Test
  void quantile_noRequests_isEmpty() {
    assertThat(window(0, 0, 0, 0).quantile(0.99)).isEmpty();
    assertThatThrownBy(() -> window(1, 0, 0, 0).quantile(1.5))
        .hasMessage("quantile must be in [0, 1], was 1.5");
  }

  @Test
  void ratioAndRate() {
    RequestWindow w = window(10, 10, 0, 0);

    assertThat(w.errorRatio()).isEqualTo(0.1);
    assertThat(w.requestRate()).isEqualTo(2.0);
    assertThat(window(0, 0, 0, 0).errorRatio()).isZero();
  }

  @Test
  void constructor_rejectsMismatchedBuckets() {
    assertThatThrownBy(() -> new RequestWindow(Duration.ZERO, 0, 0, BOUNDS, List.of(0L, 0L, 0L)))
        .hasMessage("bucketCounts must have one more entry than boundaries, had 3 for 3");
  }
}
