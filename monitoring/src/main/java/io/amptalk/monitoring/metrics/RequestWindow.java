package io.amptalk.monitoring.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The requests a monitor recorded over a recent window, across all routes: how many, how many
 * failed (status 500 and above), and their latency distribution on the request histogram's buckets.
 * Computed as the difference of two cumulative totals, so reading it costs the recording path
 * nothing.
 *
 * @param window the span actually covered, which is shorter than asked while the monitor is younger
 *     than the window, and rounded to the sampling interval
 * @param requests requests recorded in the window
 * @param serverErrors of those, responses with status 500..599
 * @param boundaries the histogram's upper bounds, in seconds
 * @param bucketCounts requests per bucket; one more than the boundaries (the last is +Inf)
 */
public record RequestWindow(
    Duration window,
    long requests,
    long serverErrors,
    List<Double> boundaries,
    List<Long> bucketCounts) {

  /**
   * Copies the lists, so the window stays immutable.
   *
   * @throws NullPointerException when {@code window} or a list is null, or a list holds a null
   * @throws IllegalArgumentException unless {@code bucketCounts} has one more entry than {@code
   *     boundaries}
   */
  public RequestWindow {
    Objects.requireNonNull(window, "window");
    boundaries = List.copyOf(boundaries);
    bucketCounts = List.copyOf(bucketCounts);
    if (bucketCounts.size() != boundaries.size() + 1) {
      throw new IllegalArgumentException(
          "bucketCounts must have one more entry than boundaries, had "
              + bucketCounts.size()
              + " for "
              + boundaries.size());
    }
  }

  /** Failed fraction in [0, 1]; 0 when there were no requests. */
  public double errorRatio() {
    return requests == 0 ? 0 : (double) serverErrors / requests;
  }

  /** Requests per second over the window; 0 for an empty window. */
  public double requestRate() {
    double seconds = window.toNanos() / 1e9;
    return seconds <= 0 ? 0 : requests / seconds;
  }

  /**
   * The latency in seconds below which a fraction {@code q} of the requests fell, interpolated
   * linearly inside its bucket as Prometheus' {@code histogram_quantile} does; a quantile that
   * falls in the +Inf bucket is the highest finite bound. Empty when there were no requests.
   */
  public OptionalDouble quantile(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile must be in [0, 1], was " + q);
    }
    if (requests == 0) {
      return OptionalDouble.empty();
    }
    double rank = q * requests;
    long below = 0;
    for (int i = 0; i < bucketCounts.size(); i++) {
      long inBucket = bucketCounts.get(i);
      if (below + inBucket >= rank && inBucket > 0) {
        if (i == boundaries.size()) {
          return OptionalDouble.of(boundaries.get(boundaries.size() - 1));
        }
        double lower = i == 0 ? 0 : boundaries.get(i - 1);
        double upper = boundaries.get(i);
        return OptionalDouble.of(lower + (upper - lower) * (rank - below) / inBucket);
      }
      below += inBucket;
    }
    return OptionalDouble.of(boundaries.get(boundaries.size() - 1));
  }
}
