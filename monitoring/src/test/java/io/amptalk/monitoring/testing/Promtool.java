package io.amptalk.monitoring.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Prometheus' own {@code promtool check metrics}, for the tests that hold a body up to it. */
public final class Promtool {
  private Promtool() {}

  /** What promtool said: its exit code and its output, stripped (empty when clean). */
  public record Check(int exitCode, String output) {}

  /**
   * Where promtool is ({@code -Dpromtool=}, else {@code PATH}); the test is skipped without it,
   * unless CI asked for it.
   */
  public static String path() {
    return ExternalProgram.require(
            "promtool", "apt-get install prometheus (Debian's package ships promtool)")
        .toString();
  }

  /** Runs {@code promtool check metrics} on {@code body}. */
  public static Check check(String promtool, byte[] body) throws Exception {
    Process process =
        new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(body);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Check(process.exitValue(), output.strip());
  }
}
