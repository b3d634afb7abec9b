package io.amptalk.monitoring.alert.store;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.internal.alert.AlertFootprint;
import io.amptalk.monitoring.internal.alert.BoundedMap;
import io.amptalk.monitoring.internal.alert.BoundedMap.Reason;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The default store: history, the outbox and dead letters in memory, lost with the process. History
 * and dead letters are each bounded by a count and by an estimated size in bytes (strings at two
 * bytes a character plus fixed overheads), forgetting the oldest first; what they forget is counted
 * in {@link #evictions()}. The outbox holds only what the alert system's queues hold, which are
 * bounded themselves.
 */
public final class InMemoryAlertStore implements AlertStore {
  /**
   * The default byte budget of history, and separately of dead letters: 16 MiB. A thousand alerts
   * of a few kilobytes (the default count) fit within it; it binds only when alerts carry large
   * details, and then still keeps over a hundred of the largest (about 140 KiB each).
   */
  public static final long DEFAULT_MAX_HISTORY_BYTES = 16L * 1024 * 1024;

  private final Object lock = new Object();

  /** By id, in insertion order: the oldest first, so the bounds drop from the front. */
  private final BoundedMap<Alert> history;

  private final LinkedHashMap<String, Delivery> outbox = new LinkedHashMap<>();
  private final BoundedMap<DeadLetter> deadLetters;

  /**
   * What history and dead letters forgot to stay within their bounds, since the store was made.
   *
   * @param historyByCount alerts forgotten past the count
   * @param historyByBytes alerts forgotten past the byte budget
   * @param deadLettersByCount dead letters forgotten past the count
   * @param deadLettersByBytes dead letters forgotten past the byte budget
   */
  public record Evictions(
      long historyByCount, long historyByBytes, long deadLettersByCount, long deadLettersByBytes) {}

  /**
   * An empty store that keeps at most {@code maxHistorySize} alerts (and as many dead letters)
   * within {@link #DEFAULT_MAX_HISTORY_BYTES}, forgetting the oldest first.
   *
   * @param maxHistorySize the bound; not checked here: 0 keeps no history, and a negative bound
   *     keeps nothing either
   */
  public InMemoryAlertStore(int maxHistorySize) {
    this(maxHistorySize, DEFAULT_MAX_HISTORY_BYTES);
  }

  /**
   * An empty store that keeps at most {@code maxHistorySize} alerts taking at most {@code
   * maxHistoryBytes} (estimated), and as many dead letters within as many bytes, forgetting the
   * oldest first. The newest alert is kept even if it alone is larger than the budget.
   *
   * @throws IllegalArgumentException when {@code maxHistoryBytes} is not positive
   */
  public InMemoryAlertStore(int maxHistorySize, long maxHistoryBytes) {
    if (maxHistoryBytes <= 0) {
      throw new IllegalArgumentException(
          "maxHistoryBytes must be positive, was " + maxHistoryBytes);
    }
    this.history = new BoundedMap<>(maxHistorySize, maxHistoryBytes, AlertFootprint::of, false);
    this.deadLetters = new BoundedMap<>(maxHistorySize, maxHistoryBytes, AlertFootprint::of, false);
  }

  @Override
  public void save(Alert alert) {
    synchronized (lock) {
      history.put(alert.id(), alert); // replacing keeps the original position
    }
  }

  @Override
  public List<Alert> history(AlertQuery query) {
    synchronized (lock) {
      List<Alert> all = history.values();
      List<Alert> result = new ArrayList<>(Math.min(query.limit(), all.size()));
      for (int i = all.size() - 1; i >= 0 && result.size() < query.limit(); i--) {
        if (query.matches(all.get(i))) {
          result.add(all.get(i));
        }
      }
      return List.copyOf(result);
    }
  }

  @Override
  public void clearHistory() {
    synchronized (lock) {
      history.clear();
    }
  }

  @Override
  public void enqueue(Delivery delivery) {
    synchronized (lock) {
      outbox.putIfAbsent(delivery.key(), delivery);
    }
  }

  @Override
  public void delivered(String key) {
    synchronized (lock) {
      outbox.remove(key);
    }
  }

  @Override
  public void deadLetter(Delivery delivery, String error, Instant when) {
    synchronized (lock) {
      outbox.remove(delivery.key());
      // Bounded like history: the oldest dead letters go first (counted in evictions()).
      deadLetters.put(delivery.key(), new DeadLetter(delivery, error, when));
    }
  }

  @Override
  public List<Delivery> pending() {
    synchronized (lock) {
      return List.copyOf(outbox.values());
    }
  }

  @Override
  public List<DeadLetter> deadLetters() {
    synchronized (lock) {
      List<DeadLetter> ordered = new ArrayList<>(deadLetters.values());
      ordered.sort(BY_TIME_THEN_KEY);
      return List.copyOf(ordered);
    }
  }

  /** What history and dead letters forgot to stay within their bounds. */
  public Evictions evictions() {
    synchronized (lock) {
      return new Evictions(
          history.evicted(Reason.COUNT),
          history.evicted(Reason.BYTES),
          deadLetters.evicted(Reason.COUNT),
          deadLetters.evicted(Reason.BYTES));
    }
  }

  /** The estimated size of the history kept, in bytes. */
  public long historyBytes() {
    synchronized (lock) {
      return history.bytes();
    }
  }

  private static final Comparator<DeadLetter> BY_TIME_THEN_KEY =
      Comparator.comparing(DeadLetter::time).thenComparing(d -> d.delivery().key());

  @Override
  public void close() {}
}
