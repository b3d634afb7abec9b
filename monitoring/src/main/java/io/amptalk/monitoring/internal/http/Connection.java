package io.amptalk.monitoring.internal.http;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served on one worker thread from its TLS handshake to its close: request
 * after request while it is kept alive, each dispatched to the handler of its path.
 *
 * <p>Its time is bounded by deadlines the {@link ConnectionPool}'s watchdog enforces by closing the
 * socket (which ends any read or write blocked on it): waiting for a request ({@link #HEAD_TIMEOUT}
 * for the first, {@link #IDLE_TIMEOUT} between requests), reading a head (from its first byte, the
 * lesser of {@link #HEAD_TIMEOUT} and the request timeout), and the whole exchange (from the head's
 * first byte to the handler's return, the request timeout).
 */
final class Connection implements Runnable {
  /** For a new connection's first request, and for any request's head once its first byte came. */
  static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);

  /** For a kept-alive connection's next request, as the JDK server's default idle interval. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How long a connection keeps its thread, busy or between requests, while others wait for one:
   * then its response says {@code Connection: close}, or (between requests) the watchdog closes it.
   * Short enough that clients take turns within a fraction of a second, long enough that a busy
   * client is not reconnecting on every request.
   */
  static final Duration SLICE = Duration.ofMillis(100);

  /** At most this much of a closed connection's unread input is read, so the answer arrives. */
  private static final int LINGER_BYTES = 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(MonitoringServer.class);

  private enum Phase {
    WAITING,
    HEAD,
    EXCHANGE,
    DONE
  }

  private final Socket raw;
  private final SSLContext tls;
  private final Routes routes;
  private final ConnectionPool pool;
  private final long requestNanos;

  // Guarded by this: what the watchdog reads to decide on a cut.
  private Phase phase = Phase.WAITING;
  private long deadline;
  private long since; // when the worker took the connection, or its wait for a request began
  private Thread worker;
  private boolean cut;

  Connection(Socket raw, SSLContext tls, Routes routes, ConnectionPool pool, Duration timeout) {
    this.raw = raw;
    this.tls = tls;
    this.routes = routes;
    this.pool = pool;
    this.requestNanos = timeout.toNanos();
  }

  @Override
  public void run() {
    synchronized (this) {
      worker = Thread.currentThread();
      since = System.nanoTime();
      deadline = since + HEAD_TIMEOUT.toNanos();
    }
    long taken = since;
    pool.register(this);
    Socket socket = raw;
    try {
      raw.setTcpNoDelay(true); // a head and its body may leave in two writes: no Nagle delay
      if (tls != null) {
        socket = handshake();
      }
      WireInput in = new WireInput(socket.getInputStream());
      OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
      InetSocketAddress local = (InetSocketAddress) raw.getLocalSocketAddress();
      InetSocketAddress remote = (InetSocketAddress) raw.getRemoteSocketAddress();
      while (serve(socket, in, out, local, remote, taken)) {
        // One request after another, until the client or a deadline ends the connection.
      }
    } catch (IOException | RuntimeException closedOrBroken) {
      // The client left, a deadline cut the socket, or TLS failed: no one is left to answer.
    } finally {
      synchronized (this) {
        phase = Phase.DONE;
      }
      Thread.interrupted(); // a cut's interrupt must not reach the next connection on this thread
      pool.unregister(this);
      closeQuietly(socket);
      closeQuietly(raw);
    }
  }

  private Socket handshake() throws IOException {
    SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
    socket.setUseClientMode(false);
    SSLParameters parameters = tls.getDefaultSSLParameters();
    parameters.setProtocols(
        java.util.Arrays.stream(parameters.getProtocols())
            .filter(MonitoringServer.PROTOCOLS::contains)
            .toArray(String[]::new));
    socket.setSSLParameters(parameters);
    socket.startHandshake(); // here, on the worker, bounded by the first request's deadline
    return socket;
  }

  /** Serves one request; whether the connection may carry another. */
  private boolean serve(
      Socket socket,
      WireInput in,
      OutputStream out,
      InetSocketAddress local,
      InetSocketAddress remote,
      long taken)
      throws IOException {
    if (!in.await() || !enter(Phase.HEAD, 0)) {
      return false;
    }
    long start = System.nanoTime();
    RequestHead head;
    try {
      head = RequestHead.read(in);
    } catch (HttpFailure refused) {
      ServerExchange.refusal(out).fail(refused.status(), describe(refused));
      linger(socket, out);
      return false;
    }
    if (head == null || !enter(Phase.EXCHANGE, start)) {
      return false;
    }
    RequestBody body = RequestBody.of(in, head.length);
    ServerContext context = routes.find(head.uri.getPath());
    // Others waiting for a thread this one has held a slice: this response is the last.
    boolean last = pool.othersWaiting() && System.nanoTime() - taken > SLICE.toNanos();
    ServerExchange exchange = new ServerExchange(head, body, out, context, local, remote, last);
    try {
      context.getHandler().handle(exchange);
    } catch (HttpFailure refused) {
      exchange.fail(refused.status(), describe(refused));
    } catch (IOException gone) {
      exchange.fail(500, "Internal server error");
      LOG.debug("the handler of {} failed on I/O", context.getPath(), gone);
    } catch (RuntimeException bug) {
      exchange.fail(500, "Internal server error");
      LOG.warn("the handler of {} failed", context.getPath(), bug);
    } finally {
      exchange.close();
    }
    boolean persistent = exchange.persistent() && body.skipRest(Exchanges.DRAIN_LIMIT);
    if (!persistent && !body.atEnd()) {
      linger(socket, out);
    }
    return enter(Phase.WAITING, 0) && persistent;
  }

  /** The plain-text answer to a refused request: {@code Bad Request: <what is wrong>}. */
  private static String describe(HttpFailure refused) {
    return ResponseHead.reason(refused.status()) + ": " + refused.getMessage();
  }

  /**
   * Ends the output, then reads (and drops) what the client still sends, for a while: closing a
   * socket with unread input resets the connection, and the client may then lose the answer before
   * reading it.
   */
  private static void linger(Socket socket, OutputStream out) {
    try {
      out.flush();
      socket.shutdownOutput();
      socket.setSoTimeout(1000);
      byte[] scratch = new byte[8192];
      var input = socket.getInputStream();
      for (int read = 0; read < LINGER_BYTES; ) {
        int n = input.read(scratch);
        if (n < 0) {
          return;
        }
        read += n;
      }
    } catch (SocketTimeoutException | UnsupportedOperationException stopped) {
      // Long enough: the connection closes now.
    } catch (IOException gone) {
      // The client closed first.
    }
  }

  /**
   * Moves to {@code next}; false when the watchdog cut the connection meanwhile. The deadline of a
   * head or an exchange counts from {@code start}, the head's first byte.
   */
  private synchronized boolean enter(Phase next, long start) {
    if (cut) {
      return false;
    }
    long now = System.nanoTime();
    phase = next;
    since = now;
    deadline =
        switch (next) {
          case WAITING -> now + IDLE_TIMEOUT.toNanos();
          case HEAD -> now + Math.min(HEAD_TIMEOUT.toNanos(), requestNanos);
          case EXCHANGE -> start + requestNanos;
          case DONE -> Long.MAX_VALUE;
        };
    if (next == Phase.WAITING) {
      Thread.interrupted(); // one cut as the exchange ended must not reach the next one
    }
    return true;
  }

  /** For the watchdog: cuts the connection if its deadline passed; whether it did. */
  synchronized boolean cutIfOverdue(long now) {
    return now - deadline > 0 && cut();
  }

  /**
   * For the pool, when connections wait for a thread: cuts this one if it has waited for a request
   * at least {@code waited} nanoseconds.
   */
  synchronized boolean cutIfWaiting(long now, long waited) {
    return phase == Phase.WAITING && now - since >= waited && cut();
  }

  /**
   * Closes the socket, which ends whatever read or write the worker is blocked in; a handler
   * running is interrupted too, in case it waits on something other than the socket.
   */
  synchronized boolean cut() {
    if (cut || phase == Phase.DONE) {
      return false;
    }
    cut = true;
    closeQuietly(raw);
    if (phase == Phase.EXCHANGE && worker != null) {
      worker.interrupt();
    }
    return true;
  }

  /** Closes a connection no worker took (the queue was full, or the server closed). */
  void abandon() {
    closeQuietly(raw);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing is all that was wanted.
    }
  }
}
