package io.amptalk.monitoring.alert.store;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.util.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
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
 * <p>A damaged file is not trusted: {@link #open} checks it ({@code PRAGMA quick_check}, and the
 * write-ahead log), keeps a damaged one aside under a name that says so and starts afresh, and
 * {@link #status()} says what it found; a file damaged while open never hides an alert saved since
 * (see {@link #history}).
 *
 * <p>One store per file at a time: two stores on one file, in one process or two, would both
 * deliver its outbox, so {@link #open} locks the file ({@code <file>.lock}, holding the pid) and
 * refuses a file already locked with a {@link StoreLockedException}. The OS releases the lock when
 * the process ends, however it ends.
 *
 * <p>Thread-safe: one connection, used under a lock (SQLite serialises writers anyway).
 */
public final class SqliteAlertStore implements AlertStore {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteAlertStore.class);

  private final Path file;
  private final StoreFailures failures;
  private final Clock clock;
  private final StoreLock fileLock;

  /** Guards the connection (and so {@link #rows}), {@link #recent} and {@link #closed}. */
  private final Object lock = new Object();

  private final Connection connection;
  private final SqliteRows rows;
  private final RecentHistory recent;
  private boolean closed;
  private volatile StoreStatus status;

  private SqliteAlertStore(
      Path file,
      int maxHistorySize,
      LongSupplier nanoTime,
      Clock clock,
      SqliteRecovery.Opened opened,
      StoreLock fileLock) {
    this.file = file;
    this.failures = new StoreFailures(file, nanoTime);
    this.clock = clock;
    this.fileLock = fileLock;
    this.connection = opened.connection();
    this.status = opened.status();
    this.rows = new SqliteRows(connection, maxHistorySize, failures);
    this.recent = new RecentHistory(maxHistorySize, RecentHistory.MAX_CHARS);
  }

  /**
   * Opens the store in {@code file}, creating its parent directories and the schema if need be.
   *
   * @param maxHistorySize how many alerts history keeps; the oldest are forgotten past it
   * @throws IllegalArgumentException if {@code maxHistorySize} is not positive
   * @throws StoreLockedException if another store, in this process or another, has the file open
   * @throws IllegalStateException if the file cannot be opened or is not an alert store: {@code
   *     "cannot open alert store /x/alerts.db: <reason>"}
   */
  public static SqliteAlertStore open(Path file, int maxHistorySize) {
    return open(file, maxHistorySize, System::nanoTime);
  }

  /** With the clock that throttles failure warnings, for tests. */
  static SqliteAlertStore open(Path file, int maxHistorySize, LongSupplier nanoTime) {
    return open(file, maxHistorySize, nanoTime, Clock.systemUTC());
  }

  static SqliteAlertStore open(Path file, int maxHistorySize, LongSupplier nanoTime, Clock clock) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(nanoTime, "nanoTime");
    Objects.requireNonNull(clock, "clock");
    Options.requirePositive("maxHistorySize", maxHistorySize);
    Path absolute = file.toAbsolutePath().normalize();
    StoreLock fileLock;
    try {
      Path parent = absolute.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      fileLock = StoreLock.acquire(absolute);
    } catch (StoreLockedException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot open alert store " + absolute + ": " + StoreFailures.reason(e), e);
    }
    try {
      SqliteRecovery.Opened opened =
          SqliteRecovery.open(absolute, clock, SqliteRecovery.CHECK_TIMEOUT);
      return new SqliteAlertStore(absolute, maxHistorySize, nanoTime, clock, opened, fileLock);
    } catch (IOException | SQLException | RuntimeException e) {
      fileLock.close();
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
    synchronized (lock) {
      SqliteRows.Saved saved = inTransaction("save", () -> rows.save(alert, json));
      recent.saved(
          new RecentHistory.Row(
              alert.id(),
              saved.seq(),
              SqliteRows.epochNanos(alert.time()),
              alert.severity().ordinal(),
              alert.source(),
              json),
          saved.maxSeq());
    }
  }

  /**
   * History matching the query, newest first. Every alert saved since the store opened is listed
   * (within the query): when the file was damaged meanwhile, and a read fails as corrupt or lists
   * fewer of them, the rest come from memory, and the store's {@link #status()} turns {@code
   * DAMAGED} (logged once as an error).
   */
  @Override
  public List<Alert> history(AlertQuery query) {
    Objects.requireNonNull(query, "query");
    synchronized (lock) {
      if (closed) {
        throw failures.failed("history", "the store is closed", null);
      }
      List<SqliteRows.Stored> stored;
      Exception damage = null;
      try {
        stored = rows.history(query);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        rollback(e);
        if (!isDamage(e)) {
          throw failures.failed("history", StoreFailures.reason(e), e);
        }
        failures.counted(); // said once, as an error, by damaged()
        stored = List.of();
        damage = e;
      }
      return withRecent(query, stored, damage);
    }
  }

  /** {@code stored} with what {@link #recent} holds that it lacks. Under the lock. */
  private List<Alert> withRecent(
      AlertQuery query, List<SqliteRows.Stored> stored, Exception damage) {
    RecentHistory.Completed completed =
        recent.complete(query, stored, row -> rows.readAlert("history", row.id(), row.json()));
    if (damage != null) {
      damaged(StoreFailures.reason(damage));
    } else if (completed.fromMemory() > 0) {
      damaged(
          "it no longer lists " + completed.fromMemory() + " of the alerts saved since it opened");
    }
    return completed.alerts();
  }

  /** Says once, loudly, that the file was found damaged while open. */
  private void damaged(String problem) {
    StoreStatus now = status;
    if (now.state() == StoreStatus.State.DAMAGED) {
      return;
    }
    status =
        new StoreStatus(StoreStatus.State.DAMAGED, now.damagedFile(), problem, clock.instant());
    LOG.error(
        "The alert store {} is damaged ({}); the alerts written since it opened are served from"
            + " memory. Restart to move it aside and start a fresh one",
        file,
        problem);
  }

  /** SQLite's codes for a file that is damaged, not merely busy or full. */
  private static boolean isDamage(Throwable e) {
    if (!(e instanceof SQLException sql)) {
      return false;
    }
    int code = sql.getErrorCode() & 0xff;
    return code == 10 || code == 11 || code == 26; // SQLITE_IOERR, _CORRUPT, _NOTADB
  }

  /**
   * {@code OK}; {@code RECOVERED} when the file was found damaged at open (and kept aside, see
   * {@link #open}); {@code DAMAGED} when it was found damaged since.
   */
  @Override
  public StoreStatus status() {
    return status;
  }

  @Override
  public void clearHistory() {
    synchronized (lock) {
      update("clearHistory", rows::clearHistory);
      recent.cleared();
    }
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

  @Override
  public Optional<byte[]> state(String key) {
    Objects.requireNonNull(key, "key");
    return Optional.ofNullable(inTransaction("state", () -> rows.state(key)));
  }

  @Override
  public void saveState(String key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    update("saveState", () -> rows.saveState(key, value, clock.instant()));
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
      } finally {
        fileLock.close();
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
        rollback(e);
        throw failures.failed(operation, StoreFailures.reason(e), e);
      }
    }
  }

  /** Rolls back after {@code failure}; under the lock. */
  private void rollback(Exception failure) {
    try {
      connection.rollback();
    } catch (SQLException rollback) {
      failure.addSuppressed(rollback);
      reopenTransaction(failure);
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
