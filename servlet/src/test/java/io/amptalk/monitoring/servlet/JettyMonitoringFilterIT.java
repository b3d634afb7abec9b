package io.amptalk.monitoring.servlet;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** {@link MonitoringFilterContract} on embedded Jetty 12 (ee10, Servlet 6.0). */
class JettyMonitoringFilterIT extends MonitoringFilterContract {
  @Override
  protected Container start(
      Map<String, HttpServlet> servlets, ServletContainerInitializer initializer) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    servlets.forEach(
        (pattern, servlet) -> {
          ServletHolder holder = new ServletHolder(servlet);
          holder.setAsyncSupported(true);
          context.addServlet(holder, pattern);
        });
    context.addServletContainerInitializer(initializer);
    server.setHandler(context);
    server.start();
    return new Container() {
      @Override
      public int port() {
        return connector.getLocalPort();
      }

      @Override
      public void close() throws Exception {
        server.stop();
      }
    };
  }
}
