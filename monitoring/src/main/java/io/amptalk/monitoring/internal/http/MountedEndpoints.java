package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The monitor's paths mounted on another server, under the path of the context that serves this
 * handler ({@link HttpExchange#getHttpContext()}): mounted at {@code /monitoring}, it serves {@code
 * /monitoring/metrics} with the handler of {@code /metrics}, {@code /monitoring/} with that of
 * {@code /}, each handler seeing the path below the base (and the query) as its request URI, so
 * that the token guard, the content negotiation, HEAD and the 404s are those of the monitor's own
 * port. {@code /monitoring} itself is redirected to {@code /monitoring/}, where the status page's
 * relative links resolve below the base; a path that only begins like the base ({@code
 * /monitoringx}) is a 404.
 *
 * <p>The other server owns the connection: its Host check, TLS, timeouts and limits apply, not ours
 * ({@link AllowedHosts} is the monitor's own port's).
 */
public final class MountedEndpoints implements HttpHandler {
  /**
   * How the instrument package finds a {@code Monitoring}'s endpoints: installed by {@code
   * Monitoring} when it is loaded, so that its API need not name the JDK server's types (the JDK's
   * own "shared secrets" way between packages).
   */
  private static volatile Function<Object, MountedEndpoints> lookup;

  private final Routes routes = new Routes();

  /** Serves each of {@code endpoints} (path on the monitor's port to its handler) under a base. */
  public MountedEndpoints(Map<String, HttpHandler> endpoints) {
    endpoints.forEach(routes::add);
  }

  /** For {@code Monitoring}: how its endpoints are found; once. */
  public static void install(Function<Object, MountedEndpoints> endpoints) {
    if (lookup != null) {
      throw new IllegalStateException("the endpoints' lookup is already installed");
    }
    lookup = Objects.requireNonNull(endpoints, "endpoints");
  }

  /** The endpoints of {@code monitoring}, a {@code Monitoring}. */
  public static MountedEndpoints of(Object monitoring) {
    Objects.requireNonNull(monitoring, "monitoring");
    Function<Object, MountedEndpoints> endpoints = lookup;
    if (endpoints == null) {
      throw new IllegalStateException("Monitoring was not loaded"); // it is, given an instance
    }
    return endpoints.apply(monitoring);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String base = base(exchange.getHttpContext());
    if (path == null || !path.startsWith(base)) {
      try (exchange) {
        Exchanges.notFound(exchange);
      }
      return;
    }
    String rest = path.substring(base.length());
    if (rest.isEmpty()) {
      try (exchange) {
        redirect(exchange, base + "/");
      }
      return;
    }
    if (rest.charAt(0) != '/') {
      try (exchange) {
        Exchanges.notFound(exchange); // /monitoringx is no path below /monitoring
      }
      return;
    }
    URI below;
    try {
      below = relative(rest, exchange.getRequestURI().getRawQuery());
    } catch (URISyntaxException e) {
      try (exchange) {
        Exchanges.send(
            exchange, 400, "text/plain; charset=utf-8", bytes("Bad request: malformed path\n"));
      }
      return;
    }
    MountedExchange mounted = new MountedExchange(exchange, below);
    routes.find(rest).getHandler().handle(mounted);
  }

  /**
   * The context's path without its final slash: {@code /monitoring/} is based at {@code
   * /monitoring}.
   */
  private static String base(HttpContext context) {
    String path = context == null ? null : context.getPath();
    if (path == null) {
      return "";
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** 307 to {@code location} (the query kept), so that the page's relative links work. */
  private static void redirect(HttpExchange exchange, String location) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    String target;
    try {
      target = relative(location, query).toASCIIString();
    } catch (URISyntaxException e) {
      target = location;
    }
    exchange.getResponseHeaders().set("Location", target);
    Exchanges.send(exchange, 307, "text/plain; charset=utf-8", bytes("Moved to " + target + "\n"));
  }

  /** The decoded {@code path} encoded again, with the raw query as it came. */
  private static URI relative(String path, String rawQuery) throws URISyntaxException {
    String rawPath = new URI(null, null, path, null).getRawPath();
    return new URI(rawQuery == null ? rawPath : rawPath + "?" + rawQuery);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
