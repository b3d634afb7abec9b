package io.amptalk.monitoring.servlet;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The two real containers the module is tested on, started in-process on a random loopback port
 * with {@code servlets} (URL pattern to servlet, each async-capable) in the root context, set up by
 * {@code initializer} as a {@code ServletContainerInitializer}.
 */
final class ServletContainers {
  /** A container serving the application, on a random loopback port. */
  interface Container extends AutoCloseable {
    int port();
  }

  private ServletContainers() {}

  /** Embedded Jetty 12 (ee10, Servlet 6.0). */
  static Container jetty(Map<String, HttpServlet> servlets, ServletContainerInitializer initializer)
      throws Exception {
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

  /** Embedded Tomcat 11 (Servlet 6.1), its files in {@code baseDir}. */
  static Container tomcat(
      Path baseDir, Map<String, HttpServlet> servlets, ServletContainerInitializer initializer)
      throws Exception {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    tomcat.setHostname("127.0.0.1");
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    Path docBase = Files.createDirectories(baseDir.resolve("docs"));
    Context context = tomcat.addContext("", docBase.toString());
    int i = 0;
    for (Map.Entry<String, HttpServlet> servlet : servlets.entrySet()) {
      String name = "servlet" + i++;
      Wrapper wrapper = Tomcat.addServlet(context, name, servlet.getValue());
      wrapper.setAsyncSupported(true);
      context.addServletMappingDecoded(servlet.getKey(), name);
    }
    context.addServletContainerInitializer(initializer, null);
    tomcat.start();
    return new Container() {
      @Override
      public int port() {
        return tomcat.getConnector().getLocalPort();
      }

      @Override
      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }
    };
  }
}
