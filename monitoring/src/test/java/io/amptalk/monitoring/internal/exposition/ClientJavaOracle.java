package io.amptalk.monitoring.internal.exposition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The correctness oracle of our text writers: client_java 1.8.0's own writers, configured alike.
 * Every setting of both formats, every escaping scheme, and both ways of writing (into an {@link
 * ExpositionBuffer}, as the HTTP handler does, and into any stream through a small buffer that
 * drains) must give the same bytes.
 */
public final class ClientJavaOracle {
  private ClientJavaOracle() {}

  /** A writer of ours beside client_java's, with the same settings. */
  public record Pair(String settings, ExpositionFormatWriter theirs, TextExpositionWriter ours) {
    @Override
    public String toString() {
      return settings;
    }
  }

  /** Every combination of the settings each format has. */
  @SuppressWarnings("deprecation") // setTimestampsInMs: what MetricsHandler calls with the config
  public static List<Pair> pairs() {
    List<Pair> pairs = new ArrayList<>();
    for (boolean created : new boolean[] {false, true}) {
      for (boolean millis : new boolean[] {false, true}) {
        pairs.add(
            new Pair(
                "text created=" + created + " timestampsInMs=" + millis,
                PrometheusTextFormatWriter.builder()
                    .setIncludeCreatedTimestamps(created)
                    .setTimestampsInMs(millis)
                    .build(),
                new PrometheusTextWriter(created, millis)));
      }
      for (boolean allExemplars : new boolean[] {false, true}) {
        pairs.add(
            new Pair(
                "openmetrics created=" + created + " exemplarsOnAllMetricTypes=" + allExemplars,
                OpenMetricsTextFormatWriter.builder()
                    .setCreatedTimestampsEnabled(created)
                    .setExemplarsOnAllMetricTypesEnabled(allExemplars)
                    .build(),
                new OpenMetricsTextWriter(created, allExemplars)));
      }
    }
    return pairs;
  }

  /** Asserts that ours writes client_java's bytes in every setting and escaping scheme. */
  public static void assertSameBytes(MetricSnapshots snapshots) {
    for (Pair pair : pairs()) {
      for (EscapingScheme scheme : EscapingScheme.values()) {
        assertSameBytes(pair, snapshots, scheme);
      }
    }
  }

  public static void assertSameBytes(Pair pair, MetricSnapshots snapshots, EscapingScheme scheme) {
    String description = pair + ", escaping " + scheme;
    byte[] expected;
    try {
      expected = render(pair.theirs(), snapshots, scheme);
    } catch (RuntimeException refused) {
      // What client_java cannot write (a name an escaping scheme cannot make valid...), ours
      // refuses alike.
      assertThatThrownBy(() -> render(pair.ours(), snapshots, scheme))
          .as(description)
          .isInstanceOf(refused.getClass())
          .hasMessage(refused.getMessage());
      return;
    }
    // Into an ExpositionBuffer, as the handler writes.
    ExpositionBuffer buffer = new ExpositionBuffer(16);
    write(pair.ours(), buffer, snapshots, scheme);
    byte[] direct = java.util.Arrays.copyOf(buffer.array(), buffer.size());
    assertSame(description + " (buffer)", direct, expected);
    // Into another stream, through our buffer draining every few bytes.
    assertSame(description + " (stream)", render(pair.ours(), snapshots, scheme), expected);
  }

  private static void assertSame(String description, byte[] actual, byte[] expected) {
    // As text first, for a readable difference; then byte for byte (text hides bad UTF-8).
    assertThat(new String(actual, StandardCharsets.UTF_8))
        .as(description)
        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
    assertThat(actual).as(description).isEqualTo(expected);
  }

  public static byte[] render(
      ExpositionFormatWriter writer, MetricSnapshots snapshots, EscapingScheme s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    write(writer, out, snapshots, s);
    return out.toByteArray();
  }

  private static void write(
      ExpositionFormatWriter writer,
      OutputStream out,
      MetricSnapshots snapshots,
      EscapingScheme scheme) {
    try {
      writer.write(out, snapshots, scheme);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
