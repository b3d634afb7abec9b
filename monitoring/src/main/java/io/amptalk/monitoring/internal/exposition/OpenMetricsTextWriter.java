package io.amptalk.monitoring.internal.exposition;

import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.DistributionDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SnapshotEscaper;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.io.IOException;

/**
 * The OpenMetrics 1.0 text format, byte for byte as client_java 1.8.0's {@link
 * OpenMetricsTextFormatWriter} writes it with the same two settings, and several times faster (see
 * {@link TextExpositionWriter}). This is what a Prometheus server gets: it asks for OpenMetrics
 * first.
 */
public final class OpenMetricsTextWriter extends TextExpositionWriter {
  private final boolean createdTimestamps;
  private final boolean exemplarsOnAllMetricTypes;

  /**
   * @param createdTimestamps also write {@code _created} series, as {@code
   *     setCreatedTimestampsEnabled}
   * @param exemplarsOnAllMetricTypes exemplars on gauges, summaries and {@code _count} too, as
   *     {@code setExemplarsOnAllMetricTypesEnabled}
   */
  public OpenMetricsTextWriter(boolean createdTimestamps, boolean exemplarsOnAllMetricTypes) {
    this.createdTimestamps = createdTimestamps;
    this.exemplarsOnAllMetricTypes = exemplarsOnAllMetricTypes;
  }

  @Override
  public boolean accepts(String acceptHeader) {
    return acceptHeader != null && acceptHeader.contains("application/openmetrics-text");
  }

  @Override
  public String getContentType() {
    return OpenMetricsTextFormatWriter.CONTENT_TYPE;
  }

  @Override
  public void write(Lines lines, MetricSnapshots merged) throws IOException {
    families(lines, merged);
    lines.out.ascii("# EOF\n");
  }

  @Override
  public void counter(Lines lines, CounterSnapshot snapshot) throws IOException {
    MetricMetadata metadata = snapshot.getMetadata();
    String counterName = expositionName(metadata, "_total", lines.scheme);
    String baseName = baseName(counterName, "_total");
    metadata(lines, baseName, "counter", metadata);
    SeriesName name = SeriesName.of(counterName);
    SeriesName createdName = SeriesName.of(baseName, "_created");
    for (CounterDataPointSnapshot data : snapshot.getDataPoints()) {
      lines.labels(data.getLabels());
      lines.start(name);
      lines.out.doubleValue(data.getValue());
      end(lines, data, data.getExemplar());
      created(lines, createdName, data);
    }
  }

  @Override
  public void gauge(Lines lines, GaugeSnapshot snapshot, String rawOriginalName)
      throws IOException {
    MetricMetadata metadata = snapshot.getMetadata();
    String baseName = SnapshotEscaper.getMetadataName(metadata, lines.scheme);
    metadata(lines, baseName, "gauge", metadata);
    SeriesName name = SeriesName.of(baseName);
    for (GaugeDataPointSnapshot data : snapshot.getDataPoints()) {
      lines.labels(data.getLabels());
      lines.start(name);
      lines.out.doubleValue(data.getValue());
      end(lines, data, exemplarsOnAllMetricTypes ? data.getExemplar() : null);
    }
  }

  @Override
  public void histogram(Lines lines, HistogramSnapshot snapshot) throws IOException {
    MetricMetadata metadata = snapshot.getMetadata();
    boolean gaugeHistogram = snapshot.isGaugeHistogram();
    String name = SnapshotEscaper.getMetadataName(metadata, lines.scheme);
    metadata(lines, name, gaugeHistogram ? "gaugehistogram" : "histogram", metadata);
    SeriesName bucketName = SeriesName.of(name + "_bucket");
    SeriesName countName = SeriesName.of(name + (gaugeHistogram ? "_gcount" : "_count"));
    SeriesName sumName = SeriesName.of(name + (gaugeHistogram ? "_gsum" : "_sum"));
    SeriesName createdName = SeriesName.of(name, "_created");
    for (HistogramDataPointSnapshot data : snapshot.getDataPoints()) {
      ClassicHistogramBuckets buckets = classicBuckets(data);
      Exemplars exemplars = data.getExemplars();
      lines.labels(data.getLabels());
      long cumulativeCount = 0;
      for (int i = 0; i < buckets.size(); i++) {
        cumulativeCount += buckets.getCount(i);
        double upperBound = buckets.getUpperBound(i);
        lines.start(bucketName, lines.le.of(i, upperBound));
        lines.out.longValue(cumulativeCount);
        Exemplar exemplar =
            exemplars.size() == 0
                ? null
                : exemplars.get(
                    i == 0 ? Double.NEGATIVE_INFINITY : buckets.getUpperBound(i - 1), upperBound);
        end(lines, data, exemplar);
      }
      // In OpenMetrics, a histogram's _count and _sum are both present or both absent.
      if (data.hasCount() && data.hasSum()) {
        countAndSum(lines, countName, sumName, data, exemplars);
      }
      created(lines, createdName, data);
    }
  }

