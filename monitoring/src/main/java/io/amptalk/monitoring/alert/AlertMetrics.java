package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.alert.notify.AlertmanagerNotifier;
import io.amptalk.monitoring.alert.store.StoreStatus;
import io.amptalk.monitoring.internal.alert.BoundedMap.Reason;
import io.amptalk.monitoring.internal.alert.NotifierQueue.Outcome;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongCounter;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The alert system's self-metrics on a monitor's meter: {@code alerts.raised} {severity, source},
 * {@code alert.notifications} {notifier, outcome}, {@code alert.queue.size} {notifier}, {@code
 * alerts.firing} {severity, state}, {@code alert.store.failures}, {@code alert.store.recoveries},
 * {@code alerts.evicted} {from, reason} and {@code alert.member.failures} {notifier, member} for
 * Alertmanager notifiers. The attribute sets are built once per combination; sources past a cap
 * count as {@code other}.
 */
final class AlertMetrics implements AutoCloseable {
  static final AttributeKey<String> SEVERITY = AttributeKey.stringKey("severity");
  static final AttributeKey<String> SOURCE = AttributeKey.stringKey("source");
  static final AttributeKey<String> NOTIFIER = AttributeKey.stringKey("notifier");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
  private static final int MAX_SOURCES = 100;

  private final LongCounter raised;
  private final LongCounter notifications;
  private final LongCounter storeFailures;
  private final ObservableLongGauge queueSize;
  private final ObservableLongGauge firing;
  private final ObservableLongCounter storeRecoveries;
  private final ObservableLongCounter evicted;
  private final ObservableLongCounter memberFailures;

  static final AttributeKey<String> MEMBER = AttributeKey.stringKey("member");
  static final AttributeKey<String> STATE = AttributeKey.stringKey("state");

  /** What {@code alerts.evicted} counts: where alerts were forgotten from. */
  static final String[] EVICTED_FROM = {"history", "dead_letters", "firing"};

  static final AttributeKey<String> FROM = AttributeKey.stringKey("from");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");

  /** By severity, then source: no key to build per alert. */
  private final List<Map<String, Attributes>> raisedAttributes =
      Arrays.stream(AlertSeverity.values())
          .map(severity -> (Map<String, Attributes>) new ConcurrentHashMap<String, Attributes>())
          .toList();

  /** How many sets {@link #raisedAttributes} holds, for its cap. */
  private final AtomicInteger raisedCached = new AtomicInteger();

  private final Map<String, Attributes> outcomeAttributes = new ConcurrentHashMap<>();
  private final Attributes[] overflow = new Attributes[AlertSeverity.values().length];

