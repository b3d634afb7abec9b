package io.amptalk.monitoring.alert.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * What a store found wrong with its file, for the operator: {@code /api/system} shows it, and the
 * {@code alert_store_recoveries_total} metric counts the recoveries.
 *
 * @param state {@link State#OK}, {@link State#RECOVERED} (damage found at open, the file kept
 *     aside) or {@link State#DAMAGED} (damage found while open: what was written since is served
 *     from memory)
 * @param damagedFile where the damaged file was kept, when it was; else null
 * @param problem what was wrong, as the log said it; null when {@code OK}
 * @param time when it was found; null when {@code OK}
 */
public record StoreStatus(State state, Path damagedFile, String problem, Instant time) {
  /** Nothing wrong was found. */
  public static final StoreStatus OK = new StoreStatus(State.OK, null, null, null);

  /** The states of a store's file. */
  public enum State {
    /** Nothing wrong was found. */
    OK,
    /** Damage was found at open; the damaged file was kept aside and the store goes on. */
    RECOVERED,
    /** Damage was found while the store was open; restart to recover it. */
    DAMAGED;

    /** The state as JSON names it: {@code ok}, {@code recovered}, {@code damaged}. */
    public String jsonName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * Checks that the components fit the state.
   *
   * @throws NullPointerException when {@code state} is null, or {@code problem} or {@code time} is
   *     for a state other than {@code OK}
   */
  public StoreStatus {
    Objects.requireNonNull(state, "state");
    if (state != State.OK) {
      Objects.requireNonNull(problem, "problem");
      Objects.requireNonNull(time, "time");
    }
  }

  /** Damage found at open, the damaged file kept as {@code damagedFile}. */
  public static StoreStatus recovered(Path damagedFile, String problem, Instant time) {
    return new StoreStatus(
        State.RECOVERED, Objects.requireNonNull(damagedFile, "damagedFile"), problem, time);
  }
}
