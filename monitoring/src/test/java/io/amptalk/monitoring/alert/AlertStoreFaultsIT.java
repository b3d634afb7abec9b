package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.amptalk.monitoring.MonitorTestHooks;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import io.amptalk.monitoring.alert.store.StoreTestHooks;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.alert.GuardedStore;
import io.amptalk.monitoring.internal.http.AlertHttpHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The SQLite store failing under a running alert system, with real SQLite errors (the tests run as
 * root, so file permissions would not stop a write): made read-only ({@code PRAGMA query_only},
 * SQLITE_READONLY) and full ({@code PRAGMA max_page_count}, SQLITE_FULL). {@code alert()} never
 * throws, notifications still go out, the alerts stay visible at {@code /alerts} from memory, the
 * failures are counted ({@code getStoreFailures}, {@code alert_store_failures_total}) and logged as
 * one error per outage; once the store works again, what was kept in memory is written back and
 * survives a restart.
 */
class AlertStoreFaultsIT {
  @TempDir Path dir;

  /** The store's warning throttle, frozen: it warns once per operation for the whole test. */
  private final AtomicLong storeNanos = new AtomicLong();

  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final List<Logger> loggers =
      List.of(
          (Logger) LoggerFactory.getLogger(GuardedStore.class),
          (Logger) LoggerFactory.getLogger(SqliteAlertStore.class),
          (Logger) LoggerFactory.getLogger(AlertSystem.class));
  private final CountDownLatch gate = new CountDownLatch(1);
  private Path file;
  private SystemMonitor monitor;
  private SqliteAlertStore store;
  private AlertSystem system;

  @BeforeEach
  void start() {
    logs.start();
    loggers.forEach(logger -> logger.addAppender(logs));
    loggers.get(0).setLevel(Level.INFO); // the recovery is logged at INFO
    file = dir.resolve("alerts.db");
    monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .build();
    store = StoreTestHooks.open(file, 100, storeNanos::get);
  }

  @AfterEach
  void stop() {
    gate.countDown();
    if (system != null) {
      system.close();
    }
    store.close();
    monitor.close();
    loggers.forEach(logger -> logger.detachAppender(logs));
    loggers.get(0).setLevel(null);
  }

  private AlertSystem system(AlertNotifier... notifiers) {
    MonitorTestHooks.unmount(monitor, "/alerts"); // a restarted system takes it over
    system =
        AlertSystem.builder()
            .serviceName("amptalk")
            .meter(monitor.getMeter())
            .store(store)
            .noRateLimit()
            .backoff(Duration.ofMillis(1), Duration.ofMillis(5))
            .defaultNotifiers(List.of(notifiers))
            .build();
    MonitorTestHooks.mount(monitor, "/alerts", new AlertHttpHandler(system, null));
    return system;
  }

  @Test
  void storeMadeReadOnly_alertsGoOnFromMemory_andAreWrittenBackWhenItWorksAgain() throws Exception {
    AlertSystemTest.Recording pager = new AlertSystemTest.Recording("pager");
    system(pager);
    Alert before = system.alert("before", "", AlertSeverity.ERROR, "db", Map.of());
    awaitSent("pager", 1);

    StoreTestHooks.pragma(store, "query_only = 1");
    List<Alert> during = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      during.add(system.alert("during " + i, "", AlertSeverity.ERROR, "db", Map.of()));
    }

