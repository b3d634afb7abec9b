package io.amptalk.monitoring.alert.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AlertStore} does. An implementation's test extends this class and says how to
 * make a fresh store; the stores it makes are closed after each test.
 */
public abstract class AlertStoreContract {
  public static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  private final List<AlertStore> opened = new ArrayList<>();

  /** A fresh, empty store keeping at most {@code maxHistorySize} alerts in history. */
  protected abstract AlertStore newStore(int maxHistorySize);

  private AlertStore store(int maxHistorySize) {
    AlertStore store = newStore(maxHistorySize);
    opened.add(store);
    return store;
  }

  @AfterEach
  public void closeStores() {
    opened.forEach(AlertStore::close);
  }

  public static Alert alert(String id, AlertSeverity severity, String source, Instant time) {
    return new Alert(
        id,
        "title " + id,
        "message " + id,
        severity,
        source,
        "svc",
        time,
        Map.of("n", 1),
        "fp-" + id,
        Alert.State.FIRING,
        1,
        time,
        false,
        List.of());
  }

  public static Alert alert(String id) {
    return alert(id, AlertSeverity.WARNING, "src", T0);
  }

  public static List<String> ids(List<Alert> alerts) {
    return alerts.stream().map(Alert::id).toList();
  }

  public static AlertQuery all() {
    return new AlertQuery(Integer.MAX_VALUE, null, null, null, null);
  }

  public static List<String> keys(List<Delivery> deliveries) {
    return deliveries.stream().map(Delivery::key).toList();
  }

  @Test
  public void history_whenEmpty_isEmpty() {
    AlertStore store = store(10);

    assertThat(store.history(all())).isEmpty();
    assertThat(store.pending()).isEmpty();
    assertThat(store.deadLetters()).isEmpty();
  }

  @Test
  public void save_thenHistory_returnsEqualAlertsNewestFirst() {
    AlertStore store = store(10);
    Alert a = alert("a");
    Alert b = alert("b");
    Alert c = alert("c");

    store.save(a);
    store.save(b);
    store.save(c);

    assertThat(store.history(all())).containsExactly(c, b, a);
  }

  @Test
  public void save_sameId_replacesInPlaceWithNewContent() {
    AlertStore store = store(10);
    store.save(alert("a"));
    store.save(alert("b"));
    store.save(alert("c"));
    Alert replaced = alert("b", AlertSeverity.CRITICAL, "other", T0.plusSeconds(60));

    store.save(replaced);

    assertThat(store.history(all())).containsExactly(alert("c"), replaced, alert("a"));
    // The filters see the new values, not the old ones.
    assertThat(store.history(new AlertQuery(10, AlertSeverity.CRITICAL, null, null, null)))
        .containsExactly(replaced);
    assertThat(ids(store.history(new AlertQuery(10, null, "src", null, null))))
        .containsExactly("c", "a");
  }

  @Test
  public void save_pastBound_keepsTheNewest() {
    AlertStore store = store(3);

    for (String id : List.of("1", "2", "3", "4", "5")) {
      store.save(alert(id));
    }

    assertThat(ids(store.history(all()))).containsExactly("5", "4", "3");
  }

  @Test
  public void save_replaceWhenFull_forgetsNothing() {
    AlertStore store = store(3);
    store.save(alert("1"));
    store.save(alert("2"));
    store.save(alert("3"));

    store.save(alert("1", AlertSeverity.ERROR, "src", T0));

    assertThat(ids(store.history(all()))).containsExactly("3", "2", "1");
  }

  @Test
  public void save_forgottenIdAgain_isNewest() {
    AlertStore store = store(2);
    store.save(alert("1"));
    store.save(alert("2"));
    store.save(alert("3"));

    store.save(alert("1"));

    assertThat(ids(store.history(all()))).containsExactly("1", "3");
  }

  @Test
  public void history_limit_returnsTheNewestN() {
    AlertStore store = store(10);
    for (String id : List.of("1", "2", "3", "4")) {
      store.save(alert(id));
    }

    assertThat(ids(store.history(new AlertQuery(2, null, null, null, null))))
        .containsExactly("4", "3");
    assertThat(store.history(new AlertQuery(0, null, null, null, null))).isEmpty();
  }

  @Test
  public void history_minSeverity_keepsThatSeverityOrWorse() {
    AlertStore store = store(10);
    store.save(alert("info", AlertSeverity.INFO, "src", T0));
    store.save(alert("warning", AlertSeverity.WARNING, "src", T0));
    store.save(alert("error", AlertSeverity.ERROR, "src", T0));
    store.save(alert("critical", AlertSeverity.CRITICAL, "src", T0));

    assertThat(ids(store.history(new AlertQuery(10, AlertSeverity.INFO, null, null, null))))
        .containsExactly("critical", "error", "warning", "info");
    assertThat(ids(store.history(new AlertQuery(10, AlertSeverity.WARNING, null, null, null))))
        .containsExactly("critical", "error", "warning");
    assertThat(ids(store.history(new AlertQuery(10, AlertSeverity.ERROR, null, null, null))))
        .containsExactly("critical", "error");
    assertThat(ids(store.history(new AlertQuery(10, AlertSeverity.CRITICAL, null, null, null))))
        .containsExactly("critical");
  }

