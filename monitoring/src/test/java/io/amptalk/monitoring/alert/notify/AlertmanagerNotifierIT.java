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
import io.amptalk.monitoring.internal.alert.AlertJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link AlertmanagerNotifier} against a JDK HttpServer standing in for Alertmanager's API; the
 * real Alertmanager is exercised by {@code .ci/e2e-alertmanager.sh}.
 */
class AlertmanagerNotifierIT {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private record Received(String method, URI uri, Headers headers, String body) {}

  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private HttpServer server;
  private volatile int status = 200;
  private volatile String responseBody = "";

  @BeforeEach
  void startReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  @AfterEach
  void stopReceiver() {
    server.stop(0);
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
      byte[] answer = responseBody.getBytes(UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
      exchange.getResponseBody().write(answer);
    } finally {
      exchange.close();
    }
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private Received receivedOne() throws InterruptedException {
    Received request = received.poll(5, TimeUnit.SECONDS);
    assertThat(request).as("a request reached the receiver").isNotNull();
    return request;
  }

  private static Alert alert(Alert.State state, Map<String, Object> details) {
    return new Alert(
        "0b6f0c52-0000-4000-8000-000000000002",
        "Database Connection Failed",
        "Failed to connect to the database",
        AlertSeverity.ERROR,
        "database",
        "amptalk",
        START,
        details,
        "a1b2c3d4e5f60718",
        state,
        1,
        state == Alert.State.FIRING ? START.plusSeconds(10) : START.plusSeconds(90),
        false,
        List.of());
  }

  private static final Map<String, Object> DETAILS = Map.of("database", "main");

  @Test
  void send_firingAlert_postsAOneElementArrayToApiV2Alerts() throws Exception {
    AlertmanagerNotifier.builder().url(base()).build().send(alert(Alert.State.FIRING, DETAILS));

    Received request = receivedOne();
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.uri().toString()).isEqualTo("/api/v2/alerts");
    assertThat(request.headers().get("Content-Type")).containsExactly("application/json");
    assertThat(request.headers().get("User-Agent")).containsExactly("amptalk-monitoring");
    assertThat(request.body())
        .isEqualTo(
            // The alert's labels, sorted by name, with its fingerprint.
            "[{\"labels\":{\"alertname\":\"Database Connection Failed\","
                + "\"fingerprint\":\"a1b2c3d4e5f60718\",\"service\":\"amptalk\","
                + "\"severity\":\"error\",\"source\":\"database\"},"
                + "\"annotations\":{\"summary\":\"Database Connection Failed\","
                + "\"description\":\"Failed to connect to the database\","
                + "\"details\":\"{\\\"database\\\":\\\"main\\\"}\"},"
                + "\"startsAt\":\"2026-01-01T00:00:00Z\"}]");
    JsonNode details =
        AlertJson.MAPPER.readTree(
            AlertJson.MAPPER
                .readTree(request.body())
                .get(0)
                .get("annotations")
                .get("details")
                .asText());
    assertThat(details.get("database").asText()).isEqualTo("main");
  }

  @Test
  void send_alertWithLabels_sendsThemAll_sortedByName() throws Exception {
    Alert alert =
        new Alert(
            "0b6f0c52-0000-4000-8000-000000000003",
            "Disk full",
            "/var is 99% full",
            AlertSeverity.CRITICAL,
            "disk",
            "checkout",
            START,
            Map.of(),
            Map.of("team", "db", "mount", "/var", "instance", "i-7"),
            "00000000000000ff",
            Alert.State.FIRING,
            1,
            START,
            false,
            List.of());

    AlertmanagerNotifier.builder().url(base()).build().send(alert);

    assertThat(receivedOne().body())
        .isEqualTo(
            "[{\"labels\":{\"alertname\":\"Disk full\",\"fingerprint\":\"00000000000000ff\","
                + "\"instance\":\"i-7\",\"mount\":\"/var\",\"service\":\"checkout\","
                + "\"severity\":\"critical\",\"source\":\"disk\",\"team\":\"db\"},"
                + "\"annotations\":{\"summary\":\"Disk full\","
                + "\"description\":\"/var is 99% full\"},"
                + "\"startsAt\":\"2026-01-01T00:00:00Z\"}]");
  }

