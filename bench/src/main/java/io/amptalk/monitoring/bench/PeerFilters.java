package io.amptalk.monitoring.bench;

import static com.codahale.metrics.MetricRegistry.name;

import com.codahale.metrics.MetricRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.http.DefaultHttpJakartaServletRequestTagsProvider;
import io.micrometer.core.instrument.binder.http.HttpJakartaServletRequestTagsProvider;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.instrumentation.api.instrumenter.Instrumenter;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerAttributesExtractor;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerAttributesGetter;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerMetrics;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerRoute;
import io.opentelemetry.instrumentation.api.semconv.http.HttpSpanNameExtractor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.Closeable;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;
import org.eclipse.jetty.ee10.servlet.ServletHandler;

/**
 * The peers' request instrumentation as Servlet filters, each with the registry it records into:
 * built here once, for both {@code HttpOverheadServer} (on Jetty, under {@code wrk}) and {@code
 * MonitoringFilterBenchmark} (the filter alone, on {@link FilterHarness}), so the two measure the
 * same code. Ours is not here: it is {@code MonitoringFilter} itself.
 */
final class PeerFilters {
  private PeerFilters() {}

  /**
   * A filter named for messages, how many requests its registry has recorded (read from the
   * registry, as a scrape would, so a filter that stopped recording shows), and the registry to
   * close.
   */
  record RecordingFilter(String name, Filter filter, LongSupplier recorded, Closeable registry)
      implements Closeable {
    @Override
    public void close() throws IOException {
      registry.close();
    }
  }

