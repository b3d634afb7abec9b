package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;

/**
 * The one small HTTP/1.1 server that serves every endpoint of a monitor on one port (HTTPS with
 * {@link Builder#tls}), on a bounded pool of named daemon threads, each exchange bounded in time.
 * Handlers are the JDK's {@link HttpHandler}s, given our own {@link
 * com.sun.net.httpserver.HttpExchange}; the server itself is ours (accept loop, {@link RequestHead
 * parser}, {@link Connection keep-alive and deadlines}), so that how a malformed request is
 * answered is decided here, the same on every JDK, rather than by whichever patch of the JDK's
 * {@code HttpServer} runs.
 *
 * <pre>{@code
 * try (MonitoringServer server = MonitoringServer.builder()
 *     .port(0)
 *     .handler("/metrics", metricsHandler)
 *     .build()
 *     .start()) {
 *   System.out.println("serving on " + server.port());
 * }
 * }</pre>
 *
 * <p>{@link Builder#build()} binds the port (so a taken port fails before anything else starts) but
 * serves nothing: connections wait in the kernel's backlog until {@link #start()}, and are then
 * answered by the handlers mounted by that time. An owner mounts what the port must answer from its
 * first connection, then starts.
 */
public final class MonitoringServer implements AutoCloseable {
  /**
   * Threads serving connections, started as needed and ended after a minute idle. Each reads its
   * connection's requests blocking, so a client that sends half a request and stalls holds one:
   * with sixteen, fifteen can stall while others are served, and the deadlines free each after a
   * while.
   */
  public static final int MAX_THREADS = 16;

  /**
   * How long one exchange (reading the request, handling it, writing the response) may hold a
   * thread before it is cut. Generous: a scrape or a health probe takes milliseconds.
   */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** TLS 1.3 and 1.2 only, whatever older protocol the JDK's configuration might still allow. */
  static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

  /** Connections the kernel holds before we accept them. */
  private static final int BACKLOG = 128;

  private final ServerSocket socket;
  private final Routes routes;
  private final ConnectionPool pool;
  private final Thread acceptor;
  private final String host;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private MonitoringServer(
      ServerSocket socket, Routes routes, SSLContext tls, Duration timeout, String host) {
    this.socket = socket;
    this.routes = routes;
    this.host = host;
    this.pool = new ConnectionPool(timeout);
    this.acceptor =
        ConnectionPool.daemons("amptalk-http-acceptor").newThread(() -> accept(tls, timeout));
  }

  /**
   * Starts accepting connections, those already waiting in the backlog first; idempotent.
   *
   * @return this server
   * @throws IllegalStateException when the server was closed
   */
  public MonitoringServer start() {
    synchronized (started) {
      if (closed.get()) {
        throw new IllegalStateException("the server was closed");
      }
      if (started.compareAndSet(false, true)) {
        acceptor.start();
      }
    }
    return this;
  }

  /** Whether {@link #start()} was called. */
  public boolean isStarted() {
    return started.get();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The port bound, which is the one asked for unless that was 0. */
  public int port() {
    return socket.getLocalPort();
  }

  /**
   * Serves {@code path} and everything below it with {@code handler}, from now on.
   *
   * @throws IllegalArgumentException when the path already has a handler
   */
  public void addHandler(String path, HttpHandler handler) {
    Objects.requireNonNull(handler, "handler");
    if (!routes.add(path, handler)) {
      throw new IllegalArgumentException("path '" + path + "' already has a handler");
    }
  }

  /** Stops serving {@code path}; returns whether it was served. */
  public boolean removeHandler(String path) {
    return routes.remove(path);
  }

  /** The host name or address the server was asked to bind. */
  public String host() {
    return host;
  }

  /** Stops accepting at once, closes every connection and ends the threads; idempotent. */
  @Override
  public void close() {
    synchronized (started) {
      if (!closed.compareAndSet(false, true)) {
        return;
      }
    }
    try {
      socket.close(); // ends the acceptor's accept()
    } catch (IOException ignored) {
      // Closed is all that was wanted.
    }
    pool.close();
    try {
      if (started.get()) {
        acceptor.join(TimeUnit.SECONDS.toMillis(2));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The acceptor's loop: each connection goes to the pool at once (TLS handshakes there too). */
  private void accept(SSLContext tls, Duration timeout) {
    while (!closed.get()) {
      Socket connection;
      try {
        connection = socket.accept();
      } catch (IOException e) {
        if (closed.get() || socket.isClosed()) {
          return;
        }
        // Out of file descriptors, say: wait a little rather than spin on the same failure.
        try {
          Thread.sleep(50);
        } catch (InterruptedException interrupted) {
          return;
        }
        continue;
      }
      pool.submit(new Connection(connection, tls, routes, pool, timeout));
    }
  }

  /** Configures and binds a {@link MonitoringServer}; {@link #start()} then serves. */
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
      if (handlers.putIfAbsent(Routes.check(path), handler) != null) {
        throw new IllegalArgumentException("path '" + path + "' already has a handler");
      }
      return this;
    }

    /**
     * Binds the port; nothing is accepted until {@link MonitoringServer#start()}.
     *
     * @throws UncheckedIOException wrapping a {@link java.net.BindException} when the port is
     *     taken, or the cause when the host cannot be bound
     */
    public MonitoringServer build() {
      Routes routes = new Routes();
      handlers.forEach(routes::add);
      ServerSocket socket = null;
      try {
        // Bound before any thread starts: a taken port fails leaving nothing running.
        // Accepting waits for start(), so that the owner mounts its handlers first.
        socket = new ServerSocket();
        socket.setReuseAddress(true); // a restart may bind while old connections are in TIME_WAIT
        socket.bind(new InetSocketAddress(host, port), BACKLOG);
        return new MonitoringServer(socket, routes, tls, requestTimeout, host);
      } catch (IOException e) {
        closeQuietly(socket);
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Nothing was served on it.
      }
    }
  }
}
