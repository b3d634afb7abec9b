package io.amptalk.monitoring.alert.store;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.util.Options;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link AlertStore} in a local SQLite file: history and the outbox of undelivered
 * notifications survive a restart, so what was not delivered before a crash is delivered after it.
 *
 * <pre>{@code
 * AlertSystem alerts = AlertSystem.builder()
 *     .store(SqliteAlertStore.open(Path.of("/var/lib/amptalk/alerts.db"), 1000))
 *     .build();
 * }</pre>
 *
 * <p>{@link #open} fails fast with an {@link IllegalStateException} naming the file. After that, a
 * failing operation (a full disk, a file deleted or corrupted under us) throws a {@code
 * RuntimeException} naming the file and the operation, and nothing else: the failure is counted in
 * {@link #failures()} and logged at most once a minute per operation, so that the caller (the alert
 * system) can keep the alert in memory, count the failure and go on. A row that cannot be read back
 * is skipped and counted the same way, so one bad row never hides the rest of the history or the
 * outbox.
 *
 * <p>Alerts are kept as the JSON that webhooks send. Details round-trip as JSON reads them back:
 * whole numbers as {@code Integer} (or {@code Long} past its range), other numbers as {@code
 * Double}. Times keep their nanoseconds (between the years 1677 and 2262).
 *
 * <p>Thread-safe: one connection, used under a lock (SQLite serialises writers anyway). One store
 * per file at a time: two processes sharing a file would both deliver its outbox.
 */
public final class SqliteAlertStore implements AlertStore {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteAlertStore.class);

  private final Path file;
  private final StoreFailures failures;

  /** Guards the connection (and so {@link #rows}) and {@link #closed}. */
  private final Object lock = new Object();

  private final Connection connection;
  private final SqliteRows rows;
  private boolean closed;

  private SqliteAlertStore(
      Path file, int maxHistorySize, LongSupplier nanoTime, Connection connection) {
    this.file = file;
    this.failures = new StoreFailures(file, nanoTime);
    this.connection = connection;
    this.rows = new SqliteRows(connection, maxHistorySize, failures);
  }

  /**
   * Opens the store in {@code file}, creating its parent directories and the schema if need be.
   *
   * @param maxHistorySize how many alerts history keeps; the oldest are forgotten past it
   * @throws IllegalArgumentException if {@code maxHistorySize} is not positive
   * @throws IllegalStateException if the file cannot be opened or is not an alert store: {@code
   *     "cannot open alert store /x/alerts.db: <reason>"}
   */
  public static SqliteAlertStore open(Path file, int maxHistorySize) {
    return open(file, maxHistorySize, System::nanoTime);
  }

  /** With the clock that throttles failure warnings, for tests. */
  static SqliteAlertStore open(Path file, int maxHistorySize, LongSupplier nanoTime) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(nanoTime, "nanoTime");
    Options.requirePositive("maxHistorySize", maxHistorySize);
    Path absolute = file.toAbsolutePath();
    try {
      return new SqliteAlertStore(absolute, maxHistorySize, nanoTime, SqliteSchema.open(absolute));
    } catch (IOException | SQLException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot open alert store " + absolute + ": " + StoreFailures.reason(e), e);
    }
  }

  /** The file this store keeps its data in. */
  public Path file() {
    return file;
  }

  /** How many operations failed (each threw) or rows were unreadable. */
  public long failures() {
    return failures.count();
  }

  @Override
  public void save(Alert alert) {
    Objects.requireNonNull(alert, "alert");
    String json = AlertJson.toJson(alert);
    update("save", () -> rows.save(alert, json));
  }

  @Override
  public List<Alert> history(AlertQuery query) {
    Objects.requireNonNull(query, "query");
    return inTransaction("history", () -> rows.history(query));
  }

  @Override
  public void clearHistory() {
    update("clearHistory", rows::clearHistory);
  }

  @Override
  public void enqueue(Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    String json = AlertJson.toJson(delivery.alert());
    update("enqueue", () -> rows.enqueue(delivery, json));
  }

  @Override
  public void delivered(String key) {
    Objects.requireNonNull(key, "key");
    update("delivered", () -> rows.deleteFromOutbox(key));
  }

  @Override
  public void deadLetter(Delivery delivery, String error, Instant when) {
    Objects.requireNonNull(delivery, "delivery");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(when, "when");
    String json = AlertJson.toJson(delivery.alert());
    update("deadLetter", () -> rows.deadLetter(delivery, json, error, when));
  }

  @Override
  public List<Delivery> pending() {
    return inTransaction("pending", rows::pending);
  }

  @Override
  public List<DeadLetter> deadLetters() {
    return inTransaction("deadLetters", rows::deadLetters);
  }

  /** Closes the file; later calls do nothing. Operations after it throw. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        connection.close(); // the last connection to close checkpoints the WAL into the file
      } catch (SQLException e) {
        LOG.warn("Closing alert store {} failed: {}", file, e.getMessage());
      }
    }
  }

  @Override
  public String toString() {
    return "SqliteAlertStore[" + file + "]";
  }

  /**
   * For tests: runs {@code PRAGMA <pragma>} on the store's connection and returns the first column
   * of its first row, or -1 when it has none. Makes the store fail with real SQLite errors where
   * file permissions cannot (tests run as root): {@code query_only = 1} gives SQLITE_READONLY,
   * {@code max_page_count = <page_count>} SQLITE_FULL ("database or disk is full").
   */
  long pragma(String pragma) {
    synchronized (lock) {
      try (Statement statement = connection.createStatement()) {
        long result = -1;
        if (statement.execute("PRAGMA " + pragma)) {
          try (ResultSet rows = statement.getResultSet()) {
            if (rows.next()) {
              result = rows.getLong(1);
            }
          }
        }
        connection.commit();
        return result;
      } catch (SQLException e) {
        throw new IllegalStateException("PRAGMA " + pragma + " failed: " + e.getMessage(), e);
      }
    }
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  private interface Update {
    void run() throws SQLException;
  }

  private void update(String operation, Update work) {
    inTransaction(
        operation,
        () -> {
          work.run();
          return null;
        });
  }

  /** Runs {@code work} in one transaction; a failure rolls back, is counted, logged and thrown. */
  private <T> T inTransaction(String operation, Work<T> work) {
    synchronized (lock) {
      if (closed) {
        throw failures.failed(operation, "the store is closed", null);
      }
      try {
        T result = work.run();
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        try {
          connection.rollback();
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
          reopenTransaction(e);
        }
        throw failures.failed(operation, StoreFailures.reason(e), e);
      }
    }
  }

  /**
   * After SQLITE_FULL (and some I/O errors) SQLite rolls the transaction back itself, so the
   * driver's rollback fails ("no transaction is active") before it opens the next transaction, and
   * every later call failed with "cannot commit - no transaction is active", even once there was
   * room again. Opens that transaction here; under the lock.
   */
  private void reopenTransaction(Exception failure) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("BEGIN");
    } catch (SQLException begin) {
      failure.addSuppressed(begin); // a transaction was still open after all: nothing to do
    }
  }
}
