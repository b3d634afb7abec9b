package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** What every endpoint on the {@link MonitoringServer} does the same way. */
public final class Exchanges {
  private static final String SCHEME = "Bearer";

  /**
   * The most of an unread request body read before answering; longer ones close the connection.
   * Large enough for any body a client may reasonably send (closing on unread data resets the
   * connection, and the client may lose the answer), small enough to bound the work.
   */
  public static final int DRAIN_LIMIT = 1024 * 1024;

  private static final byte[] UNAUTHORIZED =
      "{\"error\":\"a bearer token is required\"}".getBytes(StandardCharsets.UTF_8);

  private Exchanges() {}

  /**
   * Sends a complete response that no cache may keep (monitoring data is stale at once) and that no
   * browser may sniff into another type; for a HEAD request, the headers alone. What the handler
   * left unread of the request body is read first (see {@link #drain}).
   */
  public static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    drain(exchange);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /**
   * Reads what is left of the request body before the answer goes out (at most {@link #DRAIN_LIMIT}
   * bytes; beyond that the answer says {@code Connection: close}), so that a keep-alive client's
   * next request is read after this one's body, never mistaken for a part of it. An answer sent
   * without reading the body (a 401 to a POST, say) is where that matters; the server would skip
   * the rest too, but only after answering.
   */
  private static void drain(HttpExchange exchange) {
    if (declaredLength(exchange) > DRAIN_LIMIT) {
      // A body announced larger than we would read (a refused gigabyte upload, say) is not
      // waited for: the client may never send it, or stall. The connection ends with the answer.
      exchange.getResponseHeaders().set("Connection", "close");
      return;
    }
    try {
      InputStream body = exchange.getRequestBody();
      if (body.read() < 0) {
        return; // the usual case, a GET: one call, nothing allocated
      }
      // Read, not skip(): a body stream may pass skip() on to the connection's stream, past the
      // body's end, where the next request waits.
      byte[] buffer = new byte[8192];
      long read = 1;
      while (read <= DRAIN_LIMIT) {
        int n = body.read(buffer);
        if (n < 0) {
          return;
        }
        read += n;
      }
      exchange.getResponseHeaders().set("Connection", "close");
    } catch (IOException closedOrGone) {
      // The handler read the body and closed it (which read it to its end), or the client is
      // gone and the answer will fail on its own.
    }
  }

  /**
   * The {@code Content-Length} the client announced; -1 when there is none (the server has already
   * refused a request whose length does not parse).
   */
  public static long declaredLength(HttpExchange exchange) {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length == null) {
      return -1;
    }
    try {
      return Long.parseLong(length.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * 401 with the {@code WWW-Authenticate: Bearer} challenge (RFC 6750) and the JSON body {@code
   * {"error":"a bearer token is required"}}, the same whether the token was missing or wrong.
   */
  public static void sendUnauthorized(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("WWW-Authenticate", SCHEME + " realm=\"amptalk-monitoring\"");
    send(exchange, 401, "application/json", UNAUTHORIZED);
  }

  /**
   * The form of a token that {@link #bears} compares with; keep this rather than the string.
   *
   * @throws IllegalArgumentException when the token is blank
   */
  public static byte[] bearer(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("token must not be blank");
    }
    return token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Whether the request carries {@code Authorization: Bearer <token>} for this token (from {@link
   * #bearer}). The scheme is matched case-insensitively, as RFC 7235 asks; the token exactly.
   */
  public static boolean bears(HttpExchange exchange, byte[] token) {
    String given = exchange.getRequestHeaders().getFirst("Authorization");
    if (given == null
        || given.length() <= SCHEME.length()
        || !given.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
        || given.charAt(SCHEME.length()) != ' ') {
      return false;
    }
    int start = SCHEME.length();
    while (start < given.length() && given.charAt(start) == ' ') {
      start++;
    }
    byte[] credentials = given.substring(start).getBytes(StandardCharsets.UTF_8);
    // Constant-time: MessageDigest.isEqual takes as long for any given value of the expected
    // token's length (the expected value comes first), so the time taken tells an attacker
    // nothing about how much of the token matched.
    return MessageDigest.isEqual(token, credentials);
  }

  /**
   * Whether the request's method is one of {@code allowed}. If not, answers 405 with an {@code
   * Allow} header and closes the exchange, so that a caller only returns: an unknown method gets a
   * clear refusal rather than whatever a GET would have served.
   */
  public static boolean allows(HttpExchange exchange, String... allowed) throws IOException {
    String method = exchange.getRequestMethod();
    for (String name : allowed) {
      if (name.equals(method)) {
        return true;
      }
    }
    try (exchange) {
      exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
      send(
          exchange,
          405,
          "text/plain; charset=utf-8",
          ("Method not allowed: " + method + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return false;
  }

  /**
   * The one 404 of the monitor's port: {@code Not found: <path>} as plain text, with the headers
   * every answer carries.
   */
  public static void notFound(HttpExchange exchange) throws IOException {
    byte[] body =
        ("Not found: " + exchange.getRequestURI().getPath() + "\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    send(exchange, 404, "text/plain; charset=utf-8", body);
  }
}
