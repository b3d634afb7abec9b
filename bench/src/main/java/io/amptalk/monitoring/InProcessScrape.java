package io.amptalk.monitoring;

import io.amptalk.monitoring.internal.exposition.MetricsHttpHandler;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;

/**
 * For the benchmarks only (this class lives in the bench module, in the library's package): a
 * {@link SystemMonitor}'s {@code /metrics} text body, written in-process.
 *
 * <p>{@code SystemMonitor} has no public way to produce its body without HTTP, so this collects the
 * very registry {@code /metrics} serves (the package-private {@code prometheusRegistry()}: the
 * SDK's Prometheus reader behind {@link
 * io.amptalk.monitoring.internal.exposition.PromtoolCleanCollector}, which adds the request
 * histogram from the monitor's cells) and writes it with the writer {@code MetricsHttpHandler} uses
 * for a request without an {@code Accept} header. The body is the one {@code /metrics} serves (the
 * bench's {@code ScrapeBodies} checks it line for line, values aside); the monitor keeps serving
 * {@code /metrics} on its own port meanwhile. The monitor must be built with {@code
 * enablePrometheus(true)}.
 *
 * <p>For a before/after in one run, the same body can also be written as {@code /metrics} wrote it
 * before our writers, with client_java's {@code PrometheusTextFormatWriter} (configured as its
 * {@code MetricsHandler} configures it), and served by client_java's {@code MetricsHandler} on the
 * monitor's port.
 */
public final class InProcessScrape {
  private final SystemMonitor monitor;
  private final PrometheusRegistry registry;
  private final ExpositionFormatWriter writer =
      MetricsHttpHandler.textWriter(PrometheusProperties.get());
  private final ExpositionFormatWriter clientJavaWriter =
      ExpositionFormats.init(PrometheusProperties.get()).getPrometheusTextFormatWriter();
  private final ExpositionFormatWriter protobufWriter =
      ExpositionFormats.init(PrometheusProperties.get()).getPrometheusProtobufWriter();

  private InProcessScrape(SystemMonitor.Builder builder) {
    this.monitor = builder.build();
    this.registry = monitor.prometheusRegistry();
  }

  /** Builds the monitor configured by {@code builder} (which must enable Prometheus). */
  public static InProcessScrape build(SystemMonitor.Builder builder) {
    return new InProcessScrape(builder);
  }

  public SystemMonitor monitor() {
    return monitor;
  }

  /** Collects and writes the Prometheus text body (format 0.0.4), as {@code /metrics} does. */
  public void writeTo(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }

  /**
   * The body in the protobuf format, which Prometheus asks for when it scrapes native histograms:
   * client_java's writer, as {@code /metrics} negotiates it.
   */
  public void writeProtobufTo(OutputStream out) throws IOException {
    protobufWriter.write(out, registry.scrape());
  }

  /** The same body written by client_java's text writer, as {@code /metrics} did before. */
  public void writeWithClientJavaTo(OutputStream out) throws IOException {
    clientJavaWriter.write(out, registry.scrape());
  }

  /** The first half of a scrape alone: collecting the snapshots (SDK, conversion, collector). */
  public MetricSnapshots collect() {
    return registry.scrape();
  }

  /** The second half alone: writing collected snapshots, with our writer or client_java's. */
  public void write(MetricSnapshots snapshots, OutputStream out, boolean clientJava)
      throws IOException {
    (clientJava ? clientJavaWriter : writer).write(out, snapshots);
  }

  /**
   * Serves the same body at {@code path} on the monitor's port with client_java's {@code
   * MetricsHandler}, as {@code /metrics} was served before.
   */
  public void serveWithClientJava(String path) {
    monitor.registerHttpHandler(path, new MetricsHandler(registry));
  }
}
