package io.amptalk.monitoring.testing;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP/1.1 receiver on loopback, on raw sockets so that it can misbehave in ways a
 * well-behaved server cannot: each request gets the next scripted answer (a status with headers,
 * closing the connection without a response, or never answering), then 200 once the script is done.
 * Every request's path, {@code Idempotency-Key} and body are kept.
 */
public final class ScriptedHttpReceiver extends ScriptedServer {
  /** What one request gets. */
  public record Answer(
      int status, Map<String, String> headers, boolean closes, boolean hangs, String body) {
    public static Answer status(int status, String... headerPairs) {
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 0; i < headerPairs.length; i += 2) {
        headers.put(headerPairs[i], headerPairs[i + 1]);
      }
      return new Answer(status, headers, false, false, "");
    }

    /** Reads the whole request, then closes the connection without a byte of response. */
    public static Answer closeWithoutResponse() {
      return new Answer(0, Map.of(), true, false, "");
    }

    /** Reads the whole request and never answers (until the receiver is closed). */
    public static Answer hang() {
      return new Answer(0, Map.of(), false, true, "");
    }

    /** This answer with {@code body} (UTF-8) as its content. */
    public Answer withBody(String body) {
      return new Answer(status, headers, closes, hangs, body);
    }
  }

  /** A request as received. */
  public record Request(String path, String idempotencyKey, String body) {}

  public final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Queue<Answer> script;

  public ScriptedHttpReceiver(Answer... answers) {
    this(0, answers);
  }

  /** On {@code port} (0 for any free one). */
  public ScriptedHttpReceiver(int port, Answer... answers) {
    super(port, "scripted-http");
    this.script = new ConcurrentLinkedQueue<>(List.of(answers));
    start();
  }

  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  public List<String> bodies() {
    return requests.stream().map(Request::body).toList();
  }

  @Override
  public Runnable connection(Socket socket) {
    return () -> serve(socket);
  }

  private void serve(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      if (head == null) {
        socket.close();
        return;
      }
      String[] lines = head.split("\r\n");
      String path = lines[0].split(" ")[1];
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).strip());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      String body = new String(in.readNBytes(length), UTF_8);
      // Recorded before answering, so a test that sees the request knows it was answered (or not).
      Answer answer = script.poll();
      requests.add(new Request(path, headers.get("idempotency-key"), body));
      if (answer != null && answer.hangs()) {
        return; // open until close()
      }
      if (answer != null && answer.closes()) {
        socket.close();
        return;
      }
      Answer reply = answer == null ? Answer.status(200) : answer;
      StringBuilder response =
          new StringBuilder("HTTP/1.1 ").append(reply.status()).append(" Scripted\r\n");
      reply.headers().forEach((k, v) -> response.append(k).append(": ").append(v).append("\r\n"));
      byte[] content = reply.body().getBytes(UTF_8);
      response
          .append("Content-Length: ")
          .append(content.length)
          .append("\r\nConnection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(response.toString().getBytes(ISO_8859_1));
      out.write(content);
      out.flush();
      socket.close();
    } catch (IOException e) {
      // The client went away.
    }
  }

  /** The request line and headers, without the blank line; null at end of stream. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    for (int b = in.read(); b != -1; b = in.read()) {
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
      if (matched == 4) {
        String text = head.toString(ISO_8859_1);
        return text.substring(0, text.length() - 4);
      }
    }
    return null;
  }
}
