package io.amptalk.monitoring.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** What every endpoint on the {@link MonitoringServer} does the same way. */
public final class Exchanges {
  private Exchanges() {}

  /**
   * Sends a complete response that no cache may keep (monitoring data is stale at once); for a HEAD
   * request, the headers alone.
   */
  public static void send(HttpExchange exchange, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** The expected {@code Authorization} header value for a bearer token, for {@link #bears}. */
  public static byte[] bearer(String token) {
    return ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Whether the request carries exactly this {@code Authorization} value (from {@link #bearer}).
   */
  public static boolean bears(HttpExchange exchange, byte[] authorization) {
    String given = exchange.getRequestHeaders().getFirst("Authorization");
    // Constant-time: the comparison must not tell an attacker how much of the token matched.
    return given != null
        && MessageDigest.isEqual(authorization, given.getBytes(StandardCharsets.UTF_8));
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
}
