package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.Silence;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import io.amptalk.monitoring.health.HealthCheck;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code resolve} and {@code silence} against a real monitor serving its API on a loopback port,
 * and {@code silence --data-dir} into a stopped agent's store.
 */
class AgentActIT {
  private static final String TOKEN = "s3cret-T0ken";

  private record Run(int exitCode, String out, String err) {}

  private Monitoring monitoring;
  private String url;

  @BeforeEach
  void start() {
    monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .build())
            .healthCheck(m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build())
            .alertSystem(m -> AlertSystem.builder().noRateLimit().meter(m.getMeter()).build())
            .apiToken(TOKEN)
            .build();
    url = "http://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort();
  }

  @AfterEach
  void stop() {
    monitoring.close();
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Agent.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
    int code = commandLine.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void resolve_byId_thenAgain_thenWithoutTheToken() {
    Alert disk =
        monitoring.alertSystem().alert("Disk full", "95 %", AlertSeverity.ERROR, "disk", Map.of());

    Run resolved = run("resolve", disk.id(), "--url", url, "--api-token", TOKEN);
    Run again = run("resolve", disk.id(), "--url", url, "--api-token", TOKEN);
    Run anonymous = run("resolve", disk.id(), "--url", url, "--api-token", "");

    assertThat(resolved.exitCode()).isEqualTo(0);
    assertThat(resolved.out()).isEqualTo("resolved " + disk.id() + ": Disk full\n");
    assertThat(monitoring.alertSystem().getHistory(1, null, null).get(0).state())
        .isEqualTo(Alert.State.RESOLVED);
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err())
        .isEqualTo(
            "amptalk-monitor: no firing alert has the id or fingerprint '" + disk.id() + "'\n");
    assertThat(anonymous.exitCode()).isEqualTo(2);
    assertThat(anonymous.err())
        .isEqualTo(
            "amptalk-monitor: the agent refused the API token (give it with AMPTALK_API_TOKEN or"
                + " --api-token)\n");
  }

  @Test
  void resolve_noAgentAtTheUrl_exits2NamingIt() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    Run run = run("resolve", "x", "--url", "http://127.0.0.1:" + port, "--api-token", TOKEN);

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "amptalk-monitor: no agent answers at http://127.0.0.1:"
                + port
                + "/ (connection refused)\n");
  }

  @Test
  void silence_addedListedAndExpired_onTheRunningAgent() {
    Run added =
        run(
            "silence",
            "--matcher",
            "source=disk",
            "--matcher",
            "severity=~error|critical",
            "--duration",
            "4h",
            "--comment",
            "disk swap",
            "--created-by",
            "ops",
            "--url",
            url,
            "--api-token",
            TOKEN);

    assertThat(added.exitCode()).as(added.err()).isEqualTo(0);
    String id = added.out().strip();
    List<Silence> silences = monitoring.alertSystem().getSilences();
    assertThat(silences).extracting(Silence::id).containsExactly(id);
    assertThat(silences.get(0).matchers())
        .extracting(Silence.Matcher::toString)
        .containsExactly("source=disk", "severity=~error|critical");
    assertThat(silences.get(0).createdBy()).isEqualTo("ops");
    assertThat(silences.get(0).comment()).isEqualTo("disk swap");
    assertThat(
            monitoring
                .alertSystem()
                .alert("Disk full", "", AlertSeverity.ERROR, "disk", Map.of())
                .silenced())
        .isTrue();

    Run listed = run("silence", "--list", "--url", url, "--api-token", TOKEN);
    assertThat(listed.exitCode()).isEqualTo(0);
    assertThat(listed.out()).startsWith("{\"id\":\"" + id + "\",\"matchers\":[\"source=disk\",");
    assertThat(listed.out().lines()).hasSize(1);

    Run expired = run("silence", "--expire", id, "--url", url, "--api-token", TOKEN);
    Run expiredAgain = run("silence", "--expire", id, "--url", url, "--api-token", TOKEN);
    assertThat(expired.exitCode()).isEqualTo(0);
    assertThat(expired.out()).isEqualTo("expired " + id + "\n");
    assertThat(monitoring.alertSystem().getSilences()).isEmpty();
    assertThat(expiredAgain.exitCode()).isEqualTo(1);
    assertThat(expiredAgain.err())
        .isEqualTo("amptalk-monitor: no silence in force has the id '" + id + "'\n");
  }

  @Test
  void silence_badInput_exits2NamingIt() {
    Run noEnd = run("silence", "--matcher", "team=db", "--url", url, "--api-token", TOKEN);
    Run nothing = run("silence", "--url", url);
    Run badMatcher =
        run(
            "silence",
            "--matcher",
            "team=~(",
            "--duration",
            "1h",
            "--url",
            url,
            "--api-token",
            TOKEN);

    assertThat(noEnd.exitCode()).isEqualTo(2);
    assertThat(noEnd.err())
        .isEqualTo("amptalk-monitor: a silence needs --duration or --until, one of the two\n");
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err())
        .isEqualTo(
            "amptalk-monitor: give --matcher (with --duration or --until) to add a silence,"
                + " --list, or --expire <id>: one of the three\n");
    assertThat(badMatcher.exitCode()).isEqualTo(2);
    assertThat(badMatcher.err())
        .isEqualTo(
            "amptalk-monitor: matchers[0]: label matcher 'team=~(' has an invalid regular"
                + " expression: Unclosed group near index 1\n");
    assertThat(monitoring.alertSystem().getSilences()).isEmpty();
  }

  @Test
  void silence_intoAStoppedAgentsDataDirectory_isInForceAtItsNextStart(@TempDir Path dir) {
    // Within the year a silence may last, and whole seconds as the flag is written.
    Instant until = Instant.now().plus(Duration.ofDays(30)).truncatedTo(ChronoUnit.SECONDS);
    Run added =
        run(
            "silence",
            "--matcher",
            "team=db",
            "--until",
            until.toString(),
            "--comment",
            "migration",
            "--data-dir",
            dir.toString());

    assertThat(added.exitCode()).as(added.err()).isEqualTo(0);
    try (AlertSystem next =
        AlertSystem.builder().store(SqliteAlertStore.open(dir.resolve("alerts.db"), 10)).build()) {
      assertThat(next.getSilences()).extracting(Silence::id).containsExactly(added.out().strip());
      assertThat(next.getSilences().get(0).comment()).isEqualTo("migration");
      assertThat(next.getSilences().get(0).until()).isEqualTo(until);
      assertThat(
              next.alert("Pool full", "", AlertSeverity.ERROR, "db", Map.of(), Map.of("team", "db"))
                  .silenced())
          .isTrue();
    }
  }
}
