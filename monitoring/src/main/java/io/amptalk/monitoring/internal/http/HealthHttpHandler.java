package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.HealthReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Serves a registry's cached report; never runs a check on the request thread.
 *
 * <ul>
 *   <li>{@code /health}: the whole report, 200 when HEALTHY or DEGRADED, 503 otherwise;
 *   <li>{@code /health/live}, {@code /health/ready}, {@code /health/started}: the liveness,
 *       readiness and startup groups; {@code /health/group/{name}} any other group;
 *   <li>{@code /health/{check}}: one check.
 * </ul>
 *
 * With {@code Accept: application/health+json} the body is in the IETF draft's format. When a token
 * is set, callers without {@code Authorization: Bearer <token>} see the status alone.
 */
public final class HealthHttpHandler implements HttpHandler {
  public static final String PATH = "/health";
  static final String HEALTH_JSON = "application/health+json";

  private final Supplier<HealthReport> reports;
  private final byte[] token;
  private volatile Cache cache = new Cache(null, null, null, null, null);

  /** The bodies of the whole report in each variant, made once per report. */
  private record Cache(
      HealthReport report,
      byte[] json,
      byte[] jsonAnonymous,
      byte[] health,
      byte[] healthAnonymous) {}

  /** Serves the reports {@code reports} gives; with a token, details only to its bearers. */
  public HealthHttpHandler(Supplier<HealthReport> reports, String token) {
    this.reports = reports;
    this.token = token == null ? null : Exchanges.bearer(token);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!"GET".equals(method) && !"HEAD".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        Exchanges.send(exchange, 405, "text/plain; charset=utf-8", bytes("Method not allowed\n"));
        return;
      }
      boolean healthJson = accepts(exchange, HEALTH_JSON);
      boolean authorized = authorized(exchange);
      HealthReport report = reports.get();
      String rest = exchange.getRequestURI().getPath().substring(PATH.length());
      if (!rest.isEmpty() && rest.charAt(0) != '/') {
        Exchanges.notFound(exchange); // /healthz is no sub-path of /health
        return;
      }
      if (rest.isEmpty() || "/".equals(rest)) {
        send(
            exchange,
            report.status().httpStatus(),
            healthJson,
            whole(report, healthJson, authorized));
        return;
      }
      Optional<HealthReport> part = part(report, rest.substring(1));
      if (part.isEmpty()) {
        Exchanges.notFound(exchange);
        return;
      }
      HealthReport scoped = part.get();
      String body = healthJson ? scoped.toHealthJson(authorized) : scoped.toJson(authorized);
      send(exchange, scoped.status().httpStatus(), healthJson, bytes(body));
    }
  }

  private static Optional<HealthReport> part(HealthReport report, String path) {
    switch (path) {
      case "live":
        return Optional.of(report.forGroup(CheckOptions.LIVENESS));
      case "ready":
        return Optional.of(report.forGroup(CheckOptions.READINESS));
      case "started":
        return Optional.of(report.forGroup(CheckOptions.STARTUP));
      default:
        if (path.startsWith("group/")) {
          String group = path.substring("group/".length());
          return report.hasGroup(group) ? Optional.of(report.forGroup(group)) : Optional.empty();
        }
        return report.forCheck(path);
    }
  }

  private byte[] whole(HealthReport report, boolean healthJson, boolean authorized) {
    Cache current = cache;
    if (current.report() != report) {
      // Rendered once per report; racing requests may both render, which is harmless.
      current =
          new Cache(
              report,
              bytes(report.toJson(true)),
              bytes(report.toJson(false)),
              bytes(report.toHealthJson(true)),
              bytes(report.toHealthJson(false)));
      cache = current;
    }
    if (healthJson) {
      return authorized ? current.health() : current.healthAnonymous();
    }
    return authorized ? current.json() : current.jsonAnonymous();
  }

  private boolean authorized(HttpExchange exchange) {
    return token == null || Exchanges.bears(exchange, token);
  }

  private static boolean accepts(HttpExchange exchange, String type) {
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    return accept != null && accept.contains(type);
  }

  private static void send(HttpExchange exchange, int status, boolean healthJson, byte[] body)
      throws IOException {
    Exchanges.send(exchange, status, healthJson ? HEALTH_JSON : "application/json", body);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
