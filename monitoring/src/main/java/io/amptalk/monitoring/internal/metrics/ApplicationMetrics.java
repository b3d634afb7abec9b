package io.amptalk.monitoring.internal.metrics;

import io.amptalk.monitoring.internal.util.ThrottledLogger;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramData;
import io.opentelemetry.sdk.metrics.data.HistogramData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.resources.Resource;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The application's own figures, kept in our lock-free cells rather than in SDK instruments: the
 * request histogram, the error counter and the counter of refused observations. Recording never
 * throws: invalid input is dropped and counted. At collection time the cells are handed to the SDK
 * as {@link MetricData} ({@link #produce}), or to {@code /metrics} directly ({@link
 * #requestSnapshot}), which skips the SDK's conversion of hundreds of series.
 */
public final class ApplicationMetrics {
  public static final String SCOPE_NAME = "io.amptalk.monitoring";
  public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  public static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");

  /** Reasons under which {@code monitoring.dropped} counts an observation it refused. */
  public static final String INVALID_DURATION = "invalid_duration";

  public static final String INVALID_STATUS_CODE = "invalid_status_code";
  public static final String INTERNAL_ERROR = "internal_error";
  public static final String UNRESOLVED_ROUTE = "unresolved_route";

  private final Clock clock;
  private final ThrottledLogger log;
  private final RequestMetrics requests;
  private final LabeledCounter errors;
  private final LabeledCounter dropped;
  private final ActiveRequests active;

  public ApplicationMetrics(int maxRoutes, int maxErrorTypes, Clock clock, ThrottledLogger log) {
    this(maxRoutes, HistogramLayout.CLASSIC, maxErrorTypes, clock, log);
  }

  public ApplicationMetrics(
      int maxRoutes, HistogramLayout layout, int maxErrorTypes, Clock clock, ThrottledLogger log) {
    this.clock = clock;
    this.log = log;
    long startNanos = epochNanos(clock);
    this.requests =
        new RequestMetrics(
            maxRoutes,
            layout,
            () -> epochNanos(clock),
            () ->
                log.warnOnce(
                    "route-overflow",
                    "More than {} distinct routes; further routes are recorded as '{}'. Pass route"
                        + " templates such as /users/{{id}}, not raw paths.",
                    maxRoutes,
                    Labels.OTHER));
    this.errors =
        new LabeledCounter(
            ERROR_TYPE,
            maxErrorTypes,
            startNanos,
            () ->
                log.warnOnce(
                    "error-type-overflow",
                    "More than {} distinct error types; further types are counted as '{}'",
                    maxErrorTypes,
                    Labels.OTHER));
    this.dropped = new LabeledCounter(REASON, 16, startNanos, () -> {});
    this.active = new ActiveRequests(startNanos);
    for (String reason :
        List.of(INVALID_DURATION, INVALID_STATUS_CODE, INTERNAL_ERROR, UNRESOLVED_ROUTE)) {
      dropped.preRegister(reason);
    }
  }

  /** Records one request, or drops and counts it when its status or duration is invalid. */
  public void recordRequest(String endpoint, String method, int statusCode, double durationMs) {
    try {
      if (!RequestMetrics.isValidDuration(durationMs)) {
        drop(INVALID_DURATION, "duration {} ms is negative, NaN or infinite", durationMs);
      } else if (!RequestMetrics.isValidStatus(statusCode)) {
        drop(INVALID_STATUS_CODE, "status code {} is outside 100..599", statusCode);
      } else {
        requests.record(endpoint, method, statusCode, durationMs);
      }
    } catch (RuntimeException e) {
      drop(INTERNAL_ERROR, "recording failed: {}", e);
    }
  }

  /** A request a filter times has arrived: {@code http.server.active_requests} rises. */
  public void requestStarted(String method, boolean secure) {
    try {
      active.add(method, secure, 1);
    } catch (RuntimeException e) {
      drop(INTERNAL_ERROR, "recording failed: {}", e);
    }
  }

  /**
   * A request a filter timed has ended: {@code http.server.active_requests} falls, and the request
   * is recorded, or dropped and counted when its status is invalid.
   */
  public void requestFinished(
      String route, String method, boolean secure, int statusCode, long durationNanos) {
    try {
      active.add(method, secure, -1);
      if (RequestMetrics.isValidStatus(statusCode)) {
        requests.recordNanos(route, method, statusCode, durationNanos);
      } else {
        drop(INVALID_STATUS_CODE, "status code {} is outside 100..599", statusCode);
      }
    } catch (RuntimeException e) {
      drop(INTERNAL_ERROR, "recording failed: {}", e);
    }
  }

  /** Counts one error under its normalised type, which it returns. */
  public String countError(String errorType) {
    String type = Labels.normalize(errorType);
    errors.increment(type);
    return type;
  }

  /** Counts a refused observation in {@code monitoring.dropped} and warns, throttled. */
  public void drop(String reason, String detail, Object value) {
    dropped.increment(reason);
    log.warn(
        reason, "Dropped an observation (" + detail + "); counted in monitoring.dropped", value);
  }

  /** Visits each request series with its cumulative bucket counts. */
  public void forEachRequestSeries(RequestMetrics.SeriesVisitor visitor) {
    requests.forEachSeries(visitor);
  }

  /** The cumulative request totals the request windows are cut from. */
  public RequestMetrics.Totals requestTotals() {
    return requests.totals();
  }

  /** The request histogram as {@code /metrics} writes it, straight from the cells. */
  public HistogramSnapshot requestSnapshot() {
    return requests.prometheusSnapshot();
  }

  /**
   * What the SDK's readers get from us at collection time: the error and dropped counters, the
   * active requests once a filter has counted one, and the request histogram when {@code
   * withRequests} (the readers that get it otherwise, see {@code SdkPipeline}, must not get it
   * twice).
   */
  public List<MetricData> produce(Resource resource, boolean withRequests) {
    InstrumentationScopeInfo scope = InstrumentationScopeInfo.create(SCOPE_NAME);
    long now = epochNanos(clock);
    MetricData errorData =
        ProducedMetric.longSum(
            resource,
            scope,
            "app.errors",
            "Errors recorded by the application, by type.",
            "{error}",
            SumData.createLongSumData(true, AggregationTemporality.CUMULATIVE, errors.points(now)));
    MetricData droppedData =
        ProducedMetric.longSum(
            resource,
            scope,
            "monitoring.dropped",
            "Observations the monitor refused as invalid, by reason.",
            "{observation}",
            SumData.createLongSumData(
                true, AggregationTemporality.CUMULATIVE, dropped.points(now)));
    List<MetricData> produced = new ArrayList<>(4);
    if (withRequests) {
      produced.add(requestData(resource));
    }
    produced.add(errorData);
    produced.add(droppedData);
    List<LongPointData> activePoints = active.points(now);
    if (!activePoints.isEmpty()) {
      // Not monotonic: the Prometheus exporter writes it as the gauge http_server_active_requests.
      produced.add(
          ProducedMetric.longSum(
              resource,
              scope,
              ActiveRequests.NAME,
              ActiveRequests.DESCRIPTION,
              ActiveRequests.UNIT,
              SumData.createLongSumData(false, AggregationTemporality.CUMULATIVE, activePoints)));
    }
    return produced;
  }

  /**
   * The request histogram as the SDK's exporters take it: an exponential histogram with native
   * histograms on, else the classic one.
   */
  public MetricData requestData(Resource resource) {
    if (requests.exportsExponential()) {
      return ProducedMetric.exponentialHistogram(
          resource,
          InstrumentationScopeInfo.create(SCOPE_NAME),
          RequestMetrics.NAME,
          RequestMetrics.DESCRIPTION,
          RequestMetrics.UNIT,
          ExponentialHistogramData.create(
              AggregationTemporality.CUMULATIVE, requests.exponentialPoints()));
    }
    return ProducedMetric.histogram(
        resource,
        InstrumentationScopeInfo.create(SCOPE_NAME),
        RequestMetrics.NAME,
        RequestMetrics.DESCRIPTION,
        RequestMetrics.UNIT,
        HistogramData.create(AggregationTemporality.CUMULATIVE, requests.points()));
  }

  public int routeCount() {
    return requests.routeCount();
  }

  public int errorTypeCount() {
    return errors.size();
  }

  public long droppedCount(String reason) {
    return dropped.count(reason);
  }

  /** The clock's time in nanoseconds since the epoch, as the SDK counts. */
  public static long epochNanos(Clock clock) {
    Instant now = clock.instant();
    return TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
  }
}
