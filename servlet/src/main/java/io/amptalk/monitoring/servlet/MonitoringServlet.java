package io.amptalk.monitoring.servlet;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.instrument.MonitoringHandler;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Serves a {@link Monitoring}'s paths ({@code /metrics}, {@code /health} and its group paths,
 * {@code /alerts}, {@code /api/system} and the status page) on the application's own port, below a
 * base path, with the same answers as the monitor's own port (token guard, content negotiation,
 * HEAD, 404s). One line registers it at {@code /monitoring/*}:
 *
 * <pre>{@code
 * new MonitoringServlet(monitoring).addTo(servletContext, "/monitoring");
 * // GET /monitoring/metrics, /monitoring/health, /monitoring/ (the status page), ...
 * }</pre>
 *
 * <p>Build the monitor with {@code SystemMonitor.builder().servePort(false)} to open no port of its
 * own. Or declare it in {@code web.xml}, mapped by a path ({@code /monitoring/*}): the container
 * then makes it with the no-argument constructor, and it takes the {@link Monitoring} from the
 * {@code ServletContext} attribute {@value #MONITORING_ATTRIBUTE}.
 *
 * <p>The base itself ({@code /monitoring}) redirects (307) to {@code /monitoring/}, where the
 * status page's relative links resolve. The {@link MonitoringFilter} does not record these
 * requests: scrapes and probes are not the application's traffic, as they are not on the monitor's
 * own port. The container owns the connection: its TLS, limits and security constraints apply (and
 * those of any security filter in front), not the monitor port's {@code allowedHosts}.
 */
public final class MonitoringServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /**
   * The {@code ServletContext} attribute a servlet made by the container finds its monitoring in.
   */
  public static final String MONITORING_ATTRIBUTE = "io.amptalk.monitoring.Monitoring";

  /** The name {@link #addTo} registers the servlet under. */
  public static final String NAME = "amptalk-monitoring";

  private static final Pattern BASE_PATH = Pattern.compile("(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+/?");

  private transient volatile MonitoringHandler handler;

  /**
   * For {@code web.xml}: the servlet takes its monitoring from the {@value #MONITORING_ATTRIBUTE}
   * attribute when the container initialises it.
   */
  public MonitoringServlet() {}

  /** A servlet serving {@code monitoring}'s paths below the path it is mapped at. */
  public MonitoringServlet(Monitoring monitoring) {
    this.handler = MonitoringHandler.of(Objects.requireNonNull(monitoring, "monitoring"));
  }

  /**
   * The URL pattern that serves {@code basePath} and every path below it: {@code /monitoring/*} for
   * {@code /monitoring} (or {@code /monitoring/}).
   *
   * @throws IllegalArgumentException when {@code basePath} is not a path below the root whose
   *     segments are letters, digits, {@code -}, {@code _}, {@code ~} and {@code .} (not starting
   *     with a dot), such as {@code /monitoring} or {@code /ops/monitor}
   */
  public static String urlPattern(String basePath) {
    if (basePath == null || !BASE_PATH.matcher(basePath).matches()) {
      throw new IllegalArgumentException(
          "basePath must be a path below the root such as /monitoring (segments of letters,"
              + " digits, '-', '_', '~' and '.'), was "
              + (basePath == null ? "null" : "'" + basePath + "'"));
    }
    String base = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
    return base + "/*";
  }

  /**
   * Registers this servlet in {@code context} as {@value #NAME}, at {@link #urlPattern
   * urlPattern(basePath)}, started with the context. Call it while the context is being set up (a
   * {@code ServletContainerInitializer}, or before an embedded container starts).
   *
   * @throws IllegalArgumentException when {@code basePath} is no such path
   * @throws IllegalStateException when a servlet of that name is already registered, or the pattern
   *     is already mapped to another servlet
   */
  public ServletRegistration.Dynamic addTo(ServletContext context, String basePath) {
    String pattern = urlPattern(basePath);
    ServletRegistration.Dynamic registration = context.addServlet(NAME, this);
    if (registration == null) {
      throw new IllegalStateException(
          "a servlet named '" + NAME + "' is already registered in this ServletContext");
    }
    registration.setLoadOnStartup(1);
    if (!registration.addMapping(pattern).isEmpty()) {
      throw new IllegalStateException(
          "the URL pattern '" + pattern + "' is already mapped to another servlet");
    }
    return registration;
  }

  @Override
  public void init() throws ServletException {
    ServletContext context = getServletContext();
    if (handler == null) {
      Object monitoring = context.getAttribute(MONITORING_ATTRIBUTE);
      if (!(monitoring instanceof Monitoring)) {
        throw new ServletException(
            "MonitoringServlet needs a Monitoring in the ServletContext attribute '"
                + MONITORING_ATTRIBUTE
                + "' (set it in a ServletContextListener's contextInitialized), found "
                + (monitoring == null ? "none" : "a " + monitoring.getClass().getName()));
      }
      handler = MonitoringHandler.of((Monitoring) monitoring);
    }
    ServletRegistration registration = context.getServletRegistration(getServletName());
    Collection<String> mappings = registration == null ? null : registration.getMappings();
    if (mappings != null) {
      for (String mapping : mappings) {
        if (!mapping.endsWith("/*")) {
          // An exact or extension mapping leaves no path below it to serve the endpoints at.
          throw new ServletException(
              "MonitoringServlet must be mapped by a path such as /monitoring/*, was '"
                  + mapping
                  + "'");
        }
      }
    }
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    ServletExchange exchange;
    try {
      exchange = ServletExchange.of(request, response);
    } catch (URISyntaxException e) {
      response.setStatus(400);
      response.setContentType("text/plain; charset=utf-8");
      response
          .getOutputStream()
          .write("Bad request: malformed path\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    handler.handle(exchange);
  }
}
