package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.internal.http.SystemHttpHandler;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Who may see what on the monitor's port, over real HTTP: every endpoint, with and without an API
 * token configured, with the right, a wrong and no {@code Authorization} header.
 */
class MonitoringAuthIT {
  private static final String TOKEN = "s3cret-T0ken";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String UNAUTHORIZED = "{\"error\":\"a bearer token is required\"}";
  private static final String CHALLENGE = "Bearer realm=\"amptalk-monitoring\"";
  private static final String NO_TOKEN_FOR_POST =
      "{\"error\":\"raising alerts over HTTP needs a token; none is configured\"}";

  private static Monitoring withToken;
  private static Monitoring withoutToken;

  /** The header a request carries: the right token, a wrong one, or none. */
  enum Header {
    RIGHT("Bearer " + TOKEN),
    RIGHT_LOWERCASE_SCHEME("bearer " + TOKEN),
    WRONG("Bearer wr0ng-T0ken"),
    PREFIX_OF_THE_TOKEN("Bearer " + TOKEN.substring(0, TOKEN.length() - 1)),
    TOKEN_WITHOUT_SCHEME(TOKEN),
    BASIC_SCHEME("Basic " + TOKEN),
    MISSING(null);

    final String value;

    Header(String value) {
      this.value = value;
    }

    boolean right() {
      return this == RIGHT || this == RIGHT_LOWERCASE_SCHEME;
    }
  }

  @BeforeAll
  static void start() {
    withToken = start(builder -> builder.apiToken(TOKEN));
    withoutToken = start(builder -> builder);
  }

  private static Monitoring start(UnaryOperator<Monitoring.Builder> token) {
    Monitoring monitoring =
        token
            .apply(
                Monitoring.builder()
                    .systemMonitor(
                        SystemMonitor.builder()
                            .prometheusHost("127.0.0.1")
                            .prometheusPort(0)
                            .enableJvmMetrics(false)
                            .build())
                    .healthCheck(
                        m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build()))
            .build();
    monitoring
        .healthCheck()
        .registerCheck(
            "db",
            () -> CheckResult.healthy("db up"),
            "Database",
            CheckOptions.builder().groups(CheckOptions.READINESS).build());
    monitoring.healthCheck().runAllChecks();
    return monitoring;
  }

  @AfterAll
  static void stop() {
    withToken.close();
    withoutToken.close();
  }

