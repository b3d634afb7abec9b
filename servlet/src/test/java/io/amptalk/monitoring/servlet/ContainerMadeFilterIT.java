package io.amptalk.monitoring.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.SystemMonitor;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/**
 * {@link MonitoringFilter} as {@code web.xml} declares it: the container makes it with the
 * no-argument constructor, and it finds the monitor in the {@code ServletContext} attribute, or
 * refuses to start, naming the attribute. On embedded Jetty 12, which makes filters by class as a
 * deployed application's do.
 */
class ContainerMadeFilterIT {
  private static final String COUNT = "http_server_request_duration_seconds_count";

  @Test
  void filterMadeByTheContainer_takesTheMonitorFromTheContextAttribute() throws Exception {
    try (SystemMonitor monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .collectInterval(Duration.ofHours(1))
            .build()) {
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/app");
      context.addServlet(new ServletHolder(new Hello()), "/hello/*");
      context.addFilter(
          new FilterHolder(MonitoringFilter.class), "/*", EnumSet.of(DispatcherType.REQUEST));
      context.getServletContext().setAttribute(MonitoringFilter.MONITOR_ATTRIBUTE, monitor);
      server.setHandler(context);
      server.start();
      try {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/app/hello/1"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);

        URI metrics = URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics");
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(
                            client
                                .send(
                                    HttpRequest.newBuilder(metrics).build(),
                                    HttpResponse.BodyHandlers.ofString())
                                .body()
                                .lines()
                                .filter(line -> line.startsWith(COUNT + "{")))
                        .containsExactly(
                            COUNT
                                + "{http_request_method=\"GET\",http_response_status_code=\"200\","
                                + "http_route=\"/app/hello/*\"} 1"));
      } finally {
        server.stop();
      }
    }
  }

  @Test
  void filterMadeByTheContainer_withoutTheAttribute_failsNamingIt() throws Exception {
    Server server = new Server();
    server.addConnector(new ServerConnector(server));
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(new Hello()), "/hello");
    FilterHolder holder = new FilterHolder(MonitoringFilter.class);
    context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(context);
    try {
      assertThatThrownBy(server::start)
          .hasStackTraceContaining(
              "MonitoringFilter needs a SystemMonitor in the ServletContext attribute"
                  + " 'io.amptalk.monitoring.SystemMonitor' (set it in a ServletContextListener's"
                  + " contextInitialized), found none");
    } finally {
      server.stop();
    }
  }

  private static final class Hello extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      response.setStatus(200);
    }
  }
}
