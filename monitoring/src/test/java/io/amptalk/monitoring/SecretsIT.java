package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.notify.AlertmanagerNotifier;
import io.amptalk.monitoring.alert.notify.EmailNotifier;
import io.amptalk.monitoring.alert.notify.LoggingNotifier;
import io.amptalk.monitoring.alert.notify.PagerDutyNotifier;
import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.testing.Keystores;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * No secret ever shows: a whole system configured with distinctive secrets everywhere (API token,
 * health token, keystore password, SMTP password, webhook signing secret, header values,
 * PagerDuty's routing key, and credentials in URLs' user info, paths and queries), every delivery
 * failing so that errors are logged, retried and dead-lettered, every endpoint read over HTTPS and
 * every component's {@code toString()} taken. Not one of the secrets may appear in the log (SLF4J
 * at every level, and JUL), in an HTTP response, in a {@code toString()}, in a delivery error, or
 * in the alert store's file.
 */
class SecretsIT {
  private static final String API_TOKEN = "apitoken-SECRET-0001";
  private static final String HEALTH_TOKEN = "healthtoken-SECRET-0002";
  private static final String KEYSTORE_PASSWORD = "keystore-SECRET-0003";
  private static final String SMTP_PASSWORD = "smtppass-SECRET-0004";
  private static final String WEBHOOK_SECRET = "hmac-SECRET-0005";
  private static final String WEBHOOK_HEADER = "whheader-SECRET-0006";
  private static final String URL_USER_INFO = "urlpass-SECRET-0007";
  private static final String URL_PATH = "urlpath-SECRET-0008";
  private static final String URL_QUERY = "urlquery-SECRET-0009";
  private static final String ALERTMANAGER_USER_INFO = "ampass-SECRET-0010";
  private static final String ALERTMANAGER_QUERY = "amquery-SECRET-0011";
  private static final String ALERTMANAGER_HEADER = "amheader-SECRET-0012";
  private static final String PAGERDUTY_ROUTING_KEY = "pdroutingkeySECRET0013abcdef0123";
  private static final String TEAMS_URL_PATH = "teamspath-SECRET-0014";
  private static final List<String> SECRETS =
      List.of(
          API_TOKEN,
          HEALTH_TOKEN,
          KEYSTORE_PASSWORD,
          SMTP_PASSWORD,
          WEBHOOK_SECRET,
          WEBHOOK_HEADER,
          URL_USER_INFO,
          URL_PATH,
          URL_QUERY,
          ALERTMANAGER_USER_INFO,
          ALERTMANAGER_QUERY,
          ALERTMANAGER_HEADER,
          PAGERDUTY_ROUTING_KEY,
          TEAMS_URL_PATH);

  /** Notifiers that fail: two webhooks, two e-mails, one Alertmanager, PagerDuty, Teams. */
  private static final int FAILING = 7;

  @TempDir Path dir;

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final List<LogRecord> julLog = new CopyOnWriteArrayList<>();
  private final Handler julHandler =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          julLog.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private Level rootLevel;
  private final List<String> delivered = new CopyOnWriteArrayList<>();
  private HttpServer receiver;
  private GreenMail smtp;
  private Monitoring monitoring;
  private SqliteAlertStore store;

  @BeforeEach
  void captureLogs() {
    rootLevel = root.getLevel();
    root.setLevel(Level.TRACE);
    log.start();
    root.addAppender(log);
    java.util.logging.Logger.getLogger("").addHandler(julHandler);
  }

  @AfterEach
  void stop() {
    if (monitoring != null) {
      monitoring.close();
    }
    if (receiver != null) {
      receiver.stop(0);
    }
    if (smtp != null) {
      smtp.stop();
    }
    java.util.logging.Logger.getLogger("").removeHandler(julHandler);
    root.detachAppender(log);
    root.setLevel(rootLevel);
  }

