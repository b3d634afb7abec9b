package io.amptalk.monitoring.instrument;

import io.amptalk.monitoring.metrics.ServerRequests;

/**
 * Names the route of a request for a request filter, in place of the filter's own rule (the JDK
 * server's context path, a Servlet mapping's pattern). The filter calls it once per request, after
 * the handler returned, so it may read what the handler left on the request (a framework's matched
 * pattern, say).
 *
 * <p>Return a route template such as {@code /users/{id}}, never the raw path: each distinct value
 * is a series, and past {@code maxRoutes} further ones are recorded as {@code other}. A resolver
 * that throws or returns null never fails the request: the filter records it under its own route
 * and counts it in {@code monitoring_dropped_total{reason="unresolved_route"}}.
 *
 * <pre>{@code
 * HttpServerFilter.builder(monitor)
 *     .routeResolver(exchange -> exchange.getRequestURI().getPath().startsWith("/users/")
 *         ? "/users/{id}" : exchange.getHttpContext().getPath())
 *     .build();
 * }</pre>
 *
 * @param <R> the server's request type ({@code HttpExchange}, {@code HttpServletRequest})
 */
@FunctionalInterface
public interface RouteResolver<R> {
  /** The route of {@code request}; null to use the filter's own (counted as unresolved). */
  String route(R request) throws Exception;

  /**
   * What a filter calls: {@code resolver}'s route for {@code request}; or null, once {@code
   * requests} has counted it as unresolved, when the resolver threw or returned null (the filter
   * then uses its own route). An {@code Error} it throws (OutOfMemoryError, say) is not hidden.
   */
  static <R> String resolve(RouteResolver<? super R> resolver, R request, ServerRequests requests) {
    try {
      String route = resolver.route(request);
      if (route == null) {
        requests.unresolvedRoute(null);
      }
      return route;
    } catch (Exception e) {
      requests.unresolvedRoute(e);
      return null;
    }
  }
}
