package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.alert.notify.LoggingNotifier;
import io.amptalk.monitoring.alert.store.AlertStore;
import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import io.amptalk.monitoring.alert.store.InMemoryAlertStore;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import io.amptalk.monitoring.alert.store.StoreStatus;
import io.amptalk.monitoring.internal.alert.AlertFootprint;
import io.amptalk.monitoring.internal.alert.AlertLabels;
import io.amptalk.monitoring.internal.alert.AlertSystemStore;
import io.amptalk.monitoring.internal.alert.Backoff;
import io.amptalk.monitoring.internal.alert.BoundedMap;
import io.amptalk.monitoring.internal.alert.BoundedMap.Reason;
import io.amptalk.monitoring.internal.alert.GuardedStore;
import io.amptalk.monitoring.internal.alert.NotifierQueue;
import io.amptalk.monitoring.internal.alert.NotifierQueue.Outcome;
import io.amptalk.monitoring.internal.alert.SilenceJson;
import io.amptalk.monitoring.internal.util.DaemonThreads;
import io.amptalk.monitoring.internal.util.Details;
import io.amptalk.monitoring.internal.util.FatalErrors;
import io.amptalk.monitoring.internal.util.Options;
import io.opentelemetry.api.metrics.Meter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises alerts and routes them to notifiers that really deliver: each notifier on its own bounded
 * queue and thread, with retries, dead letters, a rate limit, deduplication, reminders, silences,
 * inhibit rules, resolutions, and a bounded history (in memory, or durable with {@link
 * SqliteAlertStore}).
 *
 * <p>{@link #alert} returns at once and never throws: malformed input is normalised and noted in
 * the alert, and nothing is silently dropped: every notification is delivered, retried, or kept as
 * a dead letter and counted.
 *
 * <pre>{@code
 * AlertSystem alerts = AlertSystem.builder()
 *     .serviceName("amptalk")
 *     .defaultNotifiers(List.of(new LoggingNotifier()))
 *     .build();
 * createWarningAlert(alerts, "High CPU Usage", "CPU usage has exceeded 80%",
 *     "system_monitor", Map.of("cpu_usage", 83.5));
 * alerts.close();
 * }</pre>
 *
 * <p>Longer than our usual 400 lines because it is the alert system of the original API: raising
 * (input cleaning, deduplication, reminders, silences), resolving, history and the builder's
 * documented options. Delivery lives in {@code internal.alert} ({@code NotifierQueue}: queue,
 * retries, rate limit), storage behind {@code GuardedStore}, the notifiers in {@code alert.notify}.
 */
public final class AlertSystem implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertSystem.class);

  /** The source of the alerts the system raises about itself (rate-limit summaries). */
  public static final String SELF_SOURCE = "amptalk-monitoring";

  static final int MAX_TITLE_LENGTH = 256;
  static final int MAX_MESSAGE_LENGTH = 8192;

  private final String serviceName;

  /** The {@code instance} label of every alert: the service instance's id. */
  private final Map<String, String> instance;

  private final String instanceId;

  private final Clock clock;
  private final Duration dedupWindow;
  private final Duration repeatInterval;
  private final AlertStore store;
  private final List<NotifierQueue> queues = new ArrayList<>();
  private final Duration closeTimeout;

  /**
   * The longest {@link #close()} waits for queued deliveries, whatever {@code closeTimeout} says.
   */
  static final Duration MAX_CLOSE_WAIT = Duration.ofHours(1);

  private final AlertMetrics metrics;
  private final Object lock = new Object();

  /**
   * Firing alerts by fingerprint, least recently raised first, so the bounds (count and bytes)
   * evict the stalest. Guarded by {@link #lock}.
   */
  private final BoundedMap<Active> firing;

  /** The store the caller gave, inside its guard; null for the default in-memory one. */
  private final AlertStore given;

  private final Silences silences = new Silences();

  /** Which notifiers take which alerts; null: each notifier's own filters alone. */
  private final Route route;

  /** The notifiers' names, in order: what the root route sends to when it names none. */
  private final List<String> notifierNames;

  /** The open groups of the routes that group; empty without such routes. */
  private final Groups groups;

  /** Guarded by {@link #lock}, with the firing alerts its sources are among. */
  private final Inhibitions inhibitions;

  private final ScheduledExecutorService scheduler;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong storeFailures = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();

  /** A firing alert and when its notifiers were last told. */
  private record Active(Alert alert, Instant notified) {}

  /** An {@link Active} and its instant, beside its alert's footprint. */
  private static final long ACTIVE = 48;

  static {
    AlertSystemStore.install(system -> system.store);
  }

  private AlertSystem(Builder builder) {
    this.serviceName = builder.serviceName;
    this.instanceId = builder.serviceInstanceId;
    this.instance = Map.of(AlertLabels.INSTANCE, instanceId);
    this.clock = builder.clock;
    this.dedupWindow = builder.dedupWindow;
    this.repeatInterval = builder.repeatInterval;
    List<AlertNotifier> notifiers =
        builder.notifiers.isEmpty() ? List.of(new LoggingNotifier()) : builder.notifiers;
    // A store of the caller's (SQLite: a disk that fills, a file made read-only) may fail; guarded,
    // it never stops an alert and loses nothing while the process runs. Ours in memory cannot.
    this.given = builder.store;
    this.store =
        builder.store == null
            ? new InMemoryAlertStore(builder.maxHistorySize, builder.maxHistoryBytes)
            : new GuardedStore(
                builder.store,
                builder.maxHistorySize,
                builder.maxHistoryBytes,
                builder.queueCapacity * notifiers.size(),
                builder.maxQueueBytes * notifiers.size(),
                this::storeFailed);
    this.closeTimeout = builder.closeTimeout;
    this.firing =
        new BoundedMap<>(
            builder.maxFiring,
            builder.maxHistoryBytes,
            active -> ACTIVE + AlertFootprint.of(active.alert()),
            true);
    this.inhibitions = new Inhibitions(builder.inhibitRules);
    this.groups = new Groups(builder.serviceName, instance);
    this.metrics = builder.meter == null ? null : new AlertMetrics(builder.meter, this);
    NotifierQueue.Settings settings =
        new NotifierQueue.Settings(
            builder.queueCapacity,
            builder.maxQueueBytes,
            builder.maxAttempts,
            new Backoff(
                builder.initialBackoff,
                builder.maxBackoff,
                () -> ThreadLocalRandom.current().nextDouble()),
            builder.sendTimeout,
            builder.maxBackoff,
            builder.rateLimit,
            builder.ratePer,
            builder.nanoTime);
    Set<String> names = new HashSet<>();
    for (AlertNotifier notifier : notifiers) {
      if (!names.add(notifier.name())) {
        throw new IllegalArgumentException(
            "notifier name '" + notifier.name() + "' is used twice; give each a unique name");
      }
    }
    this.notifierNames = notifiers.stream().map(AlertNotifier::name).toList();
    this.route = builder.route;
    if (route != null) {
      for (String receiver : route.named()) {
        if (!names.contains(receiver)) {
          throw new IllegalArgumentException(
              "route receiver '"
                  + receiver
                  + "' is not a notifier; the notifiers are "
                  + notifierNames);
        }
      }
    }
    for (AlertNotifier notifier : notifiers) {
      queues.add(
          new NotifierQueue(
              notifier, settings, store, clock, this::outcome, serviceName, instance));
    }
    silences.restore(
        storeCall(() -> store.state(SilenceJson.STATE_KEY), Optional.<byte[]>empty())
            .map(SilenceJson::fromBytes)
            .orElse(List.of()),
        clock.instant());
    redeliverPending();
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.factory("amptalk-alert-scheduler"));
    if (route != null && groups(route)) {
      // Timed on the alert system's clock: a second's tick is the finest a group's wait can be.
      scheduler.scheduleWithFixedDelay(this::flushGroupsSafely, 1, 1, TimeUnit.SECONDS);
    }
    for (NotifierQueue queue : queues) {
      // Re-sends firing alerts to a receiver that forgets them otherwise (Alertmanager).
      queue
          .notifier()
          .firingResendInterval()
          .map(Duration::toMillis)
          .ifPresent(
              every ->
                  scheduler.scheduleWithFixedDelay(
                      () -> resendFiring(queue), every, every, TimeUnit.MILLISECONDS));
    }
  }

  /** After a restart with a durable store: what was not delivered goes out now. */
  private void redeliverPending() {
    List<Delivery> pending = storeCall(store::pending, List.of());
    for (Delivery delivery : pending) {
      NotifierQueue queue = queue(delivery.notifier());
      if (queue == null) {
        deadLetter(delivery, "notifier '" + delivery.notifier() + "' is no longer configured");
      } else {
        String refused = queue.offer(delivery);
        if (refused != null) {
          deadLetter(delivery, refused);
        }
      }
    }
    if (!pending.isEmpty()) {
      LOG.info("Re-delivering {} notifications left pending before the restart", pending.size());
    }
  }

  /** A builder; every option has a default. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- the seed's helpers

  /** Raises an INFO alert: {@code system.alert(title, message, INFO, source, details)}. */
  public static Alert createInfoAlert(
      AlertSystem system, String title, String message, String source, Map<String, ?> details) {
    return system.alert(title, message, AlertSeverity.INFO, source, details);
  }

  /** Raises a WARNING alert: {@code system.alert(title, message, WARNING, source, details)}. */
  public static Alert createWarningAlert(
      AlertSystem system, String title, String message, String source, Map<String, ?> details) {
    return system.alert(title, message, AlertSeverity.WARNING, source, details);
  }

  /** Raises an ERROR alert: {@code system.alert(title, message, ERROR, source, details)}. */
  public static Alert createErrorAlert(
      AlertSystem system, String title, String message, String source, Map<String, ?> details) {
    return system.alert(title, message, AlertSeverity.ERROR, source, details);
  }

  /** Raises a CRITICAL alert: {@code system.alert(title, message, CRITICAL, source, details)}. */
  public static Alert createCriticalAlert(
      AlertSystem system, String title, String message, String source, Map<String, ?> details) {
    return system.alert(title, message, AlertSeverity.CRITICAL, source, details);
  }

  // ---------------------------------------------------------------- raising and resolving

  /**
   * Raises an alert and returns it as recorded; returns at once and never throws. A repeat of a
   * firing alert (same fingerprint, within {@code dedupWindow} of its last occurrence) is counted
   * on it rather than notified, unless {@code repeatInterval} has passed since its notifiers were
   * last told.
   */
  public Alert alert(
      String title, String message, AlertSeverity severity, String source, Map<String, ?> details) {
    return alert(title, message, severity, source, details, Map.of());
  }

  /**
   * Raises an alert with labels of the caller's beside the built-in ones ({@code alertname}: the
   * title, {@code service}, {@code instance}: {@link Builder#serviceInstanceId}, {@code source},
   * {@code severity}), as {@link #alert(String, String, AlertSeverity, String, Map)} does
   * otherwise. The labels take part in the fingerprint (so {@code disk} on {@code /} and on {@code
   * /var} are two alerts) and are what silences match and what Alertmanager receives. A label is
   * kept when its name matches {@code [a-zA-Z_][a-zA-Z0-9_]*}, does not start with {@code __}, is
   * at most 128 characters long and is not a built-in one, and its value is a string of 1 to 1,024
   * characters; at most 32 are kept (the first by name). Any other is dropped, and a note on the
   * alert says which and why; this never throws.
   */
  public Alert alert(
      String title,
      String message,
      AlertSeverity severity,
      String source,
      Map<String, ?> details,
      Map<String, String> labels) {
    try {
      return raise(title, message, severity, source, details, labels);
    } catch (RuntimeException e) {
      // Raised from error paths: the caller must not get a second failure from us.
      LOG.error("Raising alert '{}' failed", title, e);
      return null;
    }
  }

  private Alert raise(
      String title,
      String message,
      AlertSeverity severity,
      String source,
      Map<String, ?> details,
      Map<String, String> labels) {
    Instant now = clock.instant();
    List<String> notes = new ArrayList<>(0);
    String cleanTitle = clean("title", title, "(untitled)", MAX_TITLE_LENGTH, notes);
    String cleanSource = clean("source", source, "unknown", MAX_TITLE_LENGTH, notes);
    String cleanMessage = clean("message", message, "", MAX_MESSAGE_LENGTH, notes);
    if (severity == null) {
      notes.add("severity was null; raised as WARNING");
      severity = AlertSeverity.WARNING;
    }
    SortedMap<String, String> given = AlertLabels.clean(labels, notes);
    String fingerprint = Alert.fingerprint(serviceName, cleanSource, cleanTitle, given);
    if (metrics != null) {
      metrics.raised(severity, cleanSource);
    }
    Alert alert;
    boolean notify;
    boolean held = false;
    synchronized (lock) {
      Active active = firing.get(fingerprint);
      if (active != null && within(active.alert().lastSeen(), now, dedupWindow)) {
        Alert repeated = active.alert().repeated(now);
        boolean due = !within(active.notified(), now, repeatInterval);
        if (repeated.inhibited() || due) {
          // Its root cause may have gone from the firing alerts' bounds, or a new one may fire.
          held = inhibitions.inhibits(repeated, firing::containsKey);
        }
        if (repeated.inhibited() && !held) {
          repeated = repeated.withInhibited(false); // never told: told now, reminder or not
          notify = true;
        } else {
          notify = due && !held;
        }
        alert = repeated;
        firing.put(fingerprint, new Active(alert, notify ? now : active.notified()));
      } else {
        Map<String, String> all =
            AlertLabels.of(
                given, instanceId, cleanTitle, severity.jsonName(), cleanSource, serviceName);
        Alert raised =
            new Alert(
                newId(),
                cleanTitle,
                cleanMessage,
                severity,
                cleanSource,
                serviceName,
                now,
                Alert.jsonMap(details, notes),
                all,
                fingerprint,
                Alert.State.FIRING,
                1,
                now,
                silences.mutes(cleanTitle, severity, cleanSource, serviceName, all, now),
                notes);
        // Checked for emptiness first: without rules, not even the predicate is made.
        held = !inhibitions.isEmpty() && inhibitions.inhibits(raised, firing::containsKey);
        alert = held ? raised.withInhibited(true) : raised;
        inhibitions.fired(alert);
        notify = !held;
        firing.put(fingerprint, new Active(alert, now));
      }
      save(alert);
    }
    if (alert.silenced() && (notify || held)) {
      countAll(alert, Outcome.SILENCED);
    } else if (held) {
      countAll(alert, Outcome.INHIBITED);
    } else if (!notify) {
      countAll(alert, Outcome.DEDUPLICATED);
    } else {
      dispatch(alert, false);
    }
    return alert;
  }

  /**
   * Resolves the firing alert with this fingerprint; notifiers that send resolutions are told.
   * Returns whether one was firing.
   */
  public boolean resolve(String fingerprint) {
    return resolveFiring(fingerprint) != null;
  }

  /**
   * Resolves, by hand, the firing alert with this id (as {@code /alerts} lists it) or this
   * fingerprint: someone says it is dealt with. Notifiers that send resolutions are told; if the
   * condition goes on, whatever raised the alert raises it again as a new one. Returns the resolved
   * alert, or empty when no firing alert has this id or fingerprint.
   */
  public Optional<Alert> resolveById(String id) {
    Objects.requireNonNull(id, "id");
    String fingerprint = null;
    synchronized (lock) {
      if (firing.get(id) != null) {
        fingerprint = id;
      } else {
        for (Active active : firing.values()) {
          if (active.alert().id().equals(id)) {
            fingerprint = active.alert().fingerprint();
            break;
          }
        }
      }
    }
    return fingerprint == null ? Optional.empty() : Optional.ofNullable(resolveFiring(fingerprint));
  }

  /** The alert firing with {@code fingerprint}, now resolved; null when none was firing. */
  private Alert resolveFiring(String fingerprint) {
    try {
      Alert resolved;
      List<Alert> released = List.of();
      synchronized (lock) {
        Active active = firing.remove(fingerprint);
        if (active == null) {
          return null;
        }
        Instant now = clock.instant();
        resolved = active.alert().resolved(now);
        save(resolved);
        if (inhibitions.resolved(fingerprint)) {
          released = release(now);
        }
      }
      // Receivers never heard of an alert inhibited all its life: nor of its end.
      if (!resolved.silenced() && !resolved.inhibited()) {
        dispatch(resolved, true);
      }
      for (Alert alert : released) {
        if (alert.silenced()) {
          countAll(alert, Outcome.SILENCED);
        } else {
          dispatch(alert, false);
        }
      }
      return resolved;
    } catch (RuntimeException e) {
      LOG.error("Resolving alert {} failed", fingerprint, e);
      return null;
    }
  }

  /**
   * A source of inhibition resolved: the firing alerts it alone held back, marked notified now and
   * returned to be notified. Under {@link #lock}.
   */
  private List<Alert> release(Instant now) {
    List<Alert> released = new ArrayList<>(0);
    for (Active active : firing.values()) {
      Alert alert = active.alert();
      if (alert.inhibited() && !inhibitions.inhibits(alert, firing::containsKey)) {
        Alert free = alert.withInhibited(false);
        firing.put(free.fingerprint(), new Active(free, now));
        save(free);
        released.add(free);
      }
    }
    return released;
  }

  /** Resolves the firing alert raised with this source and title. */
  public boolean resolve(String source, String title) {
    return resolve(
        Alert.fingerprint(
            serviceName,
            clean("source", source, "unknown", MAX_TITLE_LENGTH, new ArrayList<>()),
            clean("title", title, "(untitled)", MAX_TITLE_LENGTH, new ArrayList<>())));
  }

  /**
   * Whether this queue's notifier takes the alert: the route tree sends it there (when there is
   * one) and the notifier's own filters accept it. {@code routed} is the tree's answer for the
   * alert, null without a tree.
   */
  private static boolean takes(NotifierQueue queue, Set<String> routed, Alert alert) {
    return (routed == null || routed.contains(queue.notifier().name()))
        && queue.notifier().accepts(alert);
  }

  /** The notifiers the route tree sends the alert to; null without a tree. */
  private Set<String> routed(Alert alert) {
    return route == null ? null : route.receivers(alert.labels(), notifierNames);
  }

  private static boolean groups(Route route) {
    return route.grouping().isPresent() || route.routes().stream().anyMatch(AlertSystem::groups);
  }

  private void dispatch(Alert alert, boolean resolution) {
    Map<String, Route.Taken> taken =
        route == null ? null : route.take(alert.labels(), notifierNames);
    // Indexed: an iterator per alert was a tenth of what raising one allocated.
    for (int i = 0; i < queues.size(); i++) {
      NotifierQueue queue = queues.get(i);
      AlertNotifier notifier = queue.notifier();
      if (!takes(queue, taken == null ? null : taken.keySet(), alert)
          || (resolution && !notifier.sendsResolved())) {
        continue;
      }
      Route.Taken by = taken == null ? null : taken.get(notifier.name());
      // A receiver that is re-sent each firing alert (Alertmanager) groups them itself, by their
      // labels: it gets the alerts, not our notifications of groups.
      if (by != null
          && by.grouping() != null
          && notifier.firingResendInterval().isEmpty()
          && groups.add(notifier.name(), by.route(), by.grouping(), alert, clock.instant())) {
        continue; // notified with its group, when the group is due
      }
      send(queue, alert);
    }
  }

  /** Notifies what the groups owe now. */
  void flushGroups() {
    for (Groups.Notification due : groups.due(clock.instant())) {
      NotifierQueue queue = queue(due.receiver());
      if (queue != null) {
        send(queue, due.alert());
      }
    }
  }

  private void flushGroupsSafely() {
    try {
      flushGroups();
    } catch (RuntimeException | Error e) {
      // Errors too: one escaping a periodic task silently cancels every later run.
      if (!FatalErrors.caught(e)) {
        LOG.warn("Notifying the alert groups failed", e);
      }
    }
  }

  /** One notification to one notifier, through its rate limit and its queue. */
  private void send(NotifierQueue queue, Alert alert) {
    if (!queue.admit(alert)) {
      return; // held back by the rate limit, and summarised when it opens again
    }
    Delivery delivery = Delivery.of(queue.notifier().name(), alert);
    storeCall(() -> store.enqueue(delivery));
    // Refused by the count or the bytes of the queue: never dropped, a dead letter, counted.
    String refused = queue.offer(delivery);
    if (refused != null) {
      deadLetter(delivery, closed.get() ? "the alert system is closed" : refused);
    }
  }

  /** Alertmanager forgets alerts that are not re-sent; while one fires, it is sent again. */
  private void resendFiring(NotifierQueue queue) {
    try {
      List<Alert> current;
      synchronized (lock) {
        current = firing.values().stream().map(Active::alert).toList();
      }
      for (Alert alert : current) {
        if (!alert.silenced() && !alert.inhibited() && takes(queue, routed(alert), alert)) {
          // Not through the store: a missed refresh is made good by the next one.
          queue.offer(
              new Delivery(
                  alert.id() + "/" + queue.notifier().name() + "/refresh",
                  queue.notifier().name(),
                  alert));
        }
      }
    } catch (RuntimeException | Error e) {
      // Errors too: one escaping a periodic task silently cancels every later run.
      if (!FatalErrors.caught(e)) {
        LOG.warn("Re-sending firing alerts to {} failed", queue.notifier().name(), e);
      }
    }
  }

  private void deadLetter(Delivery delivery, String error) {
    storeCall(() -> store.deadLetter(delivery, error, clock.instant()));
    outcome(delivery.notifier(), Outcome.FAILED);
    LOG.warn(
        "Alert '{}' not delivered to {}: {}", delivery.alert().title(), delivery.notifier(), error);
  }

  private void countAll(Alert alert, Outcome outcome) {
    Set<String> routed = routed(alert);
    for (int i = 0; i < queues.size(); i++) { // no iterator: once per alert, as in dispatch
      NotifierQueue queue = queues.get(i);
      if (takes(queue, routed, alert)) {
        outcome(queue.notifier().name(), outcome);
      }
    }
  }

  private void outcome(String notifier, Outcome outcome) {
    if (metrics != null) {
      metrics.outcome(notifier, outcome);
    }
  }

  // ---------------------------------------------------------------- silences

  /**
   * Mutes matching alerts for {@code duration}: they are kept in history, marked silenced, and not
   * notified. Null source or title pattern, or no severities, match anything. Returns the silence.
   *
   * @throws IllegalArgumentException when {@code duration} is not positive or is longer than 365
   *     days, or the title pattern is not a regular expression
   */
  public Silence addSilence(
      String source,
      String titlePattern,
      Set<AlertSeverity> severities,
      Duration duration,
      String comment) {
    // At most a year, as every interval: the end must be a time, not an overflow.
    Options.requirePositive("duration", duration, Options.MAX_INTERVAL);
    return kept(
        silences.add(
            source,
            titlePattern,
            severities,
            List.of(),
            clock.instant().plus(duration),
            comment,
            ""));
  }

  /**
   * Mutes the alerts whose labels all of {@code matchers} match ({@code team=db}, {@code
   * alertname=~Disk.*}, {@code instance!=a1}, {@code team!~ops|sre}; see {@link Silence.Matcher})
   * for {@code duration}, as the other {@code addSilence} does. Returns the silence.
   *
   * @throws IllegalArgumentException when there are no matchers, a matcher is not one, its regular
   *     expression is invalid (naming the matcher), or {@code duration} is not positive or is
   *     longer than 365 days
   */
  public Silence addSilence(List<String> matchers, Duration duration, String comment) {
    return addSilence(matchers, duration, "", comment);
  }

  /**
   * Mutes the alerts whose labels all of {@code matchers} match for {@code duration}, recording who
   * made the silence, as {@link #addSilence(List, Instant, String, String)} does.
   *
   * @throws IllegalArgumentException as the other {@code addSilence} of matchers does
   */
  public Silence addSilence(
      List<String> matchers, Duration duration, String createdBy, String comment) {
    Objects.requireNonNull(matchers, "matchers");
    if (matchers.isEmpty()) {
      throw new IllegalArgumentException(
          "a silence needs at least one label matcher; an empty list would mute every alert");
    }
    matchers.forEach(Silence.Matcher::parse); // the matchers' errors first, as they always were
    Options.requirePositive("duration", duration, Options.MAX_INTERVAL);
    return addSilence(matchers, clock.instant().plus(duration), createdBy, comment);
  }

  /**
   * Mutes the alerts whose labels all of {@code matchers} match until {@code endsAt}, recording who
   * made the silence and why, as Alertmanager's silences do. With a durable store the silence is
   * kept across restarts. Returns the silence.
   *
   * @throws IllegalArgumentException when there are no matchers, a matcher is not one or its
   *     regular expression is invalid (naming the matcher), or {@code endsAt} is not in the future
   *     or is more than 365 days ahead
   */
  public Silence addSilence(
      List<String> matchers, Instant endsAt, String createdBy, String comment) {
    Objects.requireNonNull(matchers, "matchers");
    Objects.requireNonNull(endsAt, "endsAt");
    if (matchers.isEmpty()) {
      throw new IllegalArgumentException(
          "a silence needs at least one label matcher; an empty list would mute every alert");
    }
    List<Silence.Matcher> parsed = Silence.Matcher.parseAll(matchers);
    Instant now = clock.instant();
    if (!endsAt.isAfter(now)) {
      throw new IllegalArgumentException(
          "ends_at must be in the future, was " + endsAt + " (now " + now + ")");
    }
    if (endsAt.isAfter(now.plus(Options.MAX_INTERVAL))) {
      throw new IllegalArgumentException(
          "ends_at must be at most 365 days ahead, was " + endsAt + " (now " + now + ")");
    }
    return kept(silences.add(null, null, Set.of(), parsed, endsAt, comment, createdBy));
  }

  /** Ends a silence early; returns whether it existed. */
  public boolean removeSilence(String id) {
    boolean removed = silences.remove(id);
    if (removed) {
      saveSilences();
    }
    return removed;
  }

  /** The silence just added, once the store keeps the silences with it. */
  private Silence kept(Silence silence) {
    saveSilences();
    return silence;
  }

  private void saveSilences() {
    synchronized (silences) {
      // Under one lock, so that two changes at once cannot save the older list last.
      byte[] bytes = SilenceJson.toBytes(silences.active(clock.instant()));
      storeCall(() -> store.saveState(SilenceJson.STATE_KEY, bytes));
    }
  }

  /** Silences still in force. */
  public List<Silence> getSilences() {
    return silences.active(clock.instant());
  }

  // ---------------------------------------------------------------- history

  /**
   * The newest {@code limit} alerts of at least {@code minSeverity} from {@code source}, newest
   * first; a null filter means no filter.
   */
  public List<Alert> getHistory(int limit, AlertSeverity minSeverity, String source) {
    return getHistory(new AlertQuery(limit, minSeverity, source, null, null));
  }

  /** History matching the query (including a time range), newest first. */
  public List<Alert> getHistory(AlertQuery query) {
    return storeCall(() -> store.history(query), List.of());
  }

  /** Forgets the history; firing alerts, pending notifications and dead letters stay. */
  public void clearHistory() {
    storeCall(store::clearHistory);
  }

  /** Notifications given up on, with their last error. */
  public List<DeadLetter> getDeadLetters() {
    return storeCall(store::deadLetters, List.of());
  }

  /** The notifiers, in order: for the metrics that read figures of their own. */
  List<AlertNotifier> notifiers() {
    return queues.stream().map(NotifierQueue::notifier).toList();
  }

  /** Notifications waiting in each notifier's queue (including those waiting to be retried). */
  public Map<String, Integer> getQueueSizes() {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (NotifierQueue queue : queues) {
      sizes.put(queue.notifier().name(), queue.size());
    }
    return sizes;
  }

  /** For tests: firing alerts tracked for deduplication and resolution. */
  int firingCount() {
    synchronized (lock) {
      return firing.size();
    }
  }

  /**
   * Alerts forgotten to stay within the bounds, for {@code alerts.evicted}: from {@code history}
   * (the in-memory store's, or what a failing store's guard keeps), {@code dead_letters} likewise,
   * or {@code firing} (no longer deduplicated or resolvable), by {@code reason}.
   */
  /**
   * The alerts firing now, counted by severity (by ordinal) and whether they are notified ({@code
   * [s][0]}) or suppressed: silenced or inhibited ({@code [s][1]}), as Alertmanager's {@code
   * alertmanager_alerts} tells them apart.
   */
  long[][] firingCounts() {
    long[][] counts = new long[AlertSeverity.values().length][2];
    synchronized (lock) {
      for (Active active : firing.values()) {
        Alert alert = active.alert();
        counts[alert.severity().ordinal()][alert.silenced() || alert.inhibited() ? 1 : 0]++;
      }
    }
    return counts;
  }

  long evicted(String from, Reason reason) {
    if (from.equals("firing")) {
      synchronized (lock) {
        return firing.evicted(reason);
      }
    }
    boolean history = from.equals("history");
    long evicted = 0;
    AlertStore inMemory = given == null ? store : given;
    if (inMemory instanceof InMemoryAlertStore memory) {
      InMemoryAlertStore.Evictions e = memory.evictions();
      evicted +=
          history
              ? (reason == Reason.COUNT ? e.historyByCount() : e.historyByBytes())
              : (reason == Reason.COUNT ? e.deadLettersByCount() : e.deadLettersByBytes());
    }
    if (store instanceof GuardedStore guarded) {
      evicted += history ? guarded.evictedAlerts(reason) : guarded.evictedDeadLetters(reason);
    }
    return evicted;
  }

  /** For tests: the self-metrics, when joined to a monitor. */
  AlertMetrics metrics() {
    return metrics;
  }

  /**
   * Store operations that failed. Alerts still went out; what the store did not take is kept in
   * memory, shown in history, and written back once the store works again.
   */
  public long getStoreFailures() {
    return storeFailures.get();
  }

  /**
   * What the store found wrong with its file: {@code RECOVERED} when it was damaged at open and
   * kept aside, {@code DAMAGED} when found damaged since (see {@link SqliteAlertStore}); {@code OK}
   * otherwise, and always for the in-memory store.
   */
  public StoreStatus getStoreStatus() {
    return store.status();
  }

  private void storeFailed() {
    storeFailures.incrementAndGet();
    AlertMetrics counting = metrics; // null while the constructor re-delivers pending ones
    if (counting != null) {
      counting.storeFailed();
    }
  }

  /** The {@code service} of every alert raised here. */
  public String getServiceName() {
    return serviceName;
  }

  /** The {@code instance} label of every alert raised here. */
  public String getServiceInstanceId() {
    return instanceId;
  }

  /**
   * Stops taking alerts and gives the queues up to {@code closeTimeout} to deliver what is due;
   * what is left stays in the store (delivered after a restart with a durable store) and is logged
   * with its count. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    scheduler.shutdownNow();
    // What the groups gathered and have not told yet goes out now, not never.
    for (Groups.Notification owed : groups.drain(clock.instant())) {
      NotifierQueue queue = queue(owed.receiver());
      if (queue != null) {
        send(queue, owed.alert());
      }
    }
    // Capped: a timeout of centuries (9999999999999h) would overflow the nanoseconds and throw,
    // leaving the queues and the store open; nobody waits longer than an hour for a shutdown.
    Duration wait = closeTimeout.compareTo(MAX_CLOSE_WAIT) > 0 ? MAX_CLOSE_WAIT : closeTimeout;
    long deadline = System.nanoTime() + wait.toNanos();
    int left = 0;
    for (NotifierQueue queue : queues) {
      long remaining = Math.max(0, deadline - System.nanoTime());
      left += queue.close(Duration.ofNanos(remaining));
    }
    if (left > 0) {
      LOG.warn("{} notifications were not delivered before close; they stay in the store", left);
    }
    if (metrics != null) {
      metrics.close();
    }
    store.close();
  }

  // ---------------------------------------------------------------- internals

  private NotifierQueue queue(String name) {
    for (NotifierQueue queue : queues) {
      if (queue.notifier().name().equals(name)) {
        return queue;
      }
    }
    return null;
  }

  private static String clean(
      String field, String value, String fallback, int maxLength, List<String> notes) {
    if (value == null || value.isBlank()) {
      notes.add(
          field + " was " + (value == null ? "null" : "blank") + "; set to '" + fallback + "'");
      return fallback;
    }
    if (value.length() > maxLength) {
      notes.add(field + " was cut from " + value.length() + " to " + maxLength + " characters");
      return Details.cut(value, maxLength);
    }
    return value;
  }

  /** A random (version 4) UUID without SecureRandom, which is slow and may block. */
  private static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  private void storeCall(Runnable call) {
    storeCall(
        () -> {
          call.run();
          return null;
        },
        null);
  }

  /** A store that fails (a full disk) must not stop alerts: log, count, go on from memory. */
  private <T> T storeCall(java.util.function.Supplier<T> call, T fallback) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      storeThrew(e);
      return fallback;
    }
  }

  /** {@code store.save}, guarded as {@link #storeCall} guards it, without a lambda per alert. */
  private void save(Alert alert) {
    try {
      store.save(alert);
    } catch (RuntimeException e) {
      storeThrew(e);
    }
  }

  private void storeThrew(RuntimeException e) {
    // The store is guarded (GuardedStore) and does not throw: this is only a last defence.
    storeFailed();
    if (storeFailures.get() % 1000 == 1) {
      LOG.error(
          "The alert store failed ({} failures so far); continuing in memory",
          storeFailures.get(),
          e);
    }
  }

  /**
   * Whether {@code to} is less than {@code window} after {@code from}: {@code
   * Duration.between(from, to).compareTo(window) < 0} without the two objects, since every alert
   * asks it.
   */
  static boolean within(Instant from, Instant to, Duration window) {
    long seconds = to.getEpochSecond() - from.getEpochSecond();
    long nanos = to.getNano() - from.getNano();
    if (nanos < 0) {
      seconds--;
      nanos += 1_000_000_000L;
    }
    return seconds < window.getSeconds()
        || (seconds == window.getSeconds() && nanos < window.getNano());
  }

  /**
   * The default of {@link Builder#maxQueueBytes}: 8 MiB a notifier. Half the history's: a queue
   * holds what waits for a slow receiver, which the rate limit keeps to a few minutes' worth.
   */
  public static final long DEFAULT_MAX_QUEUE_BYTES = 8L * 1024 * 1024;

  /** The smallest byte budget: one alert of the largest details (about 140 KiB) should fit. */
  static final long MIN_BYTES = 64 * 1024;

  /** Configures an {@link AlertSystem}; each option is checked when set. */
  public static final class Builder {
    private String serviceName = "amptalk";
    private String serviceInstanceId = UUID.randomUUID().toString();
    private List<AlertNotifier> notifiers = List.of();
    private Clock clock = Clock.systemUTC();
    private int maxHistorySize = 1000;
    private long maxHistoryBytes = InMemoryAlertStore.DEFAULT_MAX_HISTORY_BYTES;
    private long maxQueueBytes = DEFAULT_MAX_QUEUE_BYTES;
    private AlertStore store;
    private Duration dedupWindow = Duration.ofMinutes(5);
    private Duration repeatInterval = Duration.ofHours(4);
    private int queueCapacity = 10_000;
    private int maxAttempts = 8;
    private Duration initialBackoff = Duration.ofSeconds(1);
    private Duration maxBackoff = Duration.ofMinutes(5);
    private Duration sendTimeout = Duration.ofSeconds(30);
    private int rateLimit = 60;
    private Duration ratePer = Duration.ofMinutes(1);
    private Duration closeTimeout = Duration.ofSeconds(5);
    private int maxFiring = 10_000;
    private List<InhibitRule> inhibitRules = List.of();
    private Route route;
    private Meter meter;
    private LongSupplier nanoTime = System::nanoTime;

    private Builder() {}

    /**
     * The {@code service} of every alert, and part of its fingerprint. Default "amptalk"; must not
     * be blank.
     */
    public Builder serviceName(String serviceName) {
      this.serviceName = Options.requireNonBlank("serviceName", serviceName);
      return this;
    }

    /**
     * The {@code instance} label of every alert: which instance of the service raised it, as
     * OpenTelemetry's {@code service.instance.id} (which {@code Monitoring} sets it to). Not part
     * of the fingerprint. Default: a random UUID per alert system; must not be blank, at most 1,024
     * characters.
     */
    public Builder serviceInstanceId(String serviceInstanceId) {
      Options.requireNonBlank("serviceInstanceId", serviceInstanceId);
      if (serviceInstanceId.length() > AlertLabels.MAX_VALUE_LENGTH) {
        throw new IllegalArgumentException(
            "serviceInstanceId must be at most "
                + AlertLabels.MAX_VALUE_LENGTH
                + " characters, was "
                + serviceInstanceId.length());
      }
      this.serviceInstanceId = serviceInstanceId;
      return this;
    }

    /** Where alerts go. Default: one {@link LoggingNotifier}, as in the seed. */
    public Builder defaultNotifiers(List<? extends AlertNotifier> notifiers) {
      Objects.requireNonNull(notifiers, "notifiers");
      for (AlertNotifier notifier : notifiers) {
        Objects.requireNonNull(notifier, "notifiers must not contain null");
      }
      this.notifiers = List.copyOf(notifiers);
      return this;
    }

    /**
     * The clock alerts, silences, the rate limit and dead letters are timed on. Default {@code
     * Clock.systemUTC()}; must not be null.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Alerts kept by the default in-memory store. Default 1000. */
    public Builder maxHistorySize(int maxHistorySize) {
      this.maxHistorySize = Options.requireAtLeastOne("maxHistorySize", maxHistorySize);
      return this;
    }

    /**
     * The most, in bytes, that each set of alerts kept in memory may take, estimated (two bytes a
     * character of every string, plus fixed overheads): the default store's history, its dead
     * letters, the firing alerts tracked for deduplication and resolution, and what a failing
     * {@link #store} keeps until it works again. Past it, the oldest are forgotten (counted in
     * {@code alerts.evicted}); the newest is always kept. Default 16 MiB, {@link
     * InMemoryAlertStore#DEFAULT_MAX_HISTORY_BYTES}; at least 64 KiB.
     */
    public Builder maxHistoryBytes(long maxHistoryBytes) {
      this.maxHistoryBytes = Options.requireAtLeast("maxHistoryBytes", maxHistoryBytes, MIN_BYTES);
      return this;
    }

    /**
     * The most, in bytes, that the notifications waiting in each notifier's queue may take,
     * estimated as for {@link #maxHistoryBytes}. A notification that does not fit becomes a dead
     * letter ("queue of notifier 'x' is full: its 8388608 bytes are taken"), counted as failed, as
     * one past {@link #queueCapacity} does; an empty queue takes one of any size. Default 8 MiB; at
     * least 64 KiB.
     */
    public Builder maxQueueBytes(long maxQueueBytes) {
      this.maxQueueBytes = Options.requireAtLeast("maxQueueBytes", maxQueueBytes, MIN_BYTES);
      return this;
    }

    /**
     * Where history and pending notifications live. Default: in memory. When it fails, alerts still
     * go out and are kept in memory, counted in {@link #getStoreFailures()}, and written back once
     * it works again.
     */
    public Builder store(AlertStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * A repeat of a firing alert within this long of its last occurrence is counted on it, not
     * notified. Default 5 min; at most 365 days.
     */
    public Builder dedupWindow(Duration dedupWindow) {
      this.dedupWindow = Options.requirePositive("dedupWindow", dedupWindow, Options.MAX_INTERVAL);
      return this;
    }

    /**
     * A still-firing alert is notified again after this long. Default 4 h (Alertmanager's); at most
     * 365 days.
     */
    public Builder repeatInterval(Duration repeatInterval) {
      this.repeatInterval =
          Options.requirePositive("repeatInterval", repeatInterval, Options.MAX_INTERVAL);
      return this;
    }

    /** Notifications each notifier may have waiting. Default 10,000. */
    public Builder queueCapacity(int queueCapacity) {
      this.queueCapacity = Options.requireAtLeastOne("queueCapacity", queueCapacity);
      return this;
    }

    /** Attempts per notification before it becomes a dead letter. Default 8. */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = Options.requireAtLeastOne("maxAttempts", maxAttempts);
      return this;
    }

    /**
     * Backoff after the first failure, doubling up to {@code max}, with jitter. 1 s to 5 min; each
     * at most a day.
     */
    public Builder backoff(Duration initial, Duration max) {
      Options.requirePositive("backoff initial", initial, Options.MAX_PERIOD);
      Options.requirePositive("backoff max", max, Options.MAX_PERIOD);
      if (max.compareTo(initial) < 0) {
        throw new IllegalArgumentException(
            "backoff max must be at least initial (" + initial + "), was " + max);
      }
      this.initialBackoff = initial;
      this.maxBackoff = max;
      return this;
    }

    /** The longest one delivery attempt may take. Default 30 s; at most a day. */
    public Builder sendTimeout(Duration sendTimeout) {
      this.sendTimeout = Options.requirePositive("sendTimeout", sendTimeout, Options.MAX_PERIOD);
      return this;
    }

    /**
     * Each notifier sends at most {@code alerts} per {@code per} (a token bucket); what the limit
     * holds back is summarised in one notification when it opens again. Default 60 per minute;
     * {@code per} is at most a day.
     */
    public Builder rateLimit(int alerts, Duration per) {
      this.rateLimit = Options.requireAtLeastOne("rateLimit", alerts);
      this.ratePer = Options.requirePositive("rateLimit period", per, Options.MAX_PERIOD);
      return this;
    }

    /** No rate limit. */
    public Builder noRateLimit() {
      this.rateLimit = 0;
      return this;
    }

    /**
     * How long {@link #close()} may spend delivering what is queued. Default 5 s; at most a day,
     * and {@code close()} waits at most an hour whatever is set.
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = Options.requirePositive("closeTimeout", closeTimeout, Options.MAX_PERIOD);
      return this;
    }

    /**
     * Root causes muting their symptoms, as Alertmanager's inhibit rules (see {@link InhibitRule}):
     * a new alert a firing source inhibits is kept in history, marked inhibited and not notified,
     * and is notified when its last source resolves if it still fires. At most {@value
     * InhibitRule#MAX_RULES}. Default: none.
     *
     * @throws IllegalArgumentException over {@value InhibitRule#MAX_RULES} rules
     */
    public Builder inhibitRules(List<InhibitRule> inhibitRules) {
      List<InhibitRule> copy = List.copyOf(Objects.requireNonNull(inhibitRules, "inhibitRules"));
      if (copy.size() > InhibitRule.MAX_RULES) {
        throw new IllegalArgumentException(
            "inhibitRules holds "
                + copy.size()
                + " rules; at most "
                + InhibitRule.MAX_RULES
                + " are allowed");
      }
      this.inhibitRules = copy;
      return this;
    }

    /**
     * The routing tree (see {@link Route}): which notifiers take which alerts, by their labels;
     * each notifier's own filters still apply. Default: none, every notifier by its own filters.
     *
     * @throws IllegalArgumentException when the root has matchers (it takes every alert); a
     *     receiver that is no notifier is refused by {@link #build()}
     */
    public Builder route(Route route) {
      Objects.requireNonNull(route, "route");
      if (!route.matchers().isEmpty()) {
        throw new IllegalArgumentException(
            "the root route takes every alert; give its matchers "
                + route.matchers()
                + " to a route under it");
      }
      this.route = route;
      return this;
    }

    /** Firing alerts tracked for deduplication and resolution. Default 10,000. */
    public Builder maxFiring(int maxFiring) {
      this.maxFiring = Options.requireAtLeastOne("maxFiring", maxFiring);
      return this;
    }

    /**
     * Counts alerts raised ({@code alerts.raised}) and what became of each notification ({@code
     * alert.notifications}), and gauges the queues ({@code alert.queue.size}), on this meter, e.g.
     * {@code monitor.getMeter()}. Default: no metrics.
     */
    public Builder meter(Meter meter) {
      this.meter = Objects.requireNonNull(meter, "meter");
      return this;
    }

    /**
     * For tests: the monotonic time retries are scheduled on, so that a test can step past a
     * backoff or a Retry-After instead of waiting for it. Default {@code System::nanoTime}.
     */
    Builder nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Starts the alert system, on daemon threads (one per notifier and a scheduler), and sends
     * again what a durable store still holds as pending.
     *
     * @throws IllegalArgumentException when two notifiers have the same name, or the route tree
     *     names a receiver that is no notifier
     */
    public AlertSystem build() {
      return new AlertSystem(this);
    }
  }
}