  @Test
  public void history_source_keepsThatSourceOnly() {
    AlertStore store = store(10);
    store.save(alert("1", AlertSeverity.INFO, "database", T0));
    store.save(alert("2", AlertSeverity.INFO, "api", T0));
    store.save(alert("3", AlertSeverity.INFO, "database", T0));

    assertThat(ids(store.history(new AlertQuery(10, null, "database", null, null))))
        .containsExactly("3", "1");
    assertThat(ids(store.history(new AlertQuery(10, null, "api", null, null))))
        .containsExactly("2");
    assertThat(store.history(new AlertQuery(10, null, "Database", null, null))).isEmpty();
    assertThat(store.history(new AlertQuery(10, null, "", null, null))).isEmpty();
  }

  @Test
  public void history_fromInclusiveToExclusive_toTheNanosecond() {
    AlertStore store = store(10);
    Instant at = T0.plusNanos(1_500_001);
    store.save(alert("before", AlertSeverity.INFO, "src", at.minusNanos(1)));
    store.save(alert("at", AlertSeverity.INFO, "src", at));
    store.save(alert("after", AlertSeverity.INFO, "src", at.plusNanos(1)));

    assertThat(ids(store.history(new AlertQuery(10, null, null, at, null))))
        .containsExactly("after", "at");
    assertThat(ids(store.history(new AlertQuery(10, null, null, null, at))))
        .containsExactly("before");
    assertThat(ids(store.history(new AlertQuery(10, null, null, at, at.plusNanos(1)))))
        .containsExactly("at");
    assertThat(store.history(new AlertQuery(10, null, null, at, at))).isEmpty();
  }

  @Test
  public void history_timeRange_isByTimeRaisedNotOrderSaved() {
    AlertStore store = store(10);
    store.save(alert("late", AlertSeverity.INFO, "src", T0.plusSeconds(100)));
    store.save(alert("early", AlertSeverity.INFO, "src", T0));

    assertThat(ids(store.history(new AlertQuery(10, null, null, T0.plusSeconds(50), null))))
        .containsExactly("late");
    assertThat(ids(store.history(all()))).containsExactly("early", "late");
  }

  @Test
  public void history_allFilters_applyTogetherThenTheLimit() {
    AlertStore store = store(20);
    store.save(alert("old", AlertSeverity.ERROR, "db", T0));
    store.save(alert("match1", AlertSeverity.ERROR, "db", T0.plusSeconds(10)));
    store.save(alert("low", AlertSeverity.INFO, "db", T0.plusSeconds(11)));
    store.save(alert("match2", AlertSeverity.CRITICAL, "db", T0.plusSeconds(12)));
    store.save(alert("other", AlertSeverity.CRITICAL, "api", T0.plusSeconds(13)));
    store.save(alert("match3", AlertSeverity.ERROR, "db", T0.plusSeconds(14)));
    store.save(alert("late", AlertSeverity.ERROR, "db", T0.plusSeconds(20)));

    AlertQuery query =
        new AlertQuery(2, AlertSeverity.ERROR, "db", T0.plusSeconds(10), T0.plusSeconds(20));

    assertThat(ids(store.history(query))).containsExactly("match3", "match2");
  }

  @Test
  public void history_nullFilters_matchEverything() {
    AlertStore store = store(10);
    store.save(alert("1", AlertSeverity.INFO, "a", Instant.EPOCH));
    store.save(alert("2", AlertSeverity.CRITICAL, "b", T0.plusSeconds(1_000_000_000)));

    assertThat(ids(store.history(new AlertQuery(10, null, null, null, null))))
        .containsExactly("2", "1");
  }

  @Test
  public void clearHistory_forgetsHistoryButNotTheOutbox() {
    AlertStore store = store(10);
    store.save(alert("a"));
    store.save(alert("b"));
    Delivery pending = Delivery.of("webhook", alert("a"));
    Delivery dead = Delivery.of("email", alert("a"));
    store.enqueue(pending);
    store.deadLetter(dead, "refused", T0);

    store.clearHistory();

    assertThat(store.history(all())).isEmpty();
    assertThat(store.pending()).containsExactly(pending);
    assertThat(store.deadLetters()).containsExactly(new DeadLetter(dead, "refused", T0));
    store.save(alert("c"));
    store.save(alert("a"));
    assertThat(ids(store.history(all()))).containsExactly("a", "c");
  }

