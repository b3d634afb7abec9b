package io.amptalk.monitoring.alert.store;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/** For tests in other packages: the SQLite store's package-private seams. */
public final class StoreTestHooks {
  private StoreTestHooks() {}

  /** Opens a store whose retry timing reads {@code nanoTime}. */
  public static SqliteAlertStore open(Path file, int maxHistorySize, LongSupplier nanoTime) {
    return SqliteAlertStore.open(file, maxHistorySize, nanoTime);
  }

  /** Runs {@code PRAGMA <pragma>} on the store's connection; returns its value, if any. */
  public static long pragma(SqliteAlertStore store, String pragma) {
    return store.pragma(pragma);
  }
}