    // Notifications still go out, and each alert is shown, from memory, above the stored one.
    awaitSent("pager", 6);
    assertThat(pager.titles())
        .containsExactly("before", "during 0", "during 1", "during 2", "during 3", "during 4");
    assertThat(alertIds())
        .containsExactly(
            during.get(4).id(),
            during.get(3).id(),
            during.get(2).id(),
            during.get(1).id(),
            during.get(0).id(),
            before.id());
    // Counted: per alert, its save, its enqueue and its delivered mark failed.
    assertThat(system.getStoreFailures()).isEqualTo(15);
    assertThat(metric("alert_store_failures_total")).isEqualTo("15.0");
    // Logged once for the outage, not per alert (and the store's own warning once).
    assertThat(errors())
        .containsExactly(
            "The alert store SqliteAlertStore["
                + file
                + "] failed to save; alerts go on from memory and are written back when it works"
                + " again");
    assertThat(errorCauses())
        .singleElement()
        .asString()
        .startsWith("alert store " + file + " failed to save: [SQLITE_READONLY]");
    assertThat(warnings()).hasSize(1);
    assertThat(storedIds()).containsExactly(before.id());

    StoreTestHooks.pragma(store, "query_only = 0");
    Alert after = system.alert("after", "", AlertSeverity.ERROR, "db", Map.of());
    awaitSent("pager", 7);

    List<String> all = new ArrayList<>(List.of(before.id()));
    during.forEach(alert -> all.add(alert.id()));
    all.add(after.id());
    assertThat(storedIds()).containsExactlyElementsOf(all);
    assertThat(count("outbox")).isZero();
    assertThat(system.getStoreFailures()).isEqualTo(15);
    assertThat(infos())
        .containsExactly(
            "The alert store SqliteAlertStore["
                + file
                + "] works again; wrote back the 5 alerts, notifications and dead letters kept in"
                + " memory meanwhile");

