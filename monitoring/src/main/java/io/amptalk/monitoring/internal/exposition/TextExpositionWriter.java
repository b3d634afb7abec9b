package io.amptalk.monitoring.internal.exposition;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.TextFormatUtil;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.SnapshotEscaper;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What our two text writers share: they write byte for byte what client_java's {@link
 * io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter} and {@link
 * io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter} write for the same
 * snapshots, but straight into an {@link ExpositionBuffer}.
 *
 * <p>Where the time goes in client_java's writers, and what is done here instead: they feed a
 * synchronized {@code BufferedWriter} a dozen small strings per sample line and check every metric
 * and label name on every line. Here each series name is checked and encoded once per metric, label
 * names once per metric too, each data point's labels once, then copied into each of its lines (a
 * histogram has one line per bucket); bucket bounds are formatted once per write, and counts are
 * written as digits without a string. The bytes stay client_java's: the tests compare them.
 */
public abstract sealed class TextExpositionWriter implements ExpositionFormatWriter
    permits PrometheusTextWriter, OpenMetricsTextWriter {
  /** The buffer between the writer and a stream that is not an {@link ExpositionBuffer}. */
  private static final int STREAM_BUFFER = 16 * 1024;

  /** The buffer of the last write to a stream, kept for the next one. */
  private final AtomicReference<ExpositionBuffer> idleStreamBuffer = new AtomicReference<>();

  @Override
  public final void write(OutputStream out, MetricSnapshots snapshots, EscapingScheme scheme)
      throws IOException {
    if (out instanceof ExpositionBuffer buffer) {
      write(buffer, snapshots, scheme);
      return;
    }
    ExpositionBuffer buffer = idleStreamBuffer.getAndSet(null);
    if (buffer == null) {
      buffer = ExpositionBuffer.draining(out, STREAM_BUFFER);
    } else {
      buffer.drainInto(out);
    }
    write(buffer, snapshots, scheme);
    buffer.flush();
    buffer.drainInto(null);
    if (buffer.capacity() <= STREAM_BUFFER) {
      idleStreamBuffer.set(buffer);
    }
  }

  private void write(ExpositionBuffer out, MetricSnapshots snapshots, EscapingScheme scheme)
      throws IOException {
    write(new Lines(out, scheme), TextFormatUtil.mergeDuplicates(snapshots));
  }

  /** Writes the body of the merged snapshots. */
  public abstract void write(Lines lines, MetricSnapshots merged) throws IOException;

  /**
   * Writes every family that has data points, escaped by the request's scheme, through the method
   * for its type: the walk both formats share.
   */
  public final void families(Lines lines, MetricSnapshots merged) throws IOException {
    for (MetricSnapshot original : merged) {
      MetricSnapshot snapshot = SnapshotEscaper.escapeMetricSnapshot(original, lines.scheme);
      if (snapshot.getDataPoints().isEmpty()) {
        continue;
      }
      if (snapshot instanceof CounterSnapshot counter) {
        counter(lines, counter);
      } else if (snapshot instanceof GaugeSnapshot gauge) {
        gauge(lines, gauge, original.getMetadata().getOriginalName());
      } else if (snapshot instanceof HistogramSnapshot histogram) {
        histogram(lines, histogram);
      } else if (snapshot instanceof SummarySnapshot summary) {
        summary(lines, summary);
      } else if (snapshot instanceof InfoSnapshot info) {
        info(lines, info);
      } else if (snapshot instanceof StateSetSnapshot stateSet) {
        stateSet(lines, stateSet);
      } else if (snapshot instanceof UnknownSnapshot unknown) {
        unknown(lines, unknown);
      }
    }
  }

  public abstract void counter(Lines lines, CounterSnapshot snapshot) throws IOException;

  /** {@code rawOriginalName}: the name before escaping, which the text format may need. */
  public abstract void gauge(Lines lines, GaugeSnapshot snapshot, String rawOriginalName)
      throws IOException;

  public abstract void histogram(Lines lines, HistogramSnapshot snapshot) throws IOException;

  public abstract void summary(Lines lines, SummarySnapshot snapshot) throws IOException;

  public abstract void info(Lines lines, InfoSnapshot snapshot) throws IOException;

  public abstract void stateSet(Lines lines, StateSetSnapshot snapshot) throws IOException;

  public abstract void unknown(Lines lines, UnknownSnapshot snapshot) throws IOException;

  // ---------------------------------------------------------------- names

  /**
   * The name as client_java's {@code writeName} writes it: as is when it is a valid legacy name,
   * else quoted and escaped.
   */
  public static void name(ExpositionBuffer out, String name, boolean label) throws IOException {
    boolean legacy =
        label
            ? PrometheusNaming.isValidLegacyLabelName(name)
            : PrometheusNaming.isValidLegacyMetricName(name);
    if (legacy) {
      out.ascii(name);
    } else {
      out.ascii('"');
      out.utf8(name, ExpositionBuffer.LABEL_VALUE);
      out.ascii('"');
    }
  }

  /**
   * Labels as client_java's {@code writeLabels} writes them, without braces: {@code a="1",b="2"}.
   */
  public static void labels(ExpositionBuffer out, Labels labels, EscapingScheme scheme)
      throws IOException {
    for (int i = 0; i < labels.size(); i++) {
      if (i > 0) {
        out.ascii(',');
      }
      name(out, SnapshotEscaper.getSnapshotLabelName(labels, i, scheme), true);
      out.ascii('=', '"');
      out.utf8(labels.getValue(i), ExpositionBuffer.LABEL_VALUE);
      out.ascii('"');
    }
  }

  /** {@code resolveExpositionName} of client_java's writers. */
  public static String expositionName(
      MetricMetadata metadata, String suffix, EscapingScheme scheme) {
    String expositionBaseName = SnapshotEscaper.getExpositionBaseMetadataName(metadata, scheme);
    if (expositionBaseName.endsWith(suffix)) {
      return expositionBaseName;
    }
    return SnapshotEscaper.getMetadataName(metadata, scheme) + suffix;
  }

  /** {@code resolveBaseName} of client_java's writers. */
  public static String baseName(String fullName, String suffix) {
    return fullName.endsWith(suffix)
        ? fullName.substring(0, fullName.length() - suffix.length())
        : fullName;
  }

  /** client_java writes a histogram without classic buckets as one {@code +Inf} bucket. */
  public static ClassicHistogramBuckets classicBuckets(HistogramDataPointSnapshot data) {
    return data.getClassicBuckets().isEmpty()
        ? ClassicHistogramBuckets.of(
            new double[] {Double.POSITIVE_INFINITY}, new long[] {data.getCount()})
        : data.getClassicBuckets();
  }

  /**
   * A state set line as both client_java writers write it: names as they are (not quoted), the
   * state as a label named after the metric.
   */
  public static void stateLine(
      Lines lines, String name, Labels labels, String state, boolean isTrue) throws IOException {
    ExpositionBuffer out = lines.out;
    out.utf8(name, ExpositionBuffer.PLAIN);
    out.ascii('{');
    for (int j = 0; j < labels.size(); j++) {
      if (j > 0) {
        out.ascii(',');
      }
      out.utf8(
          SnapshotEscaper.getSnapshotLabelName(labels, j, lines.scheme), ExpositionBuffer.PLAIN);
      out.ascii('=', '"');
      out.utf8(labels.getValue(j), ExpositionBuffer.LABEL_VALUE);
      out.ascii('"');
    }
    if (labels.size() > 0) {
      out.ascii(',');
    }
    out.utf8(name, ExpositionBuffer.PLAIN);
    out.ascii('=', '"');
    out.utf8(state, ExpositionBuffer.LABEL_VALUE);
    out.ascii('"');
    out.ascii('}', ' ');
    out.ascii(isTrue ? '1' : '0');
  }

  /**
   * The start of a sample line, encoded once per metric: the series name, or <code>{"name"</code>
   * when the name is not a legacy one and so goes inside the braces.
   *
   * @param inBraces whether the labels follow with a comma rather than an opening brace
   */
  public record SeriesName(byte[] bytes, boolean inBraces) {
    /**
     * As client_java's {@code writeNameAndLabels(name, suffix, ...)}: whether the name goes inside
     * the braces is decided on {@code name}, what is written is {@code name + suffix}.
     */
    static SeriesName of(String name, String suffix) throws IOException {
      boolean inBraces = !PrometheusNaming.isValidLegacyMetricName(name);
      ExpositionBuffer out = new ExpositionBuffer(name.length() + 16);
      if (inBraces) {
        out.ascii('{');
      }
      name(out, suffix == null ? name : name + suffix, false);
      return new SeriesName(Arrays.copyOf(out.array(), out.size()), inBraces);
    }

    static SeriesName of(String name) throws IOException {
      return of(name, null);
    }
  }

  /**
   * One write: the output, the escaping scheme, the labels of the current data point (encoded once,
   * copied into each of its lines) and the formatted {@code le} and {@code quantile} labels.
   */
  public static final class Lines {
    final ExpositionBuffer out;
    final EscapingScheme scheme;
    private final ExpositionBuffer labels = new ExpositionBuffer(256);
    private boolean hasLabels;
    final ExtraLabel le = new ExtraLabel("le");
    final ExtraLabel quantile = new ExtraLabel("quantile");

    /** The label names of the previous data point and their encoding, by position. */
    private String[] labelNames = new String[4];

    private byte[][] encodedLabelNames = new byte[4][];

    Lines(ExpositionBuffer out, EscapingScheme scheme) {
      this.out = out;
      this.scheme = scheme;
    }

    /**
     * The labels of the lines that follow. Data points of a metric mostly have the same label
     * names, so each name is checked and encoded once, not once per point.
     */
    void labels(Labels labels) throws IOException {
      ExpositionBuffer block = this.labels;
      block.reset();
      int size = labels.size();
      if (size > labelNames.length) {
        labelNames = Arrays.copyOf(labelNames, size);
        encodedLabelNames = Arrays.copyOf(encodedLabelNames, size);
      }
      for (int i = 0; i < size; i++) {
        if (i > 0) {
          block.ascii(',');
        }
        String name = SnapshotEscaper.getSnapshotLabelName(labels, i, scheme);
        if (!name.equals(labelNames[i])) {
          ExpositionBuffer encoded = new ExpositionBuffer(name.length() + 8);
          name(encoded, name, true);
          encoded.ascii('=', '"');
          labelNames[i] = name;
          encodedLabelNames[i] = Arrays.copyOf(encoded.array(), encoded.size());
        }
        block.write(encodedLabelNames[i]);
        block.utf8(labels.getValue(i), ExpositionBuffer.LABEL_VALUE);
        block.ascii('"');
      }
      hasLabels = size > 0;
    }

    /** Name and labels, then the space before the value. */
    void start(SeriesName name) throws IOException {
      start(name, null);
    }

    /**
     * Name, labels and one more label ({@code le="0.5"}), then the space before the value; as
     * client_java's {@code writeNameAndLabels}.
     */
    void start(SeriesName name, byte[] extraLabel) throws IOException {
      byte[] nameBytes = name.bytes();
      int labelsSize = labels.size();
      int extraSize = extraLabel == null ? 0 : extraLabel.length;
      // One check for the whole start of the line: name, braces, commas, labels, space.
      out.ensure(nameBytes.length + labelsSize + extraSize + 4);
      out.put(nameBytes, 0, nameBytes.length);
      if (name.inBraces()) {
        if (hasLabels) {
          out.put((byte) ',');
          out.put(labels.array(), 0, labelsSize);
        }
        if (extraLabel != null) {
          out.put((byte) ',');
          out.put(extraLabel, 0, extraSize);
        }
        out.put((byte) '}');
      } else if (hasLabels || extraLabel != null) {
        out.put((byte) '{');
        if (hasLabels) {
          out.put(labels.array(), 0, labelsSize);
          if (extraLabel != null) {
            out.put((byte) ',');
          }
        }
        if (extraLabel != null) {
          out.put(extraLabel, 0, extraSize);
        }
        out.put((byte) '}');
      }
      out.put((byte) ' ');
    }
  }

  /**
   * A label whose value is a double ({@code le}, {@code quantile}), encoded once per write and
   * position: every data point of a histogram has the same bucket bounds, in the same order.
   */
  public static final class ExtraLabel {
    private final String name;
    private long[] keys = new long[16];
    private byte[][] values = new byte[16][];

    ExtraLabel(String name) {
      this.name = name;
    }

    /** {@code name="value"}, for the value at this position of the point. */
    byte[] of(int position, double value) throws IOException {
      long bits = Double.doubleToRawLongBits(value);
      if (position >= values.length) {
        keys = Arrays.copyOf(keys, Math.max(position + 1, 2 * keys.length));
        values = Arrays.copyOf(values, keys.length);
      }
      byte[] cached = values[position];
      if (cached != null && keys[position] == bits) {
        return cached;
      }
      ExpositionBuffer out = new ExpositionBuffer(name.length() + 32);
      out.ascii(name);
      out.ascii('=', '"');
      out.doubleValue(value);
      out.ascii('"');
      byte[] encoded = Arrays.copyOf(out.array(), out.size());
      keys[position] = bits;
      values[position] = encoded;
      return encoded;
    }
  }
}
