package io.amptalk.monitoring.alert.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.internal.alert.AlertJson;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * failing operation (a full disk, a file deleted or corrupted under us) throws a {@link
 * StoreException} and nothing else: the failure is counted in {@link #failures()} and logged at
 * most once a minute per operation, so that the caller (the alert system) can keep the alert in
 * memory, count the failure and go on. A row that cannot be read back is skipped and counted the
 * same way, so one bad row never hides the rest of the history or the outbox.
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

  /** {@code PRAGMA user_version} of the schema below; a migration bumps it. */
  static final int SCHEMA_VERSION = 1;

  private static final String[] SCHEMA = {
    // seq is the insertion order: newest first, and the bound forgets the lowest. A replace keeps
    // the row's seq. time_ns (nanoseconds since the epoch) lets the SQL time filters agree
    // exactly with AlertQuery.matches, which compares Instants.
    "CREATE TABLE history (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, time_ns INTEGER NOT NULL,"
        + " severity INTEGER NOT NULL, source TEXT NOT NULL, json TEXT NOT NULL)",
    "CREATE UNIQUE INDEX history_seq ON history (seq)",
    "CREATE INDEX history_time ON history (time_ns, seq)",
    "CREATE TABLE outbox (key TEXT PRIMARY KEY, notifier TEXT NOT NULL, json TEXT NOT NULL,"
        + " enqueued_seq INTEGER NOT NULL)",
    "CREATE UNIQUE INDEX outbox_seq ON outbox (enqueued_seq)",
    "CREATE TABLE dead_letters (key TEXT PRIMARY KEY, notifier TEXT NOT NULL,"
        + " json TEXT NOT NULL, error TEXT NOT NULL, time_ns INTEGER NOT NULL)",
    "CREATE INDEX dead_letters_time ON dead_letters (time_ns, key)",
    "PRAGMA user_version = " + SCHEMA_VERSION
  };

  private static final long WARN_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final TypeReference<LinkedHashMap<String, Object>> JSON_OBJECT =
      new TypeReference<>() {};

  private final Path file;
  private final int maxHistorySize;
  private final LongSupplier nanoTime;
  private final AtomicLong failures = new AtomicLong();

  /** Guards the connection, {@link #closed} and {@link #lastWarned}. */
  private final Object lock = new Object();

  private final Connection connection;
  private boolean closed;

  /** Per operation, when its last failure was logged. */
  private final Map<String, Long> lastWarned = new HashMap<>();

  private SqliteAlertStore(
      Path file, int maxHistorySize, LongSupplier nanoTime, Connection connection) {
    this.file = file;
    this.maxHistorySize = maxHistorySize;
    this.nanoTime = nanoTime;
    this.connection = connection;
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
    if (maxHistorySize < 1) {
      throw new IllegalArgumentException("maxHistorySize must be positive, was " + maxHistorySize);
    }
    Path absolute = file.toAbsolutePath();
    Connection connection = null;
    try {
      Path parent = absolute.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      connection = DriverManager.getConnection("jdbc:sqlite:" + absolute);
      configure(connection);
      migrate(connection);
      return new SqliteAlertStore(absolute, maxHistorySize, nanoTime, connection);
    } catch (IOException | SQLException | RuntimeException e) {
      closeQuietly(connection);
      throw new IllegalStateException("cannot open alert store " + absolute + ": " + reason(e), e);
    }
  }

  private static void configure(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      // Waits for a lock another process holds instead of failing at once.
      statement.execute("PRAGMA busy_timeout = 5000");
      String mode;
      try (ResultSet result = statement.executeQuery("PRAGMA journal_mode = WAL")) {
        mode = result.next() ? result.getString(1) : "unknown";
      }
      if ("wal".equalsIgnoreCase(mode)) {
        // With WAL, NORMAL syncs at checkpoints, not at each commit. A process crash (SIGKILL, an
        // OOM kill) loses nothing that was committed: the WAL is in the OS's cache and is replayed
        // on the next open. A power loss may lose the last transactions but never corrupts the
        // file. For an at-least-once outbox that only means a notification not yet delivered may
        // be forgotten on power loss, which the host's own loss of state makes moot.
        statement.execute("PRAGMA synchronous = NORMAL");
      } else {
        // Some file systems (network ones) refuse WAL; in rollback mode only FULL is crash-safe.
        LOG.warn("SQLite refused WAL mode (journal_mode is {}); using synchronous = FULL", mode);
        statement.execute("PRAGMA synchronous = FULL");
      }
    }
  }

  private static void migrate(Connection connection) throws SQLException {
    int version;
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("PRAGMA user_version")) {
      version = result.next() ? result.getInt(1) : 0;
    }
    if (version == SCHEMA_VERSION) {
      connection.setAutoCommit(false);
      return;
    }
    if (version != 0) {
      throw new SQLException(
          "schema version "
              + version
              + " is not the version "
              + SCHEMA_VERSION
              + " this library reads (written by a newer one?)");
    }
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      for (String sql : SCHEMA) {
        statement.execute(sql);
      }
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    }
  }

  /** The file this store keeps its data in. */
  public Path file() {
    return file;
  }

  /** How many operations failed (each threw a {@link StoreException}) or rows were unreadable. */
  public long failures() {
    return failures.get();
  }

  @Override
  public void save(Alert alert) {
    Objects.requireNonNull(alert, "alert");
    String json = AlertJson.toJson(alert);
    inTransaction(
        "save",
        () -> {
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  "INSERT INTO history (id, seq, time_ns, severity, source, json) VALUES"
                      + " (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM history), ?, ?, ?, ?)"
                      + " ON CONFLICT (id) DO UPDATE SET time_ns = excluded.time_ns,"
                      + " severity = excluded.severity, source = excluded.source,"
                      + " json = excluded.json")) {
            upsert.setString(1, alert.id());
            upsert.setLong(2, epochNanos(alert.time()));
            upsert.setInt(3, alert.severity().ordinal());
            upsert.setString(4, alert.source());
            upsert.setString(5, json);
            upsert.executeUpdate();
          }
          // Forgets what is older than the newest maxHistorySize rows. Rows are only ever deleted
          // from the oldest end (here) or all at once (clearHistory), and a new row takes the
          // highest seq plus one, so the seqs are contiguous and the bound is a range: two index
          // look-ups, where "ORDER BY seq DESC LIMIT 1 OFFSET n" would walk n entries per save.
          try (PreparedStatement trim =
              connection.prepareStatement(
                  "DELETE FROM history WHERE seq <= (SELECT MAX(seq) FROM history) - ?")) {
            trim.setInt(1, maxHistorySize);
            trim.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public List<Alert> history(AlertQuery query) {
    Objects.requireNonNull(query, "query");
    StringBuilder sql = new StringBuilder("SELECT id, json FROM history WHERE 1 = 1");
    List<Object> parameters = new ArrayList<>();
    if (query.minSeverity() != null) {
      sql.append(" AND severity >= ?");
      parameters.add(query.minSeverity().ordinal());
    }
    if (query.source() != null) {
      sql.append(" AND source = ?");
      parameters.add(query.source());
    }
    if (query.from() != null) {
      sql.append(" AND time_ns >= ?");
      parameters.add(epochNanos(query.from()));
    }
    if (query.to() != null) {
      sql.append(" AND time_ns < ?");
      parameters.add(epochNanos(query.to()));
    }
    sql.append(" ORDER BY seq DESC LIMIT ?");
    parameters.add(query.limit());
    return inTransaction(
        "history",
        () -> {
          try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < parameters.size(); i++) {
              select.setObject(i + 1, parameters.get(i));
            }
            List<Alert> alerts = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                Alert alert = readAlert("history", rows.getString(1), rows.getString(2));
                if (alert != null) {
                  alerts.add(alert);
                }
              }
            }
            return List.copyOf(alerts);
          }
        });
  }

  @Override
  public void clearHistory() {
    inTransaction(
        "clearHistory",
        () -> {
          try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM history");
          }
          return null;
        });
  }

  @Override
  public void enqueue(Delivery delivery) {
    Objects.requireNonNull(delivery, "delivery");
    String json = AlertJson.toJson(delivery.alert());
    inTransaction(
        "enqueue",
        () -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT OR IGNORE INTO outbox (key, notifier, json, enqueued_seq) VALUES"
                      + " (?, ?, ?, (SELECT COALESCE(MAX(enqueued_seq), 0) + 1 FROM outbox))")) {
            insert.setString(1, delivery.key());
            insert.setString(2, delivery.notifier());
            insert.setString(3, json);
            insert.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public void delivered(String key) {
    Objects.requireNonNull(key, "key");
    inTransaction(
        "delivered",
        () -> {
          deleteFromOutbox(key);
          return null;
        });
  }

  @Override
  public void deadLetter(Delivery delivery, String error, Instant when) {
    Objects.requireNonNull(delivery, "delivery");
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(when, "when");
    String json = AlertJson.toJson(delivery.alert());
    inTransaction(
        "deadLetter",
        () -> {
          deleteFromOutbox(delivery.key());
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT OR REPLACE INTO dead_letters (key, notifier, json, error, time_ns)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, delivery.key());
            insert.setString(2, delivery.notifier());
            insert.setString(3, json);
            insert.setString(4, error);
            insert.setLong(5, epochNanos(when));
            insert.executeUpdate();
          }
          // Bounded like history, so an outage during a storm cannot fill the disk: the oldest
          // dead letters go first (every one was counted in the alert metrics when it failed).
          try (PreparedStatement trim =
              connection.prepareStatement(
                  "DELETE FROM dead_letters WHERE key IN (SELECT key FROM dead_letters"
                      + " ORDER BY time_ns DESC, key DESC LIMIT -1 OFFSET ?)")) {
            trim.setInt(1, maxHistorySize);
            trim.executeUpdate();
          }
          return null;
        });
  }

  private void deleteFromOutbox(String key) throws SQLException {
    try (PreparedStatement delete =
        connection.prepareStatement("DELETE FROM outbox WHERE key = ?")) {
      delete.setString(1, key);
      delete.executeUpdate();
    }
  }

  @Override
  public List<Delivery> pending() {
    return inTransaction(
        "pending",
        () -> {
          List<Delivery> deliveries = new ArrayList<>();
          try (Statement statement = connection.createStatement();
              ResultSet rows =
                  statement.executeQuery(
                      "SELECT key, notifier, json FROM outbox ORDER BY enqueued_seq")) {
            while (rows.next()) {
              Alert alert = readAlert("pending", rows.getString(1), rows.getString(3));
              if (alert != null) {
                deliveries.add(new Delivery(rows.getString(1), rows.getString(2), alert));
              }
            }
          }
          return List.copyOf(deliveries);
        });
  }

  @Override
  public List<DeadLetter> deadLetters() {
    return inTransaction(
        "deadLetters",
        () -> {
          List<DeadLetter> letters = new ArrayList<>();
          try (Statement statement = connection.createStatement();
              ResultSet rows =
                  statement.executeQuery(
                      "SELECT key, notifier, json, error, time_ns FROM dead_letters"
                          + " ORDER BY time_ns, key")) {
            while (rows.next()) {
              Alert alert = readAlert("deadLetters", rows.getString(1), rows.getString(3));
              if (alert != null) {
                letters.add(
                    new DeadLetter(
                        new Delivery(rows.getString(1), rows.getString(2), alert),
                        rows.getString(4),
                        Instant.ofEpochSecond(0, rows.getLong(5))));
              }
            }
          }
          return List.copyOf(letters);
        });
  }

  /** Closes the file; later calls do nothing. Operations after it throw {@link StoreException}. */
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

  /**
   * A failed operation of a {@link SqliteAlertStore} (the disk is full, the file was removed or
   * corrupted, the store is closed). Already counted in {@link #failures()} and logged (throttled).
   */
  public static final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} in one transaction; a failure rolls back, is counted, logged and thrown. */
  private <T> T inTransaction(String operation, Work<T> work) {
    synchronized (lock) {
      if (closed) {
        throw fail(operation, "the store is closed", null);
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
        throw fail(operation, reason(e), e);
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

  /** Counts and logs (throttled) a failure; returns the exception to throw. */
  private StoreException fail(String operation, String reason, Exception cause) {
    failures.incrementAndGet();
    String message = "alert store " + file + " failed to " + operation + ": " + reason;
    warnThrottled(operation, message);
    return new StoreException(message, cause);
  }

  /** A row that cannot be read back is skipped, counted and logged (throttled). */
  private Alert readAlert(String operation, String key, String json) {
    try {
      return fromJson(json);
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      warnThrottled(
          operation + "/read",
          "alert store " + file + " skipped unreadable row " + key + ": " + reason(e));
      return null;
    }
  }

  private void warnThrottled(String operation, String message) {
    synchronized (lock) {
      long now = nanoTime.getAsLong();
      Long last = lastWarned.get(operation);
      if (last != null && now - last < WARN_INTERVAL_NANOS) {
        return;
      }
      lastWarned.put(operation, now);
    }
    LOG.warn("{} ({} failures so far)", message, failures.get());
  }

  /**
   * Reads the JSON {@link AlertJson#toJson} writes back into the same alert.
   *
   * @throws IllegalArgumentException if it is not JSON of that shape
   */
  static Alert fromJson(String json) {
    JsonNode node;
    try {
      node = AlertJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode details = node.get("details");
    List<String> notes = new ArrayList<>();
    JsonNode notesNode = node.get("notes");
    if (notesNode != null && !notesNode.isNull()) {
      if (!notesNode.isArray()) {
        throw new IllegalArgumentException("notes must be an array");
      }
      notesNode.forEach(note -> notes.add(note.asText()));
    }
    return new Alert(
        text(node, "id"),
        text(node, "title"),
        text(node, "message"),
        AlertSeverity.parse(text(node, "severity")),
        text(node, "source"),
        text(node, "service"),
        Instant.parse(text(node, "time")),
        details == null || details.isNull()
            ? Map.of()
            : AlertJson.MAPPER.convertValue(details, JSON_OBJECT),
        text(node, "fingerprint"),
        Alert.State.valueOf(text(node, "state").toUpperCase(Locale.ROOT)),
        field(node, "occurrences").asInt(),
        Instant.parse(text(node, "last_seen")),
        field(node, "silenced").asBoolean(),
        notes);
  }

  private static JsonNode field(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("field '" + name + "' is missing");
    }
    return value;
  }

  private static String text(JsonNode node, String name) {
    return field(node, name).asText();
  }

  /** Nanoseconds since the epoch, saturated outside the years 1677 to 2262. */
  static long epochNanos(Instant time) {
    try {
      return Math.addExact(
          Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
    } catch (ArithmeticException e) {
      return time.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static String reason(Exception e) {
    if (e instanceof FileAlreadyExistsException exists) {
      return exists.getFile() + " is not a directory"; // as Files.createDirectories reports it
    }
    String message = e.getMessage();
    if (e instanceof SQLException || e instanceof IllegalArgumentException) {
      return String.valueOf(message);
    }
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // Already failing to open: the first error is the one to report.
      }
    }
  }
}