    // Nothing was lost: a restarted system reads every alert back from the file.
    system.close();
    store = SqliteAlertStore.open(file, 100);
    system(new AlertSystemTest.Recording("pager"));
    assertThat(system.getHistory(100, null, null))
        .extracting(Alert::id)
        .containsExactlyElementsOf(reversed(all));
  }

  @Test
  void storeFull_deadLettersAndDeliveriesDuringTheOutage_areWrittenBackWhenItHasRoom()
      throws Exception {
    Gated gated = new Gated();
    AlertSystemTest.Recording rejects = new AlertSystemTest.Recording("rejects");
    rejects.failures = Integer.MAX_VALUE;
    rejects.failure = DeliveryException.permanent("webhook answered 400", null);
    system(gated, rejects);
    // Stored while the store works: its delivery to "gated" waits at the gate, enqueued on disk.
    Alert queued = system.alert("queued", "", AlertSeverity.ERROR, "db", Map.of());
    await().atMost(Duration.ofSeconds(10)).until(() -> system.getDeadLetters().size() == 1);

    StoreTestHooks.pragma(store, "max_page_count = " + StoreTestHooks.pragma(store, "page_count"));
    // Too big for the pages left: its save fails with SQLITE_FULL.
    Alert big =
        system.alert("big", "x".repeat(8000), AlertSeverity.ERROR, "db", Map.of("blob", blob()));
    await().atMost(Duration.ofSeconds(10)).until(() -> system.getDeadLetters().size() == 2);
    gate.countDown();
    awaitSent("gated", 2);

    assertThat(gated.titles).containsExactly("queued", "big");
    assertThat(alertIds()).containsExactly(big.id(), queued.id());
    assertThat(system.getDeadLetters())
        .extracting(letter -> letter.delivery().key())
        .containsExactly(queued.id() + "/rejects/firing/1", big.id() + "/rejects/firing/1");
    // The save, the two enqueues, the dead letter, and the two delivered marks.
    assertThat(system.getStoreFailures()).isEqualTo(6);
    assertThat(metric("alert_store_failures_total")).isEqualTo("6.0");
    assertThat(errors())
        .containsExactly(
            "The alert store SqliteAlertStore["
                + file
                + "] failed to save; alerts go on from memory and are written back when it works"
                + " again");
    assertThat(errorCauses())
        .singleElement()
        .asString()
        .startsWith("alert store " + file + " failed to save: [SQLITE_FULL]")
        .contains("database or disk is full");
    assertThat(storedIds()).containsExactly(queued.id());
    assertThat(count("outbox")).isEqualTo(1); // queued's delivery to gated, done meanwhile

    StoreTestHooks.pragma(store, "max_page_count = 1000000");
    Alert after = system.alert("after", "", AlertSeverity.ERROR, "db", Map.of());
    awaitSent("gated", 3);
    await().atMost(Duration.ofSeconds(10)).until(() -> system.getDeadLetters().size() == 3);

    assertThat(storedIds()).containsExactly(queued.id(), big.id(), after.id());
    assertThat(count("outbox")).isZero();
    assertThat(deadLetterKeys())
        .containsExactlyInAnyOrder(
            queued.id() + "/rejects/firing/1",
            big.id() + "/rejects/firing/1",
            after.id() + "/rejects/firing/1");
    assertThat(system.getStoreFailures()).isEqualTo(6);
  }

  @Test
  void storeStillFailingAtClose_saysWhatIsLost() {
    system(new AlertSystemTest.Recording("pager"));
    StoreTestHooks.pragma(store, "query_only = 1");
    system.alert("during", "", AlertSeverity.ERROR, "db", Map.of());
    awaitSent("pager", 1);

    system.close();

    assertThat(errors())
        .last()
        .isEqualTo(
            "The alert store SqliteAlertStore["
                + file
                + "] still fails at close: 1 alerts, notifications and dead letters kept in memory"
                + " are lost");
  }

  // ---------------------------------------------------------------- helpers

  /** Delivers once the test opens the gate. */
  private final class Gated implements AlertNotifier {
    final List<String> titles = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void send(Alert alert) throws Exception {
      gate.await();
      titles.add(alert.title());
    }

    @Override
    public String name() {
      return "gated";
    }
  }

  private static String blob() {
    StringBuilder blob = new StringBuilder();
    IntStream.range(0, 20_000).forEach(i -> blob.append(Integer.toHexString(i)));
    return blob.toString();
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    java.util.Collections.reverse(copy);
    return copy;
  }

  private void awaitSent(String notifier, int count) {
    String line = "alert_notifications_total{notifier=\"" + notifier + "\",outcome=\"sent\"}";
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> get("/metrics").lines().anyMatch(l -> l.equals(line + " " + count + ".0")));
  }

  private String metric(String name) throws Exception {
    return get("/metrics")
        .lines()
        .filter(line -> line.startsWith(name + " "))
        .map(line -> line.substring(name.length() + 1))
        .findFirst()
        .orElse("absent");
  }

  private String get(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + path))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The ids /alerts lists, newest first. */
  private List<String> alertIds() throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonNode alert : AlertJson.MAPPER.readTree(get("/alerts")).get("alerts")) {
      ids.add(alert.get("id").asText());
    }
    return ids;
  }

  private List<String> messages(Level level) {
    return logs.list.stream()
        .filter(event -> event.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  /** The messages of the exceptions logged with errors. */
  private List<String> errorCauses() {
    return logs.list.stream()
        .filter(event -> event.getLevel() == Level.ERROR && event.getThrowableProxy() != null)
        .map(event -> event.getThrowableProxy().getMessage())
        .toList();
  }

  private List<String> errors() {
    return messages(Level.ERROR);
  }

  private List<String> warnings() {
    return messages(Level.WARN);
  }

  private List<String> infos() {
    return messages(Level.INFO);
  }

  /** History ids in the file, oldest first, read over a connection of the test's own. */
  private List<String> storedIds() throws SQLException {
    return column("SELECT id FROM history ORDER BY seq");
  }

  private List<String> deadLetterKeys() throws SQLException {
    return column("SELECT key FROM dead_letters");
  }

  private int count(String table) throws SQLException {
    return Integer.parseInt(column("SELECT count(*) FROM " + table).get(0));
  }

  private List<String> column(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(1));
      }
      return values;
    }
  }
}