  private static HttpResponse<String> send(
      Monitoring monitoring, String method, String path, Header header) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create(
                "http://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort() + path));
    if ("POST".equals(method)) {
      request.POST(
          HttpRequest.BodyPublishers.ofString("{\"title\":\"From outside\",\"source\":\"test\"}"));
    }
    if (header.value != null) {
      request.header("Authorization", header.value);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Stream<Arguments> headers() {
    return Stream.of(Header.values()).map(Arguments::of);
  }

  // ---------------------------------------------------------------- a token configured

  @ParameterizedTest
  @MethodSource("headers")
  void withToken_healthPaths_showDetailsOnlyToTheRightToken(Header header) throws Exception {
    for (String path : List.of("/health", "/health/db", "/health/ready")) {
      HttpResponse<String> response = send(withToken, "GET", path, header);

      assertThat(response.statusCode()).as(path).isEqualTo(200);
      if (header.right()) {
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("status").asText()).as(path).isEqualTo("healthy");
        assertThat(body.get("checks").get("db").get("message").asText())
            .as(path)
            .isEqualTo("db up");
      } else {
        assertThat(response.body()).as(path).isEqualTo("{\"status\":\"healthy\"}");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("headers")
  void withToken_alertsApiAndPost_needTheRightToken(Header header) throws Exception {
    HttpResponse<String> list = send(withToken, "GET", "/alerts", header);
    HttpResponse<String> raise = send(withToken, "POST", "/alerts", header);
    HttpResponse<String> system = send(withToken, "GET", "/api/system", header);

    if (header.right()) {
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(list.body()).has("alerts")).isTrue();
      assertThat(raise.statusCode()).isEqualTo(201);
      assertThat(JSON.readTree(raise.body()).get("title").asText()).isEqualTo("From outside");
      assertThat(system.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(system.body()).has("snapshot")).isTrue();
    } else {
      for (HttpResponse<String> response : List.of(list, raise, system)) {
        assertThat(response.statusCode()).as(response.uri().toString()).isEqualTo(401);
        assertThat(response.body()).isEqualTo(UNAUTHORIZED);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue(CHALLENGE);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("headers")
  void withToken_statusPageAndMetrics_stayPublic(Header header) throws Exception {
    assertThat(send(withToken, "GET", "/", header).statusCode()).isEqualTo(200);
    assertThat(send(withToken, "GET", "/metrics", header).statusCode()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- no token configured

  @ParameterizedTest
  @MethodSource("headers")
  void withoutToken_everythingButPostIsServedToAll(Header header) throws Exception {
    HttpResponse<String> health = send(withoutToken, "GET", "/health", header);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).get("checks").get("db").get("message").asText())
        .isEqualTo("db up");
    assertThat(send(withoutToken, "GET", "/health/db", header).body()).contains("\"db up\"");
    assertThat(send(withoutToken, "GET", "/alerts", header).statusCode()).isEqualTo(200);
    assertThat(send(withoutToken, "GET", "/api/system", header).statusCode()).isEqualTo(200);
    assertThat(send(withoutToken, "GET", "/", header).statusCode()).isEqualTo(200);
    assertThat(send(withoutToken, "GET", "/metrics", header).statusCode()).isEqualTo(200);

    HttpResponse<String> raise = send(withoutToken, "POST", "/alerts", header);

    assertThat(raise.statusCode()).isEqualTo(403);
    assertThat(raise.body()).isEqualTo(NO_TOKEN_FOR_POST);
    assertThat(withoutToken.alertSystem().getHistory(10, null, "test")).isEmpty();
  }

  // ---------------------------------------------------------------- the one token

  @Test
  void apiToken_replacesTheHealthRegistrysOwnToken() throws Exception {
    Monitoring monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .build())
            .healthCheck(m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build())
            .apiToken(TOKEN)
            .build();
    try {
      monitoring.healthCheck().registerCheck("db", () -> CheckResult.healthy("db up"), "DB");
      monitoring.healthCheck().runAllChecks();
      String base = "http://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort();

      HttpResponse<String> own =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/health"))
                  .header("Authorization", "Bearer health-only")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> api =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/health"))
                  .header("Authorization", "Bearer " + TOKEN)
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(own.body()).isEqualTo("{\"status\":\"healthy\"}");
      assertThat(JSON.readTree(api.body()).get("checks").get("db").get("message").asText())
          .isEqualTo("db up");
    } finally {
      monitoring.close();
    }
  }

  @Test
  void build_withoutToken_warnsOnce_withTokenSaysNothing() {
    Logger logger = (Logger) LoggerFactory.getLogger(Monitoring.SECURITY_LOGGER);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    List<Monitoring> started = new ArrayList<>();
    try {
      started.add(start(builder -> builder));
      int port = started.get(0).systemMonitor().getPrometheusPort();
      started.add(start(builder -> builder.apiToken(TOKEN)));

      assertThat(appender.list).hasSize(1);
      ILoggingEvent warning = appender.list.get(0);
      assertThat(warning.getLevel()).isEqualTo(Level.WARN);
      assertThat(warning.getFormattedMessage())
          .isEqualTo(
              "No API token: POST /alerts is refused, and GET /alerts, /api/system and the"
                  + " details of /health are served to anyone who can reach port "
                  + port
                  + ". Set one with Monitoring.builder().apiToken(...), and see SECURITY.md");
    } finally {
      logger.detachAppender(appender);
      started.forEach(Monitoring::close);
    }
  }

  // ---------------------------------------------------------------- the status page

  @Test
  void statusPage_allowsOnlyItsOwnScriptAndStyle() throws Exception {
    String page;
    try (InputStream in = SystemHttpHandler.class.getResourceAsStream("status.html")) {
      page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    HttpResponse<String> response = send(withToken, "GET", "/", Header.MISSING);

    String policy = response.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(policy)
        .isEqualTo(SystemHttpHandler.contentSecurityPolicy(page))
        .matches(
            "default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]{43}='; style-src"
                + " 'sha256-[A-Za-z0-9+/]{43}='; connect-src 'self'; img-src 'self'; base-uri"
                + " 'none'; form-action 'none'; frame-ancestors 'none'");
    assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    // The token field has no name, so even a submit without script puts nothing in a URL.
    assertThat(response.body())
        .contains("<input id=\"token-input\" type=\"password\" spellcheck=\"false\"")
        .doesNotContain("name=\"token");
  }
}
