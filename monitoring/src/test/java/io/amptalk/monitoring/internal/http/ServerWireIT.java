package io.amptalk.monitoring.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our server on the wire, through raw sockets: refusals, keep-alive, framing of both bodies, {@code
 * 100 Continue}, dispatch by prefix, and a failing handler.
 */
class ServerWireIT {
  private static final String TEXT = "text/plain; charset=utf-8";

  private final List<Socket> sockets = new ArrayList<>();
  private MonitoringServer server;

  @BeforeEach
  void start() {
    server =
        MonitoringServer.builder()
            .host("127.0.0.1")
            .port(0)
            .handler("/a", exchange -> answer(exchange, "a"))
            .handler("/a/b", exchange -> answer(exchange, "a/b"))
            .handler(
                "/echo",
                exchange -> {
                  byte[] body = exchange.getRequestBody().readAllBytes();
                  Exchanges.send(exchange, 200, TEXT, body);
                })
            .handler(
                "/unread",
                exchange -> {
                  exchange.sendResponseHeaders(204, -1);
                  exchange.close();
                })
            .handler(
                "/chunked",
                exchange -> {
                  exchange.sendResponseHeaders(200, 0);
                  try (var out = exchange.getResponseBody()) {
                    for (int i = 0; i < 3; i++) {
                      out.write(("part" + i + ";").getBytes(StandardCharsets.UTF_8));
                      out.flush();
                    }
                  }
                })
            .handler(
                "/fail",
                exchange -> {
                  throw new IllegalStateException("boom");
                })
            .build()
            .start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    server.close();
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange, String who)
      throws IOException {
    Exchanges.send(
        exchange,
        200,
        TEXT,
        (who + " " + exchange.getRequestURI()).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void refusal_is400PlainTextWithOurHeaders_thenTheConnectionCloses() throws IOException {
    Socket socket = connect();
    send(
        socket,
        "GET //health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /a HTTP/1.1\r\nHost: localhost\r\n\r\n");

    Response response = Response.read(socket.getInputStream());

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body())
        .isEqualTo("Bad Request: the request target's path must not start with '//'\n");
    assertThat(response.headers())
        .containsEntry("content-type", TEXT)
        .containsEntry("cache-control", "no-store")
        .containsEntry("x-content-type-options", "nosniff")
        .containsEntry("connection", "close");
    assertThat(socket.getInputStream().read())
        .as("closed, the second request unanswered")
        .isEqualTo(-1);
  }

  @Test
  void keepAlive_http11ByDefault_pipelinedRequestsAnsweredInOrder() throws IOException {
    Socket socket = connect();
    send(
        socket,
        "GET /a HTTP/1.1\r\nHost: localhost\r\n\r\nGET /a/b/c?q=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    InputStream in = socket.getInputStream();

    Response first = Response.read(in);
    Response second = Response.read(in);
    send(socket, "GET /a HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    Response third = Response.read(in);

    assertThat(first.body()).isEqualTo("a /a");
    assertThat(first.headers()).doesNotContainKey("connection");
    assertThat(second.body()).isEqualTo("a/b /a/b/c?q=1");
    assertThat(third.headers()).containsEntry("connection", "close");
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void http10_closesUnlessAskedToKeepAlive() throws IOException {
    Socket kept = connect();
    send(kept, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    Response first = Response.read(kept.getInputStream());
    send(kept, "GET /a HTTP/1.0\r\n\r\n");
    Response second = Response.read(kept.getInputStream());

    assertThat(first.headers()).containsEntry("connection", "keep-alive");
    assertThat(second.headers()).containsEntry("connection", "close");
    assertThat(kept.getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void dispatch_longestPlainPrefix_elseOurNotFound() throws IOException {
    assertThat(get("/a/bc").body()).isEqualTo("a/b /a/bc");
    assertThat(get("/ax").body()).isEqualTo("a /ax");
    assertThat(get("/a/%62").body()).as("decoded before matching").isEqualTo("a/b /a/%62");
    Response missing = get("/z");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.body()).isEqualTo("Not found: /z\n");

    server.addHandler("/", exchange -> answer(exchange, "root"));
    assertThat(get("/z").body()).isEqualTo("root /z");
    assertThat(server.removeHandler("/")).isTrue();
    assertThat(get("/z").status()).isEqualTo(404);
  }

  @Test
  void responseHeaders_haveTheJdksDateAndLength() throws IOException {
    Response response = get("/a");

    assertThat(response.headers()).containsEntry("content-length", "4");
    ZonedDateTime date =
        ZonedDateTime.parse(
            response.headers().get("date"),
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss zzz", Locale.US));
    assertThat(date.getZone().getId()).isIn("GMT", "Z");
  }

  @Test
  void head_sendsNoBody_andTheConnectionGoesOn() throws IOException {
    Socket socket = connect();
    send(
        socket,
        "HEAD /a HTTP/1.1\r\nHost: localhost\r\n\r\nGET /a HTTP/1.1\r\nHost: localhost\r\n\r\n");
    InputStream in = socket.getInputStream();

    Response head = Response.readHead(in);
    Response get = Response.read(in);

    assertThat(head.status()).isEqualTo(200);
    assertThat(head.headers()).doesNotContainKey("content-length");
    assertThat(get.body()).isEqualTo("a /a");
  }

  @Test
  void chunkedBodies_bothWays() throws IOException {
    Socket socket = connect();
    send(
        socket,
        "POST /echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
            + "GET /chunked HTTP/1.1\r\nHost: localhost\r\n\r\n");
    InputStream in = socket.getInputStream();

    Response echo = Response.read(in);
    Response chunked = Response.read(in);

    assertThat(echo.body()).isEqualTo("hello, world");
    assertThat(chunked.headers()).containsEntry("transfer-encoding", "chunked");
    assertThat(chunked.body()).isEqualTo("part0;part1;part2;");
  }

  @Test
  void aBodyTheHandlerLeftUnread_isSkipped_andTheConnectionGoesOn() throws IOException {
    Socket socket = connect();
    send(
        socket,
        "POST /unread HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n0123456789"
            + "GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n");
    InputStream in = socket.getInputStream();

    assertThat(Response.readHead(in).status()).isEqualTo(204);
    assertThat(Response.read(in).body()).isEqualTo("a /a");
  }

  @Test
  void expectContinue_isAnsweredWhenTheHandlerReads() throws IOException {
    Socket socket = connect();
    send(
        socket,
        "POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
    InputStream in = socket.getInputStream();

    Response interim = Response.readHead(in);
    send(socket, "hi");
    Response echo = Response.read(in);

    assertThat(interim.status()).isEqualTo(100);
    assertThat(echo.body()).isEqualTo("hi");
  }

  @Test
  void aFailingHandler_is500_andTheConnectionCloses() throws IOException {
    Socket socket = connect();
    send(socket, "GET /fail HTTP/1.1\r\nHost: localhost\r\n\r\n");

    Response response = Response.read(socket.getInputStream());

    assertThat(response.status()).isEqualTo(500);
    assertThat(response.headers()).containsEntry("connection", "close");
    assertThat(socket.getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void tooManyHeaders_is431_andTheServerGoesOn() throws IOException {
    StringBuilder request = new StringBuilder("GET /a HTTP/1.1\r\nHost: localhost\r\n");
    for (int i = 0; i < RequestHead.MAX_HEADERS; i++) {
      request.append("X-H").append(i).append(": v\r\n");
    }
    Socket socket = connect();
    send(socket, request + "\r\n");

    assertThat(Response.read(socket.getInputStream()).status()).isEqualTo(431);
    assertThat(get("/a").status()).isEqualTo(200);
  }

  @Test
  void idleKeptAliveConnections_giveTheirThreadsToNewOnes() throws IOException {
    for (int i = 0; i < MonitoringServer.MAX_THREADS; i++) {
      Socket idle = connect();
      send(idle, "GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n");
      assertThat(Response.read(idle.getInputStream()).status()).isEqualTo(200);
    }

    // Every thread now waits on an idle connection's next request; one of them makes way.
    assertThat(get("/a").status()).isEqualTo(200);
  }

  // ---------------------------------------------------------------- helpers

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 10_000);
    socket.setSoTimeout(30_000);
    return socket;
  }

  private static void send(Socket socket, String bytes) throws IOException {
    socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
  }

  private Response get(String path) throws IOException {
    Socket socket = connect();
    send(socket, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    return Response.read(socket.getInputStream());
  }

  /** One response: its head, and its body by Content-Length, chunks, or the close. */
  record Response(int status, Map<String, String> headers, String body) {
    static Response readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int last4 = 0;
      int b;
      while (last4 != 0x0D0A0D0A && (b = in.read()) >= 0) {
        head.write(b);
        last4 = last4 << 8 | b;
      }
      String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
      return new Response(Integer.parseInt(lines[0].substring(9, 12)), headers, "");
    }

    static Response read(InputStream in) throws IOException {
      Response head = readHead(in);
      String length = head.headers().get("content-length");
      byte[] body;
      if (length != null) {
        body = in.readNBytes(Integer.parseInt(length));
      } else if ("chunked".equals(head.headers().get("transfer-encoding"))) {
        ByteArrayOutputStream chunks = new ByteArrayOutputStream();
        while (true) {
          String size = line(in);
          int n = Integer.parseInt(size, 16);
          if (n == 0) {
            line(in);
            break;
          }
          chunks.write(in.readNBytes(n));
          line(in);
        }
        body = chunks.toByteArray();
      } else {
        body = in.readAllBytes();
      }
      return new Response(head.status(), head.headers(), new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }
  }
}
