package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line in-process: parsing, errors and the one-shot commands. */
class AgentTest {

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    StringWriter out = new StringWriter();
    StringWriter usage = new StringWriter();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      CommandLine commandLine = Agent.commandLine(args);
      commandLine.setOut(new PrintWriter(out));
      commandLine.setErr(new PrintWriter(usage));
      int code = commandLine.execute(args);
      return new Run(code, out.toString(), err.toString(StandardCharsets.UTF_8) + usage);
    } finally {
      System.setErr(originalErr);
    }
  }

  /**
   * Options alone, as the agent is started to serve, build the default command without the eight
   * others; a subcommand, a request for help, a typo or a bad value build them all, so that the
   * usage, the suggestions and the refusals stay those of the whole command line.
   */
  @Test
  void commandLine_optionsAloneWithoutTheSubcommands_anythingElseWithThem() {
    assertThat(Agent.commandLine(new String[0]).getSubcommands()).isEmpty();
    assertThat(
            Agent.commandLine(new String[] {"--host", "127.0.0.1", "--port", "0", "--demo"})
                .getSubcommands())
        .isEmpty();
    assertThat(Agent.commandLine().getSubcommands().keySet())
        .containsExactly(
            "run", "check", "alert", "resolve", "silence", "validate", "slo-rules", "demo", "help");
    for (String[] args :
        List.of(
            new String[] {"check"},
            new String[] {"--data-dir", "x", "alert", "--title", "t"},
            new String[] {"--help"},
            new String[] {"chek"},
            new String[] {"--port"},
            new String[] {"--port", "70000"})) {
      assertThat(Agent.commandLine(args).getSubcommands().keySet())
          .as(String.join(" ", args))
          .containsExactly(
              "run",
              "check",
              "alert",
              "resolve",
              "silence",
              "validate",
              "slo-rules",
              "demo",
              "help");
    }
  }

  @Test
  void portInUse_exits2WithMessageNamingThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      Run run = run("--host", "127.0.0.1", "--port", String.valueOf(port));

      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.err())
          .isEqualTo(
              "amptalk-monitor: port "
                  + port
                  + " is already in use on 127.0.0.1: stop what holds it, or choose another with"
                  + " --port (0 picks a free port)"
                  + System.lineSeparator());
    }
  }

  @Test
  void invalidOptionValue_exits2NamingOptionAndValue() {
    Run run = run("--port", "70000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "Invalid value for option '--port': '70000' is not a port number from 0 to 65535"
                + System.lineSeparator()
                + "Try 'amptalk-monitor --help' for its options."
                + System.lineSeparator());
  }

  @Test
  void runSubcommand_invalidOptionValue_exits2LikeTheDefault() {
    Run run = run("run", "--port", "70000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "Invalid value for option '--port': '70000' is not a port number from 0 to 65535"
                + System.lineSeparator()
                + "Try 'amptalk-monitor run --help' for its options."
                + System.lineSeparator());
  }

  @Test
  void zeroCollectInterval_exits2() {
    Run run = run("--collect-interval", "PT0S");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "amptalk-monitor: collectInterval must be a positive duration, was PT0S"
                + System.lineSeparator());
  }

  @Test
  void unparsableOption_exits2WithOneLineAndAHint_notTheUsage() {
    Run run = run("--port", "eighty");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "Invalid value for option '--port': 'eighty' is not a port number from 0 to 65535"
                + System.lineSeparator()
                + "Try 'amptalk-monitor --help' for its options."
                + System.lineSeparator());
  }

  @Test
  void unknownOption_suggestsTheNearestOne_andTheHint() {
    Run run = run("--portt", "8000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith("Unknown options: '--portt', '8000'" + System.lineSeparator())
        .contains("--port")
        .endsWith("Try 'amptalk-monitor --help' for its options." + System.lineSeparator())
        .doesNotContain("Usage:");
  }

  @Test
  void alertHelp_describesWhatTheConfigurationGivesTheAlert() {
    Run run = run("alert", "--help");

    assertThat(run.exitCode()).isEqualTo(0);
    assertThat(run.out().replaceAll("\\s+", " "))
        .contains(
            "-c, --config=<file> YAML configuration whose notifiers, alerting settings and"
                + " alert history the alert goes through (see monitor.example.yml). Default:"
                + " none: the log, and the history in ./data/alerts.db.")
        .doesNotContain("monitors this host");
  }

  @Test
  void unparsableDuration_exits2NamingTheFormat() {
    Run run = run("demo", "--check-interval", "15 seconds");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith(
            "Invalid value for option '--check-interval': '15 seconds' is not a duration such as"
                + " 500ms, 15s, 5m, 4h, 1d or PT15S");
  }

  @Test
  void optionBeforeSubcommand_exits2AskingToMoveIt() {
    Run run = run("--data-dir", "elsewhere", "--port", "0", "alert", "--title", "T");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith(
            "Options go after the command: --data-dir, --port given before 'alert'; see"
                + " 'amptalk-monitor alert --help'");
  }

  @Test
  void optionBeforeCheck_exits3AsANagiosPluginDoes() {
    Run run = run("--port", "0", "check");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err())
        .startsWith(
            "Options go after the command: --port given before 'check'; see 'amptalk-monitor"
                + " check --help'"
                + System.lineSeparator()
                + "Try 'amptalk-monitor check --help' for its options."
                + System.lineSeparator());
  }

  @Test
  void check_badOption_exits3AsANagiosPluginDoes() {
    Run run = run("check", "--collect-interval", "soon");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err())
        .startsWith(
            "Invalid value for option '--collect-interval': 'soon' is not a duration such as"
                + " 500ms, 15s, 5m, 4h, 1d or PT15S");
  }

  @Test
  void check_collectIntervalPastNagiosTimeout_unknown() {
    Run run = run("check", "--collect-interval", "PT1M");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.out())
        .isEqualTo(
            "AMPTALK UNKNOWN - --collect-interval must be at most PT15S (Nagios stops a plugin"
                + " after 60 s), was PT1M"
                + System.lineSeparator());
  }

  @Test
  void check_unknownOption_exits3() {
    Run run = run("check", "--port", "8000");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).startsWith("Unknown options: '--port', '8000'");
  }

  @Test
  void alert_badSeverity_exits2WithTheParsersMessage() {
    Run run = run("alert", "--title", "T", "--severity", "loud");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .startsWith(
            "Invalid value for option '--severity': severity must be one of info, warning, error,"
                + " critical, was 'loud'");
  }

  @Test
  void alert_noTitle_exits2() {
    Run run = run("alert");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Missing required option: '--title=<text>'");
  }

  @Test
  void alert_raisesOneAlert_printsItsIdAndKeepsItInTheStore(@TempDir Path dir) {
    Path data = dir.resolve("data");

    Run run =
        run(
            "alert",
            "--title",
            "Disk almost full",
            "--message",
            "92% used",
            "--severity",
            "critical",
            "--source",
            "ops",
            "--service-name",
            "svc",
            "--data-dir",
            data.toString());

    assertThat(run.exitCode()).isEqualTo(0);
    String id = run.out().strip();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    try (SqliteAlertStore store = SqliteAlertStore.open(data.resolve("alerts.db"), 10)) {
      List<Alert> history = store.history(new AlertQuery(10, null, null, null, null));
      assertThat(history).hasSize(1);
      Alert alert = history.get(0);
      assertThat(alert.id()).isEqualTo(id);
      assertThat(alert.title()).isEqualTo("Disk almost full");
      assertThat(alert.message()).isEqualTo("92% used");
      assertThat(alert.severity()).isEqualTo(AlertSeverity.CRITICAL);
      assertThat(alert.source()).isEqualTo("ops");
      assertThat(alert.service()).isEqualTo("svc");
      assertThat(store.pending()).isEmpty();
      assertThat(store.deadLetters()).isEmpty();
    }
  }
}
