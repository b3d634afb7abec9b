package io.amptalk.monitoring.alert.notify;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.alert.store.AlertStore;
import io.amptalk.monitoring.internal.alert.AlertJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link WebhookNotifier} against a real JDK HttpServer on 127.0.0.1, one per test. */
class WebhookNotifierIT {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(START, ZoneOffset.UTC);
  private static final String SECRET = "s3cr3t-shared-key";
  private static final String TOKEN = "Bearer tok-9f8e7d";

  // The exact values of SECURITY.md's recipe: printf '%s' '1767225600.{"a":1}' | openssl dgst
  // -sha256 -hmac 's3cr3t-shared-key' gives ad9ec4d6…8b57.
  private static final String BODY = "{\"a\":1}";
  private static final String SIGNED_AT = "1767225600"; // 2026-01-01T00:00:00Z
  private static final String SIGNATURE =
      "sha256=ad9ec4d60426b05d651f5749a6ee092f694cf941710f319afc47042bba528b57";
  private static final Duration TOLERANCE = Duration.ofMinutes(5);

  /** One request as the receiver saw it. */
  private record Received(String method, URI uri, Headers headers, String body) {}

  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private ExecutorService executor;
  private HttpServer server;
  private volatile int status = 200;
  private volatile Map<String, String> responseHeaders = Map.of();
  private volatile boolean hang;

  @BeforeEach
  void startReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // Threads of its own, so a handler that hangs never blocks the next request.
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  @AfterEach
  void stopReceiver() {
    release.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
      received.add(
          new Received(
              exchange.getRequestMethod(),
              exchange.getRequestURI(),
              exchange.getRequestHeaders(),
              body));
      if (hang) {
        release.await(30, TimeUnit.SECONDS);
      }
      responseHeaders.forEach(exchange.getResponseHeaders()::add);
      exchange.sendResponseHeaders(status, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private WebhookNotifier.Builder webhook() {
    return WebhookNotifier.builder().webhookUrl(url("/hooks/alerts")).clock(CLOCK);
  }

  private Received receivedOne() throws InterruptedException {
    Received request = received.poll(5, TimeUnit.SECONDS);
    assertThat(request).as("a request reached the receiver").isNotNull();
    return request;
  }

  static Alert alert(Alert.State state, Map<String, Object> details) {
    return new Alert(
        "7d3c5a4e-0000-4000-8000-000000000001",
        "High CPU Usage",
        "CPU usage has exceeded 80%",
        AlertSeverity.WARNING,
        "system_monitor",
        "amptalk",
        START,
        details,
        "5f1e2d3c4b5a6978",
        state,
        1,
        state == Alert.State.FIRING ? START : START.plusSeconds(90),
        false,
        List.of());
  }

  static Map<String, Object> cpuDetails() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("cpu_usage", 83.5);
    details.put("host", "web-1");
    return details;
  }

  private static final Alert FIRING = alert(Alert.State.FIRING, cpuDetails());

  // ---------------------------------------------------------------- body and headers

  @Test
  void send_jsonFormat_postsTheAlertJsonExactly() throws Exception {
    webhook().build().send(FIRING);

    Received request = receivedOne();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.uri().getPath()).isEqualTo("/hooks/alerts");
    assertThat(request.body())
        .isEqualTo(AlertJson.toJson(FIRING))
        .isEqualTo(
            "{\"id\":\"7d3c5a4e-0000-4000-8000-000000000001\",\"title\":\"High CPU Usage\","
                + "\"message\":\"CPU usage has exceeded 80%\",\"severity\":\"warning\","
                + "\"source\":\"system_monitor\",\"service\":\"amptalk\","
                + "\"time\":\"2026-01-01T00:00:00Z\","
                + "\"details\":{\"cpu_usage\":83.5,\"host\":\"web-1\"},"
                + "\"labels\":{\"alertname\":\"High CPU Usage\",\"service\":\"amptalk\","
                + "\"severity\":\"warning\",\"source\":\"system_monitor\"},"
                + "\"fingerprint\":\"5f1e2d3c4b5a6978\",\"state\":\"firing\",\"occurrences\":1,"
                + "\"last_seen\":\"2026-01-01T00:00:00Z\",\"silenced\":false,\"inhibited\":false,\"notes\":[]}");
    JsonNode json = AlertJson.MAPPER.readTree(request.body());
    assertThat(json.get("title").asText()).isEqualTo("High CPU Usage");
    assertThat(json.get("severity").asText()).isEqualTo("warning");
    assertThat(json.get("details").get("cpu_usage").asDouble()).isEqualTo(83.5);
    assertThat(json.get("details").get("host").asText()).isEqualTo("web-1");
    assertThat(json.get("state").asText()).isEqualTo("firing");
  }

