package io.amptalk.monitoring.internal.exposition;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.ExporterFilterProperties;
import io.prometheus.metrics.config.ExporterProperties;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import io.prometheus.metrics.exporter.httpserver.HttpExchangeAdapter;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.MetricNameFilter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;

/**
 * Serves {@code /metrics} exactly as client_java 1.8.0's {@link MetricsHandler} does (the same
 * content negotiation, escaping, {@code name[]} filter, {@code ?debug=}, gzip, {@code HEAD}, error
 * responses and configuration from {@link PrometheusProperties}), but writes the Prometheus text
 * and OpenMetrics bodies with our {@link PrometheusTextWriter} and {@link OpenMetricsTextWriter},
 * which write the same bytes several times faster. The protobuf format (and OpenMetrics 2, when
 * configured) are still written by client_java.
 *
 * <p>client_java's handler cannot be given other writers, so its {@code PrometheusScrapeHandler} is
 * followed step by step here; the writer is still chosen by its {@link ExpositionFormats}, and ours
 * replaces the one it picks. An uncompressed body is written into a buffer kept for the next scrape
 * rather than a new one each time, and with its length, as client_java sends it; once a body has
 * been over 16 MiB, the next is streamed in chunks instead (without a length), so a scrape of a
 * large body allocates no more than its snapshots.
 */
public final class MetricsHttpHandler implements HttpHandler {
  /**
   * A buffer that grew past this is not kept for the next scrape, and the next body is streamed
   * rather than held whole.
   */
  private static final int MAX_KEPT_BUFFER = 16 << 20;

  private final int maxKeptBuffer;

  private final PrometheusRegistry registry;
  private final ExpositionFormats formats;
  private final PrometheusTextWriter text;
  private final OpenMetricsTextWriter openMetrics;
  private final Predicate<String> nameFilter;
  private final boolean preferUncompressedResponse;
  private final List<String> supportedFormats = new ArrayList<>(List.of("openmetrics", "text"));
  private final AtomicInteger lastResponseSize = new AtomicInteger(2 << 9);
  private final AtomicReference<ExpositionBuffer> idleBuffer = new AtomicReference<>();

  /** Configured as {@link MetricsHandler#MetricsHandler(PrometheusRegistry)} is. */
  public MetricsHttpHandler(PrometheusRegistry registry) {
    this(PrometheusProperties.get(), registry);
  }

  public MetricsHttpHandler(PrometheusProperties config, PrometheusRegistry registry) {
    this(config, registry, MAX_KEPT_BUFFER);
  }

  /** For tests: with another bound than 16 MiB on the body kept whole. */
  MetricsHttpHandler(PrometheusProperties config, PrometheusRegistry registry, int maxKeptBuffer) {
    this.maxKeptBuffer = maxKeptBuffer;
    this.registry = registry;
    this.formats = ExpositionFormats.init(config);
    this.text = textWriter(config);
    ExporterProperties exporter = config.getExporterProperties();
    this.openMetrics =
        new OpenMetricsTextWriter(
            exporter.getIncludeCreatedTimestamps(), exporter.getExemplarsOnAllMetricTypes());
    this.preferUncompressedResponse =
        config.getExporterHttpServerProperties().isPreferUncompressedResponse();
    this.nameFilter = nameFilter(config.getExporterFilterProperties());
    if (formats.getPrometheusProtobufWriter().isAvailable()) {
      supportedFormats.add("prometheus-protobuf");
    }
  }

  /** The text writer the handler uses with this configuration (for a request without Accept). */
  public static PrometheusTextWriter textWriter(PrometheusProperties config) {
    ExporterProperties exporter = config.getExporterProperties();
    return new PrometheusTextWriter(
        exporter.getIncludeCreatedTimestamps(), exporter.getPrometheusTimestampsInMs());
  }

  @Override
  public void handle(HttpExchange httpExchange) throws IOException {
    HttpExchangeAdapter exchange = new HttpExchangeAdapter(httpExchange);
    try {
      PrometheusHttpRequest request = exchange.getRequest();
      MetricSnapshots snapshots = scrape(request);
      String acceptHeader = request.getHeader("Accept");
      EscapingScheme escapingScheme = EscapingScheme.fromAcceptHeader(acceptHeader);
      if (writeDebugResponse(snapshots, escapingScheme, exchange)) {
        return;
      }
      ExpositionFormatWriter writer = ours(formats.findWriter(acceptHeader));
      PrometheusHttpResponse response = exchange.getResponse();
      response.setHeader("Content-Type", writer.getContentType());
      if (shouldUseCompression(request)) {
        response.setHeader("Content-Encoding", "gzip");
        try (GZIPOutputStream gzip = new GZIPOutputStream(response.sendHeadersAndGetBody(200, 0))) {
          writer.write(gzip, snapshots, escapingScheme);
        }
      } else if (lastResponseSize.get() > maxKeptBuffer && !request.getMethod().equals("HEAD")) {
        // The last body was too large to keep a buffer for (over 16 MiB: some 6,500 request
        // series): this one is streamed in chunks. client_java holds every body whole to send its
        // length, which cost each such scrape a new array of the body's size besides its
        // snapshots.
        CountingStream counted = new CountingStream(response.sendHeadersAndGetBody(200, 0));
        try (OutputStream out = counted) {
          writer.write(out, snapshots, escapingScheme);
        }
        lastResponseSize.set((int) Math.min(Integer.MAX_VALUE, counted.count));
      } else {
        ExpositionBuffer body = takeBuffer();
        try {
          writer.write(body, snapshots, escapingScheme);
          lastResponseSize.set(body.size());
          int contentLength = body.size();
          if (contentLength > 0) {
            response.setHeader("Content-Length", String.valueOf(contentLength));
          }
          if (request.getMethod().equals("HEAD")) {
            // As client_java: the JDK server would throw on a closed body that sent nothing.
            response.sendHeadersAndGetBody(200, -1);
          } else {
            try (OutputStream out = response.sendHeadersAndGetBody(200, contentLength)) {
              body.writeTo(out);
            }
          }
        } finally {
          release(body);
        }
      }
    } catch (IOException e) {
      exchange.handleException(e);
    } catch (RuntimeException e) {
      exchange.handleException(e);
    } finally {
      exchange.close();
    }
  }

