package io.amptalk.monitoring.internal.metrics;

import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.Data;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramData;
import io.opentelemetry.sdk.metrics.data.HistogramData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.resources.Resource;

/**
 * Metric data we produce ourselves and hand to the SDK through a {@code MetricProducer}. The SDK
 * offers only interfaces for this in its public API (its own implementation is internal).
 */
public record ProducedMetric(
    Resource resource,
    InstrumentationScopeInfo scope,
    String name,
    String description,
    String unit,
    MetricDataType type,
    Data<?> data)
    implements MetricData {

  public static ProducedMetric histogram(
      Resource resource,
      InstrumentationScopeInfo scope,
      String name,
      String description,
      String unit,
      HistogramData data) {
    return new ProducedMetric(
        resource, scope, name, description, unit, MetricDataType.HISTOGRAM, data);
  }

  public static ProducedMetric exponentialHistogram(
      Resource resource,
      InstrumentationScopeInfo scope,
      String name,
      String description,
      String unit,
      ExponentialHistogramData data) {
    return new ProducedMetric(
        resource, scope, name, description, unit, MetricDataType.EXPONENTIAL_HISTOGRAM, data);
  }

  public static ProducedMetric longSum(
      Resource resource,
      InstrumentationScopeInfo scope,
      String name,
      String description,
      String unit,
      SumData<?> data) {
    return new ProducedMetric(
        resource, scope, name, description, unit, MetricDataType.LONG_SUM, data);
  }

  @Override
  public Resource getResource() {
    return resource;
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public String getDescription() {
    return description;
  }

  @Override
  public String getUnit() {
    return unit;
  }

  @Override
  public MetricDataType getType() {
    return type;
  }

  @Override
  public Data<?> getData() {
    return data;
  }
}
