package io.amptalk.monitoring.servlet;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.instrument.RouteResolver;
import io.amptalk.monitoring.metrics.ServerRequests;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Records every request of a Jakarta Servlet 6 application in a {@link SystemMonitor}: {@code
 * http.server.request.duration} by route, method and the status sent, and {@code
 * http.server.active_requests} by method and scheme. One line registers it, in a {@code
 * ServletContainerInitializer} or wherever the {@code ServletContext} is still being set up:
 *
 * <pre>{@code
 * new MonitoringFilter(monitor).addTo(servletContext);
 * }</pre>
 *
 * <p>Or declare it in {@code web.xml} (with {@code <async-supported>true</async-supported>}): the
 * container then makes it with the no-argument constructor, and it takes the monitor from the
 * {@code ServletContext} attribute {@value #MONITOR_ATTRIBUTE}, which a {@code
 * ServletContextListener} sets in {@code contextInitialized}.
 *
 * <p>The rules, for every request:
 *
 * <ul>
 *   <li><b>Route</b>: the pattern of the servlet mapping that served it ({@link
 *       HttpServletRequest#getHttpServletMapping()}), never the raw path: {@code /users/123} and
 *       {@code /users/456} under {@code /users/*} are one series. Every route starts with {@code /}
 *       and the context path: {@code /users/*}, {@code /app/users/*}; the default servlet's {@code
 *       /} takes every path nothing else maps, 404s included, so a flood of unknown paths is one
 *       series; the context root's empty pattern is {@code /}, an extension mapping {@code /*.jsp}.
 *       A request the container reports no mapping for is {@value #UNMATCHED}. A {@link
 *       Builder#routeResolver resolver} can name routes instead.
 *   <li><b>Status</b>: {@link HttpServletResponse#getStatus()} when the response is done. A request
 *       whose chain throws is 500 when nothing was committed yet (the container answers so), else
 *       the status the client already got; its exception is counted in {@code app.errors} under its
 *       class name, and rethrown unchanged. A client that disconnects is recorded with what was
 *       sent.
 *   <li><b>Async</b>: a request put into async mode ({@code startAsync}) is recorded when it
 *       completes ({@code AsyncListener.onComplete}), its duration running to then; an {@code
 *       onError} adds the error, and a timeout is recorded with the status the container answers it
 *       with.
 *   <li><b>Dispatches</b>: only the original {@code REQUEST} dispatch is timed; forwards, includes,
 *       async and error dispatches happen within it.
 *   <li><b>The monitor's own paths</b>: a request served by a {@link MonitoringServlet} is not
 *       recorded (a scrape is not the application's traffic, as on the monitor's own port).
 * </ul>
 *
 * <p>The filter never fails a request itself, and records a synchronous request without allocating
 * (a resolver's own allocations aside).
 */
public final class MonitoringFilter implements Filter {
  /** The name {@link #addTo} registers the filter under. */
  public static final String NAME = "amptalk-monitoring";

  /** The {@code ServletContext} attribute a filter made by the container finds its monitor in. */
  public static final String MONITOR_ATTRIBUTE = "io.amptalk.monitoring.SystemMonitor";

  /** The route of a request the container reports no servlet mapping for. */
  public static final String UNMATCHED = "unmatched";

  /** Patterns kept with their route; past this, a route is built on each request. */
  private static final int MAX_CACHED_ROUTES = 1000;

  private final RouteResolver<? super HttpServletRequest> resolver;
  private final LongSupplier ticker;
  private final ConcurrentHashMap<String, String> routes = new ConcurrentHashMap<>();
  private volatile ServerRequests requests;
  private volatile String contextPath = "";

  /**
   * The names of the context's {@link MonitoringServlet}s: their requests (scrapes, probes, the
   * status page) are the monitor's, not the application's, and are not recorded, as they are not on
   * the monitor's own port.
   */
  private volatile Set<String> monitoringServlets = Set.of();

  /**
   * For {@code web.xml}: the filter takes its monitor from the {@value #MONITOR_ATTRIBUTE}
   * attribute when the container initialises it.
   */
  public MonitoringFilter() {
    this.resolver = null;
    this.ticker = System::nanoTime;
  }

  /** A filter recording into {@code monitor}, the route being the servlet mapping's pattern. */
  public MonitoringFilter(SystemMonitor monitor) {
    this(builder(monitor));
  }

  private MonitoringFilter(Builder builder) {
    this.requests = builder.monitor.serverRequests();
    this.resolver = builder.resolver;
    this.ticker = builder.ticker;
  }

  /** A builder for a filter recording into {@code monitor}. */
  public static Builder builder(SystemMonitor monitor) {
    return new Builder(monitor);
  }

  /**
   * Registers this filter in {@code context} as {@value #NAME}, for every path ({@code /*}) on the
   * {@code REQUEST} dispatch, before the filters of {@code web.xml} (so it times them too), with
   * async support. Call it while the context is being set up (a {@code
   * ServletContainerInitializer}, or before an embedded container starts).
   *
   * @throws IllegalStateException when a filter of that name is already registered
   */
  public FilterRegistration.Dynamic addTo(ServletContext context) {
    FilterRegistration.Dynamic registration = context.addFilter(NAME, this);
    if (registration == null) {
      throw new IllegalStateException(
          "a filter named '" + NAME + "' is already registered in this ServletContext");
    }
    registration.setAsyncSupported(true);
    registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    return registration;
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    ServletContext context = config.getServletContext();
    String path = context.getContextPath();
    contextPath = path == null ? "" : path;
    monitoringServlets = monitoringServlets(context);
    if (requests == null) {
      Object monitor = context.getAttribute(MONITOR_ATTRIBUTE);
      if (!(monitor instanceof SystemMonitor)) {
        throw new ServletException(
            "MonitoringFilter needs a SystemMonitor in the ServletContext attribute '"
                + MONITOR_ATTRIBUTE
                + "' (set it in a ServletContextListener's contextInitialized), found "
                + (monitor == null ? "none" : "a " + monitor.getClass().getName()));
      }
      requests = ((SystemMonitor) monitor).serverRequests();
    }
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    ServerRequests requests = this.requests;
    if (requests == null
        || !(req instanceof HttpServletRequest request)
        || !(res instanceof HttpServletResponse response)
        || request.getDispatcherType() != DispatcherType.REQUEST
        || servesMonitoring(request)) {
      chain.doFilter(req, res);
      return;
    }
    String method = request.getMethod();
    boolean secure = request.isSecure();
    long start = ticker.getAsLong();
    requests.started(method, secure);
    Throwable failure = null;
    try {
      chain.doFilter(request, response);
    } catch (Throwable t) { // rethrown below as it was: IOException, ServletException or unchecked
      failure = t;
      throw t;
    } finally {
      String route = route(requests, request);
      if (failure != null
          || !request.isAsyncStarted()
          || !recordOnCompletion(
              request,
              response,
              new Completion(requests, response, route, method, secure, start))) {
        finish(requests, response, route, method, secure, start, failure);
      }
    }
  }

  /** Whether a {@link MonitoringServlet} serves the request; checked only where there is one. */
  private boolean servesMonitoring(HttpServletRequest request) {
    Set<String> servlets = monitoringServlets;
    if (servlets.isEmpty()) {
      return false;
    }
    try {
      HttpServletMapping mapping = request.getHttpServletMapping();
      return mapping != null && servlets.contains(mapping.getServletName());
    } catch (RuntimeException e) {
      return false; // a request wrapper of the application's that fails here
    }
  }

  /**
   * The servlets registered as {@link MonitoringServlet}s. Read at the filter's start: a context
   * takes no servlets once it is initialised.
   */
  private static Set<String> monitoringServlets(ServletContext context) {
    Set<String> names = new HashSet<>();
    try {
      context
          .getServletRegistrations()
          .forEach(
              (name, registration) -> {
                if (MonitoringServlet.class.getName().equals(registration.getClassName())) {
                  names.add(name);
                }
              });
    } catch (RuntimeException e) {
      return Set.of(); // a container that does not tell: every request is recorded
    }
    return Set.copyOf(names);
  }

  /** Whether the completion listener was added; false when the request is no longer async. */
  private static boolean recordOnCompletion(
      HttpServletRequest request, HttpServletResponse response, Completion completion) {
    try {
      AsyncContext async = request.getAsyncContext();
      async.addListener(completion, request, response);
      return true;
    } catch (IllegalStateException e) {
      return false; // completed between isAsyncStarted and here
    }
  }

  private void finish(
      ServerRequests requests,
      HttpServletResponse response,
      String route,
      String method,
      boolean secure,
      long start,
      Throwable failure) {
    long duration = ticker.getAsLong() - start;
    int status = failure != null && !response.isCommitted() ? 500 : response.getStatus();
    requests.finished(route, method, secure, status, duration, rootCause(failure));
  }

  /**
   * What failed: frameworks (Spring MVC's DispatcherServlet among them) rethrow the application's
   * exception wrapped in a {@link ServletException}, whose type says nothing.
   */
  private static Throwable rootCause(Throwable failure) {
    Throwable cause = failure;
    for (int depth = 0; cause instanceof ServletException wrapper && depth < 8; depth++) {
      if (wrapper.getRootCause() == null) {
        break;
      }
      cause = wrapper.getRootCause();
    }
    return cause;
  }

  private String route(ServerRequests requests, HttpServletRequest request) {
    String route = resolver == null ? null : RouteResolver.resolve(resolver, request, requests);
    if (route != null) {
      return route;
    }
    try {
      return mappedRoute(request.getHttpServletMapping());
    } catch (RuntimeException e) {
      return UNMATCHED; // a request wrapper of the application's that fails here
    }
  }

  private String mappedRoute(HttpServletMapping mapping) {
    String pattern =
        mapping == null || mapping.getMappingMatch() == null ? null : mapping.getPattern();
    if (pattern == null) {
      return UNMATCHED;
    }
    String prefix = contextPath;
    if (prefix.isEmpty() && pattern.startsWith("/")) {
      return pattern; // the common case, allocation-free
    }
    String route = routes.get(pattern);
    if (route == null) {
      route = prefix + (pattern.startsWith("/") ? pattern : "/" + pattern);
      if (routes.size() < MAX_CACHED_ROUTES) {
        routes.putIfAbsent(pattern, route);
      }
    }
    return route;
  }

  /** Records an async request when it completes. */
  private final class Completion implements AsyncListener {
    private final ServerRequests requests;
    private final HttpServletResponse response;
    private final String route;
    private final String method;
    private final boolean secure;
    private final long start;
    private volatile Throwable failure;

    Completion(
        ServerRequests requests,
        HttpServletResponse response,
        String route,
        String method,
        boolean secure,
        long start) {
      this.requests = requests;
      this.response = response;
      this.route = route;
      this.method = method;
      this.secure = secure;
      this.start = start;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      finish(requests, response, route, method, secure, start, failure);
    }

    @Override
    public void onError(AsyncEvent event) {
      failure = event.getThrowable();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      // The container answers the timeout (a 500 unless the application does); onComplete follows.
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      // startAsync again (after a dispatch) forgets the listeners: stay on.
      event
          .getAsyncContext()
          .addListener(this, event.getSuppliedRequest(), event.getSuppliedResponse());
    }
  }

  /** Configures a {@link MonitoringFilter}. */
  public static final class Builder {
    private final SystemMonitor monitor;
    private RouteResolver<? super HttpServletRequest> resolver;
    private LongSupplier ticker = System::nanoTime;

    private Builder(SystemMonitor monitor) {
      this.monitor = Objects.requireNonNull(monitor, "monitor");
    }

    /**
     * Names each request's route, in place of the servlet mapping's pattern (a framework's matched
     * pattern, say); it is called once the chain returned. A resolver that throws or returns null
     * never fails the request: the request goes under the mapping's pattern, counted in {@code
     * monitoring_dropped_total{reason="unresolved_route"}}. Default: the mapping's pattern.
     */
    public Builder routeResolver(RouteResolver<? super HttpServletRequest> resolver) {
      this.resolver = Objects.requireNonNull(resolver, "routeResolver");
      return this;
    }

    /** For tests: the nanosecond ticker durations are measured with. */
    Builder ticker(LongSupplier ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    public MonitoringFilter build() {
      return new MonitoringFilter(this);
    }
  }
}
