package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The agent as a user runs it: the built jar ({@code target/amptalk-monitor.jar}, made in the
 * package phase) started as a child JVM, probed over HTTP, and stopped with SIGTERM.
 */
class AgentIT {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration ONE_SHOT_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Launch to ready, JVM start included: about 2.5 s on a quiet 2-core machine, up to 11 s at a
   * load of 10 (bench/startup-ready.sh); the bound leaves room for that. The old default, host
   * checks in readiness, held readiness a further 17 to 32 s; what proves it gone is that the first
   * answer after "starting" is 200.
   */
  private static final Duration READY_BOUND = Duration.ofSeconds(25);

  private static final Pattern PORT =
      Pattern.compile("serving metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics");
  private static final String UUID =
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> started = new ArrayList<>();

  @TempDir Path dir;

  /** A started agent: its process and where its output goes. */
  private record Child(Process process, Path out, Path err) {
    String stdout() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** Waits for the exit; fails (and kills it) if it does not come in time. */
    int exitCode(Duration timeout) throws InterruptedException, IOException {
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        process.destroyForcibly();
      }
      assertThat(exited)
          .as("exited within %s; stdout:%n%s%nstderr:%n%s", timeout, stdout(), stderr())
          .isTrue();
      return process.exitValue();
    }
  }

  static Path jar() {
    String configured = System.getProperty("amptalk.agent.jar");
    Path jar =
        configured != null
            ? Path.of(configured)
            : Path.of(System.getProperty("user.dir"), "target", "amptalk-monitor.jar");
    assertThat(jar).as("the agent jar, built in the package phase").isRegularFile();
    return jar;
  }

  private Child start(Map<String, String> environment, String... args) throws IOException {
    Path run = Files.createTempDirectory(dir, "run");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = inRunDirectory(command, run);
    builder.environment().remove("AMPTALK_API_TOKEN");
    builder.environment().putAll(environment);
    Process process = builder.start();
    started.add(process);
    return new Child(process, run.resolve("stdout.txt"), run.resolve("stderr.txt"));
  }

  /** {@code command} to start in {@code run}, its output to stdout.txt and stderr.txt there. */
  static ProcessBuilder inRunDirectory(List<String> command, Path run) {
    return new ProcessBuilder(command)
        .directory(run.toFile())
        .redirectOutput(run.resolve("stdout.txt").toFile())
        .redirectError(run.resolve("stderr.txt").toFile());
  }

  private Child start(String... args) throws IOException {
    return start(Map.of(), args);
  }

  @AfterEach
  void killLeftovers() {
    started.forEach(Process::destroyForcibly);
  }

  /** The port the agent printed, once its whole banner is out; fails at once if it exits. */
  private static int awaitPort(Child agent) {
    return await()
        .atMost(START_TIMEOUT)
        .pollInterval(Duration.ofMillis(50))
        .failFast("the agent exited before printing its port", () -> !agent.process().isAlive())
        .until(
            () -> {
              String stdout = agent.stdout();
              Matcher matcher = PORT.matcher(stdout);
              // The banner's last line: the whole banner (and any warning before it) is out.
              return matcher.find() && stdout.contains("alert history in")
                  ? Optional.of(Integer.parseInt(matcher.group(1)))
                  : Optional.<Integer>empty();
            },
            Optional::isPresent)
        .orElseThrow();
  }

  private HttpResponse<String> get(int port, String path, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(int port, String path, String json, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json");
    if (headers.length > 0) {
      request.headers(headers);
    }
    return http.send(
        request.POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }

  private static void assertPortFree(int port) throws IOException {
    try (ServerSocket socket = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
      assertThat(socket.getLocalPort()).isEqualTo(port);
    }
  }

  /** SIGTERM (Process.destroy on Unix); the JVM exits 143 once the shutdown hook has run. */
  private static void stopWithSigterm(Child agent, int port) throws Exception {
    agent.process().destroy();
    assertThat(agent.exitCode(STOP_TIMEOUT)).isEqualTo(143);
    assertThat(agent.stdout()).contains("amptalk-monitor: stopping", "amptalk-monitor: stopped");
    assertPortFree(port);
  }

  /**
   * From the first connection the port accepts: /metrics carries target_info and the host
   * instruments, every other path is either what it serves once started or a 503 "starting", never
   * a 404, and /health shows no details without the token.
   */
  @Test
  void fromTheFirstAcceptedConnection_metricsWhole_otherPathsStartingNever404() throws Exception {
    int port = freePort();
    Child agent =
        start(
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(port),
            "--api-token",
            "startup-token",
            "--data-dir",
            dir.resolve("data").toString());
    String metrics = null;
    while (metrics == null) {
      assertThat(agent.process().isAlive()).as("agent alive; stderr: %s", agent.stderr()).isTrue();
      try {
        HttpResponse<String> first = get(port, "/metrics");
        assertThat(first.statusCode()).isEqualTo(200);
        metrics = first.body();
      } catch (java.net.ConnectException notYet) {
        Thread.onSpinWait();
      }
    }
    assertThat(metrics).contains("target_info{", "system_cpu_utilization", "app_health_status");
    List<String> starting = new ArrayList<>();
    for (String path :
        List.of("/health", "/health/live", "/health/ready", "/alerts", "/api/system", "/")) {
      HttpResponse<String> anonymous = get(port, path);
      assertThat(anonymous.statusCode()).as(path).isNotEqualTo(404);
      if (anonymous.statusCode() == 503 && anonymous.body().equals("{\"status\":\"starting\"}")) {
        starting.add(path);
      } else if (path.startsWith("/health")) {
        assertThat(anonymous.body()).as(path).matches("\\{\"status\":\"[a-z]+\"}");
      }
    }
    HttpResponse<String> again = get(port, "/metrics");
    assertThat(again.body()).contains("target_info{", "system_cpu_utilization");
    int stopPort = awaitPort(agent);
    assertThat(stopPort).isEqualTo(port);
    stopWithSigterm(agent, port);
  }

  /**
   * Readiness is the agent having started: with no configuration the readiness group holds no check
   * (the host checks describe the host, not whether the agent serves), so the first answer of
   * /health/ready after "starting" is 200, on every start, however busy the host is. Three starts,
   * each timed from launch to that first 200.
   */
  @Test
  void noConfig_readyOnTheFirstAnswerAfterStarting_onEachOfThreeStarts() throws Exception {
    for (int start = 1; start <= 3; start++) {
      int port = freePort();
      long launched = System.nanoTime();
      Child agent =
          start(
              "--host",
              "127.0.0.1",
              "--port",
              String.valueOf(port),
              "--data-dir",
              dir.resolve("data-" + start).toString());
      HttpResponse<String> ready =
          await()
              .atMost(START_TIMEOUT)
              .pollInterval(Duration.ofMillis(25))
              .ignoreException(java.net.ConnectException.class)
              .failFast("the agent exited", () -> !agent.process().isAlive())
              .until(
                  () -> get(port, "/health/ready"),
                  r -> !(r.statusCode() == 503 && r.body().equals("{\"status\":\"starting\"}")));
      Duration launchToReady = Duration.ofNanos(System.nanoTime() - launched);

      assertThat(ready.statusCode()).as("start %d: %s", start, ready.body()).isEqualTo(200);
      JsonNode body = new ObjectMapper().readTree(ready.body());
      assertThat(body.get("status").asText()).isEqualTo("healthy");
      assertThat(body.get("checks").size()).as("checks in readiness").isZero();
      assertThat(launchToReady).as("start %d, launch to ready", start).isLessThan(READY_BOUND);
      // The host checks are still in the overall /health.
      assertThat(new ObjectMapper().readTree(get(port, "/health").body()).get("checks").size())
          .isEqualTo(3);
      stopWithSigterm(agent, port);
    }
  }

  /** A close_timeout past what nanoseconds hold (PT9999999999999H) is capped: "stopped" is said. */
  @Test
  void longestCloseTimeout_stopsOnSigterm_sayingStopped() throws Exception {
    // An overflowing close_timeout is refused when the file is read (see
    // refusedConfig_validateExits1_runExits2_checkExits3_withTheMessage); the longest allowed,
    // a day, still stops at once with nothing queued.
    Path file = dir.resolve("monitor.yml");
    Files.writeString(file, "alerting:\n  store: memory\n  close_timeout: 1d\n");
    Child agent = start("--config", file.toString(), "--host", "127.0.0.1", "--port", "0");
    int port = awaitPort(agent);
    stopWithSigterm(agent, port);
    assertThat(agent.stderr()).doesNotContain("Exception");
  }

  /**
   * An http check of the agent's own group endpoint, in that group, would see the 503 of start-up
   * and hold the endpoint at 503 for good: the agent refuses it, in one line, before it starts.
   */
  @Test
  void httpCheckOfItsOwnGroupEndpoint_exits2WithOneLine_nothingStarted() throws Exception {
    int port = freePort();
    Path file = dir.resolve("monitor.yml");
    Files.writeString(
        file,
        "http:\n  port: "
            + port
            + "\nchecks:\n  self:\n    type: http\n    url: http://localhost:"
            + port
            + "/health/live\n    groups: [liveness]\n");
    Child run = start("--config", file.toString(), "--host", "127.0.0.1");
    assertThat(run.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(2);
    assertThat(run.stderr())
        .isEqualTo(
            "amptalk-monitor: "
                + file
                + ":6: checks.self.url: the check GETs this agent's own group endpoint"
                + " /health/live (group 'liveness'), which the check itself is part of: it would"
                + " see the 503 of start-up and keep the endpoint at 503 for good; probe /metrics"
                + " instead, or take the check out of that group"
                + System.lineSeparator());
    assertThat(run.stdout()).doesNotContain("serving");
    assertPortFree(port);

    // The same check in no group, or probing /metrics, is fine.
    Files.writeString(
        file,
        "checks:\n  self:\n    type: http\n    url: http://localhost:"
            + port
            + "/metrics\n    groups: [liveness]\n");
    Child fine = start("--config", file.toString(), "--host", "127.0.0.1", "--port", "" + port);
    assertThat(awaitPort(fine)).isEqualTo(port);
    stopWithSigterm(fine, port);
  }

  @Test
  void noConfig_servesEveryEndpoint_thenStopsOnSigterm() throws Exception {
    Path data = dir.resolve("data");
    Child agent = start("--host", "127.0.0.1", "--port", "0", "--data-dir", data.toString());
    int port = awaitPort(agent);

    assertThat(agent.stdout())
        .contains("status page at http://127.0.0.1:" + port + "/")
        .contains(
            "checking [cpu, memory, disk] every 15s; alerts to [logging]; alert history in "
                + data.resolve("alerts.db"));
    assertThat(agent.stderr())
        .contains(
            "amptalk-monitor: warning: no API token (--api-token, AMPTALK_API_TOKEN or"
                + " http.token), so POST /alerts is disabled");
    // Said once, in the agent's words: the library's own warning speaks of its builder.
    assertThat(agent.stderr().toLowerCase(Locale.ROOT).split("no api token", -1)).hasSize(2);

    HttpResponse<String> page = get(port, "/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(contentType(page)).startsWith("text/html");
    assertThat(page.body()).contains("<html");

    HttpResponse<String> metrics = get(port, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("app_health_status");

    HttpResponse<String> health = get(port, "/health");
    assertThat(health.statusCode()).isIn(200, 503);
    assertThat(contentType(health)).contains("json");
    assertThat(health.body()).startsWith("{").contains("\"checks\"", "\"cpu\"", "\"disk\"");

    assertThat(get(port, "/health/live").statusCode()).isEqualTo(200);

    HttpResponse<String> ready = get(port, "/health/ready");
    assertThat(ready.statusCode()).isIn(200, 503);
    assertThat(contentType(ready)).contains("json");

    HttpResponse<String> alerts = get(port, "/alerts");
    assertThat(alerts.statusCode()).isEqualTo(200);
    assertThat(contentType(alerts)).contains("json");
    assertThat(alerts.body()).startsWith("{").contains("\"alerts\"");

    HttpResponse<String> refused = post(port, "/alerts", "{\"title\":\"T\"}");
    assertThat(refused.statusCode()).isEqualTo(403);

    HttpResponse<String> system = get(port, "/api/system");
    assertThat(system.statusCode()).isEqualTo(200);
    assertThat(contentType(system)).contains("json");
    assertThat(system.body()).startsWith("{").contains("\"snapshot\"");

    assertThat(get(port, "/nope").statusCode()).isEqualTo(404);

    stopWithSigterm(agent, port);
    assertThat(data.resolve("alerts.db")).isRegularFile();
  }

  @Test
  void demo_withTokenFromEnvironment_acceptsAlertsAndRecordsTraffic() throws Exception {
    Child agent =
        start(
            Map.of("AMPTALK_API_TOKEN", "s3cret"),
            "demo",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--data-dir",
            dir.resolve("data").toString());
    int port = awaitPort(agent);
    String bearer = "Bearer s3cret";

    assertThat(post(port, "/alerts", "{\"title\":\"T\"}").statusCode()).isEqualTo(401);
    HttpResponse<String> raised =
        post(
            port,
            "/alerts",
            "{\"title\":\"From outside\",\"severity\":\"error\"}",
            "Authorization",
            bearer);
    assertThat(raised.statusCode()).isEqualTo(201);
    assertThat(get(port, "/alerts").statusCode()).isEqualTo(401);
    HttpResponse<String> alerts = get(port, "/alerts", "Authorization", bearer);
    assertThat(alerts.statusCode()).isEqualTo(200);
    assertThat(alerts.body()).contains("\"From outside\"");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(get(port, "/metrics").body())
                    .contains("http_server_request_duration_seconds_count{"));
    assertThat(agent.stderr()).doesNotContain("POST /alerts is disabled");

    stopWithSigterm(agent, port);
  }

  @Test
  void check_printsNagiosOutput_exitCodeMatchesItsState() throws Exception {
    Child agent = start("check");

    int code = agent.exitCode(ONE_SHOT_TIMEOUT);

    assertThat(code).isBetween(0, 3);
    String out = agent.stdout();
    assertThat(out).startsWith("AMPTALK ").contains("|");
    String[] lines = out.split("\\R");
    String number = "-?\\d+(\\.\\d+)?";
    assertThat(lines[0])
        .matches(
            "AMPTALK (OK|WARNING|CRITICAL|UNKNOWN) - 3 checks: cpu .*, memory .*, disk .* \\|"
                + " cpu="
                + number
                + "%;75;90 memory="
                + number
                + "%;75;90 disk="
                + number
                + "%;75;90");
    String state = lines[0].split(" ")[1];
    assertThat(code).isEqualTo(List.of("OK", "WARNING", "CRITICAL", "UNKNOWN").indexOf(state));
    assertThat(lines[1]).matches("NAME +STATUS +MESSAGE +DURATION");
    assertThat(lines).hasSize(5);
    assertThat(lines[2]).startsWith("cpu ");
    assertThat(lines[3]).startsWith("memory ");
    assertThat(lines[4]).startsWith("disk ").endsWith(" ms");
  }

  @Test
  void alert_raisesOne_printsItsIdAndStoresIt() throws Exception {
    Path data = dir.resolve("data");
    Child agent =
        start("alert", "--title", "T", "--severity", "error", "--data-dir", data.toString());

    assertThat(agent.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(0);

    String id = agent.stdout().strip();
    assertThat(id).matches(UUID);
    assertThat(agent.stderr()).contains("[ERROR] T: ");
    Path db = data.resolve("alerts.db");
    assertThat(db).isRegularFile();
    try (SqliteAlertStore store = SqliteAlertStore.open(db, 10)) {
      List<Alert> history = store.history(new AlertQuery(10, null, null, null, null));
      assertThat(history).extracting(Alert::id).containsExactly(id);
      assertThat(history.get(0).severity()).isEqualTo(AlertSeverity.ERROR);
      assertThat(history.get(0).source()).isEqualTo("cli");
    }
  }

  @Test
  void alert_badSeverity_exits2WithTheParsersMessage() throws Exception {
    Child agent = start("alert", "--title", "T", "--severity", "loud");

    assertThat(agent.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(2);
    assertThat(agent.stderr())
        .startsWith(
            "Invalid value for option '--severity': severity must be one of info, warning, error,"
                + " critical, was 'loud'");
    assertThat(agent.stdout()).isEmpty();
  }

  @Test
  void portOutOfRange_exits2WithTheExactMessage() throws Exception {
    Child agent = start("--port", "70000");

    assertThat(agent.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(2);
    assertThat(agent.stderr())
        .isEqualTo(
            "Invalid value for option '--port': '70000' is not a port number from 0 to 65535"
                + System.lineSeparator()
                + "Try 'amptalk-monitor --help' for its options."
                + System.lineSeparator());
    assertThat(agent.stdout()).isEmpty();
  }

  @Test
  void help_listsOptionsCommandsAndExitCodes() throws Exception {
    Child agent = start("--help");

    assertThat(agent.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(0);
    assertThat(agent.stdout())
        .startsWith("Usage: amptalk-monitor ")
        .contains(
            "--host=<address>",
            "--port=<port>",
            "--data-dir=<dir>",
            "--api-token=<token>",
            "--check-interval=<duration>",
            "--config=<file>",
            "--demo",
            "Commands:",
            "  run ",
            "  check ",
            "  alert ",
            "  validate ",
            "  demo ",
            "Exit codes:",
            "143");
  }

  @Test
  void checkHelp_listsOptionsAndNagiosExitCodes() throws Exception {
    Child agent = start("check", "--help");

    assertThat(agent.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(0);
    assertThat(agent.stdout())
        .startsWith("Usage: amptalk-monitor check ")
        .contains(
            "--collect-interval=<duration>",
            "--help",
            "Exit codes (Nagios plugin):",
            "0   OK",
            "3   UNKNOWN");
  }

  @ParameterizedTest
  @CsvSource({
    "run, --config=<file>",
    "demo, --api-token=<token>",
    "alert, --config=<file>",
    "check, --config=<file>",
    "validate, <file>"
  })
  void subcommandHelp_exits0ListingItsOptions(String command, String option) throws Exception {
    Child agent = start(command, "--help");

    assertThat(agent.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(0);
    assertThat(agent.stdout()).startsWith("Usage: amptalk-monitor " + command).contains(option);
  }

  // ---------------------------------------------------------------- with a configuration file

  /** One HTTP receiver for the example's webhook, Slack and Alertmanager notifiers. */
  private static final class Receiver implements AutoCloseable {
    final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    final HttpServer server;

    Receiver() throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/",
          exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(
                exchange.getRequestURI().getPath()
                    + " "
                    + new String(body, StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
          });
      server.start();
    }

    String url(String path) {
      return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The requests to {@code path} received so far whose body contains {@code text}. */
    List<String> to(String path, String text) {
      return requests.stream().filter(r -> r.startsWith(path + " ") && r.contains(text)).toList();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** {@code /api/slo}'s first objective. */
  private JsonNode slo(int port) throws Exception {
    return new ObjectMapper().readTree(get(port, "/api/slo").body()).get("slos").get(0);
  }

  /**
   * The objectives evaluated in the agent: the demo's 5 % of errors burn a 99.9 % budget fast, so
   * the page over 1 hour fires with its labels; the counts are saved at stop and reloaded, so a
   * restarted agent (without traffic) starts from them, and a second restart from the same.
   */
  @Test
  void slos_demoTrafficFiresThePage_countsSurviveRestarts() throws Exception {
    Path config = dir.resolve("monitor.yml");
    Files.writeString(config, "slos:\n  api:\n    objective: 99.9\n    route_pattern: '/api/.*'\n");
    Path data = dir.resolve("data");
    String[] args = {
      "--config",
      config.toString(),
      "--data-dir",
      data.toString(),
      "--host",
      "127.0.0.1",
      "--port",
      "0"
    };
    List<String> demo = new ArrayList<>(List.of("demo"));
    demo.addAll(List.of(args));
    Child first = start(demo.toArray(String[]::new));
    int port = awaitPort(first);
    await()
        .atMost(Duration.ofSeconds(40))
        .until(() -> slo(port).get("total_requests").asLong() >= 40);
    JsonNode before = slo(port);
    assertThat(before.get("name").asText()).isEqualTo("api");
    assertThat(before.get("window").asText()).isEqualTo("30d");
    await()
        .atMost(Duration.ofSeconds(40))
        .until(() -> get(port, "/alerts?source=slo").body().contains("\"window\":\"1h\""));
    assertThat(get(port, "/metrics").body())
        .contains(
            "slo_error_budget_remaining{slo=\"api\"}", "slo_burn_rate{slo=\"api\",window=\"5m\"}");
    // In /health, degraded while it burns, but not critical: the overall status is not touched.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "degraded"
                    .equals(
                        new ObjectMapper()
                            .readTree(get(port, "/health").body())
                            .path("checks")
                            .path("slo")
                            .path("status")
                            .asText()));
    JsonNode check =
        new ObjectMapper().readTree(get(port, "/health").body()).get("checks").get("slo");
    assertThat(check.get("message").asText()).isEqualTo("Error budget burning: api");
    // The page's 1h alert fired (awaited above); by now its short 5 min window may have cooled
    // below the threshold while the slower pairs still burn, so the check names whichever fire.
    List<String> firing = new ArrayList<>();
    check.get("details").get("api").get("firing").forEach(w -> firing.add(w.asText()));
    assertThat(firing).isNotEmpty().isSubsetOf("1h", "6h", "1d", "3d");
    stopWithSigterm(first, port);

    Child second = start(args);
    int secondPort = awaitPort(second);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> slo(secondPort).get("total_requests").asLong() > 0);
    long kept = slo(secondPort).get("total_requests").asLong();
    assertThat(kept).isGreaterThanOrEqualTo(before.get("total_requests").asLong());
    stopWithSigterm(second, secondPort);

    Child third = start(args);
    int thirdPort = awaitPort(third);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> slo(thirdPort).get("total_requests").asLong() > 0);
    assertThat(slo(thirdPort).get("total_requests").asLong()).isEqualTo(kept);
    stopWithSigterm(third, thirdPort);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The routing key the example's PagerDuty notifier is given: it must never be printed. */
  private static final String EXAMPLE_ROUTING_KEY = "R0example0routing0key00000000042";

  private static Path example() {
    return Path.of(System.getProperty("user.dir")).getParent().resolve("monitor.example.yml");
  }

  @Test
  void exampleConfig_servesEveryEndpoint_deliversThroughEveryNotifier_stopsOnSigterm()
      throws Exception {
    GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    try (Receiver receiver = new Receiver()) {
      int agentPort = freePort();
      Map<String, String> env = new HashMap<>();
      env.put("SERVICE_NAME", "example-it");
      env.put("AMPTALK_PORT", String.valueOf(agentPort));
      env.put("AMPTALK_API_TOKEN", "example-token");
      env.put("SMTP_SERVER", "127.0.0.1");
      env.put("SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()));
      env.put("SMTP_STARTTLS", "false");
      env.put("WEBHOOK_URL", receiver.url("/pager"));
      env.put("SLACK_WEBHOOK_URL", receiver.url("/slack"));
      env.put("ALERTMANAGER_URL", receiver.url(""));
      env.put("TEAMS_WEBHOOK_URL", receiver.url("/teams"));
      env.put("PAGERDUTY_URL", receiver.url("/pagerduty"));
      env.put("PAGERDUTY_ROUTING_KEY", EXAMPLE_ROUTING_KEY);
      Child agent = start(env, "--config", example().toString(), "--host", "127.0.0.1");
      int port = awaitPort(agent);
      String bearer = "Bearer example-token";

      assertThat(port).isEqualTo(agentPort);
      assertThat(agent.stdout())
          .contains(
              "for service 'example-it' (configuration: " + example() + ")",
              "checking [cpu, memory, disk, heap, self, port, errors, p99, slo] every 15s;"
                  + " alerts to [logging, ops-email, pager, slack, teams, pagerduty, alertmanager];"
                  + " alert history in data"
                  + java.io.File.separator
                  + "alerts.db");
      assertThat(agent.stderr()).doesNotContain("POST /alerts is disabled");
      assertThat(get(port, "/").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = get(port, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body())
          .contains(
              "target_info{", "service_name=\"example-it\"", "service_instance_id=\"checkout-1\"");
      // The token guards the details of /health, /api/system and /alerts; probes still get the
      // status.
      assertThat(get(port, "/health").body()).matches("\\{\"status\":\"[a-z]+\"}");
      HttpResponse<String> health = get(port, "/health", "Authorization", bearer);
      assertThat(health.body())
          .contains(
              "\"cpu\"",
              "\"memory\"",
              "\"disk\"",
              "\"heap\"",
              "\"self\"",
              "\"port\"",
              "\"errors\"",
              "\"p99\"");
      assertThat(get(port, "/api/system").statusCode()).isEqualTo(401);
      assertThat(get(port, "/api/system", "Authorization", bearer).statusCode()).isEqualTo(200);
      assertThat(get(port, "/api/history").statusCode()).isEqualTo(401);
      assertThat(get(port, "/api/history", "Authorization", bearer).body())
          .startsWith("{\"step_seconds\":10,\"retention_seconds\":900,");
      assertThat(get(port, "/alerts").statusCode()).isEqualTo(401);
      assertThat(get(port, "/alerts", "Authorization", bearer).statusCode()).isEqualTo(200);

      HttpResponse<String> raised =
          post(
              port,
              "/alerts",
              "{\"title\":\"Example config works\",\"severity\":\"critical\","
                  + "\"source\":\"cli\"}",
              "Authorization",
              bearer);
      assertThat(raised.statusCode()).isEqualTo(201);

      // Every notifier of the example delivers it: e-mail over real SMTP, the JSON webhook with
      // its header, Slack's and Teams' formats, PagerDuty's events and Alertmanager's API.
      assertThat(smtp.waitForIncomingEmail(20_000, 1)).isTrue();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(receiver.to("/pager", "Example config works")).hasSize(1);
                assertThat(receiver.to("/slack", "Example config works")).hasSize(1);
                assertThat(receiver.to("/teams", "Example config works")).hasSize(1);
                assertThat(receiver.to("/pagerduty", "Example config works")).hasSize(1);
                assertThat(receiver.to("/api/v2/alerts", "Example config works")).isNotEmpty();
              });
      assertThat(
              java.util.Arrays.stream(smtp.getReceivedMessages())
                  .map(
                      m -> {
                        try {
                          return m.getSubject();
                        } catch (jakarta.mail.MessagingException e) {
                          throw new IllegalStateException(e);
                        }
                      })
                  .filter(subject -> subject.contains("Example config works"))
                  .toList())
          .containsExactly("[CRITICAL] Example config works");
      assertThat(receiver.to("/slack", "Example config works").get(0)).contains("\"attachments\"");
      assertThat(receiver.to("/teams", "Example config works").get(0))
          .contains("\"contentType\":\"application/vnd.microsoft.card.adaptive\"");
      assertThat(receiver.to("/pagerduty", "Example config works").get(0))
          .contains(
              "\"routing_key\":\"" + EXAMPLE_ROUTING_KEY + "\"", "\"event_action\":\"trigger\"");

      stopWithSigterm(agent, port);
      assertThat(agent.out().getParent().resolve("data").resolve("alerts.db")).isRegularFile();
      assertThat(agent.stdout() + agent.stderr()).doesNotContain(EXAMPLE_ROUTING_KEY);
    } finally {
      smtp.stop();
    }
  }

  /**
   * The shaded jar pushes over OTLP without the SDK's tracing and logging halves, which the library
   * does not bring: its metric exporter and the JVM's runtime metrics load without them.
   */
  @Test
  void otlpEndpoint_jarPushesMetricsWithJvmRuntime_withoutTheTraceAndLogsSdk() throws Exception {
    try (Receiver collector = new Receiver()) {
      Path file = dir.resolve("otlp.yml");
      Files.writeString(
          file,
          """
          service:
            name: otlp-agent-it
          metrics:
            export_interval: 1s
            otlp_endpoint: %s
          alerting:
            store: memory
          """
              .formatted(collector.url("")));
      Child agent = start("--config", file.toString(), "--host", "127.0.0.1", "--port", "0");
      int port = awaitPort(agent);

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(collector.to("/v1/metrics", "otlp-agent-it"))
                      .anySatisfy(
                          body ->
                              assertThat(body)
                                  .contains("jvm.memory.used", "system.cpu.utilization")));
      stopWithSigterm(agent, port);
      assertThat(agent.stderr()).doesNotContain("Exception", "NoClassDefFoundError");
      try (java.util.jar.JarFile jar = new java.util.jar.JarFile(jar().toFile())) {
        assertThat(jar.stream().map(java.util.jar.JarEntry::getName))
            .noneMatch(n -> n.startsWith("io/opentelemetry/sdk/trace/"))
            .noneMatch(n -> n.startsWith("io/opentelemetry/sdk/logs/"));
      }
    }
  }

  @Test
  void validate_example_exits0SayingWhatItConfigures() throws Exception {
    Child agent = start("validate", example().toString());

    assertThat(agent.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(0);
    assertThat(agent.stdout())
        .isEqualTo(
            example()
                + ": valid; checks: cpu (cpu), memory (memory), disk (disk), heap (jvm), self"
                + " (http), port (tcp), errors (error_ratio), p99 (latency); notifiers: logging,"
                + " ops-email, pager, slack, teams, pagerduty, alertmanager; alert history: data"
                + java.io.File.separator
                + "alerts.db"
                + System.lineSeparator()
                + "alert routes:\n"
                + "  * -> [logging, ops-email, pager, slack, teams, pagerduty, alertmanager]\n"
                + "    [team=db] -> [ops-email, pagerduty] (continue) grouped by [alertname] (wait"
                + " PT30S, interval PT5M, repeat PT4H)\n"
                + "      [severity=~info|warning] -> [ops-email]\n"
                + "    [source=load-test] -> [logging]\n");
  }

  @Test
  void brokenConfig_validateExits1_runExits2_bothWithTheMessage_nothingStarted() throws Exception {
    Path file = dir.resolve("monitor.yml");
    Files.writeString(file, "http:\n  port: 8000\nchecks:\n  cpu:\n    critical_treshold: 95\n");
    String expected =
        file
            + ":5: checks.cpu.critical_treshold: unknown key; expected one of: type, timeout,"
            + " interval, initial_delay, critical, groups, failure_threshold, success_threshold,"
            + " description, warning_threshold, critical_threshold";

    Child validate = start("validate", file.toString());
    assertThat(validate.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(1);
    assertThat(validate.stderr())
        .isEqualTo("amptalk-monitor: " + expected + System.lineSeparator());

    Child run = start("--config", file.toString());
    assertThat(run.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(2);
    assertThat(run.stderr()).contains("amptalk-monitor: " + expected);
    assertThat(run.stdout()).doesNotContain("serving");
    assertThat(run.out().getParent().resolve("data")).doesNotExist();
  }

  /**
   * A configuration the agent refuses before starting anything: an overflowing duration (which once
   * made the health scheduler throw on every tick), a file past the 1 MiB limit, an endless one.
   * validate exits 1, run 2, check 3 (UNKNOWN), each with the one-line message.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "duration | :2: health.interval: checkInterval must be at most P365D, was PT9999999999999H",
        "large    | : file is larger than 1 MiB",
        "endless  | : file is larger than 1 MiB"
      })
  void refusedConfig_validateExits1_runExits2_checkExits3_withTheMessage(
      String what, String problem) throws Exception {
    Path file = dir.resolve(what + ".yml");
    switch (what) {
      case "duration" -> Files.writeString(file, "health:\n  interval: PT9999999999999H\n");
      case "large" -> Files.writeString(file, "# " + "x".repeat(1024 * 1024) + "\n");
      default -> file = Path.of("/dev/zero");
    }
    String expected = file + problem;

    Child validate = start("validate", file.toString());
    assertThat(validate.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(1);
    assertThat(validate.stderr())
        .isEqualTo("amptalk-monitor: " + expected + System.lineSeparator());

    Child run = start("--config", file.toString(), "--port", "0");
    assertThat(run.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(2);
    assertThat(run.stderr()).isEqualTo("amptalk-monitor: " + expected + System.lineSeparator());
    assertThat(run.stdout()).doesNotContain("serving");

    Child check = start("check", "--config", file.toString());
    assertThat(check.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(3);
    assertThat(check.stdout()).isEqualTo("AMPTALK UNKNOWN - " + expected + System.lineSeparator());
  }

  /** {@code check} through real checks: a listening port, a closed one, memory at any level. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "listening | 0 | AMPTALK OK - 1 check: db OK",
        "memory    | 1 | AMPTALK WARNING - 1 check: mem WARNING (Memory usage ",
        "closed    | 2 | AMPTALK CRITICAL - 1 check: db CRITICAL (",
        "broken    | 3 | AMPTALK UNKNOWN - "
      })
  void check_withConfig_exitCodeIsTheNagiosStateOfRealChecks(String what, int code, String line)
      throws Exception {
    try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = what.equals("listening") ? listening.getLocalPort() : freePort();
      String yaml =
          switch (what) {
            case "memory" ->
                "checks:\n  mem:\n    type: memory\n    warning_threshold: 0\n"
                    + "    critical_threshold: 100\n";
            case "broken" -> "checks:\n  db:\n    type: tcp\n    port: 5432\n";
            default ->
                "checks:\n  db:\n    type: tcp\n    host: 127.0.0.1\n    port: " + port + "\n";
          };
      Path file = dir.resolve(what + ".yml");
      Files.writeString(file, yaml);

      Child agent = start("check", "--config", file.toString());

      assertThat(agent.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(code);
      assertThat(agent.stdout()).startsWith(line);
      if (what.equals("broken")) {
        assertThat(agent.stdout())
            .startsWith("AMPTALK UNKNOWN - " + file + ":2: checks.db: 'host' is required");
      }
    }
  }

  // ---------------------------------------------------------------- the data directory

  private static Alert pendingAlert(String id) {
    Instant now = Instant.now();
    return new Alert(
        id,
        "Pending " + id,
        "left pending by an earlier run: " + "x".repeat(400),
        AlertSeverity.ERROR,
        "it",
        "svc",
        now,
        Map.of(),
        "fp-" + id,
        Alert.State.FIRING,
        1,
        now,
        false,
        List.of());
  }

  @Test
  void secondAgentOnOneDataDir_exits2NamingTheHolder_alertToo_eachPendingDeliveredOnce()
      throws Exception {
    Path data = dir.resolve("data");
    List<String> pendingKeys = new ArrayList<>();
    try (SqliteAlertStore store = SqliteAlertStore.open(data.resolve("alerts.db"), 100)) {
      for (String id : List.of("p1", "p2", "p3")) {
        store.save(pendingAlert(id));
        Delivery delivery = Delivery.of("pager", pendingAlert(id));
        store.enqueue(delivery);
        pendingKeys.add(delivery.key());
      }
    }
    // Refuses (503) until both refusals are seen, so that the notifications are still pending
    // while the second agent starts; then takes them, recording each key it took.
    AtomicBoolean accepting = new AtomicBoolean();
    List<String> refused = new CopyOnWriteArrayList<>();
    List<String> accepted = new CopyOnWriteArrayList<>();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
          if (accepting.get()) {
            accepted.add(key);
            exchange.sendResponseHeaders(200, -1);
          } else {
            refused.add(key);
            exchange.sendResponseHeaders(503, -1);
          }
          exchange.close();
        });
    receiver.start();
    try {
      Path config = dir.resolve("monitor.yml");
      Files.writeString(
          config,
          "alerting:\n"
              + "  backoff_initial: 100ms\n"
              + "  backoff_max: 200ms\n"
              + "  max_attempts: 1000\n"
              + "notifiers:\n"
              + "  - type: webhook\n"
              + "    name: pager\n"
              + "    url: http://127.0.0.1:"
              + receiver.getAddress().getPort()
              + "/hook\n");
      String[] args = {
        "--config",
        config.toString(),
        "--data-dir",
        data.toString(),
        "--host",
        "127.0.0.1",
        "--port",
        "0"
      };
      Child first = start(Map.of(), args);
      int port = awaitPort(first);
      await().atMost(Duration.ofSeconds(20)).until(() -> refused.containsAll(pendingKeys));

      Child second = start(Map.of(), args);
      Child alert = start(Map.of(), "alert", "--title", "T", "--data-dir", data.toString());

      String held =
          "amptalk-monitor: data directory "
              + data
              + " is in use by process "
              + first.process().pid()
              + " (it holds "
              + data.resolve("alerts.db.lock")
              + "); stop it, or ";
      assertThat(second.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(2);
      assertThat(second.stderr()).isEqualTo(held + "give this one another --data-dir\n");
      assertThat(second.stdout()).isEmpty();
      assertThat(alert.exitCode(ONE_SHOT_TIMEOUT)).isEqualTo(2);
      assertThat(alert.stderr())
          .isEqualTo(
              held
                  + "raise the alert through that agent's POST /alerts, or give alert another"
                  + " --data-dir\n");
      assertThat(alert.stdout()).isEmpty();

      accepting.set(true);
      await().atMost(Duration.ofSeconds(20)).until(() -> accepted.containsAll(pendingKeys));
      first.process().destroy(); // SIGTERM: after it, nothing of ours can deliver any more
      assertThat(first.exitCode(STOP_TIMEOUT)).isEqualTo(143);
      assertThat(accepted).containsExactlyInAnyOrderElementsOf(pendingKeys);
      assertThat(port).isPositive();
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void routeTree_ofTheConfig_sendsEachAlertToTheReceiversItsLabelsChoose() throws Exception {
    try (Receiver receiver = new Receiver()) {
      Path config = dir.resolve("monitor.yml");
      Files.writeString(
          config,
          "alerting:\n"
              + "  route:\n"
              + "    receivers: [ops]\n"
              + "    routes:\n"
              + "      - matchers: [team=db]\n"
              + "        receivers: [db]\n"
              + "        continue: true\n"
              + "      - matchers: [severity=critical]\n"
              + "        receivers: [pager]\n"
              + "notifiers:\n"
              + "  - {type: webhook, name: ops, url: '"
              + receiver.url("/ops")
              + "'}\n"
              + "  - {type: webhook, name: db, url: '"
              + receiver.url("/db")
              + "'}\n"
              + "  - {type: webhook, name: pager, url: '"
              + receiver.url("/pager")
              + "'}\n");
      Child agent = startWithToken(config);
      int port = awaitPort(agent);
      String[] bearer = {"Authorization", "Bearer t"};
      String body = "{\"title\":\"%s\",\"severity\":\"%s\",\"labels\":{\"team\":\"%s\"}}";
      for (String alert :
          List.of(
              body.formatted("Replica lag", "warning", "db"),
              body.formatted("Disk gone", "critical", "db"),
              body.formatted("Cart 5xx", "critical", "web"),
              body.formatted("Slow page", "warning", "web"))) {
        assertThat(post(port, "/alerts", alert, bearer).statusCode()).isEqualTo(201);
      }
      // The last alert each receiver should get, last of all: once it is in, all before it are.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  receiver.to("/ops", "\"Slow page\"").size()
                          + receiver.to("/db", "\"Disk gone\"").size()
                          + receiver.to("/pager", "\"Cart 5xx\"").size()
                      == 3);
      agent.process().destroy();
      assertThat(agent.exitCode(STOP_TIMEOUT)).isEqualTo(143);
      assertThat(titles(receiver, "/ops")).containsExactly("Slow page");
      assertThat(titles(receiver, "/db")).containsExactly("Replica lag", "Disk gone");
      assertThat(titles(receiver, "/pager")).containsExactly("Disk gone", "Cart 5xx");
    }
  }

  @Test
  void grouping_ofTheConfig_turnsAStormOf50AlertsIntoOneNotificationPerGroup() throws Exception {
    try (Receiver receiver = new Receiver()) {
      Path config = dir.resolve("monitor.yml");
      Files.writeString(
          config,
          "alerting:\n"
              + "  route:\n"
              + "    routes:\n"
              + "      - matchers: [source=storm]\n"
              + "        group_by: [team]\n"
              + "        group_wait: 5s\n"
              + "notifiers:\n"
              + "  - {type: webhook, url: '"
              + receiver.url("/hook")
              + "'}\n");
      Child agent = startWithToken(config);
      int port = awaitPort(agent);
      String[] bearer = {"Authorization", "Bearer t"};
      for (int i = 0; i < 50; i++) {
        String alert =
            "{\"title\":\"Storm "
                + i
                + "\",\"source\":\"storm\",\"labels\":{\"team\":\"t"
                + i % 5
                + "\"}}";
        assertThat(post(port, "/alerts", alert, bearer).statusCode()).isEqualTo(201);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> receiver.to("/hook", "\"title\":\"[FIRING:").size() == 5);
      agent.process().destroy();
      assertThat(agent.exitCode(STOP_TIMEOUT)).isEqualTo(143);
      assertThat(titles(receiver, "/hook"))
          .containsExactlyInAnyOrder(
              "[FIRING:10] {team=t0}",
              "[FIRING:10] {team=t1}",
              "[FIRING:10] {team=t2}",
              "[FIRING:10] {team=t3}",
              "[FIRING:10] {team=t4}");
    }
  }

  /** The agent on {@code config}, on a free loopback port, with the API token {@code t}. */
  private Child startWithToken(Path config) throws IOException {
    return start(
        Map.of("AMPTALK_API_TOKEN", "t"),
        "--config",
        config.toString(),
        "--data-dir",
        dir.resolve("data").toString(),
        "--host",
        "127.0.0.1",
        "--port",
        "0");
  }

  /** The titles of the alerts {@code path} got, but the agent's own checks' (this host's disk). */
  private static List<String> titles(Receiver receiver, String path) throws IOException {
    List<String> titles = new ArrayList<>();
    for (String request : receiver.to(path, "")) {
      JsonNode alert = new ObjectMapper().readTree(request.substring(path.length() + 1));
      if (!alert.get("source").asText().equals("health_check")) {
        titles.add(alert.get("title").asText());
      }
    }
    return titles;
  }

  @Test
  void inhibitRules_ofTheConfig_holdBackTheTargets_untilTheSourceIsResolved() throws Exception {
    try (Receiver receiver = new Receiver()) {
      Path config = dir.resolve("monitor.yml");
      Files.writeString(
          config,
          "alerting:\n"
              + "  inhibit_rules:\n"
              + "    - source_matchers: [alertname=Host down]\n"
              + "      target_matchers: [\"severity=~warning|error\"]\n"
              + "      equal: [host]\n"
              + "notifiers:\n"
              + "  - type: webhook\n"
              + "    url: "
              + receiver.url("/hook")
              + "\n");
      Child agent = startWithToken(config);
      int port = awaitPort(agent);
      ObjectMapper json = new ObjectMapper();
      String[] bearer = {"Authorization", "Bearer t"};
      String body = "{\"title\":\"%s\",\"severity\":\"%s\",\"labels\":{\"host\":\"%s\"}}";

      JsonNode down =
          json.readTree(
              post(port, "/alerts", body.formatted("Host down", "critical", "a"), bearer).body());
      JsonNode symptom =
          json.readTree(
              post(port, "/alerts", body.formatted("Disk full", "error", "a"), bearer).body());
      JsonNode elsewhere =
          json.readTree(
              post(port, "/alerts", body.formatted("Disk full", "error", "b"), bearer).body());

      assertThat(down.get("inhibited").asBoolean()).isFalse();
      assertThat(symptom.get("inhibited").asBoolean()).isTrue();
      assertThat(elsewhere.get("inhibited").asBoolean()).isFalse();
      // One queue delivers in order: once host b's alert is in, host a's would have come first.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !receiver.to("/hook", "\"id\":\"" + elsewhere.get("id").asText()).isEmpty());
      assertThat(receiver.to("/hook", "\"Disk full\"")).hasSize(1);
      assertThat(receiver.to("/hook", "\"id\":\"" + symptom.get("id").asText())).isEmpty();

      assertThat(
              post(port, "/alerts/" + down.get("id").asText() + "/resolve", "", bearer)
                  .statusCode())
          .isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !receiver.to("/hook", "\"id\":\"" + symptom.get("id").asText()).isEmpty());
      List<String> released = receiver.to("/hook", "\"id\":\"" + symptom.get("id").asText());
      assertThat(released).hasSize(1);
      assertThat(released.get(0)).contains("\"state\":\"firing\"", "\"inhibited\":false");
      assertThat(receiver.to("/hook", "\"title\":\"Host down\""))
          .satisfiesExactly(
              fired -> assertThat(fired).contains("\"state\":\"firing\""),
              resolved -> assertThat(resolved).contains("\"state\":\"resolved\""));
      agent.process().destroy();
      assertThat(agent.exitCode(STOP_TIMEOUT)).isEqualTo(143);
    }
  }

  @Test
  void damagedStore_keptAsideWithItsBytes_saidOnStderrAndApiSystem_alertsAfterAreListed()
      throws Exception {
    Path data = dir.resolve("data");
    Path db = data.resolve("alerts.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(db, 1000)) {
      for (int i = 0; i < 100; i++) {
        store.save(pendingAlert("old-" + i));
      }
    }
    long pages = Files.size(db) / 4096;
    byte[] noise = new byte[2 * 4096];
    new Random(12).nextBytes(noise);
    try (RandomAccessFile raf = new RandomAccessFile(db.toFile(), "rw")) {
      raf.seek(pages / 2 * 4096);
      raf.write(noise);
    }
    byte[] damaged = Files.readAllBytes(db);
    Path probe = dir.resolve("probe.db");
    Files.write(probe, damaged);
    String problem;
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + probe);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("PRAGMA quick_check")) {
      rows.next();
      problem = "quick_check: " + rows.getString(1).strip().replace("\n", "; ");
    }
    assertThat(problem).isNotEqualTo("quick_check: ok");

    Child agent =
        start(
            Map.of("AMPTALK_API_TOKEN", "t"),
            "--data-dir",
            data.toString(),
            "--host",
            "127.0.0.1",
            "--port",
            "0");
    int port = awaitPort(agent);

    JsonNode store =
        new ObjectMapper()
            .readTree(get(port, "/api/system", "Authorization", "Bearer t").body())
            .get("store");
    assertThat(store.get("state").asText()).isEqualTo("recovered");
    assertThat(store.get("problem").asText()).isEqualTo(problem);
    Path aside = Path.of(store.get("damaged_file").asText());
    assertThat(aside.getParent()).isEqualTo(data);
    assertThat(aside.getFileName().toString()).matches("alerts\\.db\\.damaged-\\d{8}T\\d{6}Z");
    assertThat(Files.readAllBytes(aside)).isEqualTo(damaged);
    assertThat(agent.stderr())
        .contains(
            " ERROR [main] i.a.m.a.store.SqliteAlertStore - The alert store "
                + db
                + " is damaged ("
                + problem
                + "); moved it aside to "
                + aside
                + " (kept for inspection) and started a fresh history\n");
    assertThat(get(port, "/metrics").body())
        .containsPattern("(?m)^alert_store_recoveries_total(\\{[^}]*})? 1(\\.0)?$");

    HttpResponse<String> raised =
        post(
            port,
            "/alerts",
            "{\"title\":\"After the damage\",\"severity\":\"error\"}",
            "Authorization",
            "Bearer t");
    assertThat(raised.statusCode()).isEqualTo(201);
    String id = new ObjectMapper().readTree(raised.body()).get("id").asText();
    JsonNode listed =
        new ObjectMapper().readTree(get(port, "/alerts", "Authorization", "Bearer t").body());
    List<String> ids = new ArrayList<>();
    (listed.isArray() ? listed : listed.get("alerts")).forEach(a -> ids.add(a.get("id").asText()));
    assertThat(ids).containsExactly(id);
  }
}
