/**
 * The Servlet integration of amptalk-monitoring: a Jakarta Servlet 6 filter that records every
 * request in a {@code SystemMonitor}, and a servlet that serves a {@code Monitoring}'s paths below
 * a base path of the application's port. The container provides {@code jakarta.servlet}.
 */
module io.amptalk.monitoring.servlet {
  // SystemMonitor, Monitoring, RouteResolver and the Servlet types are in the module's API.
  requires transitive io.amptalk.monitoring;
  requires transitive jakarta.servlet;

  exports io.amptalk.monitoring.servlet;
}
