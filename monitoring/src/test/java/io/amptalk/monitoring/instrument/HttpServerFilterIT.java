package io.amptalk.monitoring.instrument;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.MonitorTestHooks;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.MutableTicker;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpServerFilter} on a real JDK {@code HttpServer} with real HTTP requests, asserting the
 * exact series on the monitor's own {@code /metrics}, scraped over HTTP.
 */
class HttpServerFilterIT {
  private static final String COUNT = "http_server_request_duration_seconds_count";
  private static final String ACTIVE = "http_server_active_requests";

  private final MutableTicker ticker = new MutableTicker();
  private final HttpClient client = HttpClient.newHttpClient();
  private final ExecutorService handlers = Executors.newCachedThreadPool();
  private SystemMonitor monitor;
  private HttpServer server;

  @BeforeEach
  void start() throws IOException {
    monitor =
        MonitorTestHooks.hostProbe(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .collectInterval(Duration.ofHours(1)),
                new FakeHostProbe())
            .build();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(handlers);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    handlers.shutdownNow();
    monitor.close();
  }

  private HttpContext context(String path, HttpHandler handler, Filter filter) {
    HttpContext context = server.createContext(path, handler);
    context.getFilters().add(filter);
    return context;
  }

  private HttpServerFilter filter() {
    return HttpServerFilter.builder(monitor).ticker(ticker).build();
  }

  private static HttpHandler answer(int status) {
    return exchange -> {
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    };
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
            .build(),
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
    return body.lines().filter(line -> line.startsWith(metric + "{")).toList();
  }