  /** Our writer in place of the client_java writer negotiation chose, where we have one. */
  private ExpositionFormatWriter ours(ExpositionFormatWriter chosen) {
    if (chosen == formats.getPrometheusTextFormatWriter()) {
      return text;
    }
    if (chosen == formats.getOpenMetricsTextFormatWriter()) {
      return openMetrics;
    }
    return chosen;
  }

  private ExpositionBuffer takeBuffer() {
    ExpositionBuffer buffer = idleBuffer.getAndSet(null);
    if (buffer == null) {
      return new ExpositionBuffer(lastResponseSize.get() + 1024);
    }
    buffer.reset();
    return buffer;
  }

  private void release(ExpositionBuffer buffer) {
    if (buffer.capacity() <= maxKeptBuffer) {
      idleBuffer.set(buffer);
    }
  }

  /** Counts the bytes written through it: the size of a streamed body, for the next scrape. */
  private static final class CountingStream extends java.io.FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  private static Predicate<String> nameFilter(ExporterFilterProperties props) {
    if (props.getAllowedMetricNames() == null
        && props.getExcludedMetricNames() == null
        && props.getAllowedMetricNamePrefixes() == null
        && props.getExcludedMetricNamePrefixes() == null) {
      return null;
    }
    return MetricNameFilter.builder()
        .nameMustBeEqualTo(props.getAllowedMetricNames())
        .nameMustNotBeEqualTo(props.getExcludedMetricNames())
        .nameMustStartWith(props.getAllowedMetricNamePrefixes())
        .nameMustNotStartWith(props.getExcludedMetricNamePrefixes())
        .build();
  }

  private Predicate<String> nameFilter(String[] includedNames) {
    Predicate<String> result = null;
    if (includedNames != null && includedNames.length > 0) {
      result = MetricNameFilter.builder().nameMustBeEqualTo(includedNames).build();
    }
    if (result != null && nameFilter != null) {
      result = result.and(nameFilter);
    } else if (nameFilter != null) {
      result = nameFilter;
    }
    return result;
  }

  private MetricSnapshots scrape(PrometheusHttpRequest request) {
    Predicate<String> filter = nameFilter(request.getParameterValues("name[]"));
    return filter != null ? registry.scrape(filter, request) : registry.scrape(request);
  }

  private boolean writeDebugResponse(
      MetricSnapshots snapshots, EscapingScheme escapingScheme, HttpExchangeAdapter exchange)
      throws IOException {
    String debugParam = exchange.getRequest().getParameter("debug");
    if (debugParam == null) {
      return false;
    }
    PrometheusHttpResponse response = exchange.getResponse();
    response.setHeader("Content-Type", "text/plain; charset=utf-8");
    int responseStatus = supportedFormats.contains(debugParam) ? 200 : 500;
    OutputStream body = response.sendHeadersAndGetBody(responseStatus, 0);
    switch (debugParam) {
      case "openmetrics" -> openMetrics.write(body, snapshots, escapingScheme);
      case "text" -> text.write(body, snapshots, escapingScheme);
      case "prometheus-protobuf" ->
          body.write(
              formats
                  .getPrometheusProtobufWriter()
                  .toDebugString(snapshots, escapingScheme)
                  .getBytes(StandardCharsets.UTF_8));
      default ->
          body.write(
              ("debug="
                      + debugParam
                      + ": Unsupported query parameter. Valid values are 'openmetrics', "
                      + "'text', and 'prometheus-protobuf'.")
                  .getBytes(StandardCharsets.UTF_8));
    }
    return true;
  }

  private boolean shouldUseCompression(PrometheusHttpRequest request) {
    if (preferUncompressedResponse) {
      return false;
    }
    Enumeration<String> encodingHeaders = request.getHeaders("Accept-Encoding");
    if (encodingHeaders == null) {
      return false;
    }
    while (encodingHeaders.hasMoreElements()) {
      for (String encoding : encodingHeaders.nextElement().split(",")) {
        if (encoding.trim().equalsIgnoreCase("gzip")) {
          return true;
        }
      }
    }
    return false;
  }
}