  @Test
  void send_resolvedAlert_addsEndsAtAtTheResolution() throws Exception {
    AlertmanagerNotifier.builder().url(base()).build().send(alert(Alert.State.RESOLVED, DETAILS));

    assertThat(receivedOne().body())
        .isEqualTo(
            // The alert's labels, sorted by name, with its fingerprint.
            "[{\"labels\":{\"alertname\":\"Database Connection Failed\","
                + "\"fingerprint\":\"a1b2c3d4e5f60718\",\"service\":\"amptalk\","
                + "\"severity\":\"error\",\"source\":\"database\"},"
                + "\"annotations\":{\"summary\":\"Database Connection Failed\","
                + "\"description\":\"Failed to connect to the database\","
                + "\"details\":\"{\\\"database\\\":\\\"main\\\"}\"},"
                + "\"startsAt\":\"2026-01-01T00:00:00Z\",\"endsAt\":\"2026-01-01T00:01:30Z\"}]");
  }

  @Test
  void send_noDetailsAndAGeneratorUrl_omitsDetailsAndLinksBack() throws Exception {
    AlertmanagerNotifier.builder()
        .url(base())
        .generatorUrl("https://grafana.example.com/d/amptalk")
        .build()
        .send(alert(Alert.State.FIRING, Map.of()));

    assertThat(receivedOne().body())
        .isEqualTo(
            // The alert's labels, sorted by name, with its fingerprint.
            "[{\"labels\":{\"alertname\":\"Database Connection Failed\","
                + "\"fingerprint\":\"a1b2c3d4e5f60718\",\"service\":\"amptalk\","
                + "\"severity\":\"error\",\"source\":\"database\"},"
                + "\"annotations\":{\"summary\":\"Database Connection Failed\","
                + "\"description\":\"Failed to connect to the database\"},"
                + "\"startsAt\":\"2026-01-01T00:00:00Z\","
                + "\"generatorURL\":\"https://grafana.example.com/d/amptalk\"}]");
  }

  @Test
  void send_resolvedBeforeItsStart_endsAtTheStart() throws Exception {
    Alert alert =
        new Alert(
            "id",
            "T",
            "m",
            AlertSeverity.INFO,
            "s",
            "svc",
            START,
            Map.of(),
            "fp",
            Alert.State.RESOLVED,
            1,
            START.minusSeconds(5),
            false,
            List.of());

    AlertmanagerNotifier.builder().url(base()).build().send(alert);

    JsonNode json = AlertJson.MAPPER.readTree(receivedOne().body()).get(0);
    assertThat(json.get("endsAt").asText()).isEqualTo("2026-01-01T00:00:00Z");
  }

  @Test
  void send_urlWithRoutePrefixAndTrailingSlash_postsBelowThePrefix() throws Exception {
    AlertmanagerNotifier.builder()
        .url(base() + "/alertmanager/")
        .headers(Map.of("Authorization", "Bearer am-token"))
        .build()
        .send(alert(Alert.State.FIRING, DETAILS));

    Received request = receivedOne();
    assertThat(request.uri().toString()).isEqualTo("/alertmanager/api/v2/alerts");
    assertThat(request.headers().get("Authorization")).containsExactly("Bearer am-token");
  }

  @Test
  void send_answer400_isPermanentAndQuotesAlertmanagersReason() {
    status = 400;
    responseBody = "\"start time must be before end time\"\n";

    DeliveryException e = failure(AlertmanagerNotifier.builder().url(base()).build());

    assertThat(e).hasMessage("alertmanager answered 400: start time must be before end time");
    assertThat(e.isRetryable()).isFalse();
  }

