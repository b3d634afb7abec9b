package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class AgentTest {

  private record Run(int exitCode, String err) {}

  private static Run run(String... args) {
    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    StringWriter usage = new StringWriter();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      CommandLine commandLine = new CommandLine(new Agent());
      commandLine.setErr(new PrintWriter(usage));
      int code = commandLine.execute(args);
      return new Run(code, err.toString(StandardCharsets.UTF_8) + usage);
    } finally {
      System.setErr(originalErr);
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
              "amptalk-monitor: prometheusPort "
                  + port
                  + " is already in use on 127.0.0.1: stop what holds it, or choose another with"
                  + " prometheusPort(...) (0 picks a free port)"
                  + System.lineSeparator());
    }
  }

  @Test
  void invalidOptionValue_exits2NamingOptionAndValue() {
    Run run = run("--port", "70000");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err())
        .isEqualTo(
            "amptalk-monitor: prometheusPort must be 0..65535, was 70000" + System.lineSeparator());
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
  void unparsableOption_exits2WithUsage() {
    Run run = run("--port", "eighty");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Invalid value for option '--port': 'eighty' is not an int");
  }
}