  @Test
  void fullScenario_withEveryDeliveryFailing_showsNoSecretAnywhere() throws Exception {
    // Receivers: a webhook receiver refusing everything, an SMTP server refusing the login, an
    // SMTPS server whose certificate is not trusted, and a port nobody listens on.
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          delivered.add(
              exchange.getRequestURI()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body = "refused".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(400, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    receiver.start();
    String receiverAt = "127.0.0.1:" + receiver.getAddress().getPort();
    smtp =
        new GreenMail(
            new ServerSetup[] {
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
              new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS)
            });
    smtp.start();
    smtp.setUser("alerts@example.com", "alerts", "the-real-password");
    int closedPort = closedPort();

    Path keystore = Keystores.create(dir.resolve("monitor.p12"), "PKCS12", KEYSTORE_PASSWORD);
    store = SqliteAlertStore.open(dir.resolve("alerts.db"), 100);
    List<AlertNotifier> notifiers =
        List.of(
            new LoggingNotifier(),
            webhook("webhook", receiverAt),
            webhook("webhook-down", "127.0.0.1:" + closedPort),
            email("email", smtp.getSmtp().getPort(), false),
            email("email-tls", smtp.getSmtps().getPort(), true),
            AlertmanagerNotifier.builder()
                .url(
                    "http://amuser:"
                        + ALERTMANAGER_USER_INFO
                        + "@"
                        + receiverAt
                        + "/am?auth="
                        + ALERTMANAGER_QUERY)
                .headers(Map.of("Authorization", "Bearer " + ALERTMANAGER_HEADER))
                .build(),
            PagerDutyNotifier.builder()
                .routingKey(PAGERDUTY_ROUTING_KEY)
                .url("http://" + receiverAt + "/pd/enqueue")
                .build(),
            WebhookNotifier.builder()
                .name("teams")
                .format(WebhookNotifier.Format.TEAMS)
                .webhookUrl("http://" + receiverAt + "/teams/" + TEAMS_URL_PATH + "?sig=x")
                .build());
    monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .tls(keystore, KEYSTORE_PASSWORD.toCharArray())
                    .build())
            .healthCheck(m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build())
            .alertSystem(
                m ->
                    AlertSystem.builder()
                        .meter(m.getMeter())
                        .store(store)
                        .noRateLimit()
                        .maxAttempts(2)
                        .backoff(Duration.ofMillis(10), Duration.ofMillis(20))
                        .defaultNotifiers(notifiers)
                        .build())
            .apiToken(API_TOKEN)
            .build();
    monitoring.healthCheck().registerCheck("db", () -> CheckResult.unhealthy("down"), "DB");
    monitoring.healthCheck().runAllChecks(); // raises "Health check 'db' is unhealthy"
    monitoring
        .alertSystem()
        .alert("Disk full", "95% used", AlertSeverity.CRITICAL, "disk", Map.of("disk", "/"));

    // Every endpoint, over HTTPS, with the API token, the health registry's own token (which the
    // API token replaced, so a wrong one now) and none.
    HttpClient https =
        HttpClient.newBuilder().sslContext(Keystores.trusting(keystore, KEYSTORE_PASSWORD)).build();
    List<String> answers = new ArrayList<>();
    for (String header : new String[] {"Bearer " + API_TOKEN, "Bearer " + HEALTH_TOKEN, null}) {
      for (String path :
          List.of("/", "/metrics", "/health", "/health/db", "/alerts", "/api/system", "/nope")) {
        answers.add(answer(https, "GET", path, header));
      }
      answers.add(answer(https, "POST", "/alerts", header));
    }
    answers.add(answer(https, "POST", "/alerts?x=1", "Bearer wrong"));

    // Three alerts, each failing at five notifiers. (GreenMail's SMTPS threads throw when the
    // client drops the handshake: not this test's business.)
    await()
        .dontCatchUncaughtExceptions()
        .atMost(Duration.ofSeconds(30))
        .until(() -> monitoring.alertSystem().getDeadLetters().size() == 3 * FAILING);
    List<String> errors =
        monitoring.alertSystem().getDeadLetters().stream()
            .map(deadLetter -> deadLetter.error())
            .toList();
    // The failures are there, and say what happened, without the secrets.
    assertThat(errors)
        .anyMatch(error -> error.startsWith("webhook answered 400"))
        .anyMatch(error -> error.startsWith("webhook unreachable"))
        .anyMatch(error -> error.startsWith("SMTP authentication failed for user 'alerts'"))
        .anyMatch(error -> error.contains("its certificate is not trusted"))
        .anyMatch(error -> error.startsWith("alertmanager answered 400: refused"))
        .anyMatch(error -> error.startsWith("pagerduty answered 400: refused"));

    List<String> toStrings = new ArrayList<>();
    toStrings.add(monitoring.toString());
    toStrings.add(monitoring.systemMonitor().toString());
    toStrings.add(monitoring.systemMonitor().getSystemInfo().toString());
    toStrings.add(monitoring.systemMonitor().getLatestSnapshot().toString());
    toStrings.add(monitoring.healthCheck().toString());
    toStrings.add(monitoring.healthCheck().getStatusReport().toString());
    toStrings.add(monitoring.alertSystem().toString());
    toStrings.add(store.toString());
    toStrings.add(monitoring.alertSystem().getDeadLetters().toString());
    toStrings.add(monitoring.alertSystem().getHistory(100, null, null).toString());
    toStrings.add(monitoring.alertSystem().getQueueSizes().toString());
    toStrings.add(errors.toString());
    notifiers.forEach(notifier -> toStrings.add(notifier.toString()));
    monitoring.close();

    List<ILoggingEvent> events;
    synchronized (log) { // ListAppender appends under the appender's lock
      events = new ArrayList<>(log.list);
    }
    List<String> logged = new ArrayList<>();
    for (ILoggingEvent event : events) {
      // GreenMail is the test's SMTP server, not the library: what it logs of the login attempt
      // it received is none of ours.
      if (!event.getLoggerName().startsWith("com.icegreen")) {
        logged.add(event.getLoggerName() + " " + event.getFormattedMessage());
        logged.add(String.valueOf(event.getMDCPropertyMap()));
        throwable(event.getThrowableProxy(), logged);
      }
    }
    for (LogRecord record : julLog) {
      logged.add(
          record.getLoggerName() + " " + new java.util.logging.SimpleFormatter().format(record));
    }
    // The secrets were in use: the receiver got them where they belong.
    assertThat(delivered)
        .contains(
            "/hooks/" + URL_PATH + "?token=" + URL_QUERY + " Bearer " + WEBHOOK_HEADER,
            "/am/api/v2/alerts Bearer " + ALERTMANAGER_HEADER,
            "/pd/enqueue null",
            "/teams/" + TEAMS_URL_PATH + "?sig=x null");
    // And the log holds the failures, down to the debug lines of each retry.
    assertThat(String.join("\n", logged))
        .contains("could not be delivered to webhook-down")
        .contains("could not be delivered to email-tls")
        .containsPattern("Delivery \\S+ to webhook-down failed \\(.+\\); retry 1 in");

    byte[] stored = stored(dir);
    for (String secret : SECRETS) {
      assertThat(logged).as("the log").noneMatch(line -> line.contains(secret));
      assertThat(answers).as("HTTP answers").noneMatch(answer -> answer.contains(secret));
      assertThat(toStrings).as("toString()").noneMatch(text -> text.contains(secret));
      assertThat(new String(stored, StandardCharsets.ISO_8859_1))
          .as("the alert store's files")
          .doesNotContain(secret);
    }
  }

