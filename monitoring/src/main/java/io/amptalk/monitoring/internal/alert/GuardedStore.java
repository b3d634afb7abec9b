package io.amptalk.monitoring.internal.alert;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.alert.store.AlertStore;
import io.amptalk.monitoring.alert.store.StoreStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert system's view of a store that may fail (a full disk, a read-only or removed file): it
 * never throws and, while the process runs, loses nothing. A write the store refuses is kept in
 * memory (bounded like the store) and merged into what is read; before the next write, what was
 * kept is written back, oldest first, and once that succeeds the store is used as before. The first
 * failure of an outage is logged as an error and the recovery once; every failed call is counted
 * through {@code onFailure}.
 */
public final class GuardedStore implements AlertStore {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedStore.class);

  private final AlertStore store;
  private final int outboxBound;
  private final Runnable onFailure;
  private final Object lock = new Object();

  /**
   * Whether anything is kept in memory; read without the lock so that a working store costs one
   * read.
   */
  private volatile boolean backlog;

  /** Whether an outage was logged and its end not yet. */
  private final AtomicBoolean failing = new AtomicBoolean();

  // Kept while the store refuses writes, oldest first, within the bounds of history and of the
  // queues, in count and in bytes; guarded by lock.
  private final BoundedMap<Alert> alerts;
  private final BoundedMap<Delivery> outbox;

  /** Deliveries done while the store failed, whose outbox rows must still go. */
  private final LinkedHashSet<String> delivered = new LinkedHashSet<>();

  private final BoundedMap<DeadLetter> deadLetters;

  /**
   * Guards {@code store}, keeping while it fails at most {@code historyBound} alerts (and as many
   * dead letters) within {@code historyBytes} each, and {@code outboxBound} deliveries within
   * {@code outboxBytes}.
   */
  public GuardedStore(
      AlertStore store,
      int historyBound,
      long historyBytes,
      int outboxBound,
      long outboxBytes,
      Runnable onFailure) {
    this.store = store;
    this.outboxBound = outboxBound;
    this.onFailure = onFailure;
    this.alerts = new BoundedMap<>(historyBound, historyBytes, AlertFootprint::of, false);
    this.outbox = new BoundedMap<>(outboxBound, outboxBytes, AlertFootprint::of, false);
    this.deadLetters = new BoundedMap<>(historyBound, historyBytes, AlertFootprint::of, false);
  }

  @Override
  public void save(Alert alert) {
    write("save", () -> store.save(alert), () -> alerts.put(alert.id(), alert));
  }

  @Override
  public void enqueue(Delivery delivery) {
    write("enqueue", () -> store.enqueue(delivery), () -> outbox.put(delivery.key(), delivery));
  }

  @Override
  public void delivered(String key) {
    write(
        "delivered",
        () -> store.delivered(key),
        () -> {
          // Enqueued while failing: nothing of it reached the store. Otherwise its row must go.
          if (outbox.remove(key) == null) {
            delivered.add(key);
            trim(delivered, outboxBound);
          }
        });
  }

  @Override
  public void deadLetter(Delivery delivery, String error, Instant when) {
    write(
        "deadLetter",
        () -> store.deadLetter(delivery, error, when),
        () -> {
          outbox.remove(delivery.key());
          deadLetters.put(delivery.key(), new DeadLetter(delivery, error, when));
        });
  }

  @Override
  public void clearHistory() {
    synchronized (lock) {
      alerts.clear();
    }
    try {
      store.clearHistory();
    } catch (RuntimeException e) {
      failed("clearHistory", e);
    }
  }

  @Override
  public List<Alert> history(AlertQuery query) {
    List<Alert> stored = read("history", () -> store.history(query));
    if (!backlog) {
      return stored;
    }
    synchronized (lock) {
      // Kept alerts are newer than the stored ones, except updates (a repeat, a resolution) of a
      // stored alert, which replace it in place.
      Set<String> storedIds = new HashSet<>();
      stored.forEach(alert -> storedIds.add(alert.id()));
      List<Alert> merged = new ArrayList<>();
      List<Alert> kept = new ArrayList<>(alerts.values());
      Collections.reverse(kept);
      for (Alert alert : kept) {
        if (!storedIds.contains(alert.id()) && query.matches(alert)) {
          merged.add(alert);
        }
      }
      for (Alert alert : stored) {
        Alert newer = alerts.get(alert.id());
        if (newer == null) {
          merged.add(alert);
        } else if (query.matches(newer)) {
          merged.add(newer);
        }
      }
      return List.copyOf(merged.subList(0, Math.min(query.limit(), merged.size())));
    }
  }

  @Override
  public List<Delivery> pending() {
    List<Delivery> stored = read("pending", store::pending);
    if (!backlog) {
      return stored;
    }
    synchronized (lock) {
      Map<String, Delivery> merged = new LinkedHashMap<>();
      stored.forEach(d -> merged.put(d.key(), d));
      delivered.forEach(merged::remove);
      outbox.entries().forEach(e -> merged.putIfAbsent(e.getKey(), e.getValue()));
      return List.copyOf(merged.values());
    }
  }

  @Override
  public List<DeadLetter> deadLetters() {
    List<DeadLetter> stored = read("deadLetters", store::deadLetters);
    if (!backlog) {
      return stored;
    }
    synchronized (lock) {
      Map<String, DeadLetter> merged = new LinkedHashMap<>();
      stored.forEach(d -> merged.put(d.delivery().key(), d));
      deadLetters.entries().forEach(e -> merged.put(e.getKey(), e.getValue()));
      List<DeadLetter> ordered = new ArrayList<>(merged.values());
      ordered.sort(Comparator.comparing(DeadLetter::time).thenComparing(d -> d.delivery().key()));
      return List.copyOf(ordered);
    }
  }

  /** The value kept under {@code key}; empty, and counted, when the store fails to read it. */
  @Override
  public Optional<byte[]> state(String key) {
    try {
      return store.state(key);
    } catch (RuntimeException e) {
      failed("state", e);
      return Optional.empty();
    }
  }

  /**
   * Keeps {@code value}; a failure is counted and the value not kept in memory: its owner saves it
   * again, whole, at its next save.
   */
  @Override
  public void saveState(String key, byte[] value) {
    try {
      store.saveState(key, value);
    } catch (RuntimeException e) {
      failed("saveState", e);
    }
  }

  /** Alerts kept in memory while the store failed and forgotten to stay within the bounds. */
  public long evictedAlerts(BoundedMap.Reason reason) {
    synchronized (lock) {
      return alerts.evicted(reason);
    }
  }

  /** Dead letters kept in memory while the store failed and forgotten past the bounds. */
  public long evictedDeadLetters(BoundedMap.Reason reason) {
    synchronized (lock) {
      return deadLetters.evicted(reason);
    }
  }

  /** How many alerts, notifications and dead letters wait in memory to be written. */
  public int kept() {
    synchronized (lock) {
      return alerts.size() + outbox.size() + delivered.size() + deadLetters.size();
    }
  }

  /** Writes back what it can, then closes the store; what is still kept is lost, and logged. */
  @Override
  public void close() {
    synchronized (lock) {
      if (backlog && !writeBack()) {
        LOG.error(
            "The alert store {} still fails at close: {} alerts, notifications and dead letters"
                + " kept in memory are lost",
            store,
            kept());
      }
    }
    store.close();
  }

  @Override
  public StoreStatus status() {
    return store.status();
  }

  @Override
  public String toString() {
    return store.toString();
  }

  // ---------------------------------------------------------------- internals

  private void write(String operation, Runnable call, Runnable keep) {
    if (!backlog) {
      try {
        call.run();
        return;
      } catch (RuntimeException e) {
        synchronized (lock) {
          keep.run();
          backlog = true;
        }
        failed(operation, e);
        return;
      }
    }
    synchronized (lock) {
      // Written in order: what was kept goes first, so history keeps the order alerts came in.
      if (backlog && !writeBack()) {
        keep.run();
        return;
      }
      try {
        call.run();
      } catch (RuntimeException e) {
        keep.run();
        backlog = true;
        failed(operation, e);
      }
    }
  }

  /** Writes back what was kept, oldest first; true when all of it was written. Under the lock. */
  private boolean writeBack() {
    int written = 0;
    try {
      for (Iterator<Alert> it = alerts.drain(); it.hasNext(); written++) {
        store.save(it.next());
        it.remove();
      }
      for (Iterator<Delivery> it = outbox.drain(); it.hasNext(); written++) {
        store.enqueue(it.next());
        it.remove();
      }
      for (Iterator<String> it = delivered.iterator(); it.hasNext(); written++) {
        store.delivered(it.next());
        it.remove();
      }
      for (Iterator<DeadLetter> it = deadLetters.drain(); it.hasNext(); written++) {
        DeadLetter letter = it.next();
        store.deadLetter(letter.delivery(), letter.error(), letter.time());
        it.remove();
      }
    } catch (RuntimeException e) {
      onFailure.run(); // the outage goes on: counted, already logged
      return false;
    }
    backlog = false;
    failing.set(false);
    LOG.info(
        "The alert store {} works again; wrote back the {} alerts, notifications and dead"
            + " letters kept in memory meanwhile",
        store,
        written);
    return true;
  }

  private <T> List<T> read(String operation, Supplier<List<T>> call) {
    try {
      List<T> result = call.get();
      if (!backlog && failing.compareAndSet(true, false)) {
        LOG.info("The alert store {} works again", store);
      }
      return result;
    } catch (RuntimeException e) {
      failed(operation, e);
      return List.of();
    }
  }

  private void failed(String operation, RuntimeException e) {
    onFailure.run();
    if (failing.compareAndSet(false, true)) {
      // Once per outage, not per alert: a storm would otherwise drown the log.
      LOG.error(
          "The alert store {} failed to {}; alerts go on from memory and are written back when it"
              + " works again",
          store,
          operation,
          e);
    }
  }

  private static void trim(Set<String> keys, int bound) {
    Iterator<String> oldest = keys.iterator();
    while (keys.size() > bound) {
      oldest.next();
      oldest.remove();
    }
  }
}
