package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher the README starts the agent with, {@code target/amptalk-monitor}, as the package
 * phase leaves it beside the jar with its class-data sharing archive: started as a user would (with
 * {@code JAVA} naming the JVM that made the archive, the build's), probed over HTTP, stopped with
 * SIGTERM; and started again from copies whose archive is missing or does not match the jar, on the
 * JVM running the tests (in CI's second pass another JDK, which the archive does not match either),
 * which must start the same, without a notice.
 */
class AgentLauncherIT {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern PORT =
      Pattern.compile("serving metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final List<Process> started = new ArrayList<>();

  @TempDir Path dir;

  private static Path built(String name) {
    return AgentIT.jar().resolveSibling(name);
  }

  @BeforeAll
  static void builtByThePackagePhase() {
    assertThat(built("amptalk-monitor")).isExecutable();
    assertThat(built("amptalk-monitor.jsa"))
        .as("the archive made in the package phase; see target/cds-warm-up.log")
        .isRegularFile();
  }

  @AfterEach
  void killLeftovers() {
    started.forEach(Process::destroyForcibly);
  }

  /** A started launcher: its process (the JVM itself, once exec'd) and where its output goes. */
  private record Launched(Process process, Path out, Path err) {
    String stdout() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }

    /** What {@code /proc} says the process runs, one argument an element. */
    List<String> commandLine() throws IOException {
      byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(process.pid()), "cmdline"));
      return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
    }

    /** Whether the JVM mapped {@code file} (the archive, when it uses it). */
    boolean maps(Path file) throws IOException {
      return Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "maps")).stream()
          .anyMatch(line -> line.endsWith(" " + file.toAbsolutePath()));
    }
  }

  /** The JVM that made the archive: Maven's, which need not be the one running the tests. */
  private static String buildJava() {
    String configured = System.getProperty("amptalk.build.java");
    return configured != null ? configured : testJava();
  }

  private static String testJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private Launched launch(
      String java, Path launcher, Map<String, String> environment, String... args)
      throws IOException {
    Path run = Files.createTempDirectory(dir, "run");
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = AgentIT.inRunDirectory(command, run);
    builder.environment().remove("JAVA_OPTS");
    builder.environment().remove("JAVA_HOME");
    builder.environment().put("JAVA", java);
    builder.environment().putAll(environment);
    Process process = builder.start();
    started.add(process);
    return new Launched(process, run.resolve("stdout.txt"), run.resolve("stderr.txt"));
  }

  /** Serving on a free loopback port with a token (so no warning of a missing one), own data. */
  private Launched serve(String java, Path launcher, Map<String, String> environment)
      throws IOException {
    return launch(
        java,
        launcher,
        environment,
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--api-token",
        "launcher-token",
        "--data-dir",
        Files.createTempDirectory(dir, "data").toString());
  }

  private int awaitReady(Launched agent) throws Exception {
    int port =
        await()
            .atMost(START_TIMEOUT)
            .pollInterval(Duration.ofMillis(50))
            .failFast("the agent exited", () -> !agent.process().isAlive())
            .until(
                () -> {
                  Matcher matcher = PORT.matcher(agent.stdout());
                  return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
                },
                found -> found > 0);
    HttpResponse<String> ready =
        await()
            .atMost(START_TIMEOUT)
            .pollInterval(Duration.ofMillis(25))
            .failFast("the agent exited", () -> !agent.process().isAlive())
            .until(() -> get(port, "/health/ready"), r -> r.statusCode() != 503);
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    return port;
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** SIGTERM to the launcher's pid reaches the JVM (exec): a graceful stop, 143 as documented. */
  private static void stopWithSigterm(Launched agent) throws Exception {
    agent.process().destroy();
    boolean exited = agent.process().waitFor(20, TimeUnit.SECONDS);
    assertThat(exited).as("stopped; stdout: %s", agent.stdout()).isTrue();
    assertThat(agent.process().exitValue()).isEqualTo(143);
    assertThat(agent.stdout()).contains("amptalk-monitor: stopping", "amptalk-monitor: stopped");
  }

  @Test
  void launcher_servesWithItsSettingsAndTheArchive_stopsOnSigtermWith143() throws Exception {
    Launched agent = serve(buildJava(), built("amptalk-monitor"), Map.of());
    int port = awaitReady(agent);

    assertThat(get(port, "/metrics").body()).contains("system_cpu_utilization");
    List<String> command = agent.commandLine();
    assertThat(command.get(0)).as("exec'd: the pid is the JVM's").isEqualTo(buildJava());
    assertThat(command)
        .contains("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData")
        .containsSubsequence("-jar", built("amptalk-monitor.jar").toString(), "--host");
    assertThat(agent.maps(built("amptalk-monitor.jsa"))).as("the archive is mapped").isTrue();
    assertThat(agent.stdout()).doesNotContain("warning", "[cds");
    assertThat(agent.stderr()).isEmpty();
    stopWithSigterm(agent);
  }

  @Test
  void javaOpts_comeAfterTheDefaults_soTheyOverrideThem_argumentsPassedAsGiven() throws Exception {
    Path spaced = Files.createDirectories(dir.resolve("a dir"));
    Path config = Files.writeString(spaced.resolve("monitor.yml"), "checks: {}\n");
    Launched validate =
        launch(
            buildJava(),
            built("amptalk-monitor"),
            Map.of("JAVA_OPTS", "-Xmx96m"),
            "validate",
            config.toString());

    assertThat(validate.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(validate.stdout()).startsWith(config + ": valid");
    assertThat(validate.stderr()).isEmpty();
    assertThat(validate.process().exitValue()).isZero();

    Launched agent = serve(buildJava(), built("amptalk-monitor"), Map.of("JAVA_OPTS", "-Xmx96m"));
    awaitReady(agent);
    assertThat(agent.commandLine()).containsSubsequence("-Xmx128m", "-Xmx96m", "-jar");
    stopWithSigterm(agent);
  }

  /**
   * Copies elsewhere: the archive records the jar it was made for (its path, size and time), so it
   * matches no copy; and a copy without one. Both start, unmapped, with nothing on stderr.
   */
  @Test
  void archiveNotMatchingTheJarOrMissing_startsWithoutIt_withoutANotice() throws Exception {
    for (boolean withArchive : new boolean[] {true, false}) {
      Path copy = Files.createTempDirectory(dir, withArchive ? "mismatched" : "missing");
      for (String name : List.of("amptalk-monitor", "amptalk-monitor.jar")) {
        Files.copy(built(name), copy.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
      }
      if (withArchive) {
        Files.copy(built("amptalk-monitor.jsa"), copy.resolve("amptalk-monitor.jsa"));
      }
      Launched agent = serve(testJava(), copy.resolve("amptalk-monitor"), Map.of());
      awaitReady(agent);

      assertThat(agent.maps(copy.resolve("amptalk-monitor.jsa"))).isFalse();
      // The JVM's own notices go to stdout: none there either.
      assertThat(agent.stdout()).as(copy.toString()).doesNotContain("warning", "[cds");
      assertThat(agent.stderr()).as(copy.toString()).isEmpty();
      stopWithSigterm(agent);
    }
  }
}
