package io.amptalk.monitoring.internal.http;

import io.amptalk.monitoring.internal.util.DaemonThreads;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The worker threads connections are served on, and the watchdog that holds each to its deadlines.
 *
 * <p>A plain connection holds a worker for one exchange, its request having arrived (the {@link
 * Intake} read it); a TLS connection holds one for as long as it is open (blocking I/O, one thread
 * each). The pool bounds the exchanges (and TLS connections) served at once to {@link
 * MonitoringServer#MAX_THREADS}; more wait in a queue of {@link #MAX_QUEUED}, and past that are
 * closed at once. A connection waiting for a thread makes a TLS one that only waits for its next
 * request give its thread up, so that kept-alive but idle clients cannot starve new ones.
 */
final class ConnectionPool {
  /** Connections waiting while every thread is busy; past this, new connections are closed. */
  static final int MAX_QUEUED = 1024;

  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService watchdog;
  private final Set<Connection> live = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  ConnectionPool(Duration requestTimeout) {
    workers =
        new ThreadPoolExecutor(
            MonitoringServer.MAX_THREADS,
            MonitoringServer.MAX_THREADS,
            1,
            TimeUnit.MINUTES,
            new LinkedBlockingQueue<>(MAX_QUEUED),
            daemons("amptalk-http-"));
    workers.allowCoreThreadTimeOut(true); // idle workers end after a minute
    watchdog = Executors.newSingleThreadScheduledExecutor(daemons("amptalk-http-watchdog"));
    // Often enough that a cut comes at most a quarter of the timeout late, and a slice at most.
    long tick = Math.max(1, Math.min(Connection.SLICE.toMillis(), requestTimeout.toMillis() / 4));
    watchdog.scheduleWithFixedDelay(this::cutOverdue, tick, tick, TimeUnit.MILLISECONDS);
  }

  /** Serves {@code connection} on a worker, or queues it, or closes it when the queue is full. */
  void submit(Connection connection) {
    try {
      workers.execute(connection);
    } catch (RejectedExecutionException full) {
      connection.abandon();
      return;
    }
    if (othersWaiting()) {
      long now = System.nanoTime();
      for (Connection other : live) {
        // Not one that has just answered: its client may be sending the next request now, and
        // cutting it would only queue that client behind this one.
        if (other.cutIfWaiting(now, Connection.SLICE.toNanos())) {
          return;
        }
      }
    }
  }

  /**
   * Whether a connection waits for a thread: queued while every thread serves one (a connection
   * queued while a thread is idle is taken at once, and needs no one to give way).
   */
  boolean othersWaiting() {
    return !workers.getQueue().isEmpty() && live.size() >= MonitoringServer.MAX_THREADS;
  }

  void register(Connection connection) {
    live.add(connection);
    if (closed) {
      connection.cut(); // started as the pool closed, after close() looked for it
    }
  }

  void unregister(Connection connection) {
    live.remove(connection);
  }

  /**
   * Cuts connections past their deadline; and while others wait for a thread, those that have
   * waited a {@link Connection#SLICE} for their next request (a kept-alive client between requests,
   * or one that connected and sent nothing).
   */
  private void cutOverdue() {
    long now = System.nanoTime();
    boolean waiting = othersWaiting();
    for (Connection connection : live) {
      if (!connection.cutIfOverdue(now) && waiting) {
        connection.cutIfWaiting(now, Connection.SLICE.toNanos());
      }
    }
  }

  /** Closes every connection, served or queued, and ends the threads. */
  void close() {
    closed = true;
    watchdog.shutdownNow();
    for (Runnable queued : workers.shutdownNow()) {
      ((Connection) queued).abandon();
    }
    for (Connection connection : live) {
      connection.cut();
    }
    try {
      workers.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The library's daemon threads: an Error that ends one is reported as fatal. */
  static ThreadFactory daemons(String name) {
    return DaemonThreads.factory(name);
  }
}
