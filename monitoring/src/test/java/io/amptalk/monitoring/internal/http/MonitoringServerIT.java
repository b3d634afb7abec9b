package io.amptalk.monitoring.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server's own bounds, against clients that stall: threads, and time per exchange. */
class MonitoringServerIT {
  private static final byte[] OK = "ok\n".getBytes(StandardCharsets.UTF_8);

  private final List<Socket> sockets = new ArrayList<>();
  private MonitoringServer server;

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private void start(Duration requestTimeout) {
    server =
        MonitoringServer.builder()
            .host("127.0.0.1")
            .port(0)
            .requestTimeout(requestTimeout)
            .handler(
                "/ok", exchange -> Exchanges.send(exchange, 200, "text/plain; charset=utf-8", OK))
            .build()
            .start();
  }

  private Socket stall(String half) throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
    socket.setSoTimeout(30_000);
    socket.getOutputStream().write(half.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
    return socket;
  }

  private String get(String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return response.substring(0, response.indexOf("\r\n"));
    }
  }

  private static boolean closedByPeer(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      return in.read() < 0;
    } catch (SocketException reset) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void everyThreadHeldByStalledClients_theyAreCutAtTheRequestTimeout_andOthersServedAgain()
      throws Exception {
    start(Duration.ofSeconds(1));
    List<Socket> stalled = new ArrayList<>();
    for (int i = 0; i < MonitoringServer.MAX_THREADS; i++) {
      stalled.add(stall("GET /ok HTTP/1.1\r\nHost: localhost\r\n"));
    }

    // Each is closed by the server once its exchange overruns (a bound on a hang, not a timing).
    for (Socket socket : stalled) {
      await().atMost(Duration.ofSeconds(30)).until(() -> closedByPeer(socket));
    }
    assertThat(get("/ok")).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void aStalledBody_isCutToo() throws Exception {
    start(Duration.ofSeconds(1));
    CountDownLatch handled = new CountDownLatch(1);
    server.addHandler(
        "/slurp",
        exchange -> {
          handled.countDown();
          exchange.getRequestBody().readAllBytes(); // blocks: the client sends 5 of 100000 bytes
          Exchanges.send(exchange, 200, "text/plain; charset=utf-8", OK);
        });

    // Over the 64 KiB the selector reads before a handler runs, so the handler waits on it.
    Socket socket =
        stall("POST /slurp HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\nhello");

    assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> closedByPeer(socket));
    assertThat(get("/ok")).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void aStalledSmallBody_neverReachesAHandler_andIsCutAtTheRequestTimeout() throws Exception {
    start(Duration.ofSeconds(1));
    CountDownLatch handled = new CountDownLatch(1);
    server.addHandler(
        "/slurp",
        exchange -> {
          handled.countDown();
          Exchanges.send(exchange, 200, "text/plain; charset=utf-8", OK);
        });
    List<Socket> stalled = new ArrayList<>();
    for (int i = 0; i < 2 * MonitoringServer.MAX_THREADS; i++) {
      stalled.add(
          stall("POST /slurp HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nhi"));
    }

    for (Socket socket : stalled) {
      await().atMost(Duration.ofSeconds(30)).until(() -> closedByPeer(socket));
    }
    assertThat(handled.getCount()).as("no handler saw a body that never came").isEqualTo(1);
    assertThat(get("/ok")).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void fewerStalledClientsThanThreads_othersAreServedWhileTheyHold() throws Exception {
    start(Duration.ofMinutes(10)); // no cut during the test: the pool alone must do
    for (int i = 0; i < MonitoringServer.MAX_THREADS - 1; i++) {
      stall("GET /ok HTTP/1.1\r\nHost: localhost\r\n");
    }

    assertThat(get("/ok")).isEqualTo("HTTP/1.1 200 OK");
    assertThat(get("/ok")).isEqualTo("HTTP/1.1 200 OK");
  }
}
