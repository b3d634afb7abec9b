package io.amptalk.monitoring.internal.metrics;

import io.amptalk.monitoring.metrics.ServerRequests;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The monitor's {@link ServerRequests}: the filters' calls land in {@link ApplicationMetrics}'
 * cells, and a handler's failure goes to the monitor's {@code recordError} (passed in, so this
 * package does not depend on the monitor).
 */
public final class ServerRequestRecorder implements ServerRequests {
  private final ApplicationMetrics metrics;
  private final BiConsumer<String, Map<String, ?>> recordError;

  public ServerRequestRecorder(
      ApplicationMetrics metrics, BiConsumer<String, Map<String, ?>> recordError) {
    this.metrics = metrics;
    this.recordError = recordError;
  }

  @Override
  public void started(String method, boolean secure) {
    metrics.requestStarted(method, secure);
  }

  @Override
  public void finished(
      String route,
      String method,
      boolean secure,
      int statusCode,
      long durationNanos,
      Throwable failure) {
    metrics.requestFinished(route, method, secure, statusCode, durationNanos);
    if (failure != null) {
      try {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("route", route);
        details.put("method", method);
        details.put("status", statusCode);
        details.put("message", failure.getMessage());
        recordError.accept(failure.getClass().getName(), details);
      } catch (RuntimeException e) {
        metrics.drop(ApplicationMetrics.INTERNAL_ERROR, "recording failed: {}", e);
      }
    }
  }

  @Override
  public void unresolvedRoute(Throwable cause) {
    metrics.drop(
        ApplicationMetrics.UNRESOLVED_ROUTE,
        "the route resolver {}; recorded under the filter's own route",
        cause == null ? "returned null" : "threw " + cause);
  }
}