  @Test
  public void enqueue_thenPending_oldestFirst() {
    AlertStore store = store(10);
    Delivery first = Delivery.of("webhook", alert("b"));
    Delivery second = Delivery.of("email", alert("a"));
    Delivery third = Delivery.of("email", alert("c"));

    store.enqueue(first);
    store.enqueue(second);
    store.enqueue(third);

    assertThat(store.pending()).containsExactly(first, second, third);
  }

  @Test
  public void enqueue_sameKeyTwice_keepsTheFirstOnce() {
    AlertStore store = store(10);
    Delivery first = Delivery.of("webhook", alert("a"));
    Delivery other = Delivery.of("webhook", alert("b"));
    Delivery sameKey =
        new Delivery(first.key(), "webhook", alert("a", AlertSeverity.CRITICAL, "src", T0));

    store.enqueue(first);
    store.enqueue(other);
    store.enqueue(sameKey);

    assertThat(store.pending()).containsExactly(first, other);
  }

  @Test
  public void enqueue_doesNotTouchHistory() {
    AlertStore store = store(10);

    store.enqueue(Delivery.of("webhook", alert("a")));

    assertThat(store.history(all())).isEmpty();
  }

  @Test
  public void delivered_removesOnlyThatKey() {
    AlertStore store = store(10);
    Delivery a = Delivery.of("webhook", alert("a"));
    Delivery b = Delivery.of("webhook", alert("b"));
    Delivery c = Delivery.of("email", alert("a"));
    store.enqueue(a);
    store.enqueue(b);
    store.enqueue(c);

    store.delivered(b.key());
    assertThat(store.pending()).containsExactly(a, c);

    store.delivered("no such key");
    store.delivered(b.key());
    assertThat(store.pending()).containsExactly(a, c);

    store.delivered(a.key());
    store.delivered(c.key());
    assertThat(store.pending()).isEmpty();
    assertThat(store.deadLetters()).isEmpty();
  }

  @Test
  public void deadLetter_movesFromPendingWithErrorAndTime() {
    AlertStore store = store(10);
    Delivery a = Delivery.of("webhook", alert("a"));
    Delivery b = Delivery.of("webhook", alert("b"));
    store.enqueue(a);
    store.enqueue(b);
    Instant when = T0.plusMillis(1234).plusNanos(5678);

    store.deadLetter(a, "HTTP 500 after 5 attempts", when);

    assertThat(store.pending()).containsExactly(b);
    assertThat(store.deadLetters())
        .containsExactly(new DeadLetter(a, "HTTP 500 after 5 attempts", when));

    store.deadLetter(b, "connection refused", when.plusSeconds(1));

    assertThat(store.pending()).isEmpty();
    assertThat(store.deadLetters())
        .containsExactly(
            new DeadLetter(a, "HTTP 500 after 5 attempts", when),
            new DeadLetter(b, "connection refused", when.plusSeconds(1)));
  }

  @Test
  public void deadLetters_areBoundedLikeHistory_oldestGoFirst() {
    AlertStore store = store(3);
    List<Delivery> deliveries = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Delivery delivery = Delivery.of("webhook", alert("d" + i));
      deliveries.add(delivery);
      store.deadLetter(delivery, "failed " + i, T0.plusSeconds(i));
    }

    assertThat(store.deadLetters())
        .extracting(DeadLetter::error)
        .containsExactly("failed 2", "failed 3", "failed 4");
  }

  @Test
  public void deadLetter_notPending_isStillKept() {
    AlertStore store = store(10);
    Delivery a = Delivery.of("webhook", alert("a"));

    store.deadLetter(a, "rejected", T0);

    assertThat(store.pending()).isEmpty();
    assertThat(store.deadLetters()).containsExactly(new DeadLetter(a, "rejected", T0));
  }

  @Test
  public void deadLetter_sameKeyAgain_keepsTheLatestOnce() {
    AlertStore store = store(10);
    Delivery a = Delivery.of("webhook", alert("a"));
    store.deadLetter(a, "first", T0);

    store.deadLetter(a, "second", T0.plusSeconds(1));

    assertThat(store.deadLetters()).containsExactly(new DeadLetter(a, "second", T0.plusSeconds(1)));
  }

  @Test
  public void deadLetters_areOrderedByTimeThenKey() {
    AlertStore store = store(10);
    Delivery a = Delivery.of("a", alert("1"));
    Delivery b = Delivery.of("b", alert("1"));
    Delivery c = Delivery.of("c", alert("1"));

    store.deadLetter(c, "c failed", T0);
    store.deadLetter(b, "b failed", T0.plusSeconds(1));
    store.deadLetter(a, "a failed", T0);

    assertThat(store.deadLetters())
        .containsExactly(
            new DeadLetter(a, "a failed", T0),
            new DeadLetter(c, "c failed", T0),
            new DeadLetter(b, "b failed", T0.plusSeconds(1)));
  }

  @Test
  public void close_twice_isHarmless() {
    AlertStore store = store(10);
    store.save(alert("a"));

    store.close();
    store.close();
  }
}