  @Test
  void configurationMistakes_nameTheOptionButNoSecret() {
    List<String> messages = new ArrayList<>();
    for (String url :
        List.of(
            "htps://hook:" + URL_USER_INFO + "@hooks.example.com/" + URL_PATH + "?t=" + URL_QUERY,
            "hooks.example.com/" + URL_PATH,
            "http://exa mple.com/" + URL_PATH + "?t=" + URL_QUERY)) {
      messages.add(message(() -> WebhookNotifier.builder().webhookUrl(url).build()));
      messages.add(message(() -> AlertmanagerNotifier.builder().url(url).build()));
      messages.add(
          message(
              () ->
                  PagerDutyNotifier.builder().routingKey(PAGERDUTY_ROUTING_KEY).url(url).build()));
    }
    messages.add(
        message(
            () ->
                PagerDutyNotifier.builder()
                    .routingKey(PAGERDUTY_ROUTING_KEY.substring(1) + "-")
                    .build()));
    messages.add(
        message(
            () ->
                WebhookNotifier.builder()
                    .webhookUrl("https://hooks.example.com/x")
                    .headers(Map.of("Bad Name", WEBHOOK_HEADER))
                    .build()));
    messages.add(
        message(
            () ->
                WebhookNotifier.builder()
                    .webhookUrl("https://hooks.example.com/x")
                    .headers(Map.of("X-Token", WEBHOOK_HEADER + "\n"))
                    .build()));
    messages.add(
        message(
            () ->
                SystemMonitor.builder()
                    .tls(
                        Keystores.create(dir.resolve("other.p12"), "PKCS12", "other-password"),
                        KEYSTORE_PASSWORD.toCharArray())));
    messages.add(
        message(
            () ->
                EmailNotifier.builder()
                    .recipients(List.of("a@example.com"))
                    .password(SMTP_PASSWORD)
                    .build()));

    assertThat(messages).hasSize(14).allMatch(message -> !message.isBlank());
    for (String secret : SECRETS) {
      assertThat(messages).noneMatch(message -> message.contains(secret));
    }
  }

