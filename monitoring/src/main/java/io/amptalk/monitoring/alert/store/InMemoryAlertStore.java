package io.amptalk.monitoring.alert.store;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The default store: bounded history and the outbox in memory, lost with the process. */
public final class InMemoryAlertStore implements AlertStore {
  private final int maxHistorySize;
  private final Object lock = new Object();

  /** By id, in insertion order: the oldest first, so the bound drops from the front. */
  private final LinkedHashMap<String, Alert> history = new LinkedHashMap<>();

  private final LinkedHashMap<String, Delivery> outbox = new LinkedHashMap<>();
  private final LinkedHashMap<String, DeadLetter> deadLetters = new LinkedHashMap<>();

  /**
   * An empty store that keeps at most {@code maxHistorySize} alerts, forgetting the oldest first.
   *
   * @param maxHistorySize the bound; not checked here: 0 keeps no history, and a negative bound
   *     makes {@link #save} throw
   */
  public InMemoryAlertStore(int maxHistorySize) {
    this.maxHistorySize = maxHistorySize;
  }

  @Override
  public void save(Alert alert) {
    synchronized (lock) {
      history.put(alert.id(), alert); // replacing keeps the original position
      Iterator<Map.Entry<String, Alert>> oldest = history.entrySet().iterator();
      while (history.size() > maxHistorySize) {
        oldest.next();
        oldest.remove();
      }
    }
  }

  @Override
  public List<Alert> history(AlertQuery query) {
    synchronized (lock) {
      List<Alert> all = new ArrayList<>(history.values());
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
      deadLetters.put(delivery.key(), new DeadLetter(delivery, error, when));
      // Bounded like history: the oldest dead letters go first (they are counted in metrics).
      Iterator<Map.Entry<String, DeadLetter>> oldest = deadLetters.entrySet().iterator();
      while (deadLetters.size() > maxHistorySize) {
        oldest.next();
        oldest.remove();
      }
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

  private static final java.util.Comparator<DeadLetter> BY_TIME_THEN_KEY =
      java.util.Comparator.comparing(DeadLetter::time).thenComparing(d -> d.delivery().key());

  @Override
  public void close() {}
}
