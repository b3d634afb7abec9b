package io.amptalk.monitoring.alert.store;

import io.amptalk.monitoring.internal.util.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * How a {@link SqliteAlertStore} opens a file that may be damaged, before it trusts it. SQLite
 * itself opens a file with damaged pages without a word, drops what follows a damaged or cut-short
 * write-ahead log, and starts an emptied file afresh; each of these lost alerts silently. So, under
 * the store's lock and before the file is written:
 *
 * <ul>
 *   <li>an emptied (0-byte) file is said in the log, and a fresh history starts;
 *   <li>a write-ahead log that is cut short or has a damaged frame ({@link WalCheck}) is copied
 *       aside with the file, and what is intact is opened;
 *   <li>{@code PRAGMA quick_check} runs on a read-only connection (so that nothing, not even a
 *       checkpoint at close, changes the file before it is kept), bounded by {@link
 *       #CHECK_TIMEOUT}; a file of this store that fails it, or that SQLite calls corrupt, is moved
 *       aside with its {@code -wal} and {@code -shm} and a fresh one started.
 * </ul>
 *
 * Each is logged once, loudly, naming the kept file, and becomes the store's {@link StoreStatus}. A
 * file that is not this store's (another database, another schema version, not SQLite) is never
 * moved: opening it fails as before.
 */
final class SqliteRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteAlertStore.class);

  /**
   * The longest the check at open may take. A store is bounded by its history size, so this is far
   * more than the milliseconds it takes; a check that still runs past it is interrupted, logged,
   * and the file opened unchecked rather than held up or thrown away.
   */
  static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.UTF_8);

  private SqliteRecovery() {}

  /** A connection to a file that was checked, and what was found. */
  record Opened(Connection connection, StoreStatus status) {}

  /** Checks {@code file} (absolute, locked, its directory existing), recovers it, connects. */
  static Opened open(Path file, Clock clock, Duration checkTimeout)
      throws IOException, SQLException {
    StoreStatus status = StoreStatus.OK;
    Path wal = sibling(file, "-wal");
    if (Files.isRegularFile(file) && Files.size(file) == 0) {
      if (Files.isRegularFile(wal) && Files.size(wal) > 0) {
        status = moveAside(file, "the file is empty but its write-ahead log is not", clock);
      } else {
        LOG.warn("The alert store {} was empty; starting a fresh history", file);
        Files.deleteIfExists(wal);
        Files.deleteIfExists(sibling(file, "-shm"));
      }
      return new Opened(SqliteSchema.open(file), status);
    }
    if (Files.isRegularFile(wal)) {
      String problem = WalCheck.problem(wal);
      if (problem != null) {
        status = copyAside(file, problem, clock);
      }
    }
    if (Files.isRegularFile(file)) {
      String problem = check(file, checkTimeout);
      if (problem != null) {
        status = moveAside(file, problem, clock);
      }
    }
    return new Opened(SqliteSchema.open(file), status);
  }

  /**
   * What {@code PRAGMA quick_check} (or SQLite, reading the file) says is wrong with a file of this
   * store, or null when nothing is, when the check ran out of time, or when the file is not this
   * store's (then opening it says why).
   */
  private static String check(Path file, Duration timeout) throws IOException {
    if (!isThisStoresFile(file)) {
      return null;
    }
    SQLiteConfig readOnly = new SQLiteConfig();
    readOnly.setReadOnly(true);
    try (Connection connection =
            DriverManager.getConnection("jdbc:sqlite:" + file, readOnly.toProperties());
        Statement statement = connection.createStatement()) {
      Object guard = new Object();
      boolean[] done = {false};
      Thread watchdog =
          DaemonThreads.newThread(
              () -> {
                try {
                  Thread.sleep(timeout.toMillis());
                } catch (InterruptedException e) {
                  return; // the check finished first
                }
                synchronized (guard) {
                  if (!done[0]) {
                    try {
                      statement.cancel();
                    } catch (SQLException e) {
                      // The check finishes or fails on its own.
                    }
                  }
                }
              },
              "amptalk-store-check");
      watchdog.start();
      try (ResultSet rows = statement.executeQuery("PRAGMA quick_check")) {
        String first = rows.next() ? rows.getString(1) : "ok";
        // SQLite's report spans lines ("*** in database main ***\nTree 4 page ..."): one log line.
        return "ok".equals(first) ? null : "quick_check: " + first.strip().replace("\n", "; ");
      } finally {
        synchronized (guard) {
          done[0] = true;
        }
        watchdog.interrupt();
      }
    } catch (SQLException e) {
      int code = e.getErrorCode() & 0xff;
      if (code == 9) { // SQLITE_INTERRUPT: the watchdog's
        LOG.warn(
            "The alert store {} was not checked: quick_check took longer than {} s; opened it"
                + " unchecked",
            file,
            timeout.toSeconds());
        return null;
      }
      if (code == 11 || code == 26) { // SQLITE_CORRUPT, SQLITE_NOTADB
        return StoreFailures.reason(e);
      }
      return null; // another failure (a lock, a permission): opening says it
    }
  }

  /**
   * Whether {@code file} is a SQLite file of this store's schema or of one it migrates from, by its
   * header (which SQLite keeps on page 1 at a fixed offset): only such a file is moved aside.
   */
  private static boolean isThisStoresFile(Path file) throws IOException {
    byte[] header = new byte[100];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(header, 0, header.length);
    }
    if (read < header.length
        || !Arrays.equals(
            header, 0, SQLITE_HEADER.length, SQLITE_HEADER, 0, SQLITE_HEADER.length)) {
      return false;
    }
    int userVersion =
        ((header[60] & 0xff) << 24)
            | ((header[61] & 0xff) << 16)
            | ((header[62] & 0xff) << 8)
            | (header[63] & 0xff);
    return userVersion >= 1 && userVersion <= SqliteSchema.SCHEMA_VERSION;
  }

  private static StoreStatus moveAside(Path file, String problem, Clock clock) throws IOException {
    Instant now = clock.instant();
    Path aside = asideName(file, now);
    Files.move(file, aside);
    for (String suffix : new String[] {"-wal", "-shm"}) {
      Path part = sibling(file, suffix);
      if (Files.exists(part)) {
        Files.move(part, sibling(aside, suffix)); // as SQLite names them, to open it with them
      }
    }
    LOG.error(
        "The alert store {} is damaged ({}); moved it aside to {} (kept for inspection) and started"
            + " a fresh history",
        file,
        problem,
        aside);
    return StoreStatus.recovered(aside, problem, now);
  }

  private static StoreStatus copyAside(Path file, String problem, Clock clock) throws IOException {
    Instant now = clock.instant();
    Path copy = asideName(file, now);
    if (Files.exists(file)) {
      Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
    }
    Files.copy(sibling(file, "-wal"), sibling(copy, "-wal"), StandardCopyOption.COPY_ATTRIBUTES);
    LOG.error(
        "The alert store {} is damaged ({}): what was written after that point is lost; kept a"
            + " copy of the file and its log as {} and {}-wal, and opened what is intact",
        file,
        problem,
        copy,
        copy);
    return StoreStatus.recovered(copy, problem, now);
  }

  /** {@code alerts.db.damaged-20260301T120000Z}, numbered if that is taken. */
  private static Path asideName(Path file, Instant now) {
    String base = file.getFileName() + ".damaged-" + STAMP.format(now);
    Path aside = file.resolveSibling(base);
    for (int i = 2; Files.exists(aside) || Files.exists(sibling(aside, "-wal")); i++) {
      aside = file.resolveSibling(base + "-" + i);
    }
    return aside;
  }

  private static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }
}
