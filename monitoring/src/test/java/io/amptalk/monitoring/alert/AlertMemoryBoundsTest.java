package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import io.amptalk.monitoring.alert.store.InMemoryAlertStore;
import io.amptalk.monitoring.internal.alert.AlertFootprint;
import io.amptalk.monitoring.internal.alert.BoundedMap.Reason;
import io.amptalk.monitoring.internal.util.Details;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The byte budgets of what alerts keep in memory: the estimate itself, the details' bound, the
 * history and dead letters of the in-memory store, the firing alerts, and the notifier queues, each
 * to the exact byte and the exact count of what was forgotten or dead-lettered.
 */
class AlertMemoryBoundsTest {
  private final List<AlertSystem> systems = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void close() {
    release.countDown();
    systems.forEach(AlertSystem::close);
  }

  private static Alert alert(String id, String title, Map<String, Object> details) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    return new Alert(
        id,
        title,
        "msg",
        AlertSeverity.ERROR,
        "src",
        "svc",
        now,
        details,
        "0123456789abcdef",
        Alert.State.FIRING,
        1,
        now,
        false,
        List.of());
  }

  /**
   * Details of {@code chars} characters in strings of at most 8,000 (under the cut at 8,192), under
   * the keys {@code k0}, {@code k1} ..., new each time.
   */
  private static Map<String, Object> filler(int chars, int seed) {
    Map<String, Object> details = new LinkedHashMap<>();
    for (int key = 0; chars > 0; key++, chars -= 8000) {
      int length = Math.min(chars, 8000);
      details.put("k" + key, "x".repeat(length - 5) + String.format("%05d", seed));
    }
    return details;
  }

  @Test
  void footprint_isTwoBytesACharacterPlusFixedOverheads() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("key", "value"); // entry 48 + key 40+6 + value 40+10
    details.put("n", 42); // entry 48 + key 40+2 + boxed 16
    details.put("list", List.of("a", true)); // entry 48 + key 48 + list 64 + 2 slots 32 + 42 + 16
    Alert alert = alert("id", "title", details);
    long strings =
        (40 + 4) // id
            + (40 + 10) // title
            + (40 + 6) // message
            + (40 + 6) // source
            + (40 + 6) // service
            + (40 + 32); // fingerprint
    long detailBytes = 64 + (48 + 46 + 50) + (48 + 42 + 16) + (48 + 48 + 64 + 32 + 42 + 16);
    assertThat(Details.estimatedBytes(alert.details())).isEqualTo(detailBytes);
    // The built-in labels: a map, an entry and a name each; their values are the fields' strings.
    long labelBytes = 64 + 4 * 48 + (40 + 18) + (40 + 14) + (40 + 16) + (40 + 12);
    assertThat(AlertFootprint.of(alert)).isEqualTo(128 + strings + detailBytes + labelBytes);
    Delivery delivery = new Delivery("key", "log", alert);
    assertThat(AlertFootprint.of(delivery))
        .isEqualTo(48 + (40 + 6) + (40 + 6) + AlertFootprint.of(alert));
  }

  @Test
  void details_areBoundedTo64KiCharactersInAll_andNoted() {
    Map<String, Object> details = new LinkedHashMap<>();
    for (int i = 0; i < 10; i++) {
      details.put("k" + i, "y".repeat(8000));
    }
    Details.Copy copy = Details.copy(details);
    // Eight entries whole (64,016 characters with their keys), the ninth key, and its value cut to
    // what is left of 65,536; the tenth left out.
    assertThat(copy.cut()).isTrue();
    assertThat(copy.details()).hasSize(9);
    assertThat((String) copy.details().get("k8")).hasSize(65_536 - 64_018);
    assertThat(Details.MAX_CHARS).isEqualTo(65_536);

    AlertSystem system = AlertSystem.builder().build();
    systems.add(system);
    Alert alert = system.alert("t", "m", AlertSeverity.INFO, "s", details);
    assertThat(alert.notes()).containsExactly(Details.CUT_NOTE);
    assertThat(Details.CUT_NOTE).endsWith("and text past 65536 characters in all, were cut");
  }

  @Test
  void inMemoryHistory_keepsTheNewestWithinItsBytes_andCountsWhatItForgot() {
    long each = AlertFootprint.of(alert("a00", "t", filler(1000, 0)));
    InMemoryAlertStore store = new InMemoryAlertStore(100, 3 * each + each / 2);
    for (int i = 0; i < 5; i++) {
      store.save(alert(String.format("a%02d", i), "t", filler(1000, i)));
    }
    assertThat(store.history(new AlertQuery(100, null, null, null, null)))
        .extracting(Alert::id)
        .containsExactly("a04", "a03", "a02");
    assertThat(store.historyBytes()).isEqualTo(3 * each);
    assertThat(store.evictions()).isEqualTo(new InMemoryAlertStore.Evictions(0, 2, 0, 0));

    // The count still bounds too, and its evictions are told apart.
    InMemoryAlertStore counted = new InMemoryAlertStore(2, 1L << 30);
    for (int i = 0; i < 5; i++) {
      counted.save(alert(String.format("a%02d", i), "t", filler(1000, i)));
    }
    assertThat(counted.evictions()).isEqualTo(new InMemoryAlertStore.Evictions(3, 0, 0, 0));

    // An alert larger than the whole budget is kept alone: what was just saved can be read.
    InMemoryAlertStore tiny = new InMemoryAlertStore(100, 1);
    tiny.save(alert("a", "t", filler(1000, 0)));
    tiny.save(alert("b", "t", filler(1000, 1)));
    assertThat(tiny.history(new AlertQuery(100, null, null, null, null)))
        .extracting(Alert::id)
        .containsExactly("b");
    assertThatThrownBy(() -> new InMemoryAlertStore(10, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxHistoryBytes must be positive, was 0");
  }

  @Test
  void inMemoryDeadLetters_areBoundedByBytesToo() {
    Alert alert = alert("a", "t", filler(1000, 0));
    long each =
        AlertFootprint.of(new DeadLetter(new Delivery("a/0", "log", alert), "boom", Instant.EPOCH));
    InMemoryAlertStore store = new InMemoryAlertStore(100, 2 * each);
    for (int i = 0; i < 4; i++) {
      store.deadLetter(new Delivery("a/" + i, "log", alert), "boom", Instant.EPOCH);
    }
    assertThat(store.deadLetters())
        .extracting(d -> d.delivery().key())
        .containsExactly("a/2", "a/3");
    assertThat(store.evictions()).isEqualTo(new InMemoryAlertStore.Evictions(0, 0, 0, 2));
  }

  @Test
  void firingAndHistory_ofTheSystem_forgetTheStalestPastTheirBytes() {
    AlertSystem system =
        AlertSystem.builder().noRateLimit().maxHistoryBytes(AlertSystem.MIN_BYTES).build();
    systems.add(system);
    // Each about 40 KB: one fits in 64 KiB, two do not.
    Alert first = system.alert("A", "m", AlertSeverity.ERROR, "s", filler(20_000, 1));
    system.alert("B", "m", AlertSeverity.ERROR, "s", filler(20_000, 2));
    Alert again = system.alert("A", "m", AlertSeverity.ERROR, "s", filler(20_000, 3));

    // A was forgotten as firing when B came: its repeat is a new alert, not a deduplicated one.
    assertThat(again.id()).isNotEqualTo(first.id());
    assertThat(again.occurrences()).isEqualTo(1);
    assertThat(system.firingCount()).isEqualTo(1);
    assertThat(system.evicted("firing", Reason.BYTES)).isEqualTo(2);
    assertThat(system.evicted("firing", Reason.COUNT)).isZero();
    assertThat(system.getHistory(10, null, null)).extracting(Alert::id).containsExactly(again.id());
    assertThat(system.evicted("history", Reason.BYTES)).isEqualTo(2);
    assertThat(system.evicted("history", Reason.COUNT)).isZero();
    assertThat(system.resolve("s", "B")).isFalse(); // forgotten: cannot be resolved any more
  }

  @Test
  void queue_pastItsBytes_deadLettersTheNotificationWithTheReason_neverDropsIt() throws Exception {
    CountDownLatch sending = new CountDownLatch(1);
    List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    AlertNotifier slow =
        new AlertNotifier() {
          @Override
          public void send(Alert alert) throws Exception {
            sending.countDown();
            release.await();
            sent.add(alert.title());
          }

          @Override
          public String name() {
            return "slow";
          }
        };
    AlertSystem system =
        AlertSystem.builder()
            .noRateLimit()
            .sendTimeout(Duration.ofMinutes(1))
            .maxQueueBytes(AlertSystem.MIN_BYTES)
            .defaultNotifiers(List.of(slow))
            .build();
    systems.add(system);
    system.alert("a0", "m", AlertSeverity.ERROR, "s0", filler(20_000, 0));
    sending.await(); // a0 is in flight: the queue is empty again
    for (int i = 1; i <= 3; i++) {
      system.alert("a" + i, "m", AlertSeverity.ERROR, "s" + i, filler(20_000, i));
    }

    // a1 fits (about 40 KB of 64 KiB); a2 and a3 do not, and are dead letters, not lost.
    assertThat(system.getQueueSizes()).containsEntry("slow", 1);
    assertThat(system.getDeadLetters())
        .extracting(d -> d.delivery().alert().title(), DeadLetter::error)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "a2", "queue of notifier 'slow' is full: its 65536 bytes are taken"),
            org.assertj.core.groups.Tuple.tuple(
                "a3", "queue of notifier 'slow' is full: its 65536 bytes are taken"));
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 2);
    assertThat(sent).containsExactly("a0", "a1");
    assertThat(system.getQueueSizes()).containsEntry("slow", 0);
  }

  @Test
  void builder_refusesBudgetsBelow64KiB_namingTheOption() {
    assertThatThrownBy(() -> AlertSystem.builder().maxHistoryBytes(65_535))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxHistoryBytes must be at least 65536, was 65535");
    assertThatThrownBy(() -> AlertSystem.builder().maxQueueBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueueBytes must be at least 65536, was 0");
  }
}
