package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A Monitoring whose build fails closes what it was given: the README's example with {@code
 * MONITORING_TOKEN} unset releases the monitor's port, and a main that returns after the failure
 * lets its JVM exit.
 */
@Timeout(60)
class FailedBuildIT {
  @Test
  void aBlankTokenFailsTheBuildAndReleasesThePortOfTheMonitorGiven() throws IOException {
    SystemMonitor monitor =
        SystemMonitor.builder().prometheusHost("127.0.0.1").prometheusPort(0).build();
    int port = monitor.getPrometheusPort();
    assertThatThrownBy(
            () -> Monitoring.builder().systemMonitor(monitor).apiToken(null).build().close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("apiToken must not be blank");
    assertThat(bindable(port)).as("port %d released", port).isTrue();
    assertThatThrownBy(
            () ->
                Monitoring.builder()
                    .systemMonitor(
                        SystemMonitor.builder().prometheusHost("127.0.0.1").prometheusPort(port))
                    .apiToken(" ")
                    .build()
                    .close())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("apiToken must not be blank");
    assertThat(bindable(port)).as("port %d released", port).isTrue();
  }

  @Test
  void aChildWhoseMainReturnsAfterTheFailureExits() throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Child.class.getName())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      List<String> lines;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        lines = out.lines().toList();
      }
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).as("child exited").isTrue();
      assertThat(child.exitValue()).isZero();
      assertThat(lines).containsExactly("failed: apiToken must not be blank", "port released");
    } finally {
      child.destroyForcibly();
    }
  }

  /** The README's example with the token unset, in a main that returns after the failure. */
  public static final class Child {
    public static void main(String[] args) throws IOException {
      SystemMonitor monitor =
          SystemMonitor.builder().prometheusHost("127.0.0.1").prometheusPort(0).build();
      int port = monitor.getPrometheusPort();
      try {
        Monitoring.builder()
            .systemMonitor(monitor)
            .apiToken(System.getenv("AMPTALK_SURELY_UNSET_TOKEN"))
            .build();
      } catch (IllegalArgumentException e) {
        System.out.println("failed: " + e.getMessage());
      }
      System.out.println(bindable(port) ? "port released" : "port still bound");
      System.out.flush();
    }
  }

  static boolean bindable(int port) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (java.net.BindException e) {
      return false;
    }
  }
}
