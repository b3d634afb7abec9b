package io.amptalk.monitoring.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.servlet.ServletContainers.Container;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scenarios every Servlet container must pass with {@link MonitoringFilter}, written once and
 * run on each real container started in-process ({@link JettyMonitoringFilterIT}, {@link
 * TomcatMonitoringFilterIT}), with real HTTP requests and the exact series asserted on the
 * monitor's own {@code /metrics}, scraped over HTTP.
 */
abstract class MonitoringFilterContract {
  private static final String COUNT = "http_server_request_duration_seconds_count";
  private static final String SUM = "http_server_request_duration_seconds_sum";
  private static final String BUCKET = "http_server_request_duration_seconds_bucket";
  private static final String ACTIVE = "http_server_active_requests";
  private static final String ERRORS = "app_errors_total";

  /**
   * Starts the container with {@code servlets} (URL pattern to servlet, each async-capable) in the
   * root context, set up by {@code initializer} as a {@code ServletContainerInitializer}.
   */
  protected abstract Container start(
      Map<String, HttpServlet> servlets, ServletContainerInitializer initializer) throws Exception;

  private final Ticker ticker = new Ticker();
  private final HttpClient client = HttpClient.newHttpClient();
  private final CountDownLatch asyncStarted = new CountDownLatch(1);
  private final CountDownLatch releaseAsync = new CountDownLatch(1);
  private final CountDownLatch dispatchReturned = new CountDownLatch(1);
  private final CountDownLatch streamCommitted = new CountDownLatch(1);
  private final CountDownLatch clientGone = new CountDownLatch(1);
  private final AtomicReference<IOException> streamFailure = new AtomicReference<>();
  private SystemMonitor monitor;
  private Container container;

  @BeforeEach
  void startMonitor() {
    monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .collectInterval(Duration.ofHours(1))
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    releaseAsync.countDown();
    clientGone.countDown();
    if (container != null) {
      container.close();
    }
    monitor.close();
  }

  /** The application of every scenario, with the filter registered by {@code addTo}. */
  private void startApplication(MonitoringFilter filter) throws Exception {
    container = start(servlets(), (classes, context) -> filter.addTo(context));
  }

  private Map<String, HttpServlet> servlets() {
    Map<String, HttpServlet> servlets = new LinkedHashMap<>();
    servlets.put("/hello", answering(200));
    servlets.put("/users/*", answering(200));
    servlets.put("/fail", new Failing());
    servlets.put("/async/*", new Async());
    servlets.put("/stream", new Stream());
    servlets.put("/silent", new Silent());
    servlets.put("/twice", new Twice());
    servlets.put("/", answering(404)); // the default servlet: every path nothing else maps
    return servlets;
  }

  private MonitoringFilter filter() {
    return MonitoringFilter.builder(monitor).ticker(ticker).build();
  }

  @Test
  void syncRequest_isRecordedUnderItsExactMapping() throws Exception {
    startApplication(filter());

    assertThat(get("/hello").statusCode()).isEqualTo(200);

    series(COUNT, count(200, "/hello", 1));
    series(ACTIVE, ACTIVE + "{http_request_method=\"GET\",url_scheme=\"http\"} 0.0");
  }

  @Test
  void twoIdsUnderAPathMapping_areOneSeriesOfThePattern() throws Exception {
    startApplication(filter());

    get("/users/123");
    get("/users/456");

    series(COUNT, count(200, "/users/*", 2));
  }

  @Test
  void aFloodOfDistinctUnmatchedPaths_isOneSeriesOfTheDefaultServlet() throws Exception {
    startApplication(filter());

    for (int i = 0; i < 100; i++) {
      assertThat(get("/no/such/page/" + i).statusCode()).isEqualTo(404);
    }

    series(COUNT, count(404, "/", 100));
  }

  @Test
  void servletThatThrows_isA500AndAnErrorOfItsType() throws Exception {
    startApplication(filter());

    assertThat(get("/fail").statusCode()).isEqualTo(500);

    series(COUNT, count(500, "/fail", 1));
    series(ERRORS, ERRORS + "{error_type=\"java.lang.IllegalStateException\"} 1.0");
    assertThat(monitor.getRecentErrors())
        .singleElement()
        .satisfies(
            error ->
                assertThat(error.details())
                    .containsEntry("route", "/fail")
                    .containsEntry("status", "500")
                    .containsEntry("message", "boom"));
  }

  @Test
  void asyncRequest_isRecordedOnlyWhenItCompletes_withItsWholeDuration() throws Exception {
    MonitoringFilter monitoring = filter();
    // Wraps ours, so that its count-down says our filter's dispatch has returned.
    container =
        start(
            servlets(),
            (classes, context) -> {
              FilterRegistration.Dynamic outer =
                  context.addFilter("outer", new Outer(monitoring, dispatchReturned));
              outer.setAsyncSupported(true);
              outer.addMappingForUrlPatterns(null, false, "/*");
            });

    CompletableFuture<HttpResponse<String>> response = getAsync("/async/1");
    assertThat(asyncStarted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(dispatchReturned.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(scrape(COUNT)).isEmpty();
    series(ACTIVE, ACTIVE + "{http_request_method=\"GET\",url_scheme=\"http\"} 1.0");

    ticker.advance(Duration.ofSeconds(3));
    releaseAsync.countDown();
    assertThat(response.get(10, TimeUnit.SECONDS).body()).isEqualTo("done");

    series(COUNT, count(200, "/async/*", 1));
    String series =
        "{http_request_method=\"GET\",http_response_status_code=\"200\",http_route=\"/async/*\"";
    series(SUM, SUM + series + "} 3.0");
    assertThat(scrape(BUCKET))
        .contains(BUCKET + series + ",le=\"2.5\"} 0", BUCKET + series + ",le=\"5.0\"} 1");
    series(ACTIVE, ACTIVE + "{http_request_method=\"GET\",url_scheme=\"http\"} 0.0");
  }

  @Test
  void clientThatDisconnectsMidResponse_isRecordedWithTheStatusSent() throws Exception {
    startApplication(filter());

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), container.port())) {
      socket
          .getOutputStream()
          .write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(streamCommitted.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(in.read()).isEqualTo('H'); // "HTTP/1.1 200" is on its way
      socket.setSoLinger(true, 0); // close with a reset, so the servlet's next writes fail
    }
    clientGone.countDown();

    series(COUNT, count(200, "/stream", 1));
    assertThat(streamFailure.get()).isNotNull();
    series(
        ERRORS, ERRORS + "{error_type=\"" + streamFailure.get().getClass().getName() + "\"} 1.0");
  }

