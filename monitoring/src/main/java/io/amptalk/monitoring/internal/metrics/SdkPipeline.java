package io.amptalk.monitoring.internal.metrics;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The monitor's OpenTelemetry SDK: one meter provider on the injected clock, with the readers asked
 * for, and our cells ({@link ApplicationMetrics}) handed to it at collection time.
 *
 * <p>The request histogram reaches each reader by one explicit path: {@code /metrics} takes it
 * straight from the cells (its collector adds it), the console and OTLP exporters get it added to
 * each export, and only readers added for tests get it from the SDK's producer. The SDK gives a
 * producer no way to tell which reader is collecting, so a histogram produced for all would be
 * converted, at a scrape's main cost, only to be replaced.
 */
public final class SdkPipeline {
  private SdkPipeline() {}

  /** What the meter provider is built with. */
  public record Settings(
      Resource resource,
      Clock clock,
      MetricReader prometheus,
      boolean console,
      String otlpEndpoint,
      Duration exportInterval,
      List<MetricReader> extraReaders) {}

  /**
   * Series kept per health instrument ({@code health.check.status} has four per check): room for
   * 25,000 checks.
   */
  public static final int HEALTH_SERIES_LIMIT = 100_000;

  /**
   * {@code provider} as an {@link OpenTelemetry}, for the instrumentation that asks for one (the
   * JVM's runtime metrics), with no tracing and no propagation: {@code OpenTelemetrySdk} would make
   * every consumer of the library carry the SDK's tracing and logging, which nothing here uses.
   */
  public static OpenTelemetry metricsOnly(MeterProvider provider) {
    return new OpenTelemetry() {
      @Override
      public MeterProvider getMeterProvider() {
        return provider;
      }

      @Override
      public TracerProvider getTracerProvider() {
        return TracerProvider.noop();
      }

      @Override
      public ContextPropagators getPropagators() {
        return ContextPropagators.noop();
      }
    };
  }

  /**
   * The SDK folds series past 2,000 per instrument into one overflow series; the health instruments
   * have one per check and state, and a registry of 1,000 checks is real.
   */
  static SdkMeterProviderBuilder keepHealthSeries(SdkMeterProviderBuilder provider) {
    return provider.registerView(
        InstrumentSelector.builder().setName("health.check.*").build(),
        View.builder().setCardinalityLimit(HEALTH_SERIES_LIMIT).build());
  }

  public static SdkMeterProvider build(Settings settings, ApplicationMetrics metrics) {
    Resource resource = settings.resource();
    boolean producerHasRequests = !settings.extraReaders().isEmpty();
    SdkMeterProviderBuilder provider =
        SdkMeterProvider.builder()
            .setResource(resource)
            .setClock(new OtelClock(settings.clock()))
            .registerMetricProducer(r -> metrics.produce(r, producerHasRequests));
    keepHealthSeries(provider);
    if (settings.prometheus() != null) {
      provider.registerMetricReader(settings.prometheus());
    }
    List<MetricExporter> exporters = new ArrayList<>();
    if (settings.console()) {
      exporters.add(new Slf4jMetricExporter());
    }
    if (settings.otlpEndpoint() != null) {
      exporters.add(OtlpHttpMetricExporter.builder().setEndpoint(settings.otlpEndpoint()).build());
    }
    for (MetricExporter exporter : exporters) {
      MetricExporter withRequests =
          producerHasRequests ? exporter : new WithRequests(exporter, metrics, resource);
      provider.registerMetricReader(
          PeriodicMetricReader.builder(withRequests)
              .setInterval(settings.exportInterval())
              .build());
    }
    settings.extraReaders().forEach(provider::registerMetricReader);
    return provider.build();
  }

  /** An exporter that gets the request histogram added to every export. */
  private record WithRequests(
      MetricExporter delegate, ApplicationMetrics metrics, Resource resource)
      implements MetricExporter {
    @Override
    public CompletableResultCode export(Collection<MetricData> collected) {
      List<MetricData> all = new ArrayList<>(collected.size() + 1);
      all.add(metrics.requestData(resource));
      all.addAll(collected);
      return delegate.export(all);
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return delegate.getAggregationTemporality(instrumentType);
    }

    @Override
    public Aggregation getDefaultAggregation(InstrumentType instrumentType) {
      return delegate.getDefaultAggregation(instrumentType);
    }

    @Override
    public MemoryMode getMemoryMode() {
      return delegate.getMemoryMode();
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  /** The injected clock, as the SDK wants it. */
  private record OtelClock(Clock clock) implements io.opentelemetry.sdk.common.Clock {
    @Override
    public long now() {
      return ApplicationMetrics.epochNanos(clock);
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }
  }
}
