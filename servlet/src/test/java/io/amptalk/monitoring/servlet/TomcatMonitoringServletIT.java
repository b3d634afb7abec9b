package io.amptalk.monitoring.servlet;

import io.amptalk.monitoring.servlet.ServletContainers.Container;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/** {@link MonitoringServletContract} on embedded Tomcat 11 (Servlet 6.1). */
class TomcatMonitoringServletIT extends MonitoringServletContract {
  @TempDir Path baseDir;

  @Override
  protected Container start(
      Map<String, HttpServlet> servlets, ServletContainerInitializer initializer) throws Exception {
    return ServletContainers.tomcat(baseDir, servlets, initializer);
  }
}
