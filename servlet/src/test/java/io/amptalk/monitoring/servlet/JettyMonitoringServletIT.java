package io.amptalk.monitoring.servlet;

import io.amptalk.monitoring.servlet.ServletContainers.Container;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import java.util.Map;

/** {@link MonitoringServletContract} on embedded Jetty 12 (ee10, Servlet 6.0). */
class JettyMonitoringServletIT extends MonitoringServletContract {
  @Override
  protected Container start(
      Map<String, HttpServlet> servlets, ServletContainerInitializer initializer) throws Exception {
    return ServletContainers.jetty(servlets, initializer);
  }
}
