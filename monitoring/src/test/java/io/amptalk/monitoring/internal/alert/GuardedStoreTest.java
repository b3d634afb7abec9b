package io.amptalk.monitoring.internal.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertTestHooks;
import io.amptalk.monitoring.alert.store.AlertStore;
import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import io.amptalk.monitoring.alert.store.AlertStoreContract;
import io.amptalk.monitoring.alert.store.InMemoryAlertStore;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The guard keeps the store contract over a working store; over a failing one it keeps what the
 * store refused, merges it into what is read, and writes it back in order once the store works.
 */
class GuardedStoreTest extends AlertStoreContract {
  private final AtomicInteger failures = new AtomicInteger();

  @Override
  protected AlertStore newStore(int maxHistorySize) {
    return new GuardedStore(
        new InMemoryAlertStore(maxHistorySize),
        maxHistorySize,
        Long.MAX_VALUE,
        100,
        Long.MAX_VALUE,
        failures::incrementAndGet);
  }

  /** An in-memory store whose writes, or reads, fail while told to. */
  private static final class Flaky implements AlertStore {
    final InMemoryAlertStore store = new InMemoryAlertStore(100);
    volatile boolean writesFail;
    volatile boolean readsFail;

    private void write(Runnable call) {
      if (writesFail) {
        throw new IllegalStateException("disk full");
      }
      call.run();
    }

    private <T> T read(java.util.function.Supplier<T> call) {
      if (readsFail) {
        throw new IllegalStateException("file gone");
      }
      return call.get();
    }

    @Override
    public void save(Alert alert) {
      write(() -> store.save(alert));
    }

    @Override
    public List<Alert> history(AlertQuery query) {
      return read(() -> store.history(query));
    }

    @Override
    public void clearHistory() {
      write(store::clearHistory);
    }

    @Override
    public void enqueue(Delivery delivery) {
      write(() -> store.enqueue(delivery));
    }

    @Override
    public void delivered(String key) {
      write(() -> store.delivered(key));
    }

    @Override
    public void deadLetter(Delivery delivery, String error, Instant when) {
      write(() -> store.deadLetter(delivery, error, when));
    }

    @Override
    public List<Delivery> pending() {
      return read(store::pending);
    }

    @Override
    public List<DeadLetter> deadLetters() {
      return read(store::deadLetters);
    }

    @Override
    public void close() {}
  }

  @Test
  void history_whileWritesFail_showsKeptAlertsNewestFirst_updatesInPlace_filteredAndLimited() {
    Flaky flaky = new Flaky();
    GuardedStore guarded =
        new GuardedStore(
            flaky, 100, Long.MAX_VALUE, 100, Long.MAX_VALUE, failures::incrementAndGet);
    Alert a1 = alert("a1");
    guarded.save(a1);
    guarded.save(alert("a2"));

    flaky.writesFail = true;
    guarded.save(alert("a3"));
    Alert repeated = AlertTestHooks.repeated(a1, T0.plusSeconds(30));
    guarded.save(repeated);
    guarded.save(alert("a4", AlertSeverity.CRITICAL, "other", T0));

    assertThat(guarded.history(all()))
        .containsExactly(
            alert("a4", AlertSeverity.CRITICAL, "other", T0), alert("a3"), alert("a2"), repeated);
    assertThat(ids(guarded.history(new AlertQuery(10, null, "other", null, null))))
        .containsExactly("a4");
    assertThat(ids(guarded.history(new AlertQuery(2, null, null, null, null))))
        .containsExactly("a4", "a3");
    assertThat(ids(flaky.store.history(all()))).containsExactly("a2", "a1");
    assertThat(failures).hasValue(3);

    flaky.writesFail = false;
    guarded.save(alert("a5"));

    // Written back in the order they came, the repeat in its alert's place, as the store keeps it.
    assertThat(flaky.store.history(all()))
        .containsExactly(
            alert("a5"),
            alert("a4", AlertSeverity.CRITICAL, "other", T0),
            alert("a3"),
            alert("a2"),
            repeated);
    assertThat(guarded.kept()).isZero();
    assertThat(failures).hasValue(3);
  }

  @Test
  void readsFailingToo_showWhatIsKept_andEachFailureIsCounted() {
    Flaky flaky = new Flaky();
    GuardedStore guarded =
        new GuardedStore(
            flaky, 100, Long.MAX_VALUE, 100, Long.MAX_VALUE, failures::incrementAndGet);
    flaky.writesFail = true;
    flaky.readsFail = true;
    Delivery delivery = Delivery.of("webhook", alert("a"));

    guarded.save(alert("a"));
    guarded.enqueue(delivery);
    guarded.deadLetter(delivery, "webhook answered 400", T0);

    assertThat(guarded.history(all())).containsExactly(alert("a"));
    assertThat(guarded.pending()).isEmpty();
    assertThat(guarded.deadLetters())
        .containsExactly(new DeadLetter(delivery, "webhook answered 400", T0));
    assertThat(failures).hasValue(6);
  }

  @Test
  void keptAlerts_areBoundedLikeTheStore_oldestForgotten() {
    Flaky flaky = new Flaky();
    GuardedStore guarded =
        new GuardedStore(flaky, 3, Long.MAX_VALUE, 100, Long.MAX_VALUE, failures::incrementAndGet);
    flaky.writesFail = true;
    for (int i = 1; i <= 5; i++) {
      guarded.save(alert("a" + i));
    }

    assertThat(ids(guarded.history(all()))).containsExactly("a5", "a4", "a3");
    assertThat(guarded.kept()).isEqualTo(3);
  }
}
