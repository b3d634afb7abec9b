package io.amptalk.monitoring.alert.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file of a {@link SqliteAlertStore}: its tables, its schema version ({@code PRAGMA
 * user_version}) and how a connection to it is set up. A file of version 0 (new or empty) gets the
 * tables, one of an older version is migrated, one of a newer version is refused.
 */
final class SqliteSchema {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteAlertStore.class);

  /**
   * {@code PRAGMA user_version} of the schema below; a migration bumps it. 1: the tables; 2: every
   * alert's JSON has its labels; 3: the {@code state} table of what other parts keep (the service
   * level objectives' counts).
   */
  static final int SCHEMA_VERSION = 3;

  /**
   * Version 1 to 2: the alerts written before there were labels get their built-in ones in their
   * JSON (the reader would give them these anyway; stored, they are there for SQL over the file
   * too). No {@code instance}: which one raised them was not recorded.
   */
  private static final String[] TO_VERSION_2 = {
    labelled("history"), labelled("outbox"), labelled("dead_letters"), "PRAGMA user_version = 2"
  };

  private static final String STATE =
      "CREATE TABLE state (key TEXT PRIMARY KEY, time_ns INTEGER NOT NULL, value BLOB NOT NULL)";

  /** Version 2 to 3: the state table. */
  private static final String[] TO_VERSION_3 = {STATE, "PRAGMA user_version = 3"};

  /** The steps from version n - 1 to n, at index n; each ends setting its version. */
  private static final String[][] STEPS = {null, null, TO_VERSION_2, TO_VERSION_3};

  private static String labelled(String table) {
    return "UPDATE "
        + table
        + " SET json = json_set(json, '$.labels', json_object("
        + "'alertname', json_extract(json, '$.title'),"
        + " 'service', json_extract(json, '$.service'),"
        + " 'severity', json_extract(json, '$.severity'),"
        + " 'source', json_extract(json, '$.source')))"
        + " WHERE json_type(json, '$.labels') IS NULL";
  }

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
    STATE,
    "PRAGMA user_version = " + SCHEMA_VERSION
  };

  // A new version adds its table to SCHEMA, and its steps as TO_VERSION_<n> to STEPS.

  private SqliteSchema() {}

  /**
   * Connects to {@code file} (absolute), creating its parent directories and the schema if need be;
   * the connection is left in manual-commit mode. Nothing is left open when it fails.
   */
  static Connection open(Path file) throws IOException, SQLException {
    Path parent = file.getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
    try {
      configure(connection);
      migrate(connection);
      return connection;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection);
      throw e;
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
    if (version > SCHEMA_VERSION || version < 0) {
      throw new SQLException(
          "schema version "
              + version
              + " is not the version "
              + SCHEMA_VERSION
              + " this library reads (written by a newer one?)");
    }
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      // One transaction: a migration that fails leaves the file as it was.
      if (version == 0) {
        for (String sql : SCHEMA) {
          statement.execute(sql);
        }
      } else {
        for (int next = version + 1; next <= SCHEMA_VERSION; next++) {
          for (String sql : STEPS[next]) {
            statement.execute(sql);
          }
        }
      }
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException e) {
      // Already failing to open: the first error is the one to report.
    }
  }
}
