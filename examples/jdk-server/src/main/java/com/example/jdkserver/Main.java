package com.example.jdkserver;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.instrument.HttpServerFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small service on the JDK's {@code HttpServer}, monitored by amptalk-monitoring. The service
 * answers on its port ({@code GET /users/{id}}, and {@code GET /boom}, which throws); the
 * monitoring answers on its own port: {@code /metrics}, {@code /health} (with this service's own
 * check, {@code user-store}), {@code /alerts} and the status page at {@code /}.
 *
 * <p>Settings, each a system property or else an environment variable: {@code example.host} /
 * {@code EXAMPLE_HOST} (default 127.0.0.1), {@code example.port} / {@code EXAMPLE_PORT} (8080),
 * {@code example.monitor-port} / {@code EXAMPLE_MONITOR_PORT} (8000).
 */
public final class Main {
  private static final Map<Integer, String> USERS = Map.of(1, "Ada", 2, "Grace");

  private Main() {}

  public static void main(String[] args) throws IOException {
    String host = setting("example.host", "EXAMPLE_HOST", "127.0.0.1");
    int port = port("example.port", "EXAMPLE_PORT", "8080");
    int monitorPort = port("example.monitor-port", "EXAMPLE_MONITOR_PORT", "8000");

    // The monitor, its health checks and alerts, served on the monitor's port.
    Monitoring monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .serviceName("jdk-server-example")
                    .prometheusHost(host)
                    .prometheusPort(monitorPort))
            .build();
    monitoring
        .healthCheck()
        .registerCheck(
            "user-store",
            () -> CheckResult.of(!USERS.isEmpty(), USERS.size() + " users"),
            "The users this service serves");

    // The one line per context: the filter records every exchange of the context.
    HttpServerFilter filter = HttpServerFilter.of(monitoring.systemMonitor());
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    server.createContext("/users/", Main::user).getFilters().add(filter);
    server.createContext("/boom", Main::boom).getFilters().add(filter);
    ExecutorService executor = Executors.newFixedThreadPool(4);
    server.setExecutor(executor);
    server.start();

    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.stop(1);
                  executor.shutdown();
                  monitoring.close();
                },
                "jdk-server-example-shutdown"));
    System.out.printf(
        "jdk-server-example: serving http://%s:%d/users/1, monitoring at http://%s:%d/%n",
        host, server.getAddress().getPort(), host, monitoring.systemMonitor().getPrometheusPort());
  }

  /** {@code GET /users/{id}}: the user as JSON, or 404. Recorded under the context's path. */
  private static void user(HttpExchange exchange) throws IOException {
    String id = exchange.getRequestURI().getPath().substring("/users/".length());
    String name = id.matches("[0-9]{1,9}") ? USERS.get(Integer.parseInt(id)) : null;
    if (name == null) {
      send(exchange, 404, "{\"error\":\"no user '" + id + "'\"}");
    } else {
      send(exchange, 200, "{\"id\":" + id + ",\"name\":\"" + name + "\"}");
    }
  }

  /**
   * {@code GET /boom}: a handler that throws. The filter records a 500 and an error of type {@code
   * java.lang.IllegalStateException}; the server then closes the connection, as without it.
   */
  private static void boom(HttpExchange exchange) {
    throw new IllegalStateException("boom");
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static String setting(String property, String variable, String fallback) {
    String value = System.getProperty(property);
    if (value == null) {
      value = System.getenv(variable);
    }
    return value == null || value.isBlank() ? fallback : value;
  }

  private static int port(String property, String variable, String fallback) {
    String value = setting(property, variable, fallback);
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        property + " (" + variable + ") must be a port 0..65535, was '" + value + "'");
  }
}
