package io.amptalk.monitoring.alert.store;

import static io.amptalk.monitoring.alert.store.AlertStoreContract.alert;
import static io.amptalk.monitoring.alert.store.AlertStoreContract.all;
import static io.amptalk.monitoring.alert.store.AlertStoreContract.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One file, one store: a second store on a file already open is refused, because both would deliver
 * its outbox. (Across processes: {@code AlertStoreLockIT}.)
 */
class SqliteStoreLockTest {
  private static final long PID = ProcessHandle.current().pid();

  @TempDir Path dir;

  @Test
  void open_fileAlreadyOpenInThisProcess_refusedNamingTheLock_firstGoesOn() throws Exception {
    Path file = dir.resolve("alerts.db");
    Path lock = dir.resolve("alerts.db.lock");
    try (SqliteAlertStore first = SqliteAlertStore.open(file, 10)) {
      first.save(alert("a"));

      assertThatThrownBy(() -> SqliteAlertStore.open(file, 10))
          .isInstanceOf(StoreLockedException.class)
          .hasMessage(
              "cannot open alert store "
                  + file
                  + ": it is already open in this process (pid "
                  + PID
                  + "), which holds "
                  + lock
                  + "; one file serves one store at a time, or both would deliver its"
                  + " notifications");
      // The same file named another way is the same file.
      assertThatThrownBy(() -> SqliteAlertStore.open(dir.resolve("x/../alerts.db"), 10))
          .isInstanceOf(StoreLockedException.class);
      assertThat(Files.readString(lock, StandardCharsets.UTF_8)).isEqualTo(PID + "\n");

      first.save(alert("b"));
      assertThat(ids(first.history(all()))).containsExactly("b", "a");
    }

    // Closed, the lock is released (its file stays, emptied of the pid).
    assertThat(Files.readString(lock, StandardCharsets.UTF_8)).isEmpty();
    try (SqliteAlertStore again = SqliteAlertStore.open(file, 10)) {
      assertThat(ids(again.history(all()))).containsExactly("b", "a");
    }
  }

  @Test
  void lockedException_carriesTheFilesAndThePid() {
    Path file = dir.resolve("alerts.db");
    try (SqliteAlertStore first = SqliteAlertStore.open(file, 10)) {
      assertThatThrownBy(() -> SqliteAlertStore.open(file, 10))
          .isInstanceOfSatisfying(
              StoreLockedException.class,
              e -> {
                assertThat(e.file()).isEqualTo(file);
                assertThat(e.lockFile()).isEqualTo(dir.resolve("alerts.db.lock"));
                assertThat(e.holderPid()).hasValue(PID);
              });
    }
  }
}
