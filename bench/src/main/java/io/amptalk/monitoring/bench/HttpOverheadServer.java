package io.amptalk.monitoring.bench;

import com.codahale.metrics.MetricRegistry;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.servlet.MonitoringFilter;
import io.dropwizard.metrics.jetty12.ee10.InstrumentedEE10Handler;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.jetty12.server.TimedHandler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.DispatcherType;
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
import java.util.EnumSet;
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
 *       filter, as Spring Boot's {@code WebMvcMetricsFilter} recorded it ({@link
 *       PeerFilters#micrometer()}), into a {@code PrometheusMeterRegistry};
 *   <li>{@code micrometer-jetty}: micrometer-jetty12's {@link TimedHandler} around the context,
 *       into a {@code PrometheusMeterRegistry};
 *   <li>{@code dropwizard}: metrics-jetty12-ee10's {@link InstrumentedEE10Handler}, inserted in the
 *       context as its documentation says;
 *   <li>{@code otel}: a Servlet filter built on opentelemetry-instrumentation-api's {@code
 *       Instrumenter} ({@link PeerFilters#openTelemetry()}), metrics only, into an SDK meter
 *       provider read by a {@code PrometheusMetricReader}.
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
        return addFilter(context, PeerFilters.micrometer());
      case "micrometer-jetty":
        return micrometerJetty(server, context);
      case "dropwizard":
        return dropwizard(context);
      case "otel":
        return addFilter(context, PeerFilters.openTelemetry());
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

  /** Adds the filter to the context; returns how to read what it recorded. */
  private static LongSupplier addFilter(
      ServletContextHandler context, PeerFilters.RecordingFilter recording) {
    FilterHolder holder = new FilterHolder(recording.filter());
    holder.setAsyncSupported(true);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    return recording.recorded();
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
}
