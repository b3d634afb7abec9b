package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.HttpHandler;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which handler serves a path: the one mounted at the longest prefix of it, by plain string prefix
 * as the JDK's {@code HttpServer} matched ({@code /health} serves {@code /health/db}, and {@code
 * /healthz} too, where the handler answers 404). {@code /} serves what nothing else does, and
 * without a handler of its own answers {@link Exchanges#notFound}.
 */
final class Routes {
  private static final ServerContext NOT_FOUND = new ServerContext("/", Routes::notFound);

  private final Map<String, ServerContext> byPath = new LinkedHashMap<>();

  /** Longest path first; replaced whole on each change, so that lookups need no lock. */
  private volatile ServerContext[] ordered = new ServerContext[0];

  /** Mounts {@code handler} at {@code path}; false when the path already has one. */
  synchronized boolean add(String path, HttpHandler handler) {
    Objects.requireNonNull(handler, "handler");
    if (byPath.putIfAbsent(check(path), new ServerContext(path, handler)) != null) {
      return false;
    }
    reorder();
    return true;
  }

  /** Unmounts {@code path}; whether it was mounted. */
  synchronized boolean remove(String path) {
    if (byPath.remove(path) == null) {
      return false;
    }
    reorder();
    return true;
  }

  ServerContext find(String path) {
    for (ServerContext context : ordered) {
      if (path.startsWith(context.getPath())) {
        return context;
      }
    }
    return NOT_FOUND;
  }

  private void reorder() {
    ordered =
        byPath.values().stream()
            .sorted(Comparator.comparingInt((ServerContext c) -> c.getPath().length()).reversed())
            .toArray(ServerContext[]::new);
  }

  static String check(String path) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/', was '" + path + "'");
    }
    return path;
  }

  private static void notFound(com.sun.net.httpserver.HttpExchange exchange)
      throws java.io.IOException {
    try (exchange) {
      Exchanges.notFound(exchange);
    }
  }
}
