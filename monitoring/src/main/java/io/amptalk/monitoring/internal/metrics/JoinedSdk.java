package io.amptalk.monitoring.internal.metrics;

import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricProducer;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a monitor puts into the application's own OpenTelemetry SDK, so that one SDK runs: the
 * reader {@code /metrics} collects through (so the application's instruments are on it too), the
 * producer of our cells (so the application's exporters get the request histogram and the error
 * counters, as they would get any instrument's), and the view that keeps every health check's
 * series. Registered on the application's {@link SdkMeterProviderBuilder} before it builds, since a
 * built provider takes no reader; bound to the monitor's cells when the monitor is built.
 */
public final class JoinedSdk implements MetricProducer {
  private final PrometheusMetricReader prometheus =
      // Scope labels would repeat the same two labels on every series; our names are unique.
      PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
  private final AtomicBoolean added = new AtomicBoolean();
  private final AtomicBoolean registered = new AtomicBoolean();
  private volatile ApplicationMetrics metrics;

  /**
   * Adds the reader, the producer and the view to {@code builder}; once.
   *
   * @throws IllegalStateException when they were added to a builder already
   */
  public SdkMeterProviderBuilder addTo(SdkMeterProviderBuilder builder) {
    if (!added.compareAndSet(false, true)) {
      throw new IllegalStateException(
          "registerOn: this builder's monitor is already registered on an SDK (one SDK per"
              + " monitor)");
    }
    return SdkPipeline.keepHealthSeries(
        builder.registerMetricReader(new Registering()).registerMetricProducer(this));
  }

  /** Whether the builder it was added to has built its provider. */
  public boolean registered() {
    return registered.get();
  }

  /** What {@code /metrics} collects the SDK's instruments through. */
  public PrometheusMetricReader prometheus() {
    return prometheus;
  }

  /** From now on, the application's readers get {@code metrics}' data. */
  public void bind(ApplicationMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * The cells' data, the request histogram included (the SDK's readers here are the application's:
   * none gets it another way; {@code /metrics} puts the cells' own in place of the one converted).
   */
  @Override
  public Collection<MetricData> produce(Resource resource) {
    ApplicationMetrics bound = metrics;
    return bound == null ? List.of() : bound.produce(resource, true);
  }

  /** The Prometheus reader, with its registration noted: the provider was built. */
  private final class Registering implements MetricReader {
    @Override
    public void register(CollectionRegistration registration) {
      registered.set(true);
      prometheus.register(registration);
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return prometheus.getAggregationTemporality(instrumentType);
    }

    @Override
    public Aggregation getDefaultAggregation(InstrumentType instrumentType) {
      return prometheus.getDefaultAggregation(instrumentType);
    }

    @Override
    public MemoryMode getMemoryMode() {
      return prometheus.getMemoryMode();
    }

    @Override
    public CompletableResultCode forceFlush() {
      return prometheus.forceFlush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return prometheus.shutdown();
    }

    @Override
    public String toString() {
      return "amptalk-monitoring /metrics reader";
    }
  }
}