  private static String message(Runnable mistake) {
    try {
      mistake.run();
    } catch (IllegalArgumentException e) {
      List<String> chain = new ArrayList<>();
      for (Throwable t = e; t != null; t = t.getCause()) {
        chain.add(String.valueOf(t.getMessage()));
      }
      return String.join(" / ", chain);
    }
    throw new AssertionError("no mistake was found");
  }

  private static WebhookNotifier webhook(String name, String hostAndPort) {
    return WebhookNotifier.builder()
        .name(name)
        .webhookUrl(
            "http://hook:"
                + URL_USER_INFO
                + "@"
                + hostAndPort
                + "/hooks/"
                + URL_PATH
                + "?token="
                + URL_QUERY)
        .secret(WEBHOOK_SECRET)
        .headers(Map.of("Authorization", "Bearer " + WEBHOOK_HEADER))
        .build();
  }

  private static EmailNotifier email(String name, int port, boolean ssl) {
    return EmailNotifier.builder()
        .name(name)
        .smtpServer("127.0.0.1")
        .smtpPort(port)
        .useSsl(ssl)
        .sender("alerts@example.com")
        .recipients(List.of("oncall@example.com"))
        .username("alerts")
        .password(SMTP_PASSWORD)
        .build();
  }

  private String answer(HttpClient client, String method, String path, String header)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create(
                "https://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort() + path));
    if ("POST".equals(method)) {
      request.POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"From outside\"}"));
    }
    if (header != null) {
      request.header("Authorization", header);
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return response.statusCode() + " " + response.headers().map() + " " + response.body();
  }

  private static void throwable(IThrowableProxy proxy, List<String> into) {
    for (IThrowableProxy t = proxy; t != null; t = t.getCause()) {
      into.add(t.getClassName() + ": " + t.getMessage());
      for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
        into.add(frame.getSTEAsString());
      }
      for (IThrowableProxy suppressed : t.getSuppressed()) {
        throwable(suppressed, into);
      }
    }
  }

  /** Every byte of the store's files (the database, its WAL and shared memory). */
  private static byte[] stored(Path dir) throws IOException {
    List<byte[]> files = new ArrayList<>();
    try (Stream<Path> paths = Files.list(dir)) {
      for (Path file :
          paths.filter(p -> p.getFileName().toString().startsWith("alerts.db")).toList()) {
        files.add(Files.readAllBytes(file));
      }
    }
    assertThat(files).as("the store's files").isNotEmpty();
    int size = files.stream().mapToInt(f -> f.length).sum();
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] file : files) {
      System.arraycopy(file, 0, all, at, file.length);
      at += file.length;
    }
    return all;
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket =
        new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
