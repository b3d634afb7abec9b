package io.amptalk.monitoring.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.internal.http.HealthHttpHandler;
import io.amptalk.monitoring.testing.MutableClock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Checks that misbehave in each way the issue names (hang, throw exceptions and errors, return
 * null, call back into the registry), run by the periodic scheduler on an injected clock while
 * {@code /health} is read over real HTTP: the other checks keep reporting exactly once per
 * interval, nothing deadlocks, and {@code /health} keeps answering.
 *
 * <p>Already proven in {@link HealthCheckTest}: {@code runAllChecks} with a hanging, a throwing, a
 * {@code StackOverflowError}-throwing and a null-returning check; a check still hanging after its
 * timeout is not started again; the real-time scheduler keeps running checks while one hangs.
 */
class HealthCheckFaultsIT {
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MutableClock clock = new MutableClock(START);
  private final HttpClient http = HttpClient.newHttpClient();
  private final CountDownLatch release = new CountDownLatch(1);
  private HealthCheck registry;
  private HttpServer server;

  /** The periodic scheduler on, looking for due checks every 10 ms of real time. */
  private HealthCheck start(Consumer<HealthCheck.Builder> config) throws Exception {
    HealthCheck.Builder builder =
        HealthCheck.builder()
            .serviceName("amptalk")
            .clock(clock)
            .tick(Duration.ofMillis(10))
            .checkInterval(INTERVAL)
            .defaultTimeout(Duration.ofMillis(300));
    config.accept(builder);
    registry = builder.build();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", new HealthHttpHandler(registry::getStatusReport, null));
    server.start();
    return registry;
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(0);
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void checksThrowingErrorsReturningNullOrHanging_othersKeepTheirRhythm_healthAnswers()
      throws Exception {
    // A thread for each check, and a timeout no busy machine makes a check miss its start by.
    start(b -> b.threads(8).defaultTimeout(Duration.ofSeconds(2)));
    AtomicInteger steadyRuns = new AtomicInteger();
    AtomicInteger hangingCalls = new AtomicInteger();
    registry.registerCheck(
        "steady", () -> CheckResult.healthy("run " + steadyRuns.incrementAndGet()), "");
    registry.registerCheck("overflows", () -> CheckResult.healthy("depth " + recurse()), "");
    registry.registerCheck(
        "out-of-memory",
        () -> {
          throw new OutOfMemoryError("Java heap space");
        },
        "");
    registry.registerCheck(
        "no-driver",
        () -> {
          throw new NoClassDefFoundError("org/example/Driver");
        },
        "");
    registry.registerCheck(
        "throws",
        () -> {
          throw new IllegalStateException("boom");
        },
        "");
    registry.registerCheck("returns-null", () -> null, "");
    registry.registerCheck("hangs", hanging(hangingCalls), "");
    String[] all = registry.getCheckNames().toArray(String[]::new);

    for (int round = 1; round <= 5; round++) {
      if (round > 1) {
        clock.advance(INTERVAL);
      }
      awaitRuns(round, all);
      HttpResponse<String> health = get("/health");
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(statuses(health.body()))
          .containsExactly(
              Map.entry("steady", "healthy"),
              Map.entry("overflows", "unhealthy"),
              Map.entry("out-of-memory", "unhealthy"),
              Map.entry("no-driver", "unhealthy"),
              Map.entry("throws", "unhealthy"),
              Map.entry("returns-null", "unhealthy"),
              Map.entry("hangs", "unhealthy"));
    }

    // Exactly one run per interval: none missed, none doubled.
    assertThat(steadyRuns).hasValue(5);
    assertThat(messages("steady")).containsExactly("run 5", "run 4", "run 3", "run 2", "run 1");
    assertThat(messages("overflows")).hasSize(5).containsOnly("Check threw StackOverflowError");
    assertThat(messages("out-of-memory"))
        .hasSize(5)
        .containsOnly("Check threw OutOfMemoryError: Java heap space");
    assertThat(messages("no-driver"))
        .hasSize(5)
        .containsOnly("Check threw NoClassDefFoundError: org/example/Driver");
    assertThat(messages("throws"))
        .hasSize(5)
        .containsOnly("Check threw IllegalStateException: boom");
    assertThat(messages("returns-null")).hasSize(5).containsOnly("Check returned no result");
    String stillRunning =
        "Timed out after 2 s and still running; not started again until it returns";
    assertThat(messages("hangs"))
        .containsExactly(
            stillRunning, stillRunning, stillRunning, stillRunning, "Timed out after 2 s");
    assertThat(hangingCalls).hasValue(1);

    // Once the hanging check returns, it is run again on the next interval.
    release.countDown();
    await().atMost(Duration.ofSeconds(20)).until(() -> registry.runsInFlight() == 0);
    clock.advance(INTERVAL);
    awaitRuns(6, all);
    assertThat(messages("hangs").get(0)).isEqualTo("released");
    assertThat(steadyRuns).hasValue(6);
  }

  @Test
  void checkWaitingForAThreadHeldByAHangingCheck_isSkippedNotTimedOut_andRunsOnceTheThreadIsFree()
      throws Exception {
    start(b -> b.threads(1));
    AtomicInteger hangingCalls = new AtomicInteger();
    registry.registerCheck(
        "hangs",
        hanging(hangingCalls),
        "",
        CheckOptions.builder().timeout(Duration.ofHours(1)).build());
    registry.registerCheck(
        "queued",
        () -> CheckResult.healthy("ran"),
        "",
        CheckOptions.builder().timeout(Duration.ofSeconds(2)).build());

    // The one thread is held by "hangs": "queued" waits for it. Its timeout (2 s) counts from its
    // start, so waiting is no failure; its next run, due an interval later, is skipped.
    await().atMost(Duration.ofSeconds(20)).until(() -> hangingCalls.get() == 1);
    clock.advance(INTERVAL);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> registry.getStatusReport().checks().get("queued").skipped() == 1);
    assertThat(messages("queued")).isEmpty();
    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(statuses(health.body()))
        .containsExactly(Map.entry("hangs", "unknown"), Map.entry("queued", "unknown"));
    assertThat(JSON.readTree(health.body()).get("checks").get("queued").get("skipped").asInt())
        .isEqualTo(1);

    release.countDown();
    awaitRuns(1, "hangs", "queued");
    for (int round = 2; round <= 3; round++) {
      clock.advance(INTERVAL);
      awaitRuns(round, "hangs", "queued");
    }

    assertThat(messages("queued")).containsExactly("ran", "ran", "ran");
    assertThat(messages("hangs")).containsExactly("released", "released", "released");
    assertThat(registry.getStatusReport().checks().get("queued").skipped()).isEqualTo(1);
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void checksCallingBackIntoTheRegistry_neitherDeadlockNorDisturbTheOthers() throws Exception {
    // Threads for every check at once, and a timeout longer than the awaits: a check that waited
    // for itself would fail this test rather than time out into a result.
    start(b -> b.threads(16).defaultTimeout(Duration.ofSeconds(30)));
    AtomicInteger steadyRuns = new AtomicInteger();
    registry.registerCheck(
        "steady", () -> CheckResult.healthy("run " + steadyRuns.incrementAndGet()), "");
    registry.registerCheck("target", () -> CheckResult.healthy("target ok"), "");
    registry.registerCheck(
        "reads",
        () -> {
          HealthReport report = registry.getStatusReport();
          HealthStatus overall = registry.getOverallStatus();
          List<CheckResult> own = registry.getCheckHistory("reads", 10);
          return CheckResult.healthy(
              "read " + report.checks().size() + " " + overall.jsonName() + " " + own.size());
        },
        "");
    registry.registerCheck(
        "self", () -> CheckResult.healthy("own run: " + registry.runCheck("self").message()), "");
    registry.registerCheck(
        "other",
        () -> CheckResult.healthy("target said: " + registry.runCheck("target").message()),
        "");
    registry.registerCheck(
        "registers",
        () -> {
          if (registry.getCheckNames().contains("added")) {
            registry.unregisterCheck("added");
            return CheckResult.healthy("unregistered added");
          }
          registry.registerCheck(
              "added",
              () -> CheckResult.healthy("added ok"),
              "",
              CheckOptions.builder().critical(false).build());
          return CheckResult.healthy("registered added");
        },
        "");
    registry.registerCheck(
        "removes-itself",
        () -> {
          registry.unregisterCheck("removes-itself");
          return CheckResult.healthy("gone");
        },
        "");
    String[] counted = {"steady", "reads", "self", "other", "registers"};

    for (int round = 1; round <= 4; round++) {
      if (round > 1) {
        clock.advance(INTERVAL);
      }
      awaitRuns(round, counted);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> !registry.getCheckNames().contains("removes-itself"));
      HttpResponse<String> health = get("/health");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(statuses(health.body()))
          .doesNotContainKey("removes-itself")
          .contains(
              Map.entry("steady", "healthy"),
              Map.entry("target", "healthy"),
              Map.entry("reads", "healthy"),
              Map.entry("self", "healthy"),
              Map.entry("other", "healthy"),
              Map.entry("registers", "healthy"));
    }

    assertThat(steadyRuns).hasValue(4);
    assertThat(messages("self"))
        .hasSize(4)
        .containsOnly(
            "own run: Health check 'self' asked for its own result from inside its run; a check"
                + " cannot wait for itself");
    assertThat(messages("other")).hasSize(4).containsOnly("target said: target ok");
    assertThat(messages("registers"))
        .containsExactly(
            "unregistered added", "registered added", "unregistered added", "registered added");
    assertThat(messages("reads")).hasSize(4).allMatch(m -> m.startsWith("read "));
    assertThat(registry.getCheckNames()).doesNotContain("removes-itself", "added");
  }

