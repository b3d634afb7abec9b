package io.amptalk.monitoring.instrument;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.internal.http.MountedEndpoints;
import java.io.IOException;

/**
 * The monitor's paths ({@code /metrics}, {@code /health} and its group paths, {@code /alerts},
 * {@code /api/system} and the status page) served by your own server, under the path of the context
 * you mount it at, instead of (or beside) the monitor's own port:
 *
 * <pre>{@code
 * server.createContext("/monitoring", MonitoringHandler.of(monitoring));
 * // GET /monitoring/metrics, /monitoring/health, /monitoring/ (the status page), ...
 * }</pre>
 *
 * <p>Each path answers as on the monitor's port: the same API token guard, content negotiation,
 * HEAD, 405s and 404s (a 404 names the path asked for, base included). The context's own path
 * ({@code /monitoring}) redirects (307) to {@code /monitoring/}, where the status page's relative
 * links resolve; a path that only begins like it ({@code /monitoringx}) is a 404. A context path
 * with a final slash ({@code /monitoring/}) serves the same paths. Build the monitor with {@code
 * SystemMonitor.builder().servePort(false)} to open no port of its own.
 *
 * <p>Your server owns the connection: the monitor's {@code allowedHosts} (the 421 against DNS
 * rebinding), TLS and request timeouts are its own port's and do not apply here; your server's
 * rules (and any proxy or authentication in front of it) do. Any filter you add to the context runs
 * too: an {@link HttpServerFilter} there records these requests as your application's.
 */
public final class MonitoringHandler implements HttpHandler {
  private final MountedEndpoints endpoints;

  private MonitoringHandler(MountedEndpoints endpoints) {
    this.endpoints = endpoints;
  }

  /**
   * A handler serving {@code monitoring}'s paths below the path of the context that runs it. Logs a
   * warning when {@code monitoring} has no API token, as its port does.
   */
  public static MonitoringHandler of(Monitoring monitoring) {
    return new MonitoringHandler(MountedEndpoints.of(monitoring));
  }

  /**
   * Serves the exchange's path below its context's path ({@link HttpExchange#getHttpContext()}): an
   * adapter for another server gives an exchange whose context path is where it mounted this.
   */
  @Override
  public void handle(HttpExchange exchange) throws IOException {
    endpoints.handle(exchange);
  }
}
