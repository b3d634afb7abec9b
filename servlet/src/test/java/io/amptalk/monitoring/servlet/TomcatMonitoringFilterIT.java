package io.amptalk.monitoring.servlet;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.junit.jupiter.api.io.TempDir;

/** {@link MonitoringFilterContract} on embedded Tomcat 11 (Servlet 6.1). */
class TomcatMonitoringFilterIT extends MonitoringFilterContract {
  @TempDir Path baseDir;

  @Override
  protected Container start(
      Map<String, HttpServlet> servlets, ServletContainerInitializer initializer) throws Exception {
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
