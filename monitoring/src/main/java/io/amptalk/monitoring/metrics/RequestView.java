package io.amptalk.monitoring.metrics;

import java.time.Duration;

/**
 * A read-only view of the recorded requests over a sliding window, for error-ratio and latency
 * checks. {@code SystemMonitor} is one; a test can pass a lambda.
 */
@FunctionalInterface
public interface RequestView {
  /**
   * Requests recorded over about the last {@code window}, across all routes.
   *
   * @throws IllegalArgumentException when the window is not positive or longer than the view keeps
   */
  RequestWindow getRequestWindow(Duration window);
}
