package io.amptalk.monitoring.health.checks;

import static io.amptalk.monitoring.health.checks.Format.details;
import static io.amptalk.monitoring.health.checks.Format.seconds;
import static io.amptalk.monitoring.health.checks.Format.windowLabel;

import io.amptalk.monitoring.health.Check;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.internal.util.Options;
import io.amptalk.monitoring.metrics.RequestView;
import io.amptalk.monitoring.metrics.RequestWindow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Checks of the service's own requests over a sliding window, read from a {@link RequestView} such
 * as {@code SystemMonitor}: the ratio answered 5xx, and a latency quantile. Each is HEALTHY while
 * the window holds fewer than {@code minRequests}, so a quiet service is not judged on two
 * requests. Arguments are validated when a check is made, the window against what the view keeps.
 *
 * <pre>{@code
 * health.registerCheck("errors",
 *     RequestChecks.errorRatio(monitor, Duration.ofMinutes(5), 0.05, 0.2, 20), "5xx ratio");
 * }</pre>
 */
public final class RequestChecks {
  private RequestChecks() {}

  /**
   * The fraction of the requests answered 5xx over the last {@code window}; HEALTHY while fewer
   * than {@code minRequests} were recorded.
   */
  public static Check errorRatio(
      RequestView requests,
      Duration window,
      double warningRatio,
      double criticalRatio,
      long minRequests) {
    Thresholds thresholds = Thresholds.ratio(warningRatio, criticalRatio);
    return new ErrorRatio(
        requests, requestWindow(requests, window), thresholds, requireMinRequests(minRequests));
  }

  /**
   * A latency quantile (e.g. 0.99) of the requests over the last {@code window}; HEALTHY while
   * fewer than {@code minRequests} were recorded.
   */
  public static Check latency(
      RequestView requests,
      Duration window,
      double quantile,
      Duration warning,
      Duration critical,
      long minRequests) {
    if (!(quantile > 0 && quantile <= 1)) {
      throw new IllegalArgumentException("quantile must be above 0 and at most 1, was " + quantile);
    }
    Options.requirePositive("warning", warning);
    Options.requirePositive("critical", critical);
    if (critical.compareTo(warning) < 0) {
      throw new IllegalArgumentException(
          "critical must be at least warning (" + warning + "), was " + critical);
    }
    return new Latency(
        requests,
        requestWindow(requests, window),
        quantile,
        new Thresholds(seconds(warning), seconds(critical)),
        requireMinRequests(minRequests));
  }

  private record ErrorRatio(
      RequestView view, Duration window, Thresholds thresholds, long minRequests) implements Check {
    @Override
    public CheckResult check() {
      RequestWindow requests = view.getRequestWindow(window);
      if (requests.requests() < minRequests) {
        return tooFewRequests(requests, window, minRequests, "the error ratio");
      }
      double ratio = requests.errorRatio();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("value", ratio);
      details.put("unit", "ratio");
      details.put("requests", requests.requests());
      details.put("server_errors", requests.serverErrors());
      details.put("window_seconds", seconds(window));
      details.put("warning_threshold", thresholds.warning());
      details.put("critical_threshold", thresholds.critical());
      String measured =
          String.format(
              Locale.ROOT,
              "Error ratio %s over the last %s (%d of %d requests)",
              Format.percent(ratio * 100),
              windowLabel(window),
              requests.serverErrors(),
              requests.requests());
      return thresholds.judge(measured, ratio, r -> Format.percent(r * 100), details);
    }

    @Override
    public String measurement() {
      return "errorRatio";
    }
  }

  private record Latency(
      RequestView view, Duration window, double quantile, Thresholds thresholds, long minRequests)
      implements Check {
    @Override
    public CheckResult check() {
      RequestWindow requests = view.getRequestWindow(window);
      if (requests.requests() < minRequests) {
        return tooFewRequests(requests, window, minRequests, "latency");
      }
      // Present: minRequests >= 1, so the window has requests. Values beyond the histogram's
      // highest bound (10 s) read as that bound.
      double value = requests.quantile(quantile).getAsDouble();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("value", value);
      details.put("unit", "seconds");
      details.put("quantile", quantile);
      details.put("requests", requests.requests());
      details.put("window_seconds", seconds(window));
      details.put("warning_threshold", thresholds.warning());
      details.put("critical_threshold", thresholds.critical());
      String measured =
          Format.quantileLabel(quantile)
              + " latency "
              + Format.secondsText(value)
              + " over the last "
              + windowLabel(window);
      return thresholds.judge(measured, value, Format::secondsText, details);
    }

    @Override
    public String measurement() {
      return "latency";
    }
  }

  private static CheckResult tooFewRequests(
      RequestWindow requests, Duration window, long minRequests, String what) {
    return CheckResult.healthy(
        "Only "
            + requests.requests()
            + " requests in the last "
            + windowLabel(window)
            + ", fewer than the "
            + minRequests
            + " needed to judge "
            + what,
        details(
            "requests", requests.requests(),
            "min_requests", minRequests,
            "window_seconds", seconds(window)));
  }

  private static long requireMinRequests(long minRequests) {
    if (minRequests < 1) {
      throw new IllegalArgumentException("minRequests must be at least 1, was " + minRequests);
    }
    return minRequests;
  }

  /** Fails now, with the view's own message, for a window longer than it keeps. */
  private static Duration requestWindow(RequestView requests, Duration window) {
    Objects.requireNonNull(requests, "monitor");
    Options.requirePositive("window", window);
    requests.getRequestWindow(window);
    return window;
  }
}