  @Test
  void routeResolver_namesRoutes_andOneThatFailsFallsBackToThePatternAndIsCounted()
      throws Exception {
    startApplication(
        MonitoringFilter.builder(monitor)
            .ticker(ticker)
            .routeResolver(
                request -> {
                  String path = request.getRequestURI();
                  if (path.endsWith("/null")) {
                    return null;
                  }
                  if (path.endsWith("/throw")) {
                    throw new IllegalArgumentException("no route for " + path);
                  }
                  return "/users/{id}";
                })
            .build());

    get("/users/1");
    get("/users/2");
    get("/users/null");
    get("/users/throw");

    series(COUNT, count(200, "/users/{id}", 2), count(200, "/users/*", 2));
    series(
        "monitoring_dropped_total{reason=\"unresolved_route\"",
        "monitoring_dropped_total{reason=\"unresolved_route\"} 2.0");
  }

  @Test
  void statusNeverSet_isRecordedAsThe200TheContainerSent() throws Exception {
    startApplication(filter());

    HttpResponse<String> response = get("/silent");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("quiet");
    series(COUNT, count(200, "/silent", 1));
  }

  @Test
  void errorSentAfterTheResponseWasCommitted_isRecordedWithTheStatusTheClientGot()
      throws Exception {
    startApplication(filter());

    HttpResponse<String> response = get("/twice");

    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).isEqualTo("ok");
    series(COUNT, count(201, "/twice", 1));
    series(ERRORS, ERRORS + "{error_type=\"java.lang.IllegalStateException\"} 1.0");
  }

  // --- HTTP

  private HttpResponse<String> get(String path) throws Exception {
    return getAsync(path).get(10, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + container.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private List<String> scrape(String metric) throws Exception {
    String body =
        client
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    String prefix = metric.contains("{") ? metric : metric + "{";
    return body.lines().filter(line -> line.startsWith(prefix)).toList();
  }

  /**
   * Waits (10 s at most) until {@code metric}'s series are exactly {@code expected}, in any order:
   * the filter records after the response went out, so a client can scrape before it has.
   */
  private void series(String metric, String... expected) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(scrape(metric)).containsExactlyInAnyOrder(expected));
  }

  private static String count(int status, String route, long count) {
    return COUNT
        + "{http_request_method=\"GET\",http_response_status_code=\""
        + status
        + "\",http_route=\""
        + route
        + "\"} "
        + count;
  }

  // --- the application

  private static HttpServlet answering(int status) {
    return new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void doGet(HttpServletRequest request, HttpServletResponse response)
          throws IOException {
        if (status >= 400) {
          response.sendError(status);
        } else {
          response.setStatus(status);
          response.getWriter().write("ok");
        }
      }
    };
  }

  private static final class Failing extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      throw new IllegalStateException("boom");
    }
  }

  /** Writes a body without ever setting a status. */
  private static final class Silent extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.getWriter().write("quiet");
    }
  }

  /**
   * Answers 201 whole, then tries to send a 500 too: the container refuses the second with an
   * {@code IllegalStateException}, which leaves the servlet.
   */
  private static final class Twice extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setStatus(201);
      response.setContentLength(2);
      response.getWriter().write("ok");
      response.flushBuffer();
      response.sendError(500);
    }
  }

  /** Goes async and completes on its own thread once the test releases it. */
  private final class Async extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext async = request.startAsync();
      async.setTimeout(30_000);
      asyncStarted.countDown();
      async.start(
          () -> {
            try {
              if (releaseAsync.await(20, TimeUnit.SECONDS)) {
                response.setStatus(200);
                response.getWriter().write("done");
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              async.complete();
            }
          });
    }
  }

  /** Commits a 200, then writes until the client's reset makes a write fail, and rethrows. */
  private final class Stream extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.setStatus(200);
      ServletOutputStream out = response.getOutputStream();
      out.write("first chunk\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      streamCommitted.countDown();
      try {
        if (!clientGone.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never closed the connection");
        }
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 10_000; i++) {
          out.write(chunk);
          out.flush();
        }
      } catch (IOException e) {
        streamFailure.set(e);
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Runs our filter inside itself, and counts down once our filter's dispatch returned. */
  private static final class Outer implements Filter {
    private final MonitoringFilter monitoring;
    private final CountDownLatch returned;

    Outer(MonitoringFilter monitoring, CountDownLatch returned) {
      this.monitoring = monitoring;
      this.returned = returned;
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
      monitoring.init(config);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      monitoring.doFilter(request, response, chain);
      returned.countDown();
    }
  }

  /** A nanosecond ticker the test moves by hand. */
  static final class Ticker implements LongSupplier {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    void advance(Duration duration) {
      nanos.addAndGet(duration.toNanos());
    }

    @Override
    public long getAsLong() {
      return nanos.get();
    }
  }
}
