package io.amptalk.monitoring.internal.exposition;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.function.Supplier;

/**
 * Adjusts the OpenTelemetry exporter's output where it breaks Prometheus conventions, so that
 * {@code promtool check metrics} passes our exposition clean:
 *
 * <ul>
 *   <li>Semantic-convention gauges named {@code *.count} ({@code process.thread.count}, {@code
 *       jvm.class.count}) would end in {@code _count}, which Prometheus reserves for histograms and
 *       summaries. The suffix is replaced by the plural: {@code process_threads}, {@code
 *       jvm_classes}. OTLP export keeps the semantic-convention names.
 *   <li>{@code target_info} is written without help text; it gets one.
 * </ul>
 *
 * <p>Given the request histogram's own snapshot, it adds that explicitly, in place of any the
 * exporter brings (the SDK's producer leaves the histogram out unless a test added a reader of its
 * own; see {@code SdkPipeline}). Converting its hundreds of series from OpenTelemetry points to
 * Prometheus labels and buckets was most of a scrape's garbage.
 */
public final class PromtoolCleanCollector implements MultiCollector {
  public static final String TARGET_INFO_HELP = "Target metadata";
  private static final String COUNT_SUFFIX = "_count";

  private final MultiCollector delegate;
  private final Supplier<? extends MetricSnapshot> requests;

  /** The exporter's output, cleaned; the request histogram comes through the exporter. */
  public PromtoolCleanCollector(MultiCollector delegate) {
    this(delegate, null);
  }

  /**
   * The exporter's output, cleaned, with {@code requests} in place of the exporter's request
   * histogram.
   */
  public PromtoolCleanCollector(
      MultiCollector delegate, Supplier<? extends MetricSnapshot> requests) {
    this.delegate = delegate;
    this.requests = requests;
  }

  @Override
  public MetricSnapshots collect() {
    MetricSnapshot ours = requests == null ? null : requests.get();
    String oursName = ours == null ? null : ours.getMetadata().getName();
    MetricSnapshots.Builder cleaned = MetricSnapshots.builder();
    for (MetricSnapshot snapshot : delegate.collect()) {
      if (!snapshot.getMetadata().getName().equals(oursName)) {
        cleaned.metricSnapshot(clean(snapshot));
      }
    }
    if (ours != null) {
      // MetricSnapshots sorts by name: the family lands where the exporter's was.
      cleaned.metricSnapshot(ours);
    }
    return cleaned.build();
  }

  private static MetricSnapshot clean(MetricSnapshot snapshot) {
    MetricMetadata metadata = snapshot.getMetadata();
    if (snapshot instanceof GaugeSnapshot gauge && metadata.getName().endsWith(COUNT_SUFFIX)) {
      return new GaugeSnapshot(
          new MetricMetadata(gaugeName(metadata.getName()), metadata.getHelp(), metadata.getUnit()),
          gauge.getDataPoints());
    }
    if (snapshot instanceof InfoSnapshot info
        && (metadata.getHelp() == null || metadata.getHelp().isEmpty())) {
      return new InfoSnapshot(
          new MetricMetadata(metadata.getName(), TARGET_INFO_HELP, metadata.getUnit()),
          info.getDataPoints());
    }
    return snapshot;
  }

  /**
   * {@code jvm_class_count} becomes {@code jvm_classes}, {@code process_thread_count} {@code
   * process_threads}.
   */
  public static String gaugeName(String name) {
    String stem = name.substring(0, name.length() - COUNT_SUFFIX.length());
    boolean sibilant =
        stem.endsWith("s") || stem.endsWith("x") || stem.endsWith("ch") || stem.endsWith("sh");
    return stem + (sibilant ? "es" : "s");
  }
}
