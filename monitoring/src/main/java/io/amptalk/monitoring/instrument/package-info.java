/**
 * Request instrumentation for the servers services run on: {@link
 * io.amptalk.monitoring.instrument.HttpServerFilter}, a filter for the JDK's {@code
 * com.sun.net.httpserver.HttpServer} that records each exchange in a {@code SystemMonitor}, and
 * {@link io.amptalk.monitoring.instrument.RouteResolver}, how a filter is told the route of a
 * request when its own rule does not fit; and {@link
 * io.amptalk.monitoring.instrument.MonitoringHandler}, the monitor's paths served by that server
 * under a base path. The Servlet module's filter and servlet are built on the same.
 */
package io.amptalk.monitoring.instrument;