  @Test
  void checksCallingRunAllChecksOrEachOther_endWithinTheirTimeouts() throws Exception {
    start(b -> b.threads(16).defaultTimeout(Duration.ofSeconds(30)));
    CheckOptions later = CheckOptions.builder().initialDelay(INTERVAL).build();
    registry.registerCheck("plain", () -> CheckResult.healthy("plain ok"), "");
    registry.registerCheck(
        "all",
        () -> {
          Map<String, CheckResult> results = registry.runAllChecks();
          return CheckResult.healthy(
              results.keySet() + "; own run: " + results.get("all").status().jsonName());
        },
        "",
        later);
    // Two checks waiting for each other: only a timeout can end that, and it does.
    registry.registerCheck(
        "ping",
        () -> CheckResult.healthy("pong said: " + registry.runCheck("pong").message()),
        "",
        CheckOptions.builder().initialDelay(INTERVAL).timeout(Duration.ofSeconds(1)).build());
    registry.registerCheck(
        "pong",
        () -> CheckResult.healthy("ping said: " + registry.runCheck("ping").message()),
        "",
        later);

    for (int round = 1; round <= 3; round++) {
      clock.advance(INTERVAL);
      awaitRuns(round, "all", "ping", "pong");
      assertThat(get("/health").statusCode()).isEqualTo(503); // ping timed out
      // ping's thread, interrupted at its timeout, returns before the next round.
      await().atMost(Duration.ofSeconds(20)).until(() -> registry.runsInFlight() == 0);
    }

    assertThat(messages("all"))
        .hasSize(3)
        .containsOnly("[plain, all, ping, pong]; own run: unknown");
    assertThat(messages("ping")).hasSize(3).containsOnly("Timed out after 1 s");
    assertThat(messages("pong")).hasSize(3).containsOnly("ping said: Timed out after 1 s");
  }

