package io.amptalk.monitoring.alert.store;

import io.amptalk.monitoring.internal.util.Throwables;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a {@link SqliteAlertStore} answers a failure: it counts it, logs it at most once a minute per
 * operation (on the store's logger) and, for a failed operation, makes the {@link StoreException}
 * to throw. Thread-safe.
 */
final class StoreFailures {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteAlertStore.class);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Path file;
  private final LongSupplier nanoTime;
  private final AtomicLong count = new AtomicLong();

  /** Per operation, when its last failure was logged; guarded by itself. */
  private final Map<String, Long> lastWarned = new HashMap<>();

  StoreFailures(Path file, LongSupplier nanoTime) {
    this.file = file;
    this.nanoTime = nanoTime;
  }

  /** How many operations failed or rows were unreadable. */
  long count() {
    return count.get();
  }

  /** Counts and logs (throttled) a failed operation; returns the exception to throw. */
  StoreException failed(String operation, String reason, Exception cause) {
    count.incrementAndGet();
    String message = "alert store " + file + " failed to " + operation + ": " + reason;
    warnThrottled(operation, message);
    return new StoreException(message, cause);
  }

  /** Counts a failure that its caller logs itself. */
  void counted() {
    count.incrementAndGet();
  }

  /** Counts and logs (throttled) a row of {@code operation} that could not be read back. */
  void unreadable(String operation, String key, RuntimeException cause) {
    count.incrementAndGet();
    warnThrottled(
        operation + "/read",
        "alert store " + file + " skipped unreadable row " + key + ": " + reason(cause));
  }

  private void warnThrottled(String operation, String message) {
    synchronized (lastWarned) {
      long now = nanoTime.getAsLong();
      Long last = lastWarned.get(operation);
      if (last != null && now - last < WARN_INTERVAL_NANOS) {
        return;
      }
      lastWarned.put(operation, now);
    }
    LOG.warn("{} ({} failures so far)", message, count.get());
  }

  /**
   * A failure as the store's messages show it: SQLite's and the JSON reader's messages alone (they
   * say what they are), others with their class, a path in the way of a directory as {@link
   * java.nio.file.Files#createDirectories} means it.
   */
  static String reason(Exception e) {
    if (e instanceof FileAlreadyExistsException exists) {
      return exists.getFile() + " is not a directory"; // as Files.createDirectories reports it
    }
    if (e instanceof SQLException || e instanceof IllegalArgumentException) {
      return String.valueOf(e.getMessage());
    }
    return Throwables.describe(e);
  }
}
