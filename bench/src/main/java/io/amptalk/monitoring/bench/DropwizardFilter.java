package io.amptalk.monitoring.bench;

import static com.codahale.metrics.MetricRegistry.name;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpMethod;

/**
 * What Dropwizard's {@code InstrumentedEE10Handler} records per request (metrics-jetty12-ee10
 * 4.2.39, its default {@code COARSE} level), as a Servlet filter, for {@code
 * MonitoringFilterBenchmark}: the handler itself needs Jetty's request, which a servlet harness has
 * not. This is {@code AbstractInstrumentedHandler.handle} and {@code updateResponses} (read from
 * the 4.2.39 classes) on the same metrics, under the same names:
 *
 * <ul>
 *   <li>before the chain, {@code active-dispatches} and {@code active-requests} incremented;
 *   <li>after it, {@code active-dispatches} decremented and the {@code dispatches} timer updated
 *       with the elapsed {@code System.currentTimeMillis()}; an asynchronous request counts in
 *       {@code active-suspended} until it completes;
 *   <li>when the request completes (at once for a synchronous one, on {@code
 *       AsyncListener.onComplete} for an asynchronous one): the status class's meter ({@code
 *       2xx-responses}, ...) marked, {@code active-requests} decremented, and the {@code requests}
 *       timer and the method's ({@code get-requests}, ..., chosen by Jetty's {@code
 *       HttpMethod.fromString}) updated with the elapsed milliseconds.
 * </ul>
 *
 * <p>Each timer is the registry's default: an exponentially decaying reservoir and a meter. Not
 * reproduced, so that this is a lower bound of the handler's cost: the handler takes the start from
 * Jetty's request timestamp where a filter reads the clock, and per request it allocates an {@code
 * AtomicBoolean}, a {@code Runnable} and a {@code Callback.from} wrapper and adds a new {@code
 * AsyncListener} (for {@code async-timeouts}) to Jetty's {@code ServletChannelState}, which a
 * harness has no Jetty objects for. Its six {@code percent-4xx/5xx} ratio gauges are only read by a
 * scrape, and not registered here.
 */
final class DropwizardFilter implements Filter {
  private final Timer requests;
  private final Timer dispatches;
  private final Counter activeRequests;
  private final Counter activeDispatches;
  private final Counter activeSuspended;
  private final List<Meter> responses;
  private final Timer getRequests;
  private final Timer postRequests;
  private final Timer headRequests;
  private final Timer putRequests;
  private final Timer deleteRequests;
  private final Timer optionsRequests;
  private final Timer traceRequests;
  private final Timer connectRequests;
  private final Timer moveRequests;
  private final Timer otherRequests;

  /** Registers the handler's metrics under {@code prefix}, as its {@code doStart} does. */
  DropwizardFilter(MetricRegistry registry, String prefix) {
    requests = registry.timer(name(prefix, "requests"));
    dispatches = registry.timer(name(prefix, "dispatches"));
    activeRequests = registry.counter(name(prefix, "active-requests"));
    activeDispatches = registry.counter(name(prefix, "active-dispatches"));
    activeSuspended = registry.counter(name(prefix, "active-suspended"));
    responses =
        List.of(
            registry.meter(name(prefix, "1xx-responses")),
            registry.meter(name(prefix, "2xx-responses")),
            registry.meter(name(prefix, "3xx-responses")),
            registry.meter(name(prefix, "4xx-responses")),
            registry.meter(name(prefix, "5xx-responses")));
    getRequests = registry.timer(name(prefix, "get-requests"));
    postRequests = registry.timer(name(prefix, "post-requests"));
    headRequests = registry.timer(name(prefix, "head-requests"));
    putRequests = registry.timer(name(prefix, "put-requests"));
    deleteRequests = registry.timer(name(prefix, "delete-requests"));
    optionsRequests = registry.timer(name(prefix, "options-requests"));
    traceRequests = registry.timer(name(prefix, "trace-requests"));
    connectRequests = registry.timer(name(prefix, "connect-requests"));
    moveRequests = registry.timer(name(prefix, "move-requests"));
    otherRequests = registry.timer(name(prefix, "other-requests"));
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    activeDispatches.inc();
    activeRequests.inc();
    long start = System.currentTimeMillis();
    boolean failed = true;
    try {
      chain.doFilter(req, res);
      failed = false;
    } finally {
      activeDispatches.dec();
      dispatches.update(System.currentTimeMillis() - start, TimeUnit.MILLISECONDS);
      if (request.isAsyncStarted()) {
        activeSuspended.inc();
        request.getAsyncContext().addListener(new Completion(request, response, start));
      } else {
        // Counted as the 500 Jetty answers (the handler's own path for a throwing chain differs;
        // no benchmark takes it).
        complete(request.getMethod(), failed ? 500 : response.getStatus(), start);
      }
    }
  }

  private void complete(String method, int status, long start) {
    int statusClass = status / 100;
    if (statusClass >= 1 && statusClass <= 5) {
      responses.get(statusClass - 1).mark();
    }
    activeRequests.dec();
    long elapsed = System.currentTimeMillis() - start;
    requests.update(elapsed, TimeUnit.MILLISECONDS);
    requestTimer(method).update(elapsed, TimeUnit.MILLISECONDS);
  }

  private Timer requestTimer(String method) {
    HttpMethod m = HttpMethod.fromString(method);
    if (m == null) {
      return otherRequests;
    }
    switch (m) {
      case GET:
        return getRequests;
      case POST:
        return postRequests;
      case PUT:
        return putRequests;
      case HEAD:
        return headRequests;
      case DELETE:
        return deleteRequests;
      case OPTIONS:
        return optionsRequests;
      case TRACE:
        return traceRequests;
      case CONNECT:
        return connectRequests;
      case MOVE:
        return moveRequests;
      default:
        return otherRequests;
    }
  }

  /** Completes an asynchronous request, as the handler's callback does. */
  private final class Completion implements AsyncListener {
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final long start;

    Completion(HttpServletRequest request, HttpServletResponse response, long start) {
      this.request = request;
      this.response = response;
      this.start = start;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      complete(request.getMethod(), response.getStatus(), start);
      activeSuspended.dec();
    }

    @Override
    public void onTimeout(AsyncEvent event) {}

    @Override
    public void onError(AsyncEvent event) {}

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }
}