  @Test
  void send_answer500_isRetryable() {
    status = 500;

    DeliveryException e = failure(AlertmanagerNotifier.builder().url(base()).build());

    assertThat(e).hasMessage("alertmanager answered 500");
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void send_answerWithALongReason_quotesItsStartOnOneLine() {
    status = 400;
    responseBody = "bad\r\n\tthing " + "x".repeat(400);

    DeliveryException e = failure(AlertmanagerNotifier.builder().url(base()).build());

    assertThat(e.getMessage())
        .isEqualTo("alertmanager answered 400: bad thing " + "x".repeat(190) + "…");
  }

  @Test
  void send_connectionRefused_isRetryableUnreachable() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }

    DeliveryException e =
        failure(AlertmanagerNotifier.builder().url("http://127.0.0.1:" + deadPort).build());

    assertThat(e.getMessage()).startsWith("alertmanager unreachable: ConnectException");
    assertThat(e.isRetryable()).isTrue();
  }

  private static DeliveryException failure(AlertmanagerNotifier notifier) {
    return catchThrowableOfType(
        DeliveryException.class, () -> notifier.send(alert(Alert.State.FIRING, DETAILS)));
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void builder_defaults() {
    AlertmanagerNotifier notifier =
        AlertmanagerNotifier.builder().url("http://127.0.0.1:9093").build();

    assertThat(notifier.name()).isEqualTo("alertmanager");
    assertThat(notifier.resendInterval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(notifier.sendsResolved()).isTrue();
    assertThat(notifier.minSeverity()).isEqualTo(AlertSeverity.INFO);
    assertThat(notifier.sources()).isEmpty();
    assertThat(notifier)
        .hasToString(
            "AlertmanagerNotifier{name=alertmanager, url=http://127.0.0.1:9093,"
                + " minSeverity=INFO, resendInterval=PT1M}");
  }

  @Test
  void builder_options_areKept_andToStringHidesCredentials() {
    AlertmanagerNotifier notifier =
        AlertmanagerNotifier.builder()
            .name("am-eu")
            .url("https://admin:hunter2@am.example.com/prefix?x=1")
            .headers(Map.of("Authorization", "Bearer am-token"))
            .minSeverity(AlertSeverity.WARNING)
            .sources(List.of("database"))
            .resendInterval(Duration.ofSeconds(30))
            .timeout(Duration.ofSeconds(3))
            .build();

    assertThat(notifier.name()).isEqualTo("am-eu");
    assertThat(notifier.resendInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(notifier.sources()).containsExactly("database");
    assertThat(notifier)
        .hasToString(
            "AlertmanagerNotifier{name=am-eu, url=https://am.example.com/…,"
                + " minSeverity=WARNING, resendInterval=PT30S}");
    assertThat(notifier.toString()).doesNotContain("hunter2").doesNotContain("am-token");
  }

  @Test
  void build_badOptions_nameTheValueAndTheRule() {
    assertThatThrownBy(() -> AlertmanagerNotifier.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("url must be an http(s) URL, was null");
    assertThatThrownBy(() -> AlertmanagerNotifier.builder().url("127.0.0.1:9093").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "url must be an http(s) URL, was not one (14 characters, not shown since a URL may"
                + " hold a secret)");
    assertThatThrownBy(
            () -> AlertmanagerNotifier.builder().url(base()).resendInterval(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("resendInterval must be a positive duration, was PT0S");
    assertThatThrownBy(() -> AlertmanagerNotifier.builder().url(base()).timeout(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout must be a positive duration, was null");
    assertThatThrownBy(
            () -> AlertmanagerNotifier.builder().url(base()).generatorUrl("/dash").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "generatorUrl must be an http(s) URL, was not one (5 characters, not shown since a"
                + " URL may hold a secret)");
    assertThatThrownBy(
            () ->
                AlertmanagerNotifier.builder()
                    .url(base())
                    .headers(Map.of("Content-Type", "text/plain"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header 'Content-Type' is set by the notifier and cannot be configured");
  }
}
