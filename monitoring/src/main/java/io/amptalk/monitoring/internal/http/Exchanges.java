package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** What every endpoint on the {@link MonitoringServer} does the same way. */
public final class Exchanges {
  private static final String SCHEME = "Bearer";

  private static final byte[] UNAUTHORIZED =
      "{\"error\":\"a bearer token is required\"}".getBytes(StandardCharsets.UTF_8);

  private Exchanges() {}

  /**
   * Sends a complete response that no cache may keep (monitoring data is stale at once) and that no
   * browser may sniff into another type; for a HEAD request, the headers alone. A request body the
   * handler left unread is the server's to deal with: skipped when short and arrived, else the
   * answer says {@code Connection: close} and the connection closes after it.
   */
  public static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
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
   * every answer carries; mounted under a base path, the path the client asked for, base included.
   */
  public static void notFound(HttpExchange exchange) throws IOException {
    byte[] body =
        ("Not found: "
                + (exchange instanceof MountedExchange mounted
                    ? mounted.fullPath()
                    : exchange.getRequestURI().getPath())
                + "\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    send(exchange, 404, "text/plain; charset=utf-8", body);
  }
}