  @Override
  public void summary(Lines lines, SummarySnapshot snapshot) throws IOException {
    MetricMetadata metadata = snapshot.getMetadata();
    String baseName = SnapshotEscaper.getMetadataName(metadata, lines.scheme);
    SeriesName name = null;
    SeriesName countName = null;
    SeriesName sumName = null;
    SeriesName createdName = null;
    for (SummaryDataPointSnapshot data : snapshot.getDataPoints()) {
      if (data.getQuantiles().size() == 0 && !data.hasCount() && !data.hasSum()) {
        continue;
      }
      if (name == null) {
        metadata(lines, baseName, "summary", metadata);
        name = SeriesName.of(baseName);
        countName = SeriesName.of(baseName + "_count");
        sumName = SeriesName.of(baseName + "_sum");
        createdName = SeriesName.of(baseName, "_created");
      }
      Exemplars exemplars = data.getExemplars();
      lines.labels(data.getLabels());
      // client_java's choice: exemplars[0] for _count, [1] for _sum, [2...] for the quantiles,
      // modulo their number.
      int exemplarIndex = 1;
      Quantiles quantiles = data.getQuantiles();
      for (int j = 0; j < quantiles.size(); j++) {
        Quantile quantile = quantiles.get(j);
        lines.start(name, lines.quantile.of(j, quantile.getQuantile()));
        lines.out.doubleValue(quantile.getValue());
        if (exemplars.size() > 0 && exemplarsOnAllMetricTypes) {
          exemplarIndex = (exemplarIndex + 1) % exemplars.size();
          end(lines, data, exemplars.get(exemplarIndex));
        } else {
          end(lines, data, null);
        }
      }
      countAndSum(lines, countName, sumName, data, exemplars);
      created(lines, createdName, data);
    }
  }

  @Override
  public void info(Lines lines, InfoSnapshot snapshot) throws IOException {
    MetricMetadata metadata = snapshot.getMetadata();
    String infoName = expositionName(metadata, "_info", lines.scheme);
    metadata(lines, baseName(infoName, "_info"), "info", metadata);
    SeriesName name = SeriesName.of(infoName);
    for (InfoDataPointSnapshot data : snapshot.getDataPoints()) {
      lines.labels(data.getLabels());
      lines.start(name);
      lines.out.ascii('1');
      end(lines, data, null);
    }
  }

  @Override
  public void stateSet(Lines lines, StateSetSnapshot snapshot) throws IOException {
    MetricMetadata metadata = snapshot.getMetadata();
    String name = SnapshotEscaper.getMetadataName(metadata, lines.scheme);
    metadata(lines, name, "stateset", metadata);
    for (StateSetDataPointSnapshot data : snapshot.getDataPoints()) {
      for (int i = 0; i < data.size(); i++) {
        stateLine(lines, name, data.getLabels(), data.getName(i), data.isTrue(i));
        end(lines, data, null);
      }
    }
  }

  @Override
  public void unknown(Lines lines, UnknownSnapshot snapshot) throws IOException {
    MetricMetadata metadata = snapshot.getMetadata();
    String baseName = SnapshotEscaper.getMetadataName(metadata, lines.scheme);
    metadata(lines, baseName, "unknown", metadata);
    SeriesName name = SeriesName.of(baseName);
    for (UnknownDataPointSnapshot data : snapshot.getDataPoints()) {
      lines.labels(data.getLabels());
      lines.start(name);
      lines.out.doubleValue(data.getValue());
      end(lines, data, exemplarsOnAllMetricTypes ? data.getExemplar() : null);
    }
  }

  private void countAndSum(
      Lines lines,
      SeriesName countName,
      SeriesName sumName,
      DistributionDataPointSnapshot data,
      Exemplars exemplars)
      throws IOException {
    if (data.hasCount()) {
      lines.start(countName);
      lines.out.longValue(data.getCount());
      end(lines, data, exemplarsOnAllMetricTypes ? exemplars.getLatest() : null);
    }
    if (data.hasSum()) {
      lines.start(sumName);
      lines.out.doubleValue(data.getSum());
      end(lines, data, null);
    }
  }

  private void created(Lines lines, SeriesName createdName, DataPointSnapshot data)
      throws IOException {
    if (createdTimestamps && data.hasCreatedTimestamp()) {
      lines.start(createdName);
      lines.out.openMetricsTimestamp(data.getCreatedTimestampMillis());
      if (data.hasScrapeTimestamp()) {
        lines.out.ascii(' ');
        lines.out.openMetricsTimestamp(data.getScrapeTimestampMillis());
      }
      lines.out.ascii('\n');
    }
  }

  /**
   * {@code # TYPE}, {@code # UNIT} (when there is a unit) and {@code # HELP} (when there is help).
   */
  private static void metadata(Lines lines, String name, String type, MetricMetadata metadata)
      throws IOException {
    ExpositionBuffer out = lines.out;
    out.ascii("# TYPE ");
    name(out, name, false);
    out.ascii(' ');
    out.ascii(type);
    out.ascii('\n');
    if (metadata.getUnit() != null) {
      out.ascii("# UNIT ");
      name(out, name, false);
      out.ascii(' ');
      out.utf8(metadata.getUnit().toString(), ExpositionBuffer.LABEL_VALUE);
      out.ascii('\n');
    }
    String help = metadata.getHelp();
    if (help != null && !help.isEmpty()) {
      out.ascii("# HELP ");
      name(out, name, false);
      out.ascii(' ');
      out.utf8(help, ExpositionBuffer.LABEL_VALUE);
      out.ascii('\n');
    }
  }

  /** The scrape timestamp, if any, the exemplar, if any, and the end of the line. */
  private static void end(Lines lines, DataPointSnapshot data, Exemplar exemplar)
      throws IOException {
    ExpositionBuffer out = lines.out;
    if (data.hasScrapeTimestamp()) {
      out.ascii(' ');
      out.openMetricsTimestamp(data.getScrapeTimestampMillis());
    }
    if (exemplar != null) {
      out.ascii(" # {");
      labels(out, exemplar.getLabels(), lines.scheme);
      out.ascii('}', ' ');
      out.doubleValue(exemplar.getValue());
      if (exemplar.hasTimestamp()) {
        out.ascii(' ');
        out.openMetricsTimestamp(exemplar.getTimestampMillis());
      }
    }
    out.ascii('\n');
  }
}
