package io.amptalk.monitoring.metrics;

/**
 * What a request filter records through: {@code http.server.active_requests}, {@code
 * http.server.request.duration} with the status actually sent, the error a handler threw, and a
 * route that could not be resolved. The library's filters (the JDK server's {@code
 * io.amptalk.monitoring.instrument.HttpServerFilter}, the Servlet module's {@code
 * MonitoringFilter}) use it; a filter for another server can too. {@code
 * SystemMonitor.serverRequests()} gives the monitor's.
 *
 * <p>A filter calls {@link #started} when a request arrives and {@link #finished} exactly once when
 * its response is done, with the same method and scheme. Every method is lock-free, allocates
 * nothing when there is no failure, and never throws.
 */
public interface ServerRequests {
  /** A request arrived: {@code http.server.active_requests} for its method and scheme rises. */
  void started(String method, boolean secure);

  /**
   * The request ended: {@code http.server.active_requests} falls, and the request is recorded as
   * {@code recordRequest} would (a route or method normalised, a status outside 100..599 dropped
   * and counted in {@code monitoring.dropped}).
   *
   * @param route the route template (never a raw path, whose ids would make a series per user)
   * @param durationNanos from the request's arrival to its response's end; a negative one counts as
   *     0
   * @param failure what the handler threw, or null: counted in {@code app.errors} under its class
   *     name, with the route, the method and its message kept in the recent errors
   */
  void finished(
      String route,
      String method,
      boolean secure,
      int statusCode,
      long durationNanos,
      Throwable failure);

  /**
   * The filter's route resolver threw or returned null, so the request goes under the filter's own
   * route: counted in {@code monitoring.dropped} with reason {@code unresolved_route}, with a
   * warning logged at most once a minute.
   *
   * @param cause what the resolver threw, or null when it returned null
   */
  void unresolvedRoute(Throwable cause);
}
