package io.amptalk.monitoring.http;

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
   * browser may sniff into another type; for a HEAD request, the headers alone.
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
}
