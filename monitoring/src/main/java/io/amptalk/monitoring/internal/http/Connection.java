package io.amptalk.monitoring.internal.http;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection on a worker thread. A plain one comes from the {@link Intake} with its
 * request's head (and small body) already read, is served that one request, and goes back to the
 * intake to wait for the next (or to linger before it closes). A TLS one is served here from its
 * handshake to its close, request after request, reading each head blocking.
 *
 * <p>Time on a worker is bounded by deadlines the {@link ConnectionPool}'s watchdog enforces by
 * closing the socket (which ends any read or write blocked on it): the whole exchange, from the
 * head's first byte to the handler's return, the request timeout; and for TLS, waiting for a
 * request ({@link #HEAD_TIMEOUT} for the first, {@link #IDLE_TIMEOUT} between requests) and reading
 * a head (from its first byte, the lesser of {@link #HEAD_TIMEOUT} and the request timeout), the
 * same deadlines the intake holds plain connections to.
 */
final class Connection implements Runnable {
  /** For a new connection's first request, and for any request's head once its first byte came. */
  static final Duration HEAD_TIMEOUT = Duration.ofSeconds(10);

  /** For a kept-alive connection's next request, as the JDK server's default idle interval. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * How long a TLS connection keeps its thread, busy or between requests, while others wait for
   * one: then its response says {@code Connection: close}, or (between requests) the watchdog
   * closes it. Short enough that clients take turns within a fraction of a second, long enough that
   * a busy client is not reconnecting on every request.
   */
  static final Duration SLICE = Duration.ofMillis(100);

  private static final Logger LOG = LoggerFactory.getLogger(MonitoringServer.class);

  /**
   * A plain connection's request as the intake read it: the head (or why it was refused), and the
   * bytes buffered, of which those from {@code offset} to {@code length} follow the head.
   */
  record Arrival(
      RequestHead head,
      HttpFailure refused,
      byte[] bytes,
      int offset,
      int length,
      long headStart) {}

  private enum Phase {
    WAITING,
    HEAD,
    EXCHANGE,
    DONE
  }

  /** What becomes of the connection after an exchange. */
  private enum After {
    /** It may carry another request. */
    NEXT,
    /** The client may still be sending: stop answering, drop its input a while, then close. */
    LINGER,
    CLOSE
  }

  private final SocketChannel channel;
  private final Serving serving;
  private final ConnectionPool pool;
  private final Intake intake;
  private final Arrival arrival;

  // Guarded by this: what the watchdog reads to decide on a cut.
  private Phase phase = Phase.WAITING;
  private long deadline;
  private long since; // when the worker took the connection, or its wait for a request began
  private Thread worker;
  private boolean cut;

  Connection(
      SocketChannel channel, Serving serving, ConnectionPool pool, Intake intake, Arrival arrival) {
    this.channel = channel;
    this.serving = serving;
    this.pool = pool;
    this.intake = intake;
    this.arrival = arrival;
  }

  @Override
  public void run() {
    synchronized (this) {
      worker = Thread.currentThread();
      since = System.nanoTime();
      deadline = since + HEAD_TIMEOUT.toNanos();
    }
    pool.register(this);
    Socket socket = channel.socket();
    boolean handedBack = false;
    try {
      if (arrival == null) {
        socket = handshake(socket);
        serveTls(socket);
      } else {
        handedBack = servePlain(socket);
      }
    } catch (IOException | RuntimeException closedOrBroken) {
      // The client left, a deadline cut the socket, or TLS failed: no one is left to answer.
    } finally {
      synchronized (this) {
        phase = Phase.DONE;
      }
      Thread.interrupted(); // a cut's interrupt must not reach the next connection on this thread
      pool.unregister(this);
      if (!handedBack) {
        closeQuietly(socket);
        closeQuietly(channel);
      }
    }
  }

  /** Serves the request the intake read; whether the connection went back to the intake. */
  private boolean servePlain(Socket socket) throws IOException {
    WireInput in =
        new WireInput(socket.getInputStream(), arrival.bytes, arrival.offset, arrival.length);
    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    After after;
    if (arrival.refused != null) {
      after = refuse(arrival.refused, out);
    } else if (enter(Phase.EXCHANGE, arrival.headStart)) {
      after = exchange(arrival.head, in, out, false);
    } else {
      return false;
    }
    out.flush();
    if (after == After.CLOSE || !enter(Phase.DONE, 0)) {
      return false;
    }
    if (after == After.LINGER) {
      socket.shutdownOutput(); // the client sees the answer end now, whatever it still sends
    }
    channel.configureBlocking(false);
    if (after == After.NEXT) {
      intake.keepAlive(channel, in.rest());
    } else {
      intake.linger(channel);
    }
    return true;
  }

  private Socket handshake(Socket raw) throws IOException {
    SSLSocket socket =
        (SSLSocket) serving.tls().getSocketFactory().createSocket(raw, null, raw.getPort(), true);
    socket.setUseClientMode(false);
    SSLParameters parameters = serving.tls().getDefaultSSLParameters();
    parameters.setProtocols(
        java.util.Arrays.stream(parameters.getProtocols())
            .filter(MonitoringServer.PROTOCOLS::contains)
            .toArray(String[]::new));
    socket.setSSLParameters(parameters);
    socket.startHandshake(); // here, on the worker, bounded by the first request's deadline
    return socket;
  }

  /** A TLS connection's requests, one after another, until the client or a deadline ends it. */
  private void serveTls(Socket socket) throws IOException {
    long taken = since;
    WireInput in = new WireInput(socket.getInputStream());
    OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    while (in.await() && enter(Phase.HEAD, 0)) {
      long start = System.nanoTime();
      After after;
      try {
        RequestHead head = RequestHead.read(in);
        if (head == null || !enter(Phase.EXCHANGE, start)) {
          return;
        }
        // Others waiting for a thread this one has held a slice: this response is the last.
        boolean last = pool.othersWaiting() && System.nanoTime() - taken > SLICE.toNanos();
        after = exchange(head, in, out, last);
      } catch (HttpFailure refused) {
        after = refuse(refused, out);
      }
      if (after == After.LINGER) {
        linger(socket, out);
      }
      if (after != After.NEXT || !enter(Phase.WAITING, 0)) {
        return;
      }
    }
  }

  /** Answers one request, whose head was read. */
  private After exchange(RequestHead head, WireInput in, OutputStream out, boolean last)
      throws IOException {
    RequestBody body = RequestBody.of(in, head.length);
    ServerContext context = serving.routes().find(head.uri.getPath());
    InetSocketAddress local = (InetSocketAddress) channel.socket().getLocalSocketAddress();
    InetSocketAddress remote = (InetSocketAddress) channel.socket().getRemoteSocketAddress();
    ServerExchange exchange = new ServerExchange(head, body, out, context, local, remote, last);
    String host = head.headers.getFirst("Host");
    try {
      if (!serving.hosts().allows(host)) {
        // Before any handler: a page that rebound its own name to this address reads nothing.
        exchange.fail(421, AllowedHosts.refusal(host));
      } else {
        context.getHandler().handle(exchange);
      }
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
    // Only what has arrived is skipped (see ServerExchange): this never waits on the client.
    if (exchange.persistent() && body.skipRest()) {
      return After.NEXT;
    }
    return body.atEnd() ? After.CLOSE : After.LINGER;
  }

  /** Answers a request refused before any handler saw it; the connection then closes. */
  private static After refuse(HttpFailure refused, OutputStream out) {
    ServerExchange.refusal(out).fail(refused.status(), describe(refused));
    return After.LINGER;
  }

  /** The plain-text answer to a refused request: {@code Bad Request: <what is wrong>}. */
  private static String describe(HttpFailure refused) {
    return ResponseHead.reason(refused.status()) + ": " + refused.getMessage();
  }

  /**
   * For TLS, on the worker: ends the output, then reads (and drops) what the client still sends,
   * for a while: closing a socket with unread input resets the connection, and the client may then
   * lose the answer before reading it. (A plain connection lingers in the intake, holding no
   * thread.)
   */
  private static void linger(Socket socket, OutputStream out) {
    try {
      out.flush();
      socket.shutdownOutput();
      socket.setSoTimeout((int) Intake.LINGER.toMillis());
      byte[] scratch = new byte[8192];
      var input = socket.getInputStream();
      for (int read = 0; read < Intake.LINGER_BYTES; ) {
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
          case HEAD -> now + Math.min(HEAD_TIMEOUT.toNanos(), serving.requestNanos());
          case EXCHANGE -> start + serving.requestNanos();
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
    closeQuietly(channel);
    if (phase == Phase.EXCHANGE && worker != null) {
      worker.interrupt();
    }
    return true;
  }

  /** Closes a connection no worker took (the queue was full, or the server closed). */
  void abandon() {
    closeQuietly(channel);
  }

  private static void closeQuietly(java.io.Closeable socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing is all that was wanted.
    }
  }
}
