package io.amptalk.monitoring.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's one selector thread: it accepts every connection, and reads each plain connection's
 * bytes, without a thread of its own, until its request head is whole (and the body too when the
 * head announces at most {@link #SMALL_BODY} bytes); only then is the connection handed to a
 * worker, which answers that one request. Between requests a kept-alive connection comes back here,
 * and so does one closed after its answer, to have what its client still sends read and dropped for
 * a moment (closing on unread input resets the connection, and the client may lose the answer). So
 * a worker is held only by a request that has arrived: clients that send slowly, stall or idle cost
 * a buffer here, never a thread.
 *
 * <p>Bounds: at most {@link #MAX_PENDING} connections wait here (a new one past that closes the one
 * that has waited longest), holding at most {@link #MAX_BUFFERED} bytes between them (past that the
 * connection holding the most is closed); each within the deadlines of {@link Connection}. TLS
 * connections go to a worker at once, which reads them blocking (see {@link Connection}).
 */
final class Intake implements Runnable {
  /** Connections waiting for their request (or lingering) at once; past this the oldest closes. */
  static final int MAX_PENDING = 1024;

  /**
   * A body of at most this many bytes is read here before the request goes to a worker, so that
   * neither the handler nor the server ever waits on it; the server also skips at most this much of
   * a body a handler left unread (see {@link RequestBody#skippable}).
   */
  static final int SMALL_BODY = RequestBody.MAX_SKIPPED;

  /** The bytes all waiting connections may hold between them. */
  static final int MAX_BUFFERED = 16 * 1024 * 1024;

  /**
   * The most of an unfinished head buffered: past it, the parser has found a line or the fields too
   * long (414, 431) within what is buffered.
   */
  static final int MAX_HEAD = 16 + RequestHead.MAX_REQUEST_LINE + 2 + RequestHead.MAX_HEADER_BYTES;

  /** How long, and how much of, what a client still sends after its answer is read and dropped. */
  static final Duration LINGER = Duration.ofSeconds(1);

  static final int LINGER_BYTES = 1024 * 1024;

  private static final long TICK_MILLIS = 100;
  private static final byte[] NONE = new byte[0];
  private static final Logger LOG = LoggerFactory.getLogger(MonitoringServer.class);

  private enum Mode {
    HEAD,
    BODY,
    LINGER
  }

  private final ServerSocketChannel server;
  private final Selector selector;
  private final Serving serving;
  private final ConnectionPool pool;
  private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
  private final Queue<Pending> returned = new ConcurrentLinkedQueue<>();

  // Touched by the selector thread alone.
  private final LinkedHashSet<Pending> pending = new LinkedHashSet<>(); // oldest first
  private final List<Pending> ready = new ArrayList<>();
  private long buffered;
  private volatile boolean closed;

  Intake(ServerSocketChannel server, Serving serving, ConnectionPool pool) throws IOException {
    this.server = server;
    this.serving = serving;
    this.pool = pool;
    this.selector = Selector.open();
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
  }

  /** From a worker: a kept-alive connection (non-blocking) and the bytes read past its request. */
  void keepAlive(SocketChannel channel, byte[] rest) {
    give(new Pending(channel, Mode.HEAD, rest, true));
  }

  /** From a worker: a connection answered and half-closed, whose input is to be dropped a while. */
  void linger(SocketChannel channel) {
    give(new Pending(channel, Mode.LINGER, NONE, false));
  }

  private void give(Pending connection) {
    returned.add(connection);
    selector.wakeup();
    if (closed) {
      drainReturned(); // the loop may have ended before it looked
    }
  }

  /** Ends the loop; it closes every connection waiting here. */
  void close() {
    closed = true;
    selector.wakeup();
  }

  @Override
  public void run() {
    long sweep = System.nanoTime();
    try {
      while (!closed) {
        selector.select(TICK_MILLIS);
        long now = System.nanoTime();
        for (Pending connection; (connection = returned.poll()) != null; ) {
          admit(connection, now);
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          if (!key.isValid()) {
            continue;
          }
          try {
            if (key.isAcceptable()) {
              accept(now);
            } else if (key.isReadable()) {
              read((Pending) key.attachment(), now);
            }
          } catch (RuntimeException bug) {
            // One connection's trouble must not end the selector, and with it the port.
            LOG.warn("a connection failed in the selector; it is closed", bug);
            if (key.attachment() instanceof Pending connection) {
              close(connection);
            }
          }
        }
        if (!ready.isEmpty()) {
          dispatch();
        }
        if (now - sweep >= TICK_MILLIS * 1_000_000) {
          sweep = now;
          sweep(now);
        }
      }
    } catch (IOException | ClosedSelectorException e) {
      if (!closed) {
        LOG.error("the monitoring server's selector failed; the port stops serving", e);
      }
    } finally {
      for (Pending connection : pending) {
        closeQuietly(connection.channel);
      }
      pending.clear();
      for (Pending connection : ready) {
        closeQuietly(connection.channel);
      }
      drainReturned();
      release();
    }
  }

  /** Closes the selector and the port; for a server closed without having started, alone. */
  void release() {
    try {
      selector.close();
      server.close();
    } catch (IOException ignored) {
      // Closed is all that was wanted.
    }
  }

  private void drainReturned() {
    for (Pending connection; (connection = returned.poll()) != null; ) {
      closeQuietly(connection.channel);
    }
  }

  private void accept(long now) {
    while (true) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (IOException e) {
        // Out of file descriptors, say: wait a little rather than spin on the same failure.
        LOG.debug("accept failed", e);
        pause();
        return;
      }
      if (channel == null) {
        return;
      }
      try {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // no Nagle delay on answers
        if (serving.tls() != null) {
          pool.submit(new Connection(channel, serving, pool, this, null)); // read on the worker
        } else {
          channel.configureBlocking(false);
          admit(new Pending(channel, Mode.HEAD, NONE, false), now);
        }
      } catch (IOException | RuntimeException e) {
        closeQuietly(channel);
      }
    }
  }

  private void admit(Pending connection, long now) {
    if (closed) {
      closeQuietly(connection.channel);
      return;
    }
    if (pending.size() >= MAX_PENDING) {
      close(pending.iterator().next()); // the one that has waited longest makes way
    }
    try {
      connection.key = connection.channel.register(selector, SelectionKey.OP_READ, connection);
    } catch (IOException | RuntimeException gone) {
      closeQuietly(connection.channel); // closed meanwhile (the server closing, say)
      return;
    }
    pending.add(connection);
    buffered += connection.bytes.length;
    if (connection.mode == Mode.LINGER) {
      connection.deadline = now + LINGER.toNanos();
    } else if (connection.length > 0) {
      started(connection, now);
      advance(connection);
    } else {
      // The first request of a connection, or the next one of a kept-alive connection.
      Duration wait = connection.kept ? Connection.IDLE_TIMEOUT : Connection.HEAD_TIMEOUT;
      connection.deadline = now + wait.toNanos();
    }
  }

  private void read(Pending connection, long now) {
    int n;
    try {
      scratch.clear();
      n = connection.channel.read(scratch);
    } catch (IOException | RuntimeException gone) {
      close(connection);
      return;
    }
    if (n < 0) {
      close(connection); // the client left, maybe in the middle of a head: no one to answer
      return;
    }
    if (n == 0) {
      return;
    }
    if (connection.mode == Mode.LINGER) {
      connection.lingered += n;
      if (connection.lingered >= LINGER_BYTES) {
        close(connection);
      }
      return;
    }
    if (connection.length == 0 && !connection.started) {
      started(connection, now);
    }
    if (!reserve(connection, n)) {
      return;
    }
    scratch.flip();
    scratch.get(connection.bytes, connection.length, n);
    connection.length += n;
    advance(connection);
  }

  private void started(Pending connection, long now) {
    connection.started = true;
    connection.headStart = now;
    connection.deadline = now + Math.min(Connection.HEAD_TIMEOUT.toNanos(), serving.requestNanos());
  }

  /**
   * Makes room for {@code n} more bytes in the connection's buffer, within {@link #MAX_BUFFERED}:
   * past it, the waiting connection holding the most is closed, until the bytes fit; false when
   * that was this one.
   */
  private boolean reserve(Pending connection, int n) {
    int needed = connection.length + n;
    if (needed <= connection.bytes.length) {
      return true;
    }
    int grown = Math.max(needed, Math.max(2 * connection.bytes.length, 4096));
    while (buffered - connection.bytes.length + grown > MAX_BUFFERED) {
      Pending largest = connection;
      for (Pending other : pending) {
        if (other.bytes.length > largest.bytes.length) {
          largest = other;
        }
      }
      close(largest);
      if (largest == connection) {
        return false;
      }
    }
    buffered += grown - connection.bytes.length;
    connection.bytes = Arrays.copyOf(connection.bytes, grown);
    return true;
  }

  /** Hands the connection to a worker once its head (and small body) has arrived. */
  private void advance(Pending connection) {
    if (connection.mode == Mode.HEAD) {
      if (!connection.headComplete()) {
        if (connection.length > MAX_HEAD) {
          connection.refused = tooLong(connection);
          ready(connection);
        }
        return;
      }
      WireInput in =
          new WireInput(InputStream.nullInputStream(), connection.bytes, 0, connection.length);
      try {
        connection.head = RequestHead.read(in);
      } catch (HttpFailure refused) {
        connection.refused = refused;
        ready(connection);
        return;
      } catch (IOException cannotBe) {
        connection.refused = new HttpFailure(400, "the request head is incomplete");
        ready(connection);
        return;
      }
      connection.headEnd = connection.length - in.bufferedCount();
      long length = connection.head.length;
      if (length <= 0 || length > SMALL_BODY || connection.head.expectContinue) {
        ready(connection); // no body, a large or chunked one, or one sent only when asked for
        return;
      }
      connection.mode = Mode.BODY;
      connection.deadline = connection.headStart + serving.requestNanos();
    }
    if (connection.mode == Mode.BODY
        && connection.length - connection.headEnd >= connection.head.length) {
      ready(connection);
    }
  }

  /** The parser's refusal of a head that is longer than any it accepts. */
  private static HttpFailure tooLong(Pending connection) {
    try {
      RequestHead.read(
          new WireInput(InputStream.nullInputStream(), connection.bytes, 0, connection.length));
    } catch (HttpFailure refused) {
      return refused;
    } catch (IOException | RuntimeException incomplete) {
      // Falls through to the general refusal.
    }
    return new HttpFailure(431, "the request head is longer than " + MAX_HEAD + " bytes");
  }

  private void ready(Pending connection) {
    connection.key.cancel();
    pending.remove(connection);
    buffered -= connection.bytes.length;
    ready.add(connection);
  }

  /** Gives the connections whose requests have arrived to workers, in blocking mode. */
  private void dispatch() throws IOException {
    selector.selectNow(); // deregisters the cancelled keys, which blocking mode needs
    for (Pending connection : ready) {
      try {
        connection.channel.configureBlocking(true);
        pool.submit(
            new Connection(
                connection.channel,
                serving,
                pool,
                this,
                new Connection.Arrival(
                    connection.head,
                    connection.refused,
                    connection.bytes,
                    connection.headEnd,
                    connection.length,
                    connection.headStart)));
      } catch (IOException | RuntimeException gone) {
        closeQuietly(connection.channel);
      }
    }
    ready.clear();
  }

  /** Closes the connections past their deadline. */
  private void sweep(long now) {
    List<Pending> overdue = new ArrayList<>();
    for (Pending connection : pending) {
      if (now - connection.deadline > 0) {
        overdue.add(connection);
      }
    }
    overdue.forEach(this::close);
  }

  private void close(Pending connection) {
    if (pending.remove(connection)) {
      buffered -= connection.bytes.length;
    }
    if (connection.key != null) {
      connection.key.cancel();
    }
    closeQuietly(connection.channel);
  }

  private void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing is all that was wanted.
    }
  }

  /** One connection waiting here: its bytes so far, and where the search for the head's end is. */
  private static final class Pending {
    final SocketChannel channel;
    final boolean kept;
    Mode mode;
    SelectionKey key;
    byte[] bytes;
    int length;
    long deadline;
    boolean started;
    long headStart;
    long lingered;
    RequestHead head;
    HttpFailure refused;
    int headEnd;

    // The search for the head's end, resumed where it stopped as bytes arrive.
    private int scanned;
    private int lineStart;
    private int emptyLines;
    private boolean requestLine;

    Pending(SocketChannel channel, Mode mode, byte[] bytes, boolean kept) {
      this.channel = channel;
      this.mode = mode;
      this.bytes = bytes;
      this.length = bytes.length;
      this.kept = kept;
    }

    /**
     * Whether the head has arrived: the empty line after the request line, with the empty lines the
     * parser skips before a request line not counted (else a client sending CRLF CRLF and stalling
     * would reach a worker); more of those than the parser accepts also end the search, since the
     * parser then refuses the request.
     */
    boolean headComplete() {
      for (; scanned < length; scanned++) {
        if (bytes[scanned] != '\n') {
          continue;
        }
        int end = scanned > lineStart && bytes[scanned - 1] == '\r' ? scanned - 1 : scanned;
        boolean empty = end == lineStart;
        lineStart = scanned + 1;
        if (!empty) {
          requestLine = true;
        } else if (requestLine || ++emptyLines > RequestHead.MAX_EMPTY_LINES) {
          scanned++;
          return true;
        }
      }
      return false;
    }
  }
}
