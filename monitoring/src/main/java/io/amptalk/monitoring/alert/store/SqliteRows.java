package io.amptalk.monitoring.alert.store;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import io.amptalk.monitoring.internal.alert.AlertJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of a {@link SqliteAlertStore}'s tables (see {@link SqliteSchema}) and the mapping between
 * their rows and alerts, deliveries and dead letters. Alerts are stored as {@link AlertJson}; a row
 * whose JSON cannot be read back is skipped and counted, so one bad row never hides the rest.
 *
 * <p>Not thread-safe, and commits nothing: the store calls it under its lock, in its transaction.
 */
final class SqliteRows {
  private final Connection connection;
  private final int maxHistorySize;
  private final StoreFailures failures;

  SqliteRows(Connection connection, int maxHistorySize, StoreFailures failures) {
    this.connection = connection;
    this.maxHistorySize = maxHistorySize;
    this.failures = failures;
  }

  /** Where a saved alert went: its row's seq, and the table's highest seq after the save. */
  record Saved(long seq, long maxSeq) {}

  /** An alert read from history, with its row's seq. */
  record Stored(long seq, Alert alert) {}

  /** Adds or replaces {@code alert} (written as {@code json}) and forgets past the bound. */
  Saved save(Alert alert, String json) throws SQLException {
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
    // Forgets what is older than the newest maxHistorySize rows. Rows are only ever deleted from
    // the oldest end (here) or all at once (clearHistory), and a new row takes the highest seq
    // plus one, so the seqs are contiguous and the bound is a range: two index look-ups, where
    // "ORDER BY seq DESC LIMIT 1 OFFSET n" would walk n entries per save.
    try (PreparedStatement trim =
        connection.prepareStatement(
            "DELETE FROM history WHERE seq <= (SELECT MAX(seq) FROM history) - ?")) {
      trim.setInt(1, maxHistorySize);
      trim.executeUpdate();
    }
    try (PreparedStatement seq =
        connection.prepareStatement(
            "SELECT seq, (SELECT MAX(seq) FROM history) FROM history WHERE id = ?")) {
      seq.setString(1, alert.id());
      try (ResultSet row = seq.executeQuery()) {
        // Gone only if the bound is below one row, which open() refuses.
        return row.next() ? new Saved(row.getLong(1), row.getLong(2)) : new Saved(0, 0);
      }
    }
  }

  /** History matching {@code query}, newest first, filtered in SQL. */
  List<Stored> history(AlertQuery query) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT id, json, seq FROM history WHERE 1 = 1");
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
    try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < parameters.size(); i++) {
        select.setObject(i + 1, parameters.get(i));
      }
      List<Stored> alerts = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          Alert alert = readAlert("history", rows.getString(1), rows.getString(2));
          if (alert != null) {
            alerts.add(new Stored(rows.getLong(3), alert));
          }
        }
      }
      return List.copyOf(alerts);
    }
  }

  /** The value kept under {@code key}, or null. */
  byte[] state(String key) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT value FROM state WHERE key = ?")) {
      select.setString(1, key);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? result.getBytes(1) : null;
      }
    }
  }

  /** Keeps {@code value} under {@code key}, replacing what was. */
  void saveState(String key, byte[] value, Instant when) throws SQLException {
    try (PreparedStatement upsert =
        connection.prepareStatement(
            "INSERT OR REPLACE INTO state (key, time_ns, value) VALUES (?, ?, ?)")) {
      upsert.setString(1, key);
      upsert.setLong(2, epochNanos(when));
      upsert.setBytes(3, value);
      upsert.executeUpdate();
    }
  }

  void clearHistory() throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.executeUpdate("DELETE FROM history");
    }
  }

  /** Adds {@code delivery} (its alert written as {@code json}) unless its key is pending. */
  void enqueue(Delivery delivery, String json) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT OR IGNORE INTO outbox (key, notifier, json, enqueued_seq) VALUES"
                + " (?, ?, ?, (SELECT COALESCE(MAX(enqueued_seq), 0) + 1 FROM outbox))")) {
      insert.setString(1, delivery.key());
      insert.setString(2, delivery.notifier());
      insert.setString(3, json);
      insert.executeUpdate();
    }
  }

  void deleteFromOutbox(String key) throws SQLException {
    try (PreparedStatement delete =
        connection.prepareStatement("DELETE FROM outbox WHERE key = ?")) {
      delete.setString(1, key);
      delete.executeUpdate();
    }
  }

  /** Moves {@code delivery} (its alert written as {@code json}) to the bounded dead letters. */
  void deadLetter(Delivery delivery, String json, String error, Instant when) throws SQLException {
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
    // Bounded like history, so an outage during a storm cannot fill the disk: the oldest dead
    // letters go first (every one was counted in the alert metrics when it failed).
    try (PreparedStatement trim =
        connection.prepareStatement(
            "DELETE FROM dead_letters WHERE key IN (SELECT key FROM dead_letters"
                + " ORDER BY time_ns DESC, key DESC LIMIT -1 OFFSET ?)")) {
      trim.setInt(1, maxHistorySize);
      trim.executeUpdate();
    }
  }

  /** The outbox, oldest first. */
  List<Delivery> pending() throws SQLException {
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
  }

  /** The dead letters, oldest first. */
  List<DeadLetter> deadLetters() throws SQLException {
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
  }

  /** The alert in a row, or null when it cannot be read back: then it is counted and logged. */
  Alert readAlert(String operation, String key, String json) {
    try {
      return AlertJson.fromJson(json);
    } catch (RuntimeException e) {
      failures.unreadable(operation, key, e);
      return null;
    }
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
}
