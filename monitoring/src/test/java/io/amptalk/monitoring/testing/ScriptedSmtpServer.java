package io.amptalk.monitoring.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real SMTP server on loopback that speaks just enough SMTP to take a message (greeting, EHLO,
 * MAIL, RCPT, DATA, QUIT), and misbehaves on the first connections as scripted: it says nothing at
 * all, or drops the connection after EHLO, or after the message's data but before acknowledging it.
 * Connections past the script behave.
 */
public final class ScriptedSmtpServer extends ScriptedServer {
  public enum Fault {
    /** Accepts the connection and never sends a byte. */
    SILENT,
    /** Greets, reads EHLO, closes without answering it. */
    DROP_AFTER_EHLO,
    /** Takes the whole message, then closes instead of answering 250. */
    DROP_AFTER_DATA
  }

  /** Every message body received, acknowledged or not, dot-unstuffed, lines joined by CRLF. */
  public final List<String> received = new CopyOnWriteArrayList<>();

  /** The messages acknowledged with 250. */
  public final List<String> accepted = new CopyOnWriteArrayList<>();

  private final Queue<Fault> script;

  public ScriptedSmtpServer(Fault... faults) {
    this(0, faults);
  }

  /** On {@code port} (0 for any free one). */
  public ScriptedSmtpServer(int port, Fault... faults) {
    super(port, "scripted-smtp");
    this.script = new ConcurrentLinkedQueue<>(List.of(faults));
    start();
  }

  @Override
  public Runnable connection(Socket socket) {
    Fault fault = script.poll();
    return () -> serve(socket, fault);
  }

  private void serve(Socket socket, Fault fault) {
    if (fault == Fault.SILENT) {
      return; // open until close(): the client's read timeout must end it
    }
    try (socket) {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII));
      OutputStream out = socket.getOutputStream();
      reply(out, "220 localhost ESMTP scripted");
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String verb = line.length() < 4 ? line : line.substring(0, 4);
        switch (verb.toUpperCase(Locale.ROOT)) {
          case "EHLO", "HELO" -> {
            if (fault == Fault.DROP_AFTER_EHLO) {
              return;
            }
            reply(out, "250 localhost");
          }
          case "MAIL", "RCPT", "RSET", "NOOP" -> reply(out, "250 OK");
          case "DATA" -> {
            reply(out, "354 End data with <CR><LF>.<CR><LF>");
            StringBuilder message = new StringBuilder();
            for (String data = in.readLine(); data != null && !data.equals("."); ) {
              message.append(data.startsWith(".") ? data.substring(1) : data).append("\r\n");
              data = in.readLine();
            }
            received.add(message.toString());
            if (fault == Fault.DROP_AFTER_DATA) {
              return;
            }
            accepted.add(message.toString());
            reply(out, "250 OK queued");
          }
          case "QUIT" -> {
            reply(out, "221 Bye");
            return;
          }
          default -> reply(out, "500 Unrecognised command");
        }
      }
    } catch (IOException e) {
      // The client went away: nothing to answer.
    }
  }

  private static void reply(OutputStream out, String line) throws IOException {
    out.write((line + "\r\n").getBytes(US_ASCII));
    out.flush();
  }
}
