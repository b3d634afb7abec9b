package io.amptalk.monitoring.internal.metrics;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's console exporter: logs every metric point at INFO through SLF4J each export interval,
 * so it goes wherever the application's logs go.
 */
public final class Slf4jMetricExporter implements MetricExporter {
  private static final Logger LOG = LoggerFactory.getLogger("io.amptalk.monitoring.console");

  @Override
  public CompletableResultCode export(Collection<MetricData> metrics) {
    for (MetricData metric : metrics) {
      for (PointData point : metric.getData().getPoints()) {
        LOG.info("{} {} {}", metric.getName(), point.getAttributes(), valueOf(point));
      }
    }
    return CompletableResultCode.ofSuccess();
  }

  private static String valueOf(PointData point) {
    if (point instanceof io.opentelemetry.sdk.metrics.data.LongPointData p) {
      return Long.toString(p.getValue());
    }
    if (point instanceof io.opentelemetry.sdk.metrics.data.DoublePointData p) {
      return Double.toString(p.getValue());
    }
    if (point instanceof io.opentelemetry.sdk.metrics.data.HistogramPointData p) {
      return "count=" + p.getCount() + " sum=" + p.getSum();
    }
    return point.toString();
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