  /**
   * Waits (10 s at most) until {@code metric}'s series are exactly {@code expected}, in any order:
   * a filter records after the response went out, so a client can scrape before it has.
   */
  private void series(String metric, String... expected) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(scrape(metric)).containsExactlyInAnyOrder(expected));
  }

  private static String count(String method, int status, String route, long count) {
    return COUNT
        + "{http_request_method=\""
        + method
        + "\",http_response_status_code=\""
        + status
        + "\",http_route=\""
        + route
        + "\"} "
        + count;
  }

  @Test
  void syncRequest_isRecordedUnderTheContextPath_withTheStatusSent() throws Exception {
    context("/hello", answer(200), filter());
    context("/created", answer(201), filter());

    assertThat(get("/hello").statusCode()).isEqualTo(200);
    assertThat(get("/created").statusCode()).isEqualTo(201);

    series(COUNT, count("GET", 200, "/hello", 1), count("GET", 201, "/created", 1));
  }

  @Test
  void twoIdsUnderOneContext_areOneSeries() throws Exception {
    context("/users/", answer(200), filter());

    get("/users/123");
    get("/users/456");

    series(COUNT, count("GET", 200, "/users/", 2));
  }

  @Test
  void aFloodOfDistinctUnmatchedPaths_isOneSeries() throws Exception {
    context("/", answer(404), filter());

    for (int i = 0; i < 100; i++) {
      assertThat(get("/no/such/page/" + i).statusCode()).isEqualTo(404);
    }

    series(COUNT, count("GET", 404, "/", 100));
  }

  @Test
  void duration_runsFromTheFilterToTheHandlersReturn() throws Exception {
    context(
        "/slow",
        exchange -> {
          ticker.advance(Duration.ofMillis(300));
          answer(200).handle(exchange);
        },
        filter());

    get("/slow");

    String series =
        "{http_request_method=\"GET\",http_response_status_code=\"200\",http_route=\"/slow\"";
    series(
        "http_server_request_duration_seconds_sum",
        "http_server_request_duration_seconds_sum" + series + "} 0.3");
    assertThat(scrape("http_server_request_duration_seconds_bucket"))
        .contains(
            "http_server_request_duration_seconds_bucket" + series + ",le=\"0.25\"} 0",
            "http_server_request_duration_seconds_bucket" + series + ",le=\"0.5\"} 1");
  }

  @Test
  void handlerThatThrows_isA500AndAnError_andTheServerStillGetsTheException() throws Exception {
    IllegalStateException thrown = new IllegalStateException("boom");
    AtomicReference<Throwable> seenByTheServer = new AtomicReference<>();
    HttpContext context =
        server.createContext(
            "/fail",
            exchange -> {
              throw thrown;
            });
    // Before ours in the chain, so it stands for the server: what it sees is what the server sees.
    context.getFilters().add(new Outer(seenByTheServer));
    context.getFilters().add(filter());

    // A raw request: HttpClient would send a GET again once the server drops the connection.
    try (Socket socket = rawGet("/fail")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> seenByTheServer.get() != null);
    }
    assertThat(seenByTheServer.get()).isSameAs(thrown);
    series(COUNT, count("GET", 500, "/fail", 1));
    series(
        "app_errors_total", "app_errors_total{error_type=\"java.lang.IllegalStateException\"} 1.0");
    assertThat(monitor.getRecentErrors())
        .singleElement()
        .satisfies(
            error ->
                assertThat(error.details())
                    .containsEntry("route", "/fail")
                    .containsEntry("method", "GET")
                    .containsEntry("status", "500")
                    .containsEntry("message", "boom"));
  }

  @Test
  void handlerThatReturnsWithoutAnswering_isRecordedAs500() throws Exception {
    context("/silent", exchange -> {}, filter());

    try (Socket socket =
        new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort())) {
      socket
          .getOutputStream()
          .write("GET /silent HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      await().atMost(Duration.ofSeconds(10)).until(() -> !scrape(COUNT).isEmpty());
    }

    series(COUNT, count("GET", 500, "/silent", 1));
  }

  @Test
  void responseHeadersSentTwice_isTheStatusTheClientGot_andTheRefusalIsAnError() throws Exception {
    context(
        "/twice",
        exchange -> {
          exchange.sendResponseHeaders(201, -1);
          exchange.sendResponseHeaders(500, -1); // the JDK refuses: headers already sent
        },
        filter());

    try (Socket socket = rawGet("/twice")) {
      String statusLine =
          new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertThat(statusLine).isEqualTo("HTTP/1.1 201");
    }

    series(COUNT, count("GET", 201, "/twice", 1));
    series("app_errors_total", "app_errors_total{error_type=\"java.io.IOException\"} 1.0");
  }

  @Test
  void routeLongerThanTheCap_isRecordedCutTo128Characters() throws Exception {
    String route = "/r/" + "x".repeat(300);
    context(
        "/r/",
        answer(200),
        HttpServerFilter.builder(monitor).ticker(ticker).routeResolver(exchange -> route).build());

    get("/r/1");
    get("/r/2");

    series(COUNT, count("GET", 200, route.substring(0, 128), 2));
  }

  @Test
  void clientThatDisconnectsMidResponse_isRecordedWithTheStatusSent() throws Exception {
    CountDownLatch headSent = new CountDownLatch(1);
    CountDownLatch clientGone = new CountDownLatch(1);
    AtomicReference<Throwable> seenByTheServer = new AtomicReference<>();
    HttpContext context =
        server.createContext(
            "/stream",
            exchange -> {
              exchange.sendResponseHeaders(200, 0); // chunked
              OutputStream body = exchange.getResponseBody();
              body.write("first chunk\n".getBytes(StandardCharsets.US_ASCII));
              body.flush();
              headSent.countDown();
              hold(clientGone);
              byte[] chunk = new byte[64 * 1024];
              for (int i = 0; i < 10_000; i++) { // until the write fails on the reset connection
                body.write(chunk);
                body.flush();
              }
            });
    context.getFilters().add(new Outer(seenByTheServer));
    context.getFilters().add(filter());

    try (Socket socket =
        new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort())) {
      socket
          .getOutputStream()
          .write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(headSent.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(in.read()).isEqualTo('H'); // "HTTP/1.1 200 OK" is on its way
      socket.setSoLinger(true, 0); // close with a reset, so the server's next write fails
    }
    clientGone.countDown();

    await().atMost(Duration.ofSeconds(20)).until(() -> seenByTheServer.get() != null);
    assertThat(seenByTheServer.get()).isInstanceOf(IOException.class);
    series(COUNT, count("GET", 200, "/stream", 1));
    series(
        "app_errors_total",
        "app_errors_total{error_type=\"" + seenByTheServer.get().getClass().getName() + "\"} 1.0");
  }

  @Test
  void activeRequests_countTheExchangesInTheHandler() throws Exception {
    CountDownLatch inHandler = new CountDownLatch(2);
    CountDownLatch release = new CountDownLatch(1);
    context(
        "/held",
        exchange -> {
          inHandler.countDown();
          hold(release);
          answer(200).handle(exchange);
        },
        filter());

    CompletableFuture<HttpResponse<String>> first = getAsync("/held");
    CompletableFuture<HttpResponse<String>> second = getAsync("/held");
    assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
    series(ACTIVE, ACTIVE + "{http_request_method=\"GET\",url_scheme=\"http\"} 2.0");
    assertThat(scrape(COUNT)).isEmpty();

    release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> !scrape(COUNT).isEmpty());
    series(ACTIVE, ACTIVE + "{http_request_method=\"GET\",url_scheme=\"http\"} 0.0");
    series(COUNT, count("GET", 200, "/held", 2));
  }

  @Test
  void routeResolver_namesTheRoute_andOneThatFailsFallsBackToTheContextPathAndIsCounted()
      throws Exception {
    context(
        "/items/",
        answer(200),
        HttpServerFilter.builder(monitor)
            .ticker(ticker)
            .routeResolver(
                exchange -> {
                  String path = exchange.getRequestURI().getPath();
                  if (path.endsWith("/null")) {
                    return null;
                  }
                  if (path.endsWith("/throw")) {
                    throw new IllegalArgumentException("no route for " + path);
                  }
                  return "/items/{id}";
                })
            .build());

    get("/items/1");
    get("/items/2");
    get("/items/null");
    get("/items/throw");

    series(COUNT, count("GET", 200, "/items/{id}", 2), count("GET", 200, "/items/", 2));
    assertThat(scrape("monitoring_dropped_total"))
        .contains("monitoring_dropped_total{reason=\"unresolved_route\"} 2.0");
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return client.sendAsync(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private Socket rawGet(String path) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort());
    socket
        .getOutputStream()
        .write(
            ("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    return socket;
  }

  private static void hold(CountDownLatch latch) throws IOException {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IOException("the test never released the handler");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** Stands for the server: keeps what reaches it from the chain, and passes it on. */
  private static final class Outer extends Filter {
    private final AtomicReference<Throwable> seen;

    Outer(AtomicReference<Throwable> seen) {
      this.seen = seen;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      try {
        chain.doFilter(exchange);
      } catch (IOException | RuntimeException e) {
        seen.set(e);
        throw e;
      }
    }

    @Override
    public String description() {
      return "the server, as far as the filter can tell";
    }
  }
}
