package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.testing.FakeHostProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad input over real HTTP (issue #7): every endpoint of a {@link Monitoring} on port 0, spoken to
 * through raw sockets so that the requests can be as broken as a real client's. Each case wants a
 * clear 4xx, bounded resources, and the server still answering everyone else afterwards.
 */
class HttpAbuseIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "s3cret";

  /** Generous: a bound on a hang, never a measure of speed. */
  private static final int READ_TIMEOUT_MILLIS = 30_000;

  private Monitoring monitoring;
  private int port;
  private final List<Socket> sockets = new ArrayList<>();
  private final ExecutorService writers = Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    AlertNotifier quiet = alert -> {};
    monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .serviceName("amptalk")
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .hostProbe(new FakeHostProbe())
                    .build())
            .healthCheck(m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build())
            .alertSystem(
                m ->
                    AlertSystem.builder()
                        .meter(m.getMeter())
                        .noRateLimit()
                        .defaultNotifiers(List.of(quiet))
                        .build())
            .apiToken(TOKEN)
            .build();
    monitoring.healthCheck().registerCheck("db", () -> CheckResult.healthy("up"), "Database");
    monitoring.healthCheck().runAllChecks();
    port = monitoring.systemMonitor().getPrometheusPort();
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket socket : sockets) {
      socket.close();
    }
    writers.shutdownNow();
    monitoring.close();
  }

  // ---------------------------------------------------------------- malformed requests

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GARBAGE\r\n\r\n",
        "GET\r\n\r\n",
        "GET /health\r\n\r\n",
        "GET /%zz HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET //health HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: localhost\r\nBad Header Name: v\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: localhost\r\nno colon at all\r\n\r\n",
        "POST /alerts HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n",
        "POST /alerts HTTP/1.1\r\nHost: localhost\r\nContent-Length: lots\r\n\r\n",
        "POST /alerts HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
      })
  void malformedRequest_is400_andTheServerGoesOn(String request) throws Exception {
    Response response = exchange(request.getBytes(StandardCharsets.ISO_8859_1));

    assertThat(response.status()).as(request).isEqualTo(400);
    assertServing();
  }

  @Test
  void binaryGarbage_isRefusedOrDropped_andTheServerGoesOn() throws Exception {
    byte[] garbage = new byte[4096];
    new java.util.Random(7).nextBytes(garbage);
    garbage[garbage.length - 2] = '\r';
    garbage[garbage.length - 1] = '\n';

    Response response = exchange(garbage);

    // Random bytes may not even make a request line; what matters is no 2xx/5xx, and no hang.
    assertThat(response.status()).isIn(-1, 400);
    assertServing();
  }

  // ---------------------------------------------------------------- methods

  @ParameterizedTest
  @ValueSource(strings = {"/metrics", "/health", "/health/db", "/alerts", "/api/system", "/"})
  void unknownMethod_is405WithAllow_onEveryEndpoint(String path) throws Exception {
    for (String method : List.of("FOO", "DELETE", "PUT", "PATCH")) {
      Response response =
          exchange(
              (method
                      + " "
                      + path
                      + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));

      assertThat(response.status()).as(method + " " + path).isEqualTo(405);
      assertThat(response.headers().get("allow")).as(method + " " + path).isNotBlank();
    }
  }

  @Test
  void post_onReadOnlyEndpoints_is405() throws Exception {
    for (String path : List.of("/metrics", "/health", "/api/system", "/")) {
      Response response = exchange(post(path, "application/json", "{}"));

      assertThat(response.status()).as(path).isEqualTo(405);
    }
  }

  // ---------------------------------------------------------------- huge headers

  @Test
  void oneMegabyteHeader_isRefusedWith4xx_andTheServerGoesOn() throws Exception {
    String request =
        "GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: "
            + "a".repeat(1024 * 1024)
            + "\r\nConnection: close\r\n\r\n";

    Response response = exchangeWhileWriting(request.getBytes(StandardCharsets.ISO_8859_1));

    // Our server stops reading at its limit (380 KiB of header fields, as the JDK's was) and
    // answers 431 before closing the connection.
    assertThat(response.status()).isEqualTo(431);
    assertServing();
  }

  @Test
  void tenThousandHeaders_areRefusedWith4xx_andTheServerGoesOn() throws Exception {
    StringBuilder request = new StringBuilder("GET /health HTTP/1.1\r\nHost: localhost\r\n");
    for (int i = 0; i < 10_000; i++) {
      request.append("X-H").append(i).append(": v\r\n");
    }
    request.append("Connection: close\r\n\r\n");

    Response response =
        exchangeWhileWriting(request.toString().getBytes(StandardCharsets.ISO_8859_1));

    // As above, at sun.net.httpserver.maxReqHeaders (200).
    assertThat(response.status()).isIn(-1, 400, 431);
    assertServing();
  }

  // ---------------------------------------------------------------- POST /alerts bodies

  @Test
  void hugeDeclaredBody_is413_withoutWaitingForTheBody() throws Exception {
    // A gigabyte is announced and only the headers are sent: an answer at all proves the server
    // neither waits for nor reads the body.
    String head =
        "POST /alerts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n";

    Response response = exchange(head.getBytes(StandardCharsets.ISO_8859_1));

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.body()).isEqualTo("{\"error\":\"the body must be at most 65536 bytes\"}");
    assertThat(monitoring.alertSystem().getHistory(10, null, null)).isEmpty();
    assertServing();
  }

  @Test
  void endlessChunkedBody_is413_afterReadingAtMostTheLimit() throws Exception {
    // No Content-Length: the body streams on (ten megabytes, sent from another thread) and the
    // handler must stop at its bound.
    String head =
        "POST /alerts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.write(head.getBytes(StandardCharsets.ISO_8859_1));
    byte[] chunk = "{\"title\":\"".concat("x".repeat(8182)).getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 1280; i++) {
      request.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.UTF_8));
      request.write(chunk);
      request.write("\r\n".getBytes(StandardCharsets.UTF_8));
    }

    Response response = exchangeWhileWriting(request.toByteArray());

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.body()).isEqualTo("{\"error\":\"the body must be at most 65536 bytes\"}");
    assertServing();
  }

  @Test
  void invalidJson_is400_namingWhatIsWrong() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put(
        "{not json",
        "the body is not valid JSON: Unexpected character ('n' (code 110)): was expecting"
            + " double-quote to start field name (line 1, column 2)");
    cases.put(
        "{\"title\":\"t\"",
        "the body is not valid JSON: Unexpected end-of-input: expected close marker for Object"
            + " (start marker at line 1, column 1) (line 1, column 13)");
    cases.put("", "the body is empty; it must be a JSON object");
    cases.put("   ", "the body is empty; it must be a JSON object");
    cases.put("[1]", "the body must be a JSON object, was an array");
    cases.put("\"title\"", "the body must be a JSON object, was a string");
    cases.put(
        "{\"title\":\"t\"} {\"title\":\"u\"}",
        "the body is not valid JSON: trailing content after the object (line 1, column 15)");
    cases.put("{\"title\":5}", "title must be a string, was a number");
    cases.put("{\"title\":\"t\",\"message\":[]}", "message must be a string, was an array");
    cases.put("{\"title\":\"t\",\"source\":{}}", "source must be a string, was an object");
    cases.put("{\"title\":\"t\",\"severity\":true}", "severity must be a string, was a boolean");
    cases.put("{\"title\":\"t\",\"details\":[1]}", "details must be a JSON object, was an array");
    cases.put("{\"title\":\"  \"}", "title is required and must be a non-empty string");
    cases.put(
        "{\"title\":\"t\",\"labels\":[1]}",
        "labels must be a JSON object of strings, was an array");
    cases.put(
        "{\"title\":\"t\",\"labels\":{\"team\":1}}", "labels.team must be a string, was a number");
    cases.put(
        "{\"title\":\"t\",\"labels\":{\"9x\":\"a\"}}",
        "label name '9x' must match [a-zA-Z_][a-zA-Z0-9_]*");
    cases.put(
        "{\"title\":\"t\",\"labels\":{\"__x\":\"a\"}}",
        "label name '__x' is reserved (names starting with __ are)");
    cases.put(
        "{\"title\":\"t\",\"labels\":{\"severity\":\"low\"}}",
        "label 'severity' is built in and cannot be set");
    cases.put("{\"title\":\"t\",\"labels\":{\"team\":\"\"}}", "label 'team' has an empty value");
    cases.put(
        "{\"title\":\"t\",\"labels\":{"
            + java.util.stream.IntStream.range(0, 33)
                .mapToObj(i -> "\"l" + i + "\":\"v\"")
                .collect(java.util.stream.Collectors.joining(","))
            + "}}",
        "labels has 33 entries, more than 32");
    cases.put(
        "{\"title\":\"a\",\"title\":\"b\"}",
        "the body is not valid JSON: Duplicate field 'title' (line 1, column 21)");
    cases.put(
        "{\"title\":\"a\",\"details\":{\"k\":1,\"k\":2}}",
        "the body is not valid JSON: Duplicate field 'k' (line 1, column 34)");

    for (Map.Entry<String, String> c : cases.entrySet()) {
      Response response = exchange(post("/alerts", "application/json", c.getKey()));

      assertThat(response.status()).as(c.getKey()).isEqualTo(400);
      assertThat(JSON.readTree(response.body()).get("error").asText())
          .as(c.getKey())
          .isEqualTo(c.getValue());
    }
    assertThat(monitoring.alertSystem().getHistory(10, null, null)).isEmpty();
  }

  @Test
  void postWithLabels_is201_andTheAlertCarriesThemBesideTheBuiltInOnes() throws Exception {
    Response response =
        exchange(
            post(
                "/alerts",
                "application/json",
                "{\"title\":\"Disk full\",\"severity\":\"error\",\"source\":\"cron\","
                    + "\"labels\":{\"team\":\"db\",\"mount\":\"/var\"}}"));

    assertThat(response.status()).isEqualTo(201);
    String instance = monitoring.alertSystem().getServiceInstanceId();
    assertThat(JSON.readTree(response.body()).get("labels").toString())
        .isEqualTo(
            "{\"alertname\":\"Disk full\",\"instance\":\""
                + instance
                + "\",\"mount\":\"/var\",\"service\":\""
                + monitoring.alertSystem().getServiceName()
                + "\",\"severity\":\"error\",\"source\":\"cron\",\"team\":\"db\"}");
    assertThat(monitoring.alertSystem().getHistory(10, null, null))
        .singleElement()
        .satisfies(a -> assertThat(a.labels()).containsEntry("team", "db").hasSize(7));
  }

  @Test
  void deeplyNestedJson_is400_notAStackOverflow() throws Exception {
    String body = "{\"title\":\"t\",\"details\":{\"a\":" + "[".repeat(60_000) + "}";

    Response response = exchange(post("/alerts", "application/json", body));

    assertThat(response.status()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("error").asText())
        .startsWith(
            "the body is not valid JSON: Document nesting depth (1001) exceeds the maximum");
    assertServing();
  }

  @Test
  void invalidUtf8_is400() throws Exception {
    byte[] body = {'{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xC3, '"', '}'};
    byte[] head =
        ("POST /alerts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.write(head);
    request.write(body);

    Response response = exchange(request.toByteArray());

    assertThat(response.status()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("error").asText())
        .startsWith("the body is not valid JSON: Invalid UTF-8");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "x"})
  void wrongContentType_is415(String contentType) throws Exception {
    Response response = exchange(post("/alerts", contentType, "{\"title\":\"t\"}"));

    assertThat(response.status()).isEqualTo(415);
    assertThat(JSON.readTree(response.body()).get("error").asText())
        .isEqualTo("Content-Type must be application/json, was '" + contentType + "'");
    assertThat(monitoring.alertSystem().getHistory(10, null, null)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"application/json", "application/json; charset=utf-8", "APPLICATION/JSON"})
  void jsonContentType_withParametersOrAnyCase_isAccepted(String contentType) throws Exception {
    Response response = exchange(post("/alerts", contentType, "{\"title\":\"t\"}"));

    assertThat(response.status()).isEqualTo(201);
  }

  @Test
  void malformedQuery_is400_andTheServerGoesOn() throws Exception {
    // The server parses the request target before any handler runs, and refuses a bad escape.
    for (String query : List.of("limit=%zz", "source=%", "since=%E0%A4%A", "%=1")) {
      Response response =
          exchange(
              ("GET /alerts?"
                      + query
                      + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                      + TOKEN
                      + "\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));

      assertThat(response.status()).as(query).isEqualTo(400);
    }
    assertServing();
  }

  // ---------------------------------------------------------------- slow clients

  @Test
  void slowClients_holdingConnectionsOpen_doNotStopTheServerAnsweringOthers() throws Exception {
    // Half a request line, half the headers, or all the headers and half a body; then nothing.
    // The server reads a request on one of its connection threads, so each of these holds one.
    List<String> halves =
        List.of(
            "GET /hea",
            "GET /health HTTP/1.1\r\nHost: localhost\r\n",
            "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: text/pl",
            "POST /alerts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"tit");
    for (int i = 0; i < 12; i++) {
      Socket slow = connect();
      slow.getOutputStream().write(halves.get(i % halves.size()).getBytes(StandardCharsets.UTF_8));
      slow.getOutputStream().flush();
    }

    // Everyone else is still served, while all twelve hold (each bounded by a generous timeout).
    for (String path : List.of("/health", "/metrics", "/api/system", "/alerts")) {
      CompletableFuture<Response> normal = CompletableFuture.supplyAsync(() -> get(path), writers);
      assertThat(normal.get(READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).status())
          .as(path)
          .isEqualTo(200);
    }
  }

  // ---------------------------------------------------------------- huge bodies, slow clients

  /**
   * Generous for a request on loopback that takes a millisecond: a bound on waiting behind a held
   * thread, which took ten seconds and more before the server read heads on its selector.
   */
  private static final long PROMPTLY_MILLIS = 1_000;

  @Test
  void hugeDeclaredBodies_withoutToken_areAnsweredAndClosed_andHealthAnswersMeanwhile()
      throws Exception {
    // Twenty clients announce 10 GB each, get their refusal, and then go on uploading, slowly:
    // no thread of the server may wait for them, so /health is answered at once throughout.
    List<String> targets = List.of("/alerts", "/health", "/metrics");
    List<Integer> statuses = List.of(401, 405, 405);
    for (int i = 0; i < 20; i++) {
      Socket socket = connect();
      socket.setSoTimeout(10_000);
      String path = targets.get(i % 3);
      socket
          .getOutputStream()
          .write(
              ("POST "
                      + path
                      + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                      + "Content-Length: 10737418240\r\n\r\n{\"title\":")
                  .getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();

      Response response = Response.read(in);

      assertThat(response.status()).as(path).isEqualTo(statuses.get(i % 3));
      assertThat(response.headers()).as(path).containsEntry("connection", "close");
      assertThat(in.read()).as("the end of the answer's stream, after " + path).isEqualTo(-1);
      writers.submit(() -> trickle(socket));
    }

    for (int round = 0; round < 5; round++) {
      assertThat(promptly("/health").status()).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 200})
  void stalledHeadsAndIdleConnections_doNotDelayTheProbes(int stalled) throws Exception {
    List<String> halves =
        List.of(
            "GET /hea",
            "GET /health HTTP/1.1\r\nHost: localhost\r\n",
            "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: text/pl",
            "\r\n\r\n",
            "POST /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{",
            "POST /alerts HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + TOKEN
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"tit");
    for (int i = 0; i < 20; i++) {
      // Kept alive after one answer, then idle.
      Socket idle = connect();
      idle.getOutputStream()
          .write(
              "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      assertThat(Response.readHead(idle.getInputStream()).status()).isEqualTo(200);
    }

    for (int i = 0; i < stalled; i++) {
      Socket slow = connect();
      slow.getOutputStream().write(halves.get(i % halves.size()).getBytes(StandardCharsets.UTF_8));
      slow.getOutputStream().flush();
    }
    for (int round = 0; round < 5; round++) {
      assertThat(promptly("/health").status()).as("round " + round).isEqualTo(200);
      assertThat(promptly("/metrics").status()).as("round " + round).isEqualTo(200);
    }
  }

  // ---------------------------------------------------------------- paths

  @ParameterizedTest
  @ValueSource(strings = {"/metricsX", "/metrics/anything", "/metrics/", "/healthX", "/healthxdb"})
  void pathsBesideAnEndpoint_areOur404(String path) throws Exception {
    Response response = get(path);

    assertThat(response.status()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("Not found: " + path + "\n");
    assertThat(response.headers())
        .containsEntry("content-type", "text/plain; charset=utf-8")
        .containsEntry("cache-control", "no-store")
        .containsEntry("x-content-type-options", "nosniff");
  }

  @Test
  void doubleSlashMetrics_isOur400() throws Exception {
    Response response = get("//metrics");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body())
        .isEqualTo("Bad Request: the request target's path must not start with '//'\n");
    assertThat(response.headers())
        .containsEntry("content-type", "text/plain; charset=utf-8")
        .containsEntry("cache-control", "no-store")
        .containsEntry("x-content-type-options", "nosniff")
        .containsEntry("connection", "close");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/health/live", "/health/ready", "/health/db", "/health/", "/metrics"})
  void theEndpointsAndTheirSubPaths_areServed(String path) throws Exception {
    assertThat(get(path).status()).as(path).isEqualTo(200);
  }

  // ---------------------------------------------------------------- Host

  @ParameterizedTest
  @ValueSource(
      strings = {
        "evil.example",
        "evil.example:8000",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "[::2]",
        "0.0.0.0"
      })
  void aForeignHost_onALoopbackBoundPort_is421NamingIt(String host) throws Exception {
    for (String path : List.of("/health", "/metrics", "/alerts", "/api/system", "/")) {
      Response response = exchange(request(path, host));

      assertThat(response.status()).as(host + " " + path).isEqualTo(421);
      assertThat(response.body())
          .as(host + " " + path)
          .isEqualTo("Misdirected Request: this port does not serve the host '" + host + "'\n");
      assertThat(response.headers())
          .containsEntry("content-type", "text/plain; charset=utf-8")
          .containsEntry("cache-control", "no-store");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost:8000", "app.localhost", "127.1.2.3", "[::1]:8000"})
  void aLoopbackHost_isServed(String host) throws Exception {
    assertThat(exchange(request("/health", host)).status()).as(host).isEqualTo(200);
  }

  @Test
  void allowedHosts_areAnsweredBesideLoopback_othersStill421() throws Exception {
    try (SystemMonitor monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .hostProbe(new FakeHostProbe())
            .allowedHosts(List.of("monitor.internal", "*.example.com"))
            .build()) {
      port = monitor.getPrometheusPort();

      assertThat(exchange(request("/metrics", "monitor.internal:8000")).status()).isEqualTo(200);
      assertThat(exchange(request("/metrics", "a.example.com")).status()).isEqualTo(200);
      assertThat(exchange(request("/metrics", "localhost")).status()).isEqualTo(200);
      assertThat(exchange(request("/metrics", "evil.example")).status()).isEqualTo(421);
    }
  }

  /** Sends a body slowly, a kilobyte every 0.2 s, until the server closes the connection. */
  private static void trickle(Socket socket) {
    byte[] kilobyte = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);
    try {
      while (true) {
        socket.getOutputStream().write(kilobyte);
        socket.getOutputStream().flush();
        Thread.sleep(200);
      }
    } catch (IOException | InterruptedException closed) {
      // Closed by the server (or the test ended): the upload stops.
    }
  }

  /** GET on a fresh connection, answered within {@link #PROMPTLY_MILLIS}. */
  private Response promptly(String path) throws Exception {
    return CompletableFuture.supplyAsync(() -> get(path), writers)
        .get(PROMPTLY_MILLIS, TimeUnit.MILLISECONDS);
  }

  private static byte[] request(String path, String host) {
    return ("GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + "\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  // ---------------------------------------------------------------- helpers

  private void assertServing() {
    assertThat(get("/health").status()).isEqualTo(200);
  }

  private Response get(String path) {
    try {
      return exchange(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                  + TOKEN
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static byte[] post(String path, String contentType, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return ("POST "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + TOKEN
            + "\r\nContent-Type: "
            + contentType
            + "\r\nContent-Length: "
            + bytes.length
            + "\r\nConnection: close\r\n\r\n"
            + body)
        .getBytes(StandardCharsets.UTF_8);
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return socket;
  }

  /** Sends the request whole, then reads one response. */
  private Response exchange(byte[] request) throws IOException {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      return Response.read(socket.getInputStream());
    }
  }

  /**
   * Sends the request from another thread while reading the response: the server may answer (and
   * close) long before a large request is all written, and the writer then fails, as it should.
   */
  private Response exchangeWhileWriting(byte[] request) throws IOException {
    try (Socket socket = connect()) {
      writers.submit(
          () -> {
            try {
              OutputStream out = socket.getOutputStream();
              for (int i = 0; i < request.length; i += 8192) {
                out.write(request, i, Math.min(8192, request.length - i));
              }
              out.flush();
            } catch (IOException expected) {
              // The server answered and closed before reading everything: that is the point.
            }
          });
      return Response.read(socket.getInputStream());
    }
  }

  /** A parsed HTTP/1.1 response; status -1 when the connection closed without one. */
  record Response(int status, Map<String, String> headers, String body) {
    /** The status line and headers only, leaving the body (and the connection) to the caller. */
    static Response readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int last4 = 0;
      int b;
      while (last4 != 0x0D0A0D0A && (b = in.read()) >= 0) {
        head.write(b);
        last4 = last4 << 8 | b;
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      return new Response(Integer.parseInt(text.substring(9, 12)), Map.of(), "");
    }

    static Response read(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int previous3 = 0;
      try {
        while (true) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          head.write(b);
          previous3 = (previous3 << 8 | b) & 0xFFFFFFFF;
          if (previous3 == 0x0D0A0D0A) {
            break;
          }
        }
      } catch (java.net.SocketException reset) {
        // A connection reset with no answer: reported as no status.
      }
      String text = head.toString(StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.1 ")) {
        return new Response(-1, Map.of(), text);
      }
      String[] lines = text.split("\r\n");
      int status = Integer.parseInt(lines[0].substring(9, 12));
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.put(
              lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
              lines[i].substring(colon + 1).trim());
        }
      }
      String length = headers.get("content-length");
      byte[] body =
          length != null
              ? in.readNBytes(Integer.parseInt(length))
              : "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))
                  ? readChunked(in)
                  : in.readAllBytes();
      return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] readChunked(InputStream in) throws IOException {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      while (true) {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
          if (b != '\r') {
            line.append((char) b);
          }
        }
        int size = Integer.parseInt(line.toString().split(";")[0].trim(), 16);
        if (size == 0) {
          in.readNBytes(2);
          return body.toByteArray();
        }
        body.write(in.readNBytes(size));
        in.readNBytes(2);
      }
    }
  }
}
