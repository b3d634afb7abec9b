package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.internal.host.HostProbe;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.NetworkIo;
import io.amptalk.monitoring.testing.FakeHostProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the port answers while the monitoring starts: from its first accepted connection, {@code
 * /metrics} with the resource and the registered instruments, every other path a 503 "starting",
 * never a 404 and never health details without the token. Slow components are held on latches.
 */
@Timeout(60)
class StartupIT {
  private static final String TOKEN = "s3cret-token";

  /** A probe whose first CPU figure (the constructor's first sample) waits for a latch. */
  private static final class LatchedProbe implements HostProbe {
    final FakeHostProbe figures = new FakeHostProbe();
    final CountDownLatch sampling = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicBoolean first = new AtomicBoolean(true);

    @Override
    public OptionalDouble cpuUtilization() {
      if (first.compareAndSet(true, false)) {
        sampling.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return figures.cpuUtilization();
    }

    @Override
    public MemoryUsage memory() {
      return figures.memory();
    }

    @Override
    public List<FileSystemUsage> fileSystems() {
      return figures.fileSystems();
    }

    @Override
    public List<NetworkIo> networkInterfaces() {
      return figures.networkInterfaces();
    }

    @Override
    public ProcessFigures process() {
      return figures.process();
    }

    @Override
    public Hardware hardware() {
      return figures.hardware();
    }
  }

  @Test
  void aConnectionAcceptedWhileTheMonitorIsBuiltIsAnsweredWithTheFullExposition() throws Exception {
    int port = freePort();
    LatchedProbe probe = new LatchedProbe();
    CompletableFuture<SystemMonitor> building =
        CompletableFuture.supplyAsync(
            () ->
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(port)
                    .hostProbe(probe)
                    .build());
    assertThat(probe.sampling.await(30, TimeUnit.SECONDS)).isTrue();
    // The port is bound (a taken port fails before anything is built) and the kernel accepts.
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // While the SDK is not built, nothing answers: no empty 200.
      socket.setSoTimeout(500);
      InputStream in = socket.getInputStream();
      assertThatThrownBy(in::read)
          .as("an answer before the monitor was built")
          .isInstanceOf(SocketTimeoutException.class);
      probe.release.countDown();
      socket.setSoTimeout(30_000);
      String response = new String(readAll(in), StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 200");
      assertThat(response).contains("target_info{").contains("system_cpu_utilization");
    } finally {
      probe.release.countDown();
      building.get(30, TimeUnit.SECONDS).close();
    }
  }

  @Test
  void everyPathButMetricsSaysStartingUntilTheMonitoringIsBuilt() throws Exception {
    CountDownLatch inFactory = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    SystemMonitor.Builder monitorBuilder =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .hostProbe(new FakeHostProbe());
    CompletableFuture<SystemMonitor> seen = new CompletableFuture<>();
    CompletableFuture<Monitoring> building =
        CompletableFuture.supplyAsync(
            () ->
                Monitoring.builder()
                    .systemMonitor(monitorBuilder)
                    .apiToken(TOKEN)
                    .healthCheck(
                        monitor -> {
                          seen.complete(monitor);
                          inFactory.countDown();
                          try {
                            release.await();
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          return io.amptalk.monitoring.health.HealthCheck.builder()
                              .meter(monitor.getMeter())
                              .build();
                        })
                    .build());
    try {
      assertThat(inFactory.await(30, TimeUnit.SECONDS)).isTrue();
      int port = seen.get().getPrometheusPort();
      String metrics = get(port, "/metrics", null);
      assertThat(metrics).startsWith("HTTP/1.1 200");
      assertThat(metrics).contains("target_info{").contains("system_cpu_utilization");
      for (String path :
          List.of(
              "/health",
              "/health/live",
              "/health/ready",
              "/health/started",
              "/health/cpu",
              "/alerts",
              "/api/system",
              "/",
              "/nothing-here")) {
        for (String token : new String[] {null, TOKEN}) {
          String response = get(port, path, token);
          assertThat(response).as(path).startsWith("HTTP/1.1 503");
          assertThat(body(response)).as(path).isEqualTo("{\"status\":\"starting\"}");
        }
      }
    } finally {
      release.countDown();
    }
    try (Monitoring monitoring = building.get(30, TimeUnit.SECONDS)) {
      int port = monitoring.systemMonitor().getPrometheusPort();
      String anonymous = get(port, "/health", null);
      assertThat(anonymous).doesNotContain("\"checks\"").doesNotContain("\"details\"");
      assertThat(get(port, "/nothing-here", null)).startsWith("HTTP/1.1 404");
    }
    // The builder, reused on its own, serves /metrics alone: nothing of Monitoring's stays on it.
    try (SystemMonitor alone = monitorBuilder.build()) {
      assertThat(get(alone.getPrometheusPort(), "/", null)).startsWith("HTTP/1.1 404");
    }
  }

  private static String get(int port, String path, String token) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      String auth = token == null ? "" : "Authorization: Bearer " + token + "\r\n";
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: localhost\r\n"
                      + auth
                      + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(readAll(socket.getInputStream()), StandardCharsets.UTF_8);
    }
  }

  private static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    return all.toByteArray();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
