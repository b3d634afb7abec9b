package io.amptalk.monitoring.internal.alert;

import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.store.AlertStore;
import java.util.Objects;
import java.util.function.Function;

/**
 * How the monitoring reaches an alert system's store, guarded, for the state its other parts keep
 * across restarts (the objectives' counts), without a public accessor that would let callers write
 * past the alert system: installed by {@code AlertSystem} when it is loaded (the JDK's "shared
 * secrets" way between packages).
 */
public final class AlertSystemStore {
  private static volatile Function<AlertSystem, AlertStore> lookup;

  private AlertSystemStore() {}

  /** For {@code AlertSystem}: how its store is found; once. */
  public static void install(Function<AlertSystem, AlertStore> store) {
    if (lookup != null) {
      throw new IllegalStateException("the store's lookup is already installed");
    }
    lookup = Objects.requireNonNull(store, "store");
  }

  /** The store of {@code alerts}, which never throws (its failures are counted). */
  public static AlertStore of(AlertSystem alerts) {
    Objects.requireNonNull(alerts, "alerts");
    return lookup.apply(alerts); // installed: AlertSystem is loaded, given an instance
  }
}