  /**
   * Micrometer's {@code http.server.requests} timer as Spring Boot's {@code WebMvcMetricsFilter}
   * recorded it: {@code Timer.start}, then {@code Timer.builder(...).tags(...).register(registry)}
   * and {@code sample.stop} when the chain returns; Micrometer's own servlet tags provider for
   * method, status and outcome, plus the mapping's pattern as {@code uri} and the exception; into a
   * {@code PrometheusMeterRegistry}.
   */
  static RecordingFilter micrometer() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpJakartaServletRequestTagsProvider tags = new DefaultHttpJakartaServletRequestTagsProvider();
    Filter filter =
        (req, res, chain) -> {
          HttpServletRequest request = (HttpServletRequest) req;
          HttpServletResponse response = (HttpServletResponse) res;
          Timer.Sample sample = Timer.start(registry);
          Throwable failure = null;
          try {
            chain.doFilter(req, res);
          } catch (IOException | ServletException | RuntimeException e) {
            failure = e;
            throw e;
          } finally {
            String pattern = request.getHttpServletMapping().getPattern();
            sample.stop(
                Timer.builder("http.server.requests")
                    .tags(tags.getTags(request, response))
                    .tag("uri", pattern == null ? "UNKNOWN" : pattern)
                    .tag("exception", failure == null ? "none" : failure.getClass().getSimpleName())
                    .register(registry));
          }
        };
    return new RecordingFilter(
        "Micrometer's http.server.requests filter",
        filter,
        () -> registry.find("http.server.requests").timers().stream().mapToLong(Timer::count).sum(),
        registry::close);
  }

  /**
   * OpenTelemetry's HTTP server {@link Instrumenter} (opentelemetry-instrumentation-api) with
   * {@link HttpServerAttributesExtractor}, {@link HttpServerRoute} and {@link HttpServerMetrics}
   * ({@code http.server.request.duration}), what OpenTelemetry's servlet library does (that library
   * is not served here); metrics only (a no-op tracer), into the SDK's meter provider read by a
   * {@code PrometheusMetricReader}.
   */
  static RecordingFilter openTelemetry() {
    PrometheusMetricReader reader = PrometheusMetricReader.builder().build();
    SdkMeterProvider meterProvider =
        SdkMeterProvider.builder().registerMetricReader(reader).build();
    OpenTelemetry openTelemetry = new MetricsOnly(meterProvider);
    ServletAttributes getter = new ServletAttributes();
    Instrumenter<HttpServletRequest, HttpServletResponse> instrumenter =
        Instrumenter.<HttpServletRequest, HttpServletResponse>builder(
                openTelemetry, "io.amptalk.monitoring.bench", HttpSpanNameExtractor.create(getter))
            .addAttributesExtractor(HttpServerAttributesExtractor.create(getter))
            .addContextCustomizer(HttpServerRoute.create(getter))
            .addOperationMetrics(HttpServerMetrics.get())
            .buildServerInstrumenter(new RequestHeaders());
    Filter filter =
        (req, res, chain) -> {
          HttpServletRequest request = (HttpServletRequest) req;
          HttpServletResponse response = (HttpServletResponse) res;
          Context parent = Context.current();
          if (!instrumenter.shouldStart(parent, request)) {
            chain.doFilter(req, res);
            return;
          }
          Context otelContext = instrumenter.start(parent, request);
          Throwable failure = null;
          Scope scope = otelContext.makeCurrent();
          try {
            chain.doFilter(req, res);
          } catch (IOException | ServletException | RuntimeException e) {
            failure = e;
            throw e;
          } finally {
            scope.close();
            instrumenter.end(otelContext, request, response, failure);
          }
        };
    LongSupplier recorded =
        () -> {
          long count = 0;
          for (MetricSnapshot snapshot : reader.collect()) {
            if (snapshot instanceof HistogramSnapshot histogram
                && histogram
                    .getMetadata()
                    .getPrometheusName()
                    .startsWith("http_server_request_duration")) {
              for (HistogramSnapshot.HistogramDataPointSnapshot point : histogram.getDataPoints()) {
                count += point.getCount();
              }
            }
          }
          return count;
        };
    return new RecordingFilter(
        "OpenTelemetry's Instrumenter filter", filter, recorded, meterProvider);
  }

  /**
   * What Dropwizard's {@code InstrumentedEE10Handler} (metrics-jetty12-ee10 4.2.39, default {@code
   * COARSE} level) records per request, as a filter: its Jetty handler cannot run on a servlet
   * harness. See {@link DropwizardFilter}.
   */
  static RecordingFilter dropwizard() {
    MetricRegistry registry = new MetricRegistry();
    // The handler's prefix when inserted in a context: the class of the handler it wraps.
    String prefix = name(ServletHandler.class);
    // A MetricRegistry holds no thread or resource to close.
    return new RecordingFilter(
        "Dropwizard's handler as a filter",
        new DropwizardFilter(registry, prefix),
        () -> registry.timer(name(prefix, "requests")).getCount(),
        () -> {});
  }

  /** The SDK's meter provider, no tracing: every variant here records metrics only. */
  private record MetricsOnly(MeterProvider meterProvider) implements OpenTelemetry {
    @Override
    public TracerProvider getTracerProvider() {
      return TracerProvider.noop();
    }

    @Override
    public MeterProvider getMeterProvider() {
      return meterProvider;
    }

    @Override
    public ContextPropagators getPropagators() {
      return ContextPropagators.noop();
    }
  }

  /** What OpenTelemetry's HTTP semantic conventions read from a Servlet request and response. */
  private static final class ServletAttributes
      implements HttpServerAttributesGetter<HttpServletRequest, HttpServletResponse> {
    @Override
    public String getHttpRequestMethod(HttpServletRequest request) {
      return request.getMethod();
    }

    @Override
    public List<String> getHttpRequestHeader(HttpServletRequest request, String name) {
      return Collections.list(request.getHeaders(name));
    }

    @Override
    public Integer getHttpResponseStatusCode(
        HttpServletRequest request, HttpServletResponse response, Throwable error) {
      return response.getStatus();
    }

    @Override
    public List<String> getHttpResponseHeader(
        HttpServletRequest request, HttpServletResponse response, String name) {
      return List.copyOf(response.getHeaders(name));
    }

    @Override
    public String getUrlScheme(HttpServletRequest request) {
      return request.getScheme();
    }

    @Override
    public String getUrlPath(HttpServletRequest request) {
      return request.getRequestURI();
    }

    @Override
    public String getUrlQuery(HttpServletRequest request) {
      return request.getQueryString();
    }

    @Override
    public String getHttpRoute(HttpServletRequest request) {
      return request.getHttpServletMapping().getPattern();
    }

    @Override
    public String getNetworkProtocolName(HttpServletRequest request, HttpServletResponse response) {
      return "http";
    }

    @Override
    public String getNetworkProtocolVersion(
        HttpServletRequest request, HttpServletResponse response) {
      String protocol = request.getProtocol();
      return protocol.startsWith("HTTP/") ? protocol.substring("HTTP/".length()) : null;
    }
  }

  /** Incoming context propagation reads request headers (none here: the propagators are off). */
  private static final class RequestHeaders implements TextMapGetter<HttpServletRequest> {
    @Override
    public Iterable<String> keys(HttpServletRequest request) {
      return Collections.list(request.getHeaderNames());
    }

    @Override
    public String get(HttpServletRequest request, String key) {
      return request == null ? null : request.getHeader(key);
    }
  }
}
