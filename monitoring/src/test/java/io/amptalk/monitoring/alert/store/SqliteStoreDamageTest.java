package io.amptalk.monitoring.alert.store;

import static io.amptalk.monitoring.alert.store.AlertStoreContract.all;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.testing.MutableClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Real SQLite files damaged by the test: pages overwritten with random bytes, a write-ahead log cut
 * short or with a damaged frame, a file emptied, and pages damaged while the store is open.
 */
class SqliteStoreDamageTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final String STAMP = "20260301T120000Z";

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(NOW);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(SqliteAlertStore.class);
  private final List<SqliteAlertStore> opened = new ArrayList<>();

  @BeforeEach
  void capture() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void release() {
    logger.detachAppender(logs);
    opened.forEach(SqliteAlertStore::close);
  }

  private SqliteAlertStore open(Path file) {
    SqliteAlertStore store = SqliteAlertStore.open(file, 1000, System::nanoTime, clock);
    opened.add(store);
    return store;
  }

  private List<String> lines() {
    return logs.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }

  private static Alert alert(String id) {
    return new Alert(
        id,
        "title " + id,
        "a message long enough to fill pages: " + "x".repeat(400),
        AlertSeverity.ERROR,
        "src",
        "svc",
        NOW,
        Map.of("n", 1),
        "fp-" + id,
        Alert.State.FIRING,
        1,
        NOW,
        false,
        List.of());
  }

  private static List<String> ids(String prefix, int from, int to) {
    return IntStream.iterate(to - 1, i -> i >= from, i -> i - 1).mapToObj(i -> prefix + i).toList();
  }

  /** Overwrites two pages in the middle of the file's page range with seeded random bytes. */
  private static void damageMiddlePages(Path file) throws IOException {
    long pageSize = 4096;
    long pages = Files.size(file) / pageSize;
    assertThat(pages).as("enough pages to damage the middle of").isGreaterThan(10);
    byte[] noise = new byte[(int) (2 * pageSize)];
    new Random(12).nextBytes(noise);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(pages / 2 * pageSize);
      raf.write(noise);
    }
  }

  /** The first row of {@code PRAGMA quick_check} on {@code file}, as SQLite itself says it. */
  private static String quickCheck(Path file) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("PRAGMA quick_check")) {
      rows.next();
      return rows.getString(1);
    }
  }

  @Test
  void open_pagesOverwrittenWithRandomBytes_movesItAsideWithItsBytes_logsIt_startsFresh()
      throws Exception {
    Path file = dir.resolve("alerts.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 1000)) {
      for (int i = 0; i < 100; i++) {
        store.save(alert("old-" + i));
      }
    }
    damageMiddlePages(file);
    byte[] damaged = Files.readAllBytes(file);
    Path probe = dir.resolve("probe.db");
    Files.copy(file, probe);
    String report = quickCheck(probe);
    assertThat(report).startsWith("*** in database main ***\n");
    String problem = report.strip().replace("\n", "; ");

    SqliteAlertStore store = open(file);

    Path aside = dir.resolve("alerts.db.damaged-" + STAMP);
    assertThat(aside).exists();
    assertThat(Files.readAllBytes(aside)).isEqualTo(damaged);
    assertThat(lines())
        .containsExactly(
            "ERROR The alert store "
                + file
                + " is damaged (quick_check: "
                + problem
                + "); moved it aside to "
                + aside
                + " (kept for inspection) and started a fresh history");
    assertThat(store.status())
        .isEqualTo(StoreStatus.recovered(aside, "quick_check: " + problem, NOW));
    assertThat(store.history(all())).isEmpty();
    store.save(alert("new"));
    assertThat(AlertStoreContract.ids(store.history(all()))).containsExactly("new");
    assertThat(quickCheck(file)).isEqualTo("ok");
  }

  @Test
  void open_emptiedFile_saysSo_andStartsAFreshHistory() throws Exception {
    Path file = dir.resolve("alerts.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 1000)) {
      store.save(alert("old"));
    }
    Files.write(file, new byte[0]);

    SqliteAlertStore store = open(file);

    assertThat(lines())
        .containsExactly("WARN The alert store " + file + " was empty; starting a fresh history");
    assertThat(store.status()).isEqualTo(StoreStatus.OK);
    store.save(alert("new"));
    assertThat(AlertStoreContract.ids(store.history(all()))).containsExactly("new");
  }

  /**
   * The file and its log as a process killed with SIGKILL leaves them: copied while the store is
   * open, before any checkpoint.
   */
  private Path crashed(int alerts) throws IOException {
    Path file = dir.resolve("live.db");
    Path crashed = dir.resolve("alerts.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 1000)) {
      for (int i = 0; i < alerts; i++) {
        store.save(alert("a" + i));
      }
      Files.copy(file, crashed, StandardCopyOption.REPLACE_EXISTING);
      Files.copy(
          dir.resolve("live.db-wal"),
          dir.resolve("alerts.db-wal"),
          StandardCopyOption.REPLACE_EXISTING);
    }
    return crashed;
  }

  @Test
  void open_walCutShort_keepsACopyOfBoth_logsIt_opensWhatIsIntact() throws Exception {
    Path file = crashed(10);
    Path wal = dir.resolve("alerts.db-wal");
    long walSize = Files.size(wal);
    long frame = 24 + 4096;
    assertThat((walSize - 32) % frame).isZero();
    long frames = (walSize - 32) / frame;
    try (RandomAccessFile raf = new RandomAccessFile(wal.toFile(), "rw")) {
      raf.setLength(walSize - 100); // into the last frame: the last save's commit
    }
    byte[] fileBytes = Files.readAllBytes(file);
    byte[] walBytes = Files.readAllBytes(wal);

    SqliteAlertStore store = open(file);

    Path copy = dir.resolve("alerts.db.damaged-" + STAMP);
    String problem =
        "its write-ahead log ends "
            + (frame - 100)
            + " bytes into frame "
            + frames
            + " of "
            + frames;
    assertThat(lines())
        .containsExactly(
            "ERROR The alert store "
                + file
                + " is damaged ("
                + problem
                + "): what was written after that point is lost; kept a copy of the file and its"
                + " log as "
                + copy
                + " and "
                + copy
                + "-wal, and opened what is intact");
    assertThat(Files.readAllBytes(copy)).isEqualTo(fileBytes);
    assertThat(Files.readAllBytes(dir.resolve("alerts.db.damaged-" + STAMP + "-wal")))
        .isEqualTo(walBytes);
    assertThat(store.status()).isEqualTo(StoreStatus.recovered(copy, problem, NOW));
    // The last save's transaction is cut: the nine before it are intact.
    assertThat(AlertStoreContract.ids(store.history(all()))).isEqualTo(ids("a", 0, 9));
  }

  @Test
  void open_walFrameDamaged_keepsACopy_logsWhichFrame() throws Exception {
    Path file = crashed(10);
    Path wal = dir.resolve("alerts.db-wal");
    long frame = 24 + 4096;
    long frames = (Files.size(wal) - 32) / frame;
    try (RandomAccessFile raf = new RandomAccessFile(wal.toFile(), "rw")) {
      raf.seek(32 + 4 * frame + 24 + 1000); // the page of frame 5
      raf.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    }

    SqliteAlertStore store = open(file);

    String problem = "frame 5 of " + frames + " of its write-ahead log fails its checksum";
    assertThat(lines()).hasSize(1);
    assertThat(lines().get(0))
        .startsWith("ERROR The alert store " + file + " is damaged (" + problem + "): ");
    Path copy = dir.resolve("alerts.db.damaged-" + STAMP);
    assertThat(store.status()).isEqualTo(StoreStatus.recovered(copy, problem, NOW));
    assertThat(Files.exists(dir.resolve("alerts.db.damaged-" + STAMP + "-wal"))).isTrue();
  }

  @Test
  void open_intactWalOfACrash_opensSilently() throws Exception {
    Path file = crashed(10);

    SqliteAlertStore store = open(file);

    assertThat(lines()).isEmpty();
    assertThat(store.status()).isEqualTo(StoreStatus.OK);
    assertThat(AlertStoreContract.ids(store.history(all()))).isEqualTo(ids("a", 0, 10));
  }

  @Test
  void history_pagesDamagedWhileOpen_stillListsEveryAlertWrittenSinceOpen() throws Exception {
    Path file = dir.resolve("alerts.db");
    try (SqliteAlertStore store = SqliteAlertStore.open(file, 1000)) {
      for (int i = 0; i < 100; i++) {
        store.save(alert("old-" + i));
      }
    }
    SqliteAlertStore store = open(file);
    for (int i = 0; i < 50; i++) {
      store.save(alert("new-" + i));
    }
    store.pragma("wal_checkpoint(TRUNCATE)");
    damageMiddlePages(file);
    store.pragma("shrink_memory"); // drops the page cache: the next read goes to the file

    List<Alert> history = store.history(all());

    assertThat(AlertStoreContract.ids(history).subList(0, 50)).isEqualTo(ids("new-", 0, 50));
    String problem =
        "[SQLITE_CORRUPT] The database disk image is malformed (database disk image is malformed)";
    assertThat(store.status())
        .isEqualTo(new StoreStatus(StoreStatus.State.DAMAGED, null, problem, NOW));
    assertThat(lines()).hasSize(1);
    assertThat(lines().get(0))
        .isEqualTo(
            "ERROR The alert store "
                + file
                + " is damaged ("
                + problem
                + "); the alerts written since it opened are served from memory. Restart to move"
                + " it aside and start a fresh one");
    // Said once, not per read.
    store.history(all());
    assertThat(lines()).hasSize(1);
  }
}
