/**
 * The Servlet integration of amptalk-monitoring: a Jakarta Servlet 6 filter that records every
 * request in a {@code SystemMonitor}. The container provides {@code jakarta.servlet}.
 */
module io.amptalk.monitoring.servlet {
  // SystemMonitor, RouteResolver and the Servlet types are in MonitoringFilter's API.
  requires transitive io.amptalk.monitoring;
  requires transitive jakarta.servlet;

  exports io.amptalk.monitoring.servlet;
}