  // ---------------------------------------------------------------- helpers

  /** Recurses until the stack overflows: a real StackOverflowError, thrown deep in the check. */
  private static int recurse() {
    return recurse() + 1;
  }

  private Check hanging(AtomicInteger calls) {
    return () -> {
      calls.incrementAndGet();
      // Ignores interruption, as a badly written check would: only the test's latch frees it.
      while (true) {
        try {
          release.await();
          return CheckResult.healthy("released");
        } catch (InterruptedException e) {
          // keep hanging
        }
      }
    };
  }

  /** Waits until each named check has exactly {@code runs} results (more fails: a double run). */
  private void awaitRuns(int runs, String... names) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Arrays.stream(names)
                    .allMatch(name -> registry.getCheckHistory(name, 1000).size() == runs));
  }

  /** The check's results' messages, newest first. */
  private List<String> messages(String name) {
    return registry.getCheckHistory(name, 1000).stream().map(CheckResult::message).toList();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Each check's status in a /health body, in its order. */
  private static Map<String, String> statuses(String body) throws Exception {
    Map<String, String> statuses = new LinkedHashMap<>();
    JsonNode checks = JSON.readTree(body).get("checks");
    for (String name : (Iterable<String>) checks::fieldNames) {
      statuses.put(name, checks.get(name).get("status").asText());
    }
    return Collections.unmodifiableMap(statuses);
  }
}
