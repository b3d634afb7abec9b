package io.amptalk.monitoring.internal.metrics;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import java.util.List;

/**
 * A histogram point with exemplars, which {@link HistogramPointData#create} cannot make (the SDK's
 * own implementation that can is internal). Without min and max, as our cells keep neither.
 */
record ProducedHistogramPoint(
    long startEpochNanos,
    long epochNanos,
    Attributes attributes,
    double sum,
    long count,
    List<Double> boundaries,
    List<Long> counts,
    List<DoubleExemplarData> exemplars)
    implements HistogramPointData {

  @Override
  public long getStartEpochNanos() {
    return startEpochNanos;
  }

  @Override
  public long getEpochNanos() {
    return epochNanos;
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public double getSum() {
    return sum;
  }

  @Override
  public long getCount() {
    return count;
  }

  @Override
  public boolean hasMin() {
    return false;
  }

  @Override
  public double getMin() {
    return 0;
  }

  @Override
  public boolean hasMax() {
    return false;
  }

  @Override
  public double getMax() {
    return 0;
  }

  @Override
  public List<Double> getBoundaries() {
    return boundaries;
  }

  @Override
  public List<Long> getCounts() {
    return counts;
  }

  @Override
  public List<DoubleExemplarData> getExemplars() {
    return exemplars;
  }
}
