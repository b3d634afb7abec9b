package io.amptalk.monitoring.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code run --exit-when-ready}: waits until the agent's own {@code /health/ready} answers 200,
 * then GETs each page once, so that a run of it loads what a serving agent loads before and just
 * after it is ready. The build records those classes in the class-data sharing archive that the
 * launcher hands the JVM. Plain sockets rather than the JDK's HTTP client: the client's classes
 * would go into the archive too, and the serving agent never uses them.
 */
final class WarmUp {
  private static final long READY_TIMEOUT_MILLIS = 60_000;
  private static final int SOCKET_TIMEOUT_MILLIS = 10_000;
  private static final List<String> PAGES =
      List.of("/metrics", "/health", "/health/live", "/api/system", "/alerts", "/");

  private WarmUp() {}

  /** 0 once ready and each page answered; 1, with the reason on {@code err}, otherwise. */
  static int untilReady(boolean tls, int port, PrintStream err) throws InterruptedException {
    if (tls) {
      err.println("amptalk-monitor: --exit-when-ready needs plain HTTP; this port serves TLS");
      return 1;
    }
    long deadline = System.nanoTime() + READY_TIMEOUT_MILLIS * 1_000_000;
    try {
      while (status(port, "/health/ready") != 200) {
        if (System.nanoTime() > deadline) {
          err.println("amptalk-monitor: not ready within " + READY_TIMEOUT_MILLIS / 1000 + " s");
          return 1;
        }
        Thread.sleep(20);
      }
      for (String page : PAGES) {
        status(port, page);
      }
      return 0;
    } catch (IOException e) {
      err.println("amptalk-monitor: could not reach its own port " + port + ": " + e);
      return 1;
    }
  }

  /** The status of {@code GET path} on this host's {@code port}; the body is read and dropped. */
  static int status(int port, String path) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), SOCKET_TIMEOUT_MILLIS);
      socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      // "HTTP/1.1 200 OK": the status is the three digits after the first space.
      String line = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      in.transferTo(OutputStream.nullOutputStream());
      if (line.length() < 12 || !line.startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP answer to GET " + path + ": '" + line + "'");
      }
      return Integer.parseInt(line.substring(9, 12));
    }
  }
}
