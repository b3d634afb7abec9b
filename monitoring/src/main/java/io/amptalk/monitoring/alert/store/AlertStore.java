package io.amptalk.monitoring.alert.store;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an alert system keeps its history and its outbox of notifications not yet delivered. The
 * in-memory store is the default; a durable store keeps both across restarts, so what was not
 * delivered before a crash is delivered after it (at least once: receivers deduplicate by the
 * delivery's key). Implementations are thread-safe.
 */
public interface AlertStore extends AutoCloseable {

  /**
   * Adds an alert to history, or replaces the one with its id; forgets the oldest past the bound.
   */
  void save(Alert alert);

  /** History matching the query, newest first. */
  List<Alert> history(AlertQuery query);

  /** Forgets all history (not the outbox). */
  void clearHistory();

  /** Records a notification to make; it stays pending until delivered or dead-lettered. */
  void enqueue(Delivery delivery);

  /** The notification was delivered: forget it. */
  void delivered(String key);

  /** The notification will not be delivered: keep it among the dead letters. */
  void deadLetter(Delivery delivery, String error, Instant when);

  /** Notifications enqueued and neither delivered nor dead-lettered, oldest first. */
  List<Delivery> pending();

  /** Notifications given up on, oldest first. */
  List<DeadLetter> deadLetters();

  @Override
  void close();

  /**
   * What the store found wrong with where it keeps its data; {@link StoreStatus#OK} for a store
   * that cannot be damaged (the in-memory one, and by default).
   */
  default StoreStatus status() {
    return StoreStatus.OK;
  }

  /**
   * The value kept under {@code key} by {@link #saveState}, for a part of the monitoring that keeps
   * a little state across restarts (the service level objectives keep their counts under {@code
   * slo/<name>}); empty when none is kept, always for a store that keeps nothing across restarts.
   */
  default Optional<byte[]> state(String key) {
    return Optional.empty();
  }

  /**
   * Keeps {@code value} under {@code key}, replacing what was; a store that keeps nothing across
   * restarts (the default) drops it.
   */
  default void saveState(String key, byte[] value) {}

  /**
   * One notification of one alert to one notifier.
   *
   * @param key the idempotency key {@code id/notifier/state/occurrences}: a re-delivery keeps it, a
   *     reminder or a resolution gets a new one
   * @param notifier the notifier's name
   * @param alert the alert as it was when enqueued
   */
  record Delivery(String key, String notifier, Alert alert) {
    /**
     * Checks that every component is given.
     *
     * @throws NullPointerException when a component is null
     */
    public Delivery {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(notifier, "notifier");
      Objects.requireNonNull(alert, "alert");
    }

    /**
     * The delivery of {@code alert}, in its current state, to {@code notifier}, keyed {@code
     * id/notifier/state/occurrences} with the state {@code firing} or {@code resolved}.
     */
    public static Delivery of(String notifier, Alert alert) {
      return new Delivery(
          alert.id()
              + "/"
              + notifier
              + "/"
              + (alert.isFiring() ? "firing" : "resolved")
              + "/"
              + alert.occurrences(),
          notifier,
          alert);
    }
  }

  /**
   * A notification given up on, with the last error.
   *
   * @param delivery the notification given up on
   * @param error why the last attempt failed
   * @param time when it was given up on
   */
  record DeadLetter(Delivery delivery, String error, Instant time) {
    /**
     * Checks that every component is given.
     *
     * @throws NullPointerException when a component is null
     */
    public DeadLetter {
      Objects.requireNonNull(delivery, "delivery");
      Objects.requireNonNull(error, "error");
      Objects.requireNonNull(time, "time");
    }
  }
}
