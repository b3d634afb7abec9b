package io.amptalk.monitoring.instrument;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.metrics.ServerRequests;
import java.io.IOException;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Records every exchange of a JDK {@code com.sun.net.httpserver.HttpServer} context in a {@link
 * SystemMonitor}: {@code http.server.request.duration} by route, method and the status actually
 * sent, and {@code http.server.active_requests} by method and scheme. Add it to each context:
 *
 * <pre>{@code
 * HttpServerFilter filter = HttpServerFilter.of(monitor);
 * server.createContext("/users/", usersHandler).getFilters().add(filter);
 * }</pre>
 *
 * <p>The rules, for every exchange:
 *
 * <ul>
 *   <li><b>Route</b>: the context's path ({@code /users/} for {@code /users/123} and {@code
 *       /users/456} alike), or what the {@link Builder#routeResolver resolver} names.
 *   <li><b>Duration</b>: from the filter's entry to the handler's return, when a handler that
 *       answers on its own thread has closed the response.
 *   <li><b>Status</b>: {@link HttpExchange#getResponseCode()} once the handler returned; a handler
 *       that returned without sending a status ({@code -1}) is recorded as 500, since the client
 *       got no answer. A handler that answers later from another thread is recorded so too: time
 *       such exchanges with {@code recordRequest} instead.
 *   <li><b>Failure</b>: a handler that throws is recorded as 500 when it had sent no status, else
 *       with the status the client saw, and its exception is counted in {@code app.errors} under
 *       its class name; the exception then reaches the server unchanged, as without the filter.
 * </ul>
 *
 * <p>The filter never fails an exchange itself, and records without allocating (a resolver's own
 * allocations aside). One filter may serve many contexts and servers.
 */
public final class HttpServerFilter extends Filter {
  /** The status recorded for an exchange that ended without sending one. */
  public static final int NO_RESPONSE_STATUS = 500;

  private final ServerRequests requests;
  private final RouteResolver<? super HttpExchange> resolver;
  private final LongSupplier ticker;

  private HttpServerFilter(Builder builder) {
    this.requests = builder.monitor.serverRequests();
    this.resolver = builder.resolver;
    this.ticker = builder.ticker;
  }

  /** A filter recording into {@code monitor}, the route being the context's path. */
  public static HttpServerFilter of(SystemMonitor monitor) {
    return builder(monitor).build();
  }

  /** A builder for a filter recording into {@code monitor}. */
  public static Builder builder(SystemMonitor monitor) {
    return new Builder(monitor);
  }

  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    String method = exchange.getRequestMethod();
    boolean secure = exchange instanceof HttpsExchange;
    long start = ticker.getAsLong();
    requests.started(method, secure);
    Throwable failure = null;
    try {
      chain.doFilter(exchange);
    } catch (Throwable t) { // rethrown below as it was: IOException or unchecked
      failure = t;
      throw t;
    } finally {
      long duration = ticker.getAsLong() - start;
      int sent = exchange.getResponseCode();
      requests.finished(
          route(exchange),
          method,
          secure,
          sent == -1 ? NO_RESPONSE_STATUS : sent,
          duration,
          failure);
    }
  }

  private String route(HttpExchange exchange) {
    String route = resolver == null ? null : RouteResolver.resolve(resolver, exchange, requests);
    return route != null ? route : exchange.getHttpContext().getPath();
  }

  @Override
  public String description() {
    return "amptalk-monitoring: records each exchange in http.server.request.duration";
  }

  /** Configures an {@link HttpServerFilter}. */
  public static final class Builder {
    private final SystemMonitor monitor;
    private RouteResolver<? super HttpExchange> resolver;
    private LongSupplier ticker = System::nanoTime;

    private Builder(SystemMonitor monitor) {
      this.monitor = Objects.requireNonNull(monitor, "monitor");
    }

    /**
     * Names each exchange's route, in place of the context's path; see {@link RouteResolver} for
     * what happens when it throws or returns null. Default: the context's path.
     */
    public Builder routeResolver(RouteResolver<? super HttpExchange> resolver) {
      this.resolver = Objects.requireNonNull(resolver, "routeResolver");
      return this;
    }

    /** For tests: the nanosecond ticker durations are measured with. */
    Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    public HttpServerFilter build() {
      return new HttpServerFilter(this);
    }
  }
}
