package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent does not live on half-dead: pushed into a real {@code OutOfMemoryError} (a 64 MiB heap,
 * byte budgets set far above it, and alerts of 56,000 characters posted until it gives), it logs
 * the error and halts with exit status 70 within a bounded time. It used to lose its HTTP, watchdog
 * and scheduler threads and stay up with a dead port, ignoring SIGTERM.
 */
@Timeout(180)
class AgentFatalErrorIT {
  private static final String TOKEN = "fatal-agent-token";
  private static final Pattern PORT =
      Pattern.compile("serving metrics at http://127\\.0\\.0\\.1:(\\d+)/metrics");

  @TempDir Path dir;
  private Process agent;

  @AfterEach
  void kill() {
    if (agent != null) {
      agent.destroyForcibly();
    }
  }

  @Test
  void outOfMemory_logsAndHaltsWith70() throws Exception {
    Path config = dir.resolve("monitor.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "checks: {}",
            "alerting:",
            "  store: memory",
            "  history_size: 10000000",
            "  history_bytes: 64GiB",
            "  max_firing: 10000000",
            ""));
    Path out = dir.resolve("agent.out");
    agent =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-jar",
                AgentIT.jar().toString(),
                "--config",
                config.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--api-token",
                TOKEN)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    int port = awaitPort(out);

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String filler = "x".repeat(7990);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    for (int i = 0; agent.isAlive() && System.nanoTime() < deadline; i++) {
      StringBuilder details = new StringBuilder();
      for (int s = 0; s < 7; s++) {
        details.append(s == 0 ? "" : ",").append("\"d").append(s).append("\":\"");
        details.append(filler).append(String.format("%d-%08d", s, i)).append('"');
      }
      String json =
          "{\"title\":\"t\",\"message\":\"m\",\"severity\":\"error\",\"source\":\"s"
              + i
              + "\",\"details\":{"
              + details
              + "}}";
      try {
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/alerts"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.discarding());
      } catch (IOException gone) {
        // The agent is running out of memory or has halted: the loop's condition decides.
      }
    }
    boolean exited = agent.waitFor(20, TimeUnit.SECONDS);
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(exited).as("the agent exited; its output ends:%n%s", tail(output)).isTrue();
    assertThat(agent.exitValue()).as(tail(output)).isEqualTo(70);
    assertThat(output)
        .contains("The monitoring is failed: monitor thread died: OutOfMemoryError")
        .contains("amptalk-monitor: fatal error, halting: java.lang.OutOfMemoryError");
  }

  private static String tail(String output) {
    List<String> lines = output.lines().filter(l -> l.length() < 400).toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private int awaitPort(Path out) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      String output = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
      Matcher port = PORT.matcher(output);
      if (port.find() && output.contains("alert history in")) {
        return Integer.parseInt(port.group(1));
      }
      assertThat(agent.isAlive()).as("the agent runs; output:%n%s", output).isTrue();
      Thread.sleep(50);
    }
    throw new AssertionError("no port printed within 30 s");
  }
}
