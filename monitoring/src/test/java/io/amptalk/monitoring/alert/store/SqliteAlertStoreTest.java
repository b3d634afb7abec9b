package io.amptalk.monitoring.alert.store;

import static io.amptalk.monitoring.internal.alert.AlertExamples.richAlert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class SqliteAlertStoreTest extends AlertStoreContract {
  @TempDir Path dir;

  private int files;

  @Override
  protected AlertStore newStore(int maxHistorySize) {
    return SqliteAlertStore.open(dir.resolve("store" + files++ + ".db"), maxHistorySize);
  }

  @Test
  void save_richAlert_roundTripsExactly() {
    AlertStore store = newStore(10);
    Alert alert = richAlert();
    Delivery delivery = Delivery.of("webhook", alert);
    Delivery dead = Delivery.of("email", alert);
    Instant when = Instant.parse("2026-03-01T12:06:00.987654321Z");

    store.save(alert);
    store.enqueue(delivery);
    store.deadLetter(dead, "550 mailbox \"unavailable\" — 日本", when);

    List<Alert> history = store.history(all());
    assertThat(history).containsExactly(alert);
    Map<String, Object> details = history.get(0).details();
    assertThat(details.keySet())
        .containsExactly("cpu_usage", "count", "big", "ok", "none", "nested", "list", "text");
    assertThat(details.get("cpu_usage")).isInstanceOf(Double.class);
    assertThat(details.get("count")).isInstanceOf(Integer.class);
    assertThat(details.get("big")).isInstanceOf(Long.class);
    assertThat(List.<Object>copyOf(((Map<?, ?>) details.get("nested")).keySet()))
        .containsExactly("zeta", "alpha", "nothing");
    assertThat(store.pending()).containsExactly(delivery);
    assertThat(store.deadLetters())
        .containsExactly(new DeadLetter(dead, "550 mailbox \"unavailable\" — 日本", when));
    store.close();
  }

  @Test
  void open_again_historyOutboxAndDeadLettersSurvive() {
    Path file = dir.resolve("durable.db");
    Alert a = alert("a");
    Alert b = richAlert();
    Delivery pending = Delivery.of("webhook", b);
    Delivery delivered = Delivery.of("webhook", a);
    Delivery dead = Delivery.of("email", a);
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      store.save(a);
      store.save(b);
      store.enqueue(delivered);
      store.enqueue(pending);
      store.delivered(delivered.key());
      store.deadLetter(dead, "refused", T0);
    }

    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      assertThat(store.history(all())).containsExactly(b, a);
      assertThat(store.pending()).containsExactly(pending);
      assertThat(store.deadLetters()).containsExactly(new DeadLetter(dead, "refused", T0));

      // The order carries on after the restart.
      Delivery next = Delivery.of("webhook", alert("c"));
      store.enqueue(next);
      store.save(alert("c"));
      assertThat(store.pending()).containsExactly(pending, next);
      assertThat(ids(store.history(all()))).containsExactly("c", b.id(), "a");
    }
  }

  @Test
  void open_again_withSmallerBound_trimsOnNextSave() {
    Path file = dir.resolve("bound.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      for (String id : List.of("1", "2", "3", "4")) {
        store.save(alert(id));
      }
    }

    try (SqliteAlertStore store = SqliteAlertStore.open(file, 2)) {
      store.save(alert("5"));

      assertThat(ids(store.history(all()))).containsExactly("5", "4");
    }
  }

  @Test
  void open_aFileOfSchemaVersion1_readsItAndGoesOn() throws SQLException {
    // A file as version 1 wrote it, made by hand so that a change to the schema or the JSON that
    // old files cannot follow fails here.
    Path file = dir.resolve("v1.db");
    String json =
        "{\"id\":\"old\",\"title\":\"t\",\"message\":\"m\",\"severity\":\"error\","
            + "\"source\":\"src\",\"service\":\"svc\",\"time\":\"2026-03-01T12:00:00Z\","
            + "\"details\":{\"n\":1},\"fingerprint\":\"fp\",\"state\":\"resolved\","
            + "\"occurrences\":2,\"last_seen\":\"2026-03-01T12:00:00.5Z\",\"silenced\":true,"
            + "\"notes\":[\"n\"]}";
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      for (String sql :
          List.of(
              "CREATE TABLE history (id TEXT PRIMARY KEY, seq INTEGER NOT NULL,"
                  + " time_ns INTEGER NOT NULL, severity INTEGER NOT NULL, source TEXT NOT NULL,"
                  + " json TEXT NOT NULL)",
              "CREATE UNIQUE INDEX history_seq ON history (seq)",
              "CREATE INDEX history_time ON history (time_ns, seq)",
              "CREATE TABLE outbox (key TEXT PRIMARY KEY, notifier TEXT NOT NULL,"
                  + " json TEXT NOT NULL, enqueued_seq INTEGER NOT NULL)",
              "CREATE UNIQUE INDEX outbox_seq ON outbox (enqueued_seq)",
              "CREATE TABLE dead_letters (key TEXT PRIMARY KEY, notifier TEXT NOT NULL,"
                  + " json TEXT NOT NULL, error TEXT NOT NULL, time_ns INTEGER NOT NULL)",
              "CREATE INDEX dead_letters_time ON dead_letters (time_ns, key)",
              "PRAGMA user_version = 1",
              "INSERT INTO history VALUES ('old', 7, 1772366400000000000, 2, 'src', '"
                  + json
                  + "')",
              "INSERT INTO outbox VALUES ('old/webhook/resolved/2', 'webhook', '" + json + "', 3)",
              "INSERT INTO dead_letters VALUES ('old/email/resolved/2', 'email', '"
                  + json
                  + "', 'refused', 1772366400000000001)")) {
        statement.execute(sql);
      }
    }
    Alert old =
        new Alert(
            "old",
            "t",
            "m",
            AlertSeverity.ERROR,
            "src",
            "svc",
            T0,
            Map.of("n", 1),
            "fp",
            Alert.State.RESOLVED,
            2,
            T0.plusMillis(500),
            true,
            List.of("n"));

    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      assertThat(store.history(all())).containsExactly(old);
      assertThat(store.pending()).containsExactly(Delivery.of("webhook", old));
      assertThat(store.deadLetters())
          .containsExactly(new DeadLetter(Delivery.of("email", old), "refused", T0.plusNanos(1)));
      store.save(alert("new"));
      store.enqueue(Delivery.of("webhook", alert("new")));
      assertThat(ids(store.history(all()))).containsExactly("new", "old");
      assertThat(keys(store.pending()))
          .containsExactly("old/webhook/resolved/2", Delivery.of("webhook", alert("new")).key());
      assertThat(store.failures()).isZero();
      assertThat(old.labels())
          .containsExactly(
              Map.entry("alertname", "t"),
              Map.entry("service", "svc"),
              Map.entry("severity", "error"),
              Map.entry("source", "src"));
    }
    // Migrated to version 2, then 3: the old rows hold their built-in labels, the new ones theirs.
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      assertThat(query(statement, "PRAGMA user_version")).isEqualTo("3");
      assertThat(query(statement, "SELECT count(*) FROM state")).isEqualTo("0");
      String labels =
          "{\"alertname\":\"t\",\"service\":\"svc\",\"severity\":\"error\",\"source\":\"src\"}";
      for (String table : List.of("history", "outbox", "dead_letters")) {
        assertThat(
                query(
                    statement,
                    "SELECT json_extract(json, '$.labels') FROM "
                        + table
                        + " WHERE json_extract(json, '$.id') = 'old'"))
            .as(table)
            .isEqualTo(labels);
      }
      assertThat(
              query(
                  statement,
                  "SELECT json_extract(json, '$.labels.alertname') FROM history"
                      + " WHERE id = 'new'"))
          .isEqualTo(alert("new").title());
    }
  }

  @Test
  void open_aFileOfSchemaVersion2_isNotMigratedAgain() throws SQLException {
    Path file = dir.resolve("v2.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      store.save(alert("a"));
    }
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      assertThat(store.history(all())).containsExactly(alert("a"));
      assertThat(store.failures()).isZero();
    }
  }

  @Test
  void open_aFileOfSchemaVersion2_getsTheStateTable_andKeepsItsAlerts() throws SQLException {
    Path file = dir.resolve("v2-to-3.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      store.save(alert("a"));
    }
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE state");
      statement.execute("PRAGMA user_version = 2");
    }
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      assertThat(store.history(all())).containsExactly(alert("a"));
      store.saveState("slo/checkout", new byte[] {1, 2, 3});
      assertThat(store.state("slo/checkout"))
          .hasValueSatisfying(v -> assertThat(v).containsExactly(1, 2, 3));
      assertThat(store.failures()).isZero();
    }
  }

  @Test
  void state_keptAcrossAReopen_replacedBySaving_emptyForAnUnknownKey() {
    Path file = dir.resolve("state.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      assertThat(store.state("slo/checkout")).isEmpty();
      store.saveState("slo/checkout", new byte[] {1});
      store.saveState("slo/checkout", new byte[] {4, 5});
      store.saveState("slo/search", new byte[0]);
    }
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      assertThat(store.state("slo/checkout"))
          .hasValueSatisfying(v -> assertThat(v).containsExactly(4, 5));
      assertThat(store.state("slo/search")).hasValueSatisfying(v -> assertThat(v).isEmpty());
      assertThat(store.state("slo/other")).isEmpty();
    }
  }

  @Test
  void open_setsWalModeAndSchemaVersion() throws SQLException {
    Path file = dir.resolve("wal.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      store.save(alert("a"));

      try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement statement = connection.createStatement()) {
        assertThat(query(statement, "PRAGMA journal_mode")).isEqualTo("wal");
        assertThat(query(statement, "PRAGMA user_version")).isEqualTo("3");
        assertThat(query(statement, "SELECT count(*) FROM history")).isEqualTo("1");
      }
    }
  }

  @Test
  void open_createsParentDirectories() {
    Path file = dir.resolve("a/b/c/alerts.db");

    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      assertThat(store.file()).isEqualTo(file.toAbsolutePath());
      assertThat(file).isRegularFile();
    }
  }

  @Test
  void open_unwritablePlace_failsNamingTheFile() throws Exception {
    Path readOnly = Files.createDirectory(dir.resolve("read-only"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      Path file = readOnly.resolve("alerts.db");
      String reason = "[SQLITE_CANTOPEN] Unable to open the database file";
      if (Files.isWritable(readOnly)) {
        // Root ignores permissions: a path below a regular file cannot be created by anyone.
        Path regular = Files.writeString(dir.resolve("regular-file"), "x");
        file = regular.resolve("alerts.db");
        reason = regular + " is not a directory";
      }
      Path target = file;

      assertThatThrownBy(() -> SqliteAlertStore.open(target, 10))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("cannot open alert store " + target + ": " + reason);
    } finally {
      Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void open_notADatabase_failsNamingTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("text.db"), "this is not a SQLite database file");

    assertThatThrownBy(() -> SqliteAlertStore.open(file, 10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("cannot open alert store " + file + ": ")
        .hasMessageContaining("not a database");
  }

  @Test
  void open_newerSchema_failsNamingTheVersion() throws SQLException {
    Path file = dir.resolve("newer.db");
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA user_version = 4");
    }

    assertThatThrownBy(() -> SqliteAlertStore.open(file, 10))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "cannot open alert store "
                + file
                + ": schema version 4 is not the version 3 this library reads"
                + " (written by a newer one?)");
  }

  @Test
  void open_badBound_failsNamingTheValue() {
    assertThatThrownBy(() -> SqliteAlertStore.open(dir.resolve("x.db"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxHistorySize must be positive, was 0");
  }

  @ParameterizedTest
  @ValueSource(ints = {1000, 5000})
  void save_fromManyThreads_keepsExactlyTheBound(int bound) throws Exception {
    int threads = 8;
    int perThread = 500;
    int expected = Math.min(bound, threads * perThread);
    Path file = dir.resolve("concurrent.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, bound)) {
      CyclicBarrier start = new CyclicBarrier(threads);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          done.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                      store.save(alert(thread + "-" + i));
                    }
                    return null;
                  }));
        }
        for (Future<?> future : done) {
          future.get(60, TimeUnit.SECONDS); // rethrows any exception of a thread
        }
      } finally {
        pool.shutdownNow();
      }

      List<Alert> history = store.history(all());
      assertThat(history).hasSize(expected);
      assertThat(ids(history)).doesNotHaveDuplicates();
      // What is kept of each thread is its newest alerts, newest first (a thread that finished
      // early may have none left).
      for (int t = 0; t < threads; t++) {
        String prefix = t + "-";
        List<Integer> mine =
            ids(history).stream()
                .filter(id -> id.startsWith(prefix))
                .map(id -> Integer.parseInt(id.substring(prefix.length())))
                .toList();
        List<Integer> newest =
            IntStream.range(0, mine.size()).map(i -> perThread - 1 - i).boxed().toList();
        assertThat(mine).isEqualTo(newest);
      }
      assertThat(store.failures()).isZero();
      try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement statement = connection.createStatement()) {
        assertThat(query(statement, "SELECT count(*) FROM history"))
            .isEqualTo(String.valueOf(expected));
      }
    }
  }

  @Test
  void operations_whenTheDatabaseFails_throwStoreExceptionCountAndWarnThrottled()
      throws SQLException {
    Path file = dir.resolve("failing.db");
    AtomicLong nanos = new AtomicLong();
    Logger logger = (Logger) LoggerFactory.getLogger(SqliteAlertStore.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10, nanos::get)) {
      store.save(alert("a"));
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement statement = other.createStatement()) {
        statement.execute("DROP TABLE history");
      }

      assertThatThrownBy(() -> store.save(alert("b")))
          .isInstanceOf(StoreException.class)
          .hasMessageStartingWith("alert store " + file + " failed to save: ")
          .hasMessageContaining("no such table: history");
      nanos.addAndGet(TimeUnit.SECONDS.toNanos(59));
      assertThatThrownBy(() -> store.save(alert("c"))).isInstanceOf(StoreException.class);
      assertThatThrownBy(() -> store.history(all()))
          .isInstanceOf(StoreException.class)
          .hasMessageStartingWith("alert store " + file + " failed to history: ");
      nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
      assertThatThrownBy(() -> store.save(alert("d"))).isInstanceOf(StoreException.class);

      assertThat(store.failures()).isEqualTo(4);
      assertThat(appender.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .hasSize(3)
          .allMatch(message -> message.startsWith("alert store " + file + " failed to "))
          .extracting(message -> message.substring(message.lastIndexOf('(')))
          .containsExactly("(1 failures so far)", "(3 failures so far)", "(4 failures so far)");
      // The outbox still works: one failing table does not take the rest down.
      Delivery delivery = Delivery.of("webhook", alert("a"));
      store.enqueue(delivery);
      assertThat(store.pending()).containsExactly(delivery);
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void operations_afterTheDatabaseWasFull_workAgainOnceThereIsRoom() {
    try (SqliteAlertStore store = SqliteAlertStore.open(dir.resolve("full.db"), 10)) {
      store.save(alert("a"));
      store.pragma("max_page_count = " + store.pragma("page_count"));
      Alert big =
          new Alert(
              "big",
              "big",
              "x".repeat(8000),
              AlertSeverity.ERROR,
              "s",
              "amptalk",
              Instant.parse("2026-01-01T00:00:00Z"),
              Map.of("blob", "y".repeat(100_000)),
              "f",
              Alert.State.FIRING,
              1,
              Instant.parse("2026-01-01T00:00:00Z"),
              false,
              List.of());

      assertThatThrownBy(() -> store.save(big))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("[SQLITE_FULL]");
      // SQLite rolled the transaction back itself: reads and small writes must go on regardless.
      assertThat(ids(store.history(all()))).containsExactly("a");
      store.enqueue(Delivery.of("webhook", alert("a")));
      assertThat(store.pending()).hasSize(1);

      store.pragma("max_page_count = 1000000");
      store.save(big);
      assertThat(ids(store.history(all()))).containsExactly("big", "a");
      assertThat(store.failures()).isEqualTo(1);
    }
  }

  @Test
  void history_unreadableRow_isSkippedAndCounted() throws SQLException {
    Path file = dir.resolve("corrupt.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 10)) {
      store.save(alert("a"));
      store.enqueue(Delivery.of("webhook", alert("a")));
      try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
          Statement statement = other.createStatement()) {
        statement.execute(
            "INSERT INTO history (id, seq, time_ns, severity, source, json)"
                + " VALUES ('bad', 99, 0, 1, 'src', '{\"id\": \"bad\"')");
        statement.execute(
            "INSERT INTO outbox (key, notifier, json, enqueued_seq)"
                + " VALUES ('bad', 'webhook', 'null', 99)");
      }

      assertThat(ids(store.history(all()))).containsExactly("a");
      assertThat(keys(store.pending())).containsExactly(Delivery.of("webhook", alert("a")).key());
      assertThat(store.failures()).isEqualTo(2);
    }
  }

  @Test
  void operations_afterClose_throwStoreException() {
    SqliteAlertStore store = SqliteAlertStore.open(dir.resolve("closed.db"), 10);
    store.close();

    assertThatThrownBy(() -> store.save(alert("a")))
        .isInstanceOf(StoreException.class)
        .hasMessage("alert store " + store.file() + " failed to save: the store is closed");
    assertThatThrownBy(store::pending)
        .isInstanceOf(StoreException.class)
        .hasMessage("alert store " + store.file() + " failed to pending: the store is closed");
    assertThat(store.failures()).isEqualTo(2);
  }

  @Test
  void epochNanos_saturatesOutsideItsRange() {
    assertThat(SqliteRows.epochNanos(Instant.ofEpochSecond(1, 2))).isEqualTo(1_000_000_002L);
    assertThat(SqliteRows.epochNanos(Instant.ofEpochSecond(-1, 2))).isEqualTo(-999_999_998L);
    assertThat(SqliteRows.epochNanos(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    assertThat(SqliteRows.epochNanos(Instant.MIN)).isEqualTo(Long.MIN_VALUE);
  }

  private static String query(Statement statement, String sql) throws SQLException {
    try (ResultSet result = statement.executeQuery(sql)) {
      assertThat(result.next()).as(sql).isTrue();
      return result.getString(1);
    }
  }
}
