package io.amptalk.monitoring.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP server that offers STARTTLS, for what GreenMail 2.1.7 cannot serve: a real TLS
 * upgrade with a certificate of the test's own. It takes one connection, answers the commands a
 * client sends in order (EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, QUIT) and records them, the
 * message's text, and whether the TLS handshake failed.
 */
public final class StartTlsSmtpServer implements AutoCloseable {
  private final ServerSocket socket;
  private final SSLContext tls;
  private final Thread thread;
  private final CountDownLatch done = new CountDownLatch(1);
  public final List<String> commands = new CopyOnWriteArrayList<>();
  public volatile String message;
  public volatile Exception handshakeFailure;

  public StartTlsSmtpServer(SSLContext tls) throws IOException {
    this.tls = tls;
    this.socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    this.thread = new Thread(this::serveOne, "starttls-smtp");
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** Waits until the one connection ended. */
  public void awaitDone() throws InterruptedException {
    if (!done.await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("the SMTP conversation did not end");
    }
  }

  private void serveOne() {
    try (Socket plain = socket.accept()) {
      Socket current = plain;
      boolean secure = false;
      BufferedReader in = reader(current);
      OutputStream out = current.getOutputStream();
      write(out, "220 starttls-smtp ESMTP");
      for (String line; (line = in.readLine()) != null; ) {
        String verb = line.split(" ", 2)[0].toUpperCase(java.util.Locale.ROOT);
        commands.add(verb);
        switch (verb) {
          case "EHLO" ->
              write(
                  out,
                  secure
                      ? "250-starttls-smtp\r\n250 AUTH PLAIN"
                      : "250-starttls-smtp\r\n250-STARTTLS\r\n250 AUTH PLAIN");
          case "STARTTLS" -> {
            write(out, "220 Ready to start TLS");
            SSLSocket upgraded =
                (SSLSocket)
                    tls.getSocketFactory()
                        .createSocket(current, "127.0.0.1", current.getPort(), true);
            upgraded.setUseClientMode(false);
            try {
              upgraded.startHandshake();
            } catch (IOException e) {
              handshakeFailure = e;
              return;
            }
            current = upgraded;
            secure = true;
            in = reader(current);
            out = current.getOutputStream();
          }
          case "AUTH" -> {
            if (line.trim().equalsIgnoreCase("AUTH PLAIN")) {
              write(out, "334 ");
              in.readLine();
            }
            write(out, "235 2.7.0 Authentication successful");
          }
          case "MAIL", "RCPT", "RSET", "NOOP" -> write(out, "250 OK");
          case "DATA" -> {
            write(out, "354 End data with <CR><LF>.<CR><LF>");
            StringBuilder text = new StringBuilder();
            for (String data; (data = in.readLine()) != null && !data.equals("."); ) {
              text.append(data).append("\r\n");
            }
            message = text.toString();
            write(out, "250 OK queued");
          }
          case "QUIT" -> {
            write(out, "221 Bye");
            return;
          }
          default -> write(out, "502 Command not implemented");
        }
      }
    } catch (IOException e) {
      // The client went away: the conversation is over.
    } finally {
      done.countDown();
    }
  }

  private static BufferedReader reader(Socket socket) throws IOException {
    return new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII));
  }

  private static void write(OutputStream out, String reply) throws IOException {
    out.write((reply + "\r\n").getBytes(US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
