package io.amptalk.monitoring;

import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;

/**
 * For the benchmarks only (this class lives in the bench module, in the library's package): a
 * {@link SystemMonitor}'s {@code /metrics} text body, written in-process.
 *
 * <p>{@code SystemMonitor} has no public way to produce its body without HTTP: its {@code
 * PrometheusMetricReader}, wrapped in a {@link PromtoolCleanCollector}, sits in a private {@code
 * PrometheusRegistry} behind client_java's {@code MetricsHandler}. So this builds the monitor with
 * one more reader through the package-private test hook {@code Builder.metricReader}, configured
 * and wrapped exactly as {@code SystemMonitor} does for {@code /metrics} (scope labels off, the
 * same collector), and writes it with the writer {@code MetricsHandler} picks for a request without
 * an {@code Accept} header. The body is the one {@code /metrics} serves (the bench's {@code
 * ScrapeBodies} checks it line for line, values aside); the monitor keeps serving {@code /metrics}
 * on its own port meanwhile.
 */
public final class InProcessScrape {
  private final SystemMonitor monitor;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  private InProcessScrape(SystemMonitor.Builder builder) {
    PrometheusMetricReader reader =
        PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
    registry.register(new PromtoolCleanCollector(reader));
    this.monitor = builder.metricReader(reader).build();
  }

  /** Builds the monitor configured by {@code builder}, with the in-process reader added. */
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
}
