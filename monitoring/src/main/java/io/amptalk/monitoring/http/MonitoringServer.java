package io.amptalk.monitoring.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The one small HTTP server (the JDK's {@code HttpServer}, or its {@code HttpsServer} with {@link
 * Builder#tls}) that serves every endpoint of a monitor on one port, on a few named daemon threads.
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
  private static final int THREADS = 2;

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
  private final ExecutorService executor;
  private final String host;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<String> paths = new HashSet<>();

  private MonitoringServer(
      HttpServer server, ExecutorService executor, String host, Set<String> paths) {
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
      AtomicInteger threadNumber = new AtomicInteger();
      ExecutorService executor =
          Executors.newFixedThreadPool(
              THREADS,
              runnable -> {
                Thread thread =
                    new Thread(runnable, "amptalk-http-" + threadNumber.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      server.setExecutor(executor);
      server.start();
      return new MonitoringServer(server, executor, host, handlers.keySet());
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
      byte[] body =
          ("Not found: " + exchange.getRequestURI().getPath() + "\n")
              .getBytes(StandardCharsets.UTF_8);
      Exchanges.send(exchange, 404, "text/plain; charset=utf-8", body);
    }
  }
}