  AlertMetrics(Meter meter, AlertSystem system) {
    for (AlertSeverity severity : AlertSeverity.values()) {
      overflow[severity.ordinal()] = Attributes.of(SEVERITY, severity.jsonName(), SOURCE, "other");
    }
    this.raised =
        meter
            .counterBuilder("alerts.raised")
            .setDescription("Alerts raised, repeats included, by severity and source.")
            .setUnit("{alert}")
            .build();
    this.notifications =
        meter
            .counterBuilder("alert.notifications")
            .setDescription(
                "What became of each notification: sent, retried, failed, rate_limited, silenced,"
                    + " inhibited or deduplicated.")
            .setUnit("{notification}")
            .build();
    this.storeFailures =
        meter
            .counterBuilder("alert.store.failures")
            .setDescription(
                "Alert store operations that failed; what they would have written is kept in"
                    + " memory and written back once the store works again.")
            .setUnit("{failure}")
            .build();
    // The store recovers at open only, so this is 0 or 1 per process: a counter all the same, so
    // that increase() over restarts finds each time a damaged file was kept aside.
    this.storeRecoveries =
        meter
            .counterBuilder("alert.store.recoveries")
            .setDescription(
                "Times the alert store found its file damaged at open, kept it aside and started"
                    + " afresh; /api/system names the file kept.")
            .setUnit("{recovery}")
            .buildWithCallback(
                m ->
                    m.record(
                        system.getStoreStatus().state() == StoreStatus.State.RECOVERED ? 1 : 0));
    this.queueSize =
        meter
            .gaugeBuilder("alert.queue.size")
            .setDescription("Notifications waiting in each notifier's queue, retries included.")
            .ofLongs()
            .buildWithCallback(
                m ->
                    system
                        .getQueueSizes()
                        .forEach((name, size) -> m.record(size, Attributes.of(NOTIFIER, name))));
    Attributes[][] firingAttributes = new Attributes[AlertSeverity.values().length][];
    for (AlertSeverity severity : AlertSeverity.values()) {
      firingAttributes[severity.ordinal()] =
          new Attributes[] {
            Attributes.of(SEVERITY, severity.jsonName(), STATE, "active"),
            Attributes.of(SEVERITY, severity.jsonName(), STATE, "suppressed")
          };
    }
    // Every severity and state, zeros too: a dashboard's sum by severity shows 0, not no data.
    this.firing =
        meter
            .gaugeBuilder("alerts.firing")
            .setDescription(
                "Alerts firing now, by severity and state: active (notified) or suppressed"
                    + " (silenced or inhibited).")
            .setUnit("{alert}")
            .ofLongs()
            .buildWithCallback(
                m -> {
                  long[][] counts = system.firingCounts();
                  for (int s = 0; s < counts.length; s++) {
                    m.record(counts[s][0], firingAttributes[s][0]);
                    m.record(counts[s][1], firingAttributes[s][1]);
                  }
                });
    Attributes[][] evictedAttributes = new Attributes[EVICTED_FROM.length][];
    for (int f = 0; f < EVICTED_FROM.length; f++) {
      evictedAttributes[f] = new Attributes[Reason.values().length];
      for (Reason reason : Reason.values()) {
        evictedAttributes[f][reason.ordinal()] =
            Attributes.of(FROM, EVICTED_FROM[f], REASON, reason.label());
      }
    }
    this.evicted =
        meter
            .counterBuilder("alerts.evicted")
            .setDescription(
                "Alerts forgotten to stay within a bound, by where from (history, dead_letters,"
                    + " firing) and which bound (count or bytes).")
            .setUnit("{alert}")
            .buildWithCallback(
                m -> {
                  for (int f = 0; f < EVICTED_FROM.length; f++) {
                    for (Reason reason : Reason.values()) {
                      m.record(
                          system.evicted(EVICTED_FROM[f], reason),
                          evictedAttributes[f][reason.ordinal()]);
                    }
                  }
                });
    this.memberFailures =
        meter
            .counterBuilder("alert.member.failures")
            .setDescription(
                "Alerts a member of an Alertmanager cluster never accepted though another member"
                    + " did, by notifier and member (its URL without user info, path or query).")
            .setUnit("{alert}")
            .buildWithCallback(m -> recordMemberFailures(system, m));
  }

  // Read per collection: a handful of notifiers and members, so no cache of attribute sets.
  private static void recordMemberFailures(
      AlertSystem system, io.opentelemetry.api.metrics.ObservableLongMeasurement m) {
    for (AlertNotifier notifier : system.notifiers()) {
      if (notifier instanceof AlertmanagerNotifier alertmanager) {
        alertmanager
            .memberFailures()
            .forEach(
                (member, count) ->
                    m.record(count, Attributes.of(NOTIFIER, notifier.name(), MEMBER, member)));
      }
    }
  }

  void raised(AlertSeverity severity, String source) {
    Map<String, Attributes> bySource = raisedAttributes.get(severity.ordinal());
    Attributes attributes = bySource.get(source);
    if (attributes == null) {
      // Past the cap, sources count as "other" and are not cached: caching them, as this once
      // did, grew the map by one entry per distinct source for ever.
      attributes =
          raisedCached.get() < MAX_SOURCES * AlertSeverity.values().length
              ? bySource.computeIfAbsent(
                  source,
                  k -> {
                    raisedCached.incrementAndGet();
                    return Attributes.of(SEVERITY, severity.jsonName(), SOURCE, wellFormed(source));
                  })
              : overflow[severity.ordinal()];
    }
    raised.add(1, attributes);
  }

  /** For tests: attribute sets cached for {@code alerts.raised}. */
  int cachedAttributeSets() {
    return raisedCached.get();
  }

  /**
   * The text with each unpaired surrogate replaced by U+FFFD. UTF-8 cannot carry one, so the
   * exposition writes it as '?': two sources differing only there were two series written alike, a
   * duplicate that makes Prometheus reject the scrape.
   */
  static String wellFormed(String text) {
    return text.codePoints()
        .map(c -> Character.isSurrogate((char) c) && c <= Character.MAX_VALUE ? 0xFFFD : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString();
  }

  void outcome(String notifier, Outcome outcome) {
    Attributes attributes =
        outcomeAttributes.computeIfAbsent(
            notifier + '\u0000' + outcome.name(),
            k -> Attributes.of(NOTIFIER, notifier, OUTCOME, outcome.label()));
    notifications.add(1, attributes);
  }

  void storeFailed() {
    storeFailures.add(1);
  }

  @Override
  public void close() {
    queueSize.close();
    firing.close();
    evicted.close();
    storeRecoveries.close();
    memberFailures.close();
  }
}