  @Test
  void send_always_setsContentTypeUserAgentIdempotencyKeyAndConfiguredHeaders() throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Authorization", TOKEN);
    headers.put("X-Team", "platform");
    WebhookNotifier notifier =
        webhook().name("ops-hook").webhookUrl(url("/hook?channel=ops")).headers(headers).build();

    notifier.send(FIRING);

    Received request = receivedOne();
    assertThat(request.uri().toString()).isEqualTo("/hook?channel=ops");
    assertThat(request.headers().get("Content-Type")).containsExactly("application/json");
    assertThat(request.headers().get("User-Agent")).containsExactly("amptalk-monitoring");
    assertThat(request.headers().get("Idempotency-Key"))
        .containsExactly("7d3c5a4e-0000-4000-8000-000000000001/ops-hook/firing/1")
        .containsExactly(AlertStore.Delivery.of("ops-hook", FIRING).key());
    assertThat(request.headers().get("Authorization")).containsExactly(TOKEN);
    assertThat(request.headers().get("X-Team")).containsExactly("platform");
    assertThat(request.headers().containsKey("X-Amptalk-Signature")).isFalse();
    assertThat(request.headers().containsKey("X-Amptalk-Timestamp")).isFalse();
  }

  @Test
  void send_resolvedAlert_keysTheResolutionApart() throws Exception {
    Alert resolved = alert(Alert.State.RESOLVED, cpuDetails());

    webhook().build().send(resolved);

    Received request = receivedOne();
    assertThat(request.headers().getFirst("Idempotency-Key"))
        .isEqualTo("7d3c5a4e-0000-4000-8000-000000000001/webhook/resolved/1");
    assertThat(AlertJson.MAPPER.readTree(request.body()).get("state").asText())
        .isEqualTo("resolved");
  }

  // ---------------------------------------------------------------- signature

  @Test
  void send_withSecret_signsTimestampDotBodyWithHmacSha256() throws Exception {
    webhook().secret(SECRET).build().send(FIRING);

    Received request = receivedOne();
    String timestamp = request.headers().getFirst("X-Amptalk-Timestamp");
    String signature = request.headers().getFirst("X-Amptalk-Signature");
    assertThat(timestamp).isEqualTo("1767225600").isEqualTo(Long.toString(START.getEpochSecond()));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA256"));
    String expected =
        "sha256="
            + HexFormat.of()
                .formatHex(mac.doFinal((timestamp + "." + request.body()).getBytes(UTF_8)));
    assertThat(signature).isEqualTo(expected).matches("sha256=[0-9a-f]{64}");
    assertThat(verify(SECRET, timestamp, request.body(), signature, START)).isTrue();
    assertThat(verify(SECRET, timestamp, request.body().replace("83.5", "13.5"), signature, START))
        .isFalse();
    assertThat(verify(SECRET, "1767225601", request.body(), signature, START)).isFalse();
  }

  private static boolean verify(
      String secret, String timestamp, String body, String signature, Instant now) {
    return WebhookNotifier.verifySignature(secret, timestamp, body, signature, TOLERANCE, now);
  }

  @Test
  void verifySignature_theRecipesValues_areGenuine() {
    assertThat("sha256=" + hmacHex(SECRET, SIGNED_AT + "." + BODY)).isEqualTo(SIGNATURE);
    assertThat(verify(SECRET, SIGNED_AT, BODY, SIGNATURE, START)).isTrue();
  }

  @Test
  void verifySignature_timestampWithinTheTolerance_isTrueUpToItsEdgesEitherWay() {
    assertThat(verify(SECRET, SIGNED_AT, BODY, SIGNATURE, START.plusSeconds(300))).isTrue();
    assertThat(verify(SECRET, SIGNED_AT, BODY, SIGNATURE, START.minusSeconds(300))).isTrue();
    assertThat(verify(SECRET, SIGNED_AT, BODY, SIGNATURE, START.plusSeconds(299))).isTrue();
  }

  @Test
  void verifySignature_replayedAfterTheTolerance_isFalse() {
    // A captured request, genuine in every byte, played again 5 min 1 s later.
    assertThat(verify(SECRET, SIGNED_AT, BODY, SIGNATURE, START.plusSeconds(301))).isFalse();
    assertThat(verify(SECRET, SIGNED_AT, BODY, SIGNATURE, START.plus(Duration.ofDays(30))))
        .isFalse();
  }

  @Test
  void verifySignature_timestampTooFarAhead_isFalse() {
    assertThat(verify(SECRET, SIGNED_AT, BODY, SIGNATURE, START.minusSeconds(301))).isFalse();
  }

  @Test
  void verifySignature_zeroTolerance_acceptsTheSameSecondOnly() {
    assertThat(
            WebhookNotifier.verifySignature(
                SECRET, SIGNED_AT, BODY, SIGNATURE, Duration.ZERO, START))
        .isTrue();
    assertThat(
            WebhookNotifier.verifySignature(
                SECRET, SIGNED_AT, BODY, SIGNATURE, Duration.ZERO, START.plusSeconds(1)))
        .isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-1767225600", "1767225600.0", " 1767225600", "1767225600 ", "abc"})
  void verifySignature_timestampNotEpochSeconds_isFalse(String timestamp) {
    assertThat(verify(SECRET, timestamp, BODY, SIGNATURE, START)).isFalse();
  }

  @Test
  void verifySignature_badToleranceOrNoClock_isTheCallersMistake() {
    assertThatThrownBy(
            () ->
                WebhookNotifier.verifySignature(
                    SECRET, SIGNED_AT, BODY, SIGNATURE, Duration.ofSeconds(-1), START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tolerance must be zero or positive, was PT-1S");
    assertThatThrownBy(
            () -> WebhookNotifier.verifySignature(SECRET, SIGNED_AT, BODY, SIGNATURE, null, START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tolerance must be zero or positive, was null");
    assertThatThrownBy(
            () ->
                WebhookNotifier.verifySignature(
                    SECRET, SIGNED_AT, BODY, SIGNATURE, TOLERANCE, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("now must not be null");
  }

  @Test
  void verifySignature_wrongSecretOrMalformedInput_isFalse() {
    String good = SIGNATURE;
    String ts = SIGNED_AT;

    assertThat(verify(SECRET, ts, BODY, good, START)).isTrue();
    assertThat(verify(SECRET, ts, BODY, good.toUpperCase(), START)).isFalse();
    assertThat(verify(SECRET, ts, BODY, "sha256=" + good.substring(7).toUpperCase(), START))
        .isTrue();
    assertThat(verify("other", ts, BODY, good, START)).isFalse();
    assertThat(verify(SECRET, ts, BODY, good.substring(7), START)).isFalse();
    assertThat(verify(SECRET, ts, BODY, "sha256=zz", START)).isFalse();
    assertThat(verify(SECRET, ts, BODY, "sha256=", START)).isFalse();
    assertThat(verify(SECRET, ts, BODY, null, START)).isFalse();
    assertThat(verify(SECRET, null, BODY, good, START)).isFalse();
    assertThat(verify(SECRET, ts, null, good, START)).isFalse();
    assertThat(verify(null, ts, BODY, good, START)).isFalse();
    assertThat(verify("", ts, BODY, good, START)).isFalse();
  }

  private static String hmacHex(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(UTF_8)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // ---------------------------------------------------------------- Slack

  @Test
  void send_slackFormat_postsTextAndOneAttachmentWithFields() throws Exception {
    webhook().format(WebhookNotifier.Format.SLACK).build().send(FIRING);

    assertThat(receivedOne().body())
        .isEqualTo(
            "{\"text\":\":warning: [WARNING] High CPU Usage: CPU usage has exceeded 80%\","
                + "\"attachments\":[{\"color\":\"#DAA038\",\"fields\":["
                + "{\"title\":\"Source\",\"value\":\"system_monitor\",\"short\":true},"
                + "{\"title\":\"Service\",\"value\":\"amptalk\",\"short\":true},"
                + "{\"title\":\"Time\",\"value\":\"2026-01-01T00:00:00Z\",\"short\":true},"
                + "{\"title\":\"Details\",\"value\":\"{\\\"cpu_usage\\\":83.5,"
                + "\\\"host\\\":\\\"web-1\\\"}\",\"short\":false}]}]}");
  }

  @Test
  void send_slackFormatResolvedRepeatedAlert_saysResolvedWithWhenAndHowOften() throws Exception {
    Alert resolved =
        new Alert(
            "id-2",
            "Database Connection Failed",
            "Failed to connect to the database",
            AlertSeverity.CRITICAL,
            "database",
            "amptalk",
            START,
            Map.of(),
            "fp",
            Alert.State.RESOLVED,
            3,
            START.plusSeconds(90),
            false,
            List.of());

    webhook().format(WebhookNotifier.Format.SLACK).build().send(resolved);

    assertThat(receivedOne().body())
        .isEqualTo(
            "{\"text\":\":white_check_mark: [RESOLVED] Database Connection Failed: Failed to"
                + " connect to the database\",\"attachments\":[{\"color\":\"#2EB886\",\"fields\":["
                + "{\"title\":\"Source\",\"value\":\"database\",\"short\":true},"
                + "{\"title\":\"Service\",\"value\":\"amptalk\",\"short\":true},"
                + "{\"title\":\"Time\",\"value\":\"2026-01-01T00:00:00Z\",\"short\":true},"
                + "{\"title\":\"Resolved\",\"value\":\"2026-01-01T00:01:30Z\",\"short\":true},"
                + "{\"title\":\"Occurrences\",\"value\":\"3\",\"short\":true}]}]}");
  }

  @Test
  void send_slackFormat_escapesSlackMarkupSoAlertsCannotMentionChannels() throws Exception {
    Alert alert =
        new Alert(
            "id-3",
            "Disk <full> & slow",
            "<!channel> look",
            AlertSeverity.CRITICAL,
            "disk",
            "amptalk",
            START,
            Map.of("path", "<tmp>"),
            "fp",
            Alert.State.FIRING,
            1,
            START,
            false,
            List.of());

    webhook().format(WebhookNotifier.Format.SLACK).build().send(alert);

    JsonNode json = AlertJson.MAPPER.readTree(receivedOne().body());
    assertThat(json.get("text").asText())
        .isEqualTo(
            ":rotating_light: [CRITICAL] Disk &lt;full&gt; &amp; slow: &lt;!channel&gt; look");
    assertThat(json.get("attachments").get(0).get("color").asText()).isEqualTo("#A30200");
    assertThat(json.get("attachments").get(0).get("fields").get(3).get("value").asText())
        .isEqualTo("{\"path\":\"&lt;tmp&gt;\"}");
  }

  // ---------------------------------------------------------------- outcomes

  @ParameterizedTest
  @ValueSource(ints = {200, 201, 202, 204})
  void send_answer2xx_isDelivered(int answer) throws Exception {
    status = answer;

    webhook().build().send(FIRING);

    assertThat(receivedOne().body()).isEqualTo(AlertJson.toJson(FIRING));
  }

  @Test
  void send_answer500_isRetryableWithoutDelay() {
    status = 500;

    DeliveryException e = failure(webhook().build());

    assertThat(e).hasMessage("webhook answered 500");
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.retryAfter()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 502, 504, 599})
  void send_answer408Or5xx_isRetryable(int answer) {
    status = answer;

    DeliveryException e = failure(webhook().build());

    assertThat(e).hasMessage("webhook answered " + answer);
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void send_answer429WithRetryAfterSeconds_isRetriedAfterThem() {
    status = 429;
    responseHeaders = Map.of("Retry-After", "7");

    DeliveryException e = failure(webhook().build());

    assertThat(e).hasMessage("webhook answered 429");
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
  }

  @Test
  void send_answer503WithRetryAfterDate_isRetriedAtThatDateByTheClock() {
    status = 503;
    String date =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(START.plusSeconds(30).atZone(ZoneOffset.UTC));
    assertThat(date).isEqualTo("Thu, 1 Jan 2026 00:00:30 GMT");
    responseHeaders = Map.of("Retry-After", date);

    DeliveryException e = failure(webhook().build());

    assertThat(e).hasMessage("webhook answered 503");
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
  }

  @Test
  void send_answer503WithRetryAfterTwoDigitDay_isRetriedAtThatDate() {
    status = 503;
    responseHeaders = Map.of("Retry-After", "Thu, 01 Jan 2026 00:02:00 GMT");

    assertThat(failure(webhook().build()).retryAfter()).contains(Duration.ofMinutes(2));
  }

  @Test
  void send_answer503WithPastRetryAfterDate_isRetriedAtOnce() {
    status = 503;
    responseHeaders = Map.of("Retry-After", "Wed, 31 Dec 2025 23:59:00 GMT");

    assertThat(failure(webhook().build()).retryAfter()).contains(Duration.ZERO);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "soon", "-5", "1.5"})
  void send_answer429WithUnreadableRetryAfter_isRetryableWithoutDelay(String value) {
    status = 429;
    responseHeaders = value.isEmpty() ? Map.of() : Map.of("Retry-After", value);

    DeliveryException e = failure(webhook().build());

    assertThat(e).hasMessage("webhook answered 429");
    assertThat(e.isRetryable()).isTrue();
    assertThat(e.retryAfter()).isEmpty();
  }

  @Test
  void send_answer400_isPermanent() {
    status = 400;

    DeliveryException e = failure(webhook().build());

    assertThat(e).hasMessage("webhook answered 400");
    assertThat(e.isRetryable()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(ints = {301, 401, 403, 404, 410, 422})
  void send_otherAnswers_arePermanent(int answer) {
    status = answer;

    DeliveryException e = failure(webhook().build());

    assertThat(e).hasMessage("webhook answered " + answer);
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void send_receiverHangsPastTheTimeout_isRetryableTimedOut() throws Exception {
    hang = true;
    // A second, not less: the receiver's dispatcher must read the request before the client gives
    // up, and on a loaded machine 200 ms was sometimes not enough for it to be scheduled.
    WebhookNotifier notifier = webhook().timeout(Duration.ofSeconds(1)).build();

    long start = System.nanoTime();
    DeliveryException e = failure(notifier);
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(e).hasMessage("webhook timed out after 1000 ms");
    assertThat(e.isRetryable()).isTrue();
    assertThat(elapsedMillis).isBetween(950L, 6_000L);
    assertThat(receivedOne().body()).isEqualTo(AlertJson.toJson(FIRING));
  }

  @Test
  void send_connectionRefused_isRetryableUnreachable() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }
    WebhookNotifier notifier =
        WebhookNotifier.builder()
            .webhookUrl("http://127.0.0.1:" + deadPort + "/hook")
            .timeout(Duration.ofSeconds(2))
            .build();

    DeliveryException e = failure(notifier);

    assertThat(e.getMessage()).startsWith("webhook unreachable: ConnectException");
    assertThat(e.isRetryable()).isTrue();
    assertThat(e).hasCauseInstanceOf(java.net.ConnectException.class);
  }

  @Test
  void send_failures_neverQuoteTheSecretOrHeaderValues() {
    status = 401;
    WebhookNotifier notifier =
        webhook().secret(SECRET).headers(Map.of("Authorization", TOKEN)).build();

    DeliveryException e = failure(notifier);

    assertThat(e).hasMessage("webhook answered 401");
    assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("tok-9f8e7d");
  }

  @Test
  void send_runsTheClientOnDaemonThreadsNamedAmptalkWebhook() throws Exception {
    webhook().build().send(FIRING);

    List<Thread> threads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("amptalk-webhook-"))
            .toList();
    assertThat(threads).isNotEmpty();
    assertThat(threads)
        .allSatisfy(
            t -> {
              assertThat(t.isDaemon()).isTrue();
              assertThat(t.getName()).matches("amptalk-webhook-\\d+");
            });
  }

  private static DeliveryException failure(WebhookNotifier notifier) {
    return catchThrowableOfType(DeliveryException.class, () -> notifier.send(FIRING));
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void builder_seedExample_hasTheDefaults() {
    WebhookNotifier notifier =
        WebhookNotifier.builder()
            .webhookUrl("https://example.com/webhook")
            .minSeverity(AlertSeverity.ERROR)
            .build();

    assertThat(notifier.name()).isEqualTo("webhook");
    assertThat(notifier.minSeverity()).isEqualTo(AlertSeverity.ERROR);
    assertThat(notifier.sources()).isEmpty();
    assertThat(notifier.sendsResolved()).isTrue();
    assertThat(notifier.accepts(FIRING)).isFalse();
    assertThat(notifier)
        .hasToString(
            "WebhookNotifier{name=webhook, url=https://example.com/…, format=JSON,"
                + " minSeverity=ERROR, signed=false}");
  }

  @Test
  void builder_sourcesAndSendsResolved_areKept() {
    WebhookNotifier notifier =
        WebhookNotifier.builder()
            .webhookUrl("http://127.0.0.1/hook")
            .sources(List.of("database", "api_gateway"))
            .sendsResolved(false)
            .build();

    assertThat(notifier.sources()).isEqualTo(Set.of("database", "api_gateway"));
    assertThat(notifier.sendsResolved()).isFalse();
    assertThat(notifier.accepts(FIRING)).isFalse();
  }

  @Test
  void toString_showsNameUrlFormatAndSeverity_neverTheSecretHeadersUserInfoOrQuery() {
    WebhookNotifier notifier =
        WebhookNotifier.builder()
            .name("ops")
            .webhookUrl("https://user:pa55word@hooks.example.com:8443/services/alerts?token=abc123")
            .headers(Map.of("Authorization", TOKEN, "X-Api-Key", "key-4711"))
            .secret(SECRET)
            .format(WebhookNotifier.Format.SLACK)
            .minSeverity(AlertSeverity.WARNING)
            .build();

    assertThat(notifier)
        .hasToString(
            "WebhookNotifier{name=ops, url=https://hooks.example.com:8443/…,"
                + " format=SLACK, minSeverity=WARNING, signed=true}");
    assertThat(notifier.toString())
        .doesNotContain(SECRET)
        .doesNotContain("tok-9f8e7d")
        .doesNotContain("key-4711")
        .doesNotContain("pa55word")
        .doesNotContain("abc123");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.com/webhook",
        "http:///no-host",
        "http://exa mple.com/",
        "mailto:ops@example.com",
        "hooks.slack.com/services/T000/B000/XXXXSECRET"
      })
  void build_badWebhookUrlWithoutAHost_namesTheRuleButNotTheUrl(String url) {
    assertThatThrownBy(() -> WebhookNotifier.builder().webhookUrl(url).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "webhookUrl must be an http(s) URL, was not one ("
                + url.length()
                + " characters, not shown since a URL may hold a secret)")
        .hasNoCause();
  }

  @Test
  void build_badWebhookUrlWithAHost_showsItWithoutUserInfoPathOrQuery() {
    assertThatThrownBy(
            () ->
                WebhookNotifier.builder()
                    .webhookUrl("htps://user:pa55word@hooks.example.com:8443/T000/SECRET?t=abc")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhookUrl must be an http(s) URL, was 'htps://hooks.example.com:8443/…'");
    assertThatThrownBy(() -> WebhookNotifier.builder().webhookUrl("ftp://example.com").build())
        .hasMessage("webhookUrl must be an http(s) URL, was 'ftp://example.com'");
    assertThatThrownBy(() -> WebhookNotifier.builder().webhookUrl("").build())
        .hasMessage("webhookUrl must be an http(s) URL, was ''");
  }

  @Test
  void build_noWebhookUrl_saysSo() {
    assertThatThrownBy(() -> WebhookNotifier.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhookUrl must be an http(s) URL, was null");
  }

  @Test
  void build_badTimeout_namesTheValue() {
    assertThatThrownBy(() -> webhook().timeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be a positive duration, was PT0S");
    assertThatThrownBy(() -> webhook().timeout(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be a positive duration, was PT-1S");
    assertThatThrownBy(() -> webhook().timeout(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be a positive duration, was null");
  }

  @Test
  void build_blankName_isRefused() {
    assertThatThrownBy(() -> webhook().name(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, was ' '");
  }

  @Test
  void build_emptySecret_isRefused() {
    assertThatThrownBy(() -> webhook().secret("").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("secret must not be empty");
  }

  @Test
  void build_badHeaders_nameTheHeaderNeverTheValue() {
    assertThatThrownBy(() -> webhook().headers(Map.of("Idempotency-Key", "x")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header 'Idempotency-Key' is set by the notifier and cannot be configured");
    assertThatThrownBy(() -> webhook().headers(Map.of("content-type", "text/plain")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header 'content-type' is set by the notifier and cannot be configured");
    assertThatThrownBy(() -> webhook().headers(Map.of("Host", "evil.example.com")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "header 'Host' is refused by the HTTP client (a restricted or invalid name, or an"
                + " invalid value)");
    assertThatThrownBy(() -> webhook().headers(Map.of("X-Token", "abc\r\nX-Evil: 1")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "header 'X-Token' is refused by the HTTP client (a restricted or invalid name, or an"
                + " invalid value)")
        .hasNoCause();
    Map<String, String> nullValue = new LinkedHashMap<>();
    nullValue.put("X-Token", null);
    assertThatThrownBy(() -> webhook().headers(nullValue).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header 'X-Token' must have a value");
  }

  @Test
  void build_nullSource_isRefused() {
    List<String> sources = new java.util.ArrayList<>();
    sources.add(null);
    assertThatThrownBy(() -> webhook().sources(sources).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sources must not hold null");
  }
}
