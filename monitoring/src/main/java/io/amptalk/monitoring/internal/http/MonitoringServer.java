package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
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
 * {@link Builder#tls}): one selector thread reads each request's head (see {@link Intake}), and a
 * bounded pool of named daemon threads answers the requests, each exchange bounded in time.
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
   * Threads answering requests, started as needed and ended after a minute idle. A plain connection
   * holds one only while a request that has arrived is answered (its head, and a body of up to 64
   * KiB, are read by the selector first); a TLS connection holds one from its handshake to its
   * close, so sixteen TLS clients that stall hold them all until their deadlines.
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

  private final ServerSocketChannel socket;
  private final int port;
  private final Routes routes;
  private final ConnectionPool pool;
  private final Intake intake;
  private final Thread selector;
  private final String host;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();

  private MonitoringServer(
      ServerSocketChannel socket, Routes routes, Serving serving, Duration timeout, String host)
      throws IOException {
    this.socket = socket;
    this.port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
    this.routes = routes;
    this.host = host;
    this.pool = new ConnectionPool(timeout);
    try {
      this.intake = new Intake(socket, serving, pool);
    } catch (IOException | RuntimeException e) {
      pool.close();
      throw e;
    }
    this.selector = ConnectionPool.daemons("amptalk-http-selector").newThread(intake);
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
        selector.start();
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
    return port;
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
    if (started.get()) {
      intake.close(); // its thread closes the port and the connections waiting there
    } else {
      intake.release();
    }
    pool.close();
    try {
      if (started.get()) {
        selector.join(TimeUnit.SECONDS.toMillis(2));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Configures and binds a {@link MonitoringServer}; {@link #start()} then serves. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 8000;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private SSLContext tls;
    private List<String> allowedHosts = List.of();
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

    /**
     * Host names answered besides the loopback ones (see {@link AllowedHosts}): a port bound to a
     * loopback address answers only those; one bound to another address, every name unless some are
     * given. {@code *} answers every name.
     *
     * @throws IllegalArgumentException naming an entry that is not a host name, an IP address,
     *     {@code *.domain} or {@code *}
     */
    public Builder allowedHosts(List<String> allowedHosts) {
      this.allowedHosts = AllowedHosts.check(allowedHosts);
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
      ServerSocketChannel socket = null;
      try {
        // Bound before any thread starts: a taken port fails leaving nothing running.
        // Accepting waits for start(), so that the owner mounts its handlers first.
        socket = ServerSocketChannel.open();
        // A restart may bind while old connections are in TIME_WAIT.
        socket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
          throw new java.net.UnknownHostException(host);
        }
        socket.bind(address, BACKLOG);
        AllowedHosts hosts =
            AllowedHosts.of(
                ((InetSocketAddress) socket.getLocalAddress()).getAddress(), allowedHosts);
        Serving serving = new Serving(routes, tls, requestTimeout.toNanos(), hosts);
        return new MonitoringServer(socket, routes, serving, requestTimeout, host);
      } catch (IOException e) {
        closeQuietly(socket);
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void closeQuietly(ServerSocketChannel socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Nothing was served on it.
      }
    }
  }
}
