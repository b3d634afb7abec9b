package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import io.amptalk.monitoring.alert.store.StoreLockedException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One SQLite store file, two processes: the second store is refused, naming the holder's pid, so
 * the outbox is never delivered twice; the lock goes with the holder, even killed by SIGKILL.
 */
class AlertStoreLockIT {
  @TempDir Path dir;
  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void stop() {
    children.forEach(Process::destroyForcibly);
  }

  private Process child(String... args) throws IOException {
    Process process = DurabilityChild.start(args);
    children.add(process);
    return process;
  }

  /** The first line of the child's output that starts with one of {@code prefixes}. */
  private static String lineOf(Process process, String... prefixes) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      for (String prefix : prefixes) {
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }
    throw new IllegalStateException("child ended without " + List.of(prefixes));
  }

  private static String refusal(Path db, long pid) {
    return "cannot open alert store "
        + db
        + ": it is in use by process "
        + pid
        + ", which holds "
        + db
        + ".lock; one file serves one store at a time, or both would deliver its notifications";
  }

  @Test
  void anotherProcess_onAFileThisOneHolds_isRefusedNamingThisPid_evenAfterARefusalHere()
      throws Exception {
    Path db = dir.resolve("alerts.db");
    try (SqliteAlertStore held = SqliteAlertStore.open(db, 10)) {
      // Refused here first: that refusal must not release this process's lock (on POSIX, closing
      // any descriptor of a file drops all of the process's locks on it).
      assertThatThrownBy(() -> SqliteAlertStore.open(db, 10))
          .isInstanceOf(StoreLockedException.class);

      Process other = child("open", db.toString());
      assertThat(lineOf(other, "OPENED", "REFUSED"))
          .isEqualTo("REFUSED " + refusal(db, ProcessHandle.current().pid()));
      assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    Process after = child("open", db.toString());
    assertThat(lineOf(after, "OPENED", "REFUSED")).isEqualTo("OPENED 0");
  }

  @Test
  void holderKilledBySigkill_releasesTheLock_theNextOpensItsOutbox() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort(); // nothing listens: the deliveries stay pending
    }
    Path db = dir.resolve("alerts.db");
    Process holder = child("raise", db.toString(), "http://127.0.0.1:" + port + "/hook", "3");
    lineOf(holder, "READY");

    assertThatThrownBy(() -> SqliteAlertStore.open(db, 10))
        .isInstanceOfSatisfying(
            StoreLockedException.class,
            e -> {
              assertThat(e).hasMessage(refusal(db, holder.pid()));
              assertThat(e.holderPid()).hasValue(holder.pid());
            });

    holder.destroyForcibly(); // SIGKILL: no close(), no shutdown hook
    holder.waitFor();
    try (SqliteAlertStore store = SqliteAlertStore.open(db, 10)) {
      assertThat(store.pending()).hasSize(3);
    }
  }
}
