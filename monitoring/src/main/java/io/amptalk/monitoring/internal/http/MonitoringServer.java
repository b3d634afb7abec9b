package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The one small HTTP server (the JDK's {@code HttpServer}, or its {@code HttpsServer} with {@link
 * Builder#tls}) that serves every endpoint of a monitor on one port, on a bounded pool of named
 * daemon threads, each exchange bounded in time.
 *
 * <pre>{@code
 * try (MonitoringServer server = MonitoringServer.builder()
 *     .port(0)
 *     .handler("/metrics", metricsHandler)
 *     .build()) {
 *   System.out.println("serving on " + server.port());
 * }
 * }</pre>
 */
public final class MonitoringServer implements AutoCloseable {
  /**
   * Threads serving requests, started as needed and ended after a minute idle. The JDK server reads
   * each request (line, headers and body) on one of these, blocking, so a client that sends half a
   * request and stalls holds a thread: with only two, two such clients stopped the server answering
   * anyone. With sixteen, fifteen can stall while others are served, and {@link
   * #DEFAULT_REQUEST_TIMEOUT} frees each after a while.
   */
  public static final int MAX_THREADS = 16;

  /** Requests waiting while every thread is busy; past this, new connections are closed. */
  private static final int MAX_QUEUED = 1024;

  /**
   * How long one exchange (reading the request, handling it, writing the response) may hold a
   * thread before it is cut. Generous: a scrape or a health probe takes milliseconds.
   */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** TLS 1.3 and 1.2 only, whatever older protocol the JDK's configuration might still allow. */
  private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  static {
    // The JDK server writes a response's headers and body in separate packets; with Nagle's
    // algorithm on, a keep-alive client's delayed ACK then stalls every response by ~40 ms (a load
    // test here went from 356 to 35,000 requests/s). The property is read once per process when
    // the first JdkHttpServer starts; a value the application set itself is left alone.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final ExchangeExecutor executor;
  private final String host;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<String> paths = new HashSet<>();

  private MonitoringServer(
      HttpServer server, ExchangeExecutor executor, String host, Set<String> paths) {
    this.paths.addAll(paths);
    this.server = server;
    this.executor = executor;
    this.host = host;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The port bound, which is the one asked for unless that was 0. */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Serves {@code path} and everything below it with {@code handler}, from now on.
   *
   * @throws IllegalArgumentException when the path already has a handler
   */
  public void addHandler(String path, HttpHandler handler) {
    Objects.requireNonNull(handler, "handler");
    synchronized (paths) {
      if (!paths.add(checkPath(path))) {
        throw new IllegalArgumentException("path '" + path + "' already has a handler");
      }
      if ("/".equals(path)) {
        server.removeContext("/"); // the default 404 handler
      }
      server.createContext(path, handler);
    }
  }

  /** Stops serving {@code path}; returns whether it was served. */
  public boolean removeHandler(String path) {
    synchronized (paths) {
      if (!paths.remove(path)) {
        return false;
      }
      server.removeContext(path);
      if ("/".equals(path)) {
        server.createContext("/", MonitoringServer::notFound);
      }
      return true;
    }
  }

  /** The host name or address the server was asked to bind. */
  public String host() {
    return host;
  }

  /** Stops accepting at once and ends the worker threads; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    executor.shutdownNow();
    executor.watchdog.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Configures and starts a {@link MonitoringServer}. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 8000;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private SSLContext tls;
    private final Map<String, HttpHandler> handlers = new LinkedHashMap<>();

    private Builder() {}

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** For tests: how long one exchange may hold a thread. Default 30 s. */
    Builder requestTimeout(Duration requestTimeout) {
      if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException(
            "requestTimeout must be a positive duration, was " + requestTimeout);
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    /**
     * Serves HTTPS (TLS 1.3 or 1.2) with this context, whose key managers hold the server's key and
     * certificate; a plain HTTP request to the port then fails. Default: plain HTTP.
     */
    public Builder tls(SSLContext sslContext) {
      this.tls = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** Serves {@code path} and everything below it with {@code handler}. */
    public Builder handler(String path, HttpHandler handler) {
      Objects.requireNonNull(handler, "handler");
      if (handlers.putIfAbsent(checkPath(path), handler) != null) {
        throw new IllegalArgumentException("path '" + path + "' already has a handler");
      }
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * @throws UncheckedIOException wrapping a {@link java.net.BindException} when the port is
     *     taken, or the cause when the host cannot be bound
     */
    public MonitoringServer build() {
      HttpServer server;
      try {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (tls == null) {
          server = HttpServer.create(address, 0);
        } else {
          HttpsServer https = HttpsServer.create(address, 0);
          https.setHttpsConfigurator(new Configurator(tls));
          server = https;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      handlers.forEach(server::createContext);
      if (!handlers.containsKey("/")) {
        server.createContext("/", MonitoringServer::notFound);
      }
      ExchangeExecutor executor = new ExchangeExecutor(requestTimeout);
      server.setExecutor(executor);
      server.start();
      return new MonitoringServer(server, executor, host, handlers.keySet());
    }
  }

  /**
   * Runs exchanges on at most {@link #MAX_THREADS} threads and cuts one that holds its thread
   * longer than the request timeout. The JDK's own limit ({@code sun.net.httpserver.maxReqTime}) is
   * off by default and global to the process, so it is not relied on. Interrupting the thread
   * closes the channel it blocks on (socket channels are interruptible), which ends the exchange as
   * a closed connection and frees the thread.
   */
  private static final class ExchangeExecutor extends ThreadPoolExecutor {
    private final ConcurrentHashMap<Thread, Long> started = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    private final ScheduledExecutorService watchdog;

    ExchangeExecutor(Duration requestTimeout) {
      super(
          MAX_THREADS,
          MAX_THREADS,
          1,
          TimeUnit.MINUTES,
          new LinkedBlockingQueue<>(MAX_QUEUED),
          daemonThreads());
      allowCoreThreadTimeOut(true);
      this.timeoutNanos = requestTimeout.toNanos();
      this.watchdog =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "amptalk-http-watchdog");
                thread.setDaemon(true);
                return thread;
              });
      long tick = Math.max(1, Math.min(1000, requestTimeout.toMillis() / 4));
      watchdog.scheduleWithFixedDelay(this::cutOverdue, tick, tick, TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory daemonThreads() {
      AtomicInteger number = new AtomicInteger();
      return runnable -> {
        Thread thread = new Thread(runnable, "amptalk-http-" + number.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      };
    }

    @Override
    protected void beforeExecute(Thread thread, Runnable exchange) {
      started.put(thread, System.nanoTime());
    }

    @Override
    protected void afterExecute(Runnable exchange, Throwable error) {
      started.remove(Thread.currentThread());
      Thread.interrupted(); // a cut that came as the exchange ended must not reach the next one
    }

    /**
     * Interrupts the threads whose exchange is overdue. Checked and done inside computeIfPresent,
     * which excludes the remove in afterExecute: a thread that has moved on to another exchange is
     * never interrupted for the previous one.
     */
    private void cutOverdue() {
      long now = System.nanoTime();
      for (Thread thread : started.keySet()) {
        started.computeIfPresent(
            thread,
            (t, start) -> {
              if (now - start > timeoutNanos) {
                t.interrupt();
              }
              return start;
            });
      }
    }
  }

  /** Each connection's TLS parameters: the context's defaults, narrowed to {@link #PROTOCOLS}. */
  private static final class Configurator extends HttpsConfigurator {
    Configurator(SSLContext context) {
      super(context);
    }

    @Override
    public void configure(HttpsParameters params) {
      SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
      parameters.setProtocols(
          Arrays.stream(parameters.getProtocols())
              .filter(PROTOCOLS::contains)
              .toArray(String[]::new));
      params.setSSLParameters(parameters);
    }
  }

  private static String checkPath(String path) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/', was '" + path + "'");
    }
    return path;
  }

  private static void notFound(HttpExchange exchange) throws IOException {
    try (exchange) {
      Exchanges.notFound(exchange);
    }
  }
}
