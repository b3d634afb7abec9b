package io.amptalk.monitoring.bench;

import com.codahale.metrics.MetricRegistry;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.servlet.MonitoringFilter;
import io.dropwizard.metrics.jetty12.ee10.InstrumentedEE10Handler;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.http.DefaultHttpJakartaServletRequestTagsProvider;
import io.micrometer.core.instrument.binder.http.HttpJakartaServletRequestTagsProvider;
import io.micrometer.jetty12.server.TimedHandler;
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
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.function.LongSupplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * For {@code bench/http-overhead.sh}: an embedded Jetty 12 (ee10) serving one trivial servlet,
 * {@value #PATTERN} (a 13-byte text body), on loopback, with one way of recording its requests, the
 * variant named by the first argument:
 *
 * <ul>
 *   <li>{@code none}: no instrumentation;
 *   <li>{@code amptalk}: our {@link MonitoringFilter} with a {@link SystemMonitor} (its {@code
 *       /metrics} port open, JVM metrics off as for every peer here);
 *   <li>{@code micrometer-servlet}: Micrometer's {@code http.server.requests} timer in a Servlet
 *       filter, as Spring Boot's {@code WebMvcMetricsFilter} recorded it ({@code Timer.start}, then
 *       {@code Timer.builder(...).tags(...).register(registry)} and {@code sample.stop} when the
 *       chain returns; Micrometer's own servlet tags provider for method, status and outcome, plus
 *       the mapping's pattern as {@code uri} and the exception), into a {@code
 *       PrometheusMeterRegistry};
 *   <li>{@code micrometer-jetty}: micrometer-jetty12's {@link TimedHandler} around the context,
 *       into a {@code PrometheusMeterRegistry};
 *   <li>{@code dropwizard}: metrics-jetty12-ee10's {@link InstrumentedEE10Handler}, inserted in the
 *       context as its documentation says;
 *   <li>{@code otel}: a Servlet filter built on opentelemetry-instrumentation-api's {@link
 *       Instrumenter} with {@link HttpServerAttributesExtractor} and {@link HttpServerMetrics}
 *       (what OpenTelemetry's servlet library does; that library is not served here), metrics only
 *       (a no-op tracer), into an SDK meter provider read by a {@code PrometheusMetricReader}.
 * </ul>
 *
 * <p>Prints {@code port N} once started. Then each line {@code count} on standard input is answered
 * with {@code recorded N}, the requests the variant's own metrics counted (-1 for {@code none}), so
 * the script can check that every variant recorded what {@code wrk} sent; at the end of input it
 * stops.
 */
public final class HttpOverheadServer {
  static final String PATTERN = "/items/*";
  private static final byte[] BODY = "hello, world\n".getBytes(StandardCharsets.US_ASCII);

  private HttpOverheadServer() {}

  /** The trivial endpoint: a fixed body, nothing else. */
  static final class Hello extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setContentType("text/plain");
      response.setContentLength(BODY.length);
      response.getOutputStream().write(BODY);
    }
  }

  public static void main(String[] args) throws Exception {
    String variant = args.length == 0 ? "none" : args[0];
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(new Hello()), PATTERN);
    server.setHandler(context);
    LongSupplier recorded = instrument(variant, server, context);
    server.start();

    System.out.println("port " + connector.getLocalPort());
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.trim().equals("count")) {
        System.out.println("recorded " + recorded.getAsLong());
        System.out.flush();
      }
    }
    server.stop();
    System.exit(0); // the monitor's and the registries' threads
  }

  /** Installs the variant's instrumentation; returns how to read the requests it recorded. */
  private static LongSupplier instrument(
      String variant, Server server, ServletContextHandler context) {
    switch (variant) {
      case "none":
        return () -> -1;
      case "amptalk":
        return amptalk(context);
      case "micrometer-servlet":
        return micrometerServlet(context);
      case "micrometer-jetty":
        return micrometerJetty(server, context);
      case "dropwizard":
        return dropwizard(context);
      case "otel":
        return otel(context);
      default:
        throw new IllegalArgumentException(
            "variant must be one of none, amptalk, micrometer-servlet, micrometer-jetty,"
                + " dropwizard, otel; was '"
                + variant
                + "'");
    }
  }

  private static LongSupplier amptalk(ServletContextHandler context) {
    SystemMonitor monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .build();
    // The one line of the module's documentation, in a ServletContainerInitializer.
    context.addServletContainerInitializer(
        (classes, servletContext) -> new MonitoringFilter(monitor).addTo(servletContext));
    HttpClient client = HttpClient.newHttpClient();
    URI metrics = URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics");
    return () -> {
      try {
        String body = client.send(HttpRequest.newBuilder(metrics).build(), ofString()).body();
        return sumOf(body, "http_server_request_duration_seconds_count{");
      } catch (IOException e) {
        throw new IllegalStateException("scraping " + metrics + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    };
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
  }

  /** The sum of the values of every sample line of {@code body} starting with {@code prefix}. */
  static long sumOf(String body, String prefix) {
    long sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith(prefix)) {
        sum += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  private static LongSupplier micrometerServlet(ServletContextHandler context) {
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
    addFilter(context, filter);
    return () ->
        registry.find("http.server.requests").timers().stream().mapToLong(Timer::count).sum();
  }

  private static LongSupplier micrometerJetty(Server server, ServletContextHandler context) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TimedHandler timed = new TimedHandler(registry, Tags.empty());
    timed.setHandler(context);
    server.setHandler(timed);
    return () ->
        registry.find("jetty.server.requests").timers().stream().mapToLong(Timer::count).sum();
  }

  private static LongSupplier dropwizard(ServletContextHandler context) {
    MetricRegistry registry = new MetricRegistry();
    InstrumentedEE10Handler instrumented = new InstrumentedEE10Handler(registry);
    context.insertHandler(instrumented);
    return () ->
        registry.getTimers((name, metric) -> name.endsWith(".requests")).values().stream()
            .mapToLong(com.codahale.metrics.Timer::getCount)
            .sum();
  }

  private static LongSupplier otel(ServletContextHandler context) {
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
    addFilter(context, filter);
    return () -> {
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
  }

  private static void addFilter(ServletContextHandler context, Filter filter) {
    FilterHolder holder = new FilterHolder(filter);
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
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
