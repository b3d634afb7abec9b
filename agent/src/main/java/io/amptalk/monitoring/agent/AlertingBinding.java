package io.amptalk.monitoring.agent;

import static io.amptalk.monitoring.agent.Bindings.apply;
import static io.amptalk.monitoring.agent.Bindings.step;

import io.amptalk.monitoring.agent.AgentConfig.SilenceSpec;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.Grouping;
import io.amptalk.monitoring.alert.InhibitRule;
import io.amptalk.monitoring.alert.Route;
import io.amptalk.monitoring.alert.Silence;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Binds the {@code alerting:} section: the alert history's store and size, the steps on the {@link
 * AlertSystem} builder (deduplication, repeats, rate limit, retries, queue, inhibit rules), and the
 * silences in force from the start.
 */
final class AlertingBinding {
  static final Path STORE = Path.of("data", "alerts.db");
  static final int HISTORY_SIZE = 1000;

  /** The library's smallest byte budget, 64 KiB. */
  static final long MIN_BYTES = 64 * 1024;

  private AlertingBinding() {}

  /**
   * What the section gives.
   *
   * @param steps steps on the {@link AlertSystem} builder
   * @param store the SQLite file of the alert history; null to keep it in memory
   * @param historySize alerts kept in the history
   * @param silences silences in force from the start
   * @param route the routing tree; null without one
   * @param receivers every receiver name the tree gives, where it gives it, to be checked against
   *     the notifiers
   */
  record Alerting(
      List<Consumer<AlertSystem.Builder>> steps,
      Path store,
      int historySize,
      List<SilenceSpec> silences,
      Route route,
      List<ConfigReader.Value> receivers) {}

  static Alerting read(ConfigReader.Section section) {
    List<Consumer<AlertSystem.Builder>> steps = new ArrayList<>();
    Path store = readStore(section);
    int historySize = section.integer("history_size", 1, 10_000_000).orElse(HISTORY_SIZE);
    steps.add(b -> b.maxHistorySize(historySize));
    readSteps(section, steps);
    List<SilenceSpec> silences =
        section
            .get("silences")
            .map(v -> v.list().stream().map(AlertingBinding::silence).toList())
            .orElse(List.of());
    List<ConfigReader.Value> receivers = new ArrayList<>();
    Route route = section.get("route").map(v -> route(v, null, receivers)).orElse(null);
    if (route != null) {
      steps.add(b -> b.route(route));
    }
    section.end();
    return new Alerting(
        List.copyOf(steps), store, historySize, silences, route, List.copyOf(receivers));
  }

  private static Path readStore(ConfigReader.Section alerting) {
    String type =
        alerting
            .get("store")
            .map(
                v ->
                    switch (v.text()) {
                      case "sqlite", "memory" -> v.text();
                      default -> throw v.expected("sqlite or memory");
                    })
            .orElse("sqlite");
    Optional<String> path = alerting.string("store_path");
    if (type.equals("memory")) {
      if (path.isPresent()) {
        throw alerting.get("store_path").get().error("store_path is for store: sqlite");
      }
      return null;
    }
    return path.map(Path::of).orElse(STORE);
  }

  private static void readSteps(
      ConfigReader.Section a, List<Consumer<AlertSystem.Builder>> alerting) {
    Supplier<AlertSystem.Builder> scratch = AlertSystem::builder;
    a.get("dedup_window")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.dedupWindow(v.duration())));
    a.get("repeat_interval")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.repeatInterval(v.duration())));
    int rate = a.integer("rate_limit", 0, 1_000_000).orElse(60);
    // Tried on a scratch builder even when the rate is 0 (no limit) and the period unused.
    Duration per =
        a.get("rate_limit_period")
            .map(
                v ->
                    apply(
                        v,
                        () -> {
                          Duration period = v.duration();
                          scratch.get().rateLimit(Math.max(1, rate), period);
                          return period;
                        }))
            .orElse(Duration.ofMinutes(1));
    if (rate == 0) {
      alerting.add(AlertSystem.Builder::noRateLimit);
    } else {
      ConfigReader.Value at = a.get("rate_limit").or(() -> a.get("rate_limit_period")).orElse(null);
      if (at == null) {
        alerting.add(b -> b.rateLimit(rate, per));
      } else {
        step(alerting, scratch, at, b -> b.rateLimit(rate, per));
      }
    }
    a.get("max_attempts")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.maxAttempts(v.integer(1, 1000))));
    // Each tried alone on a scratch builder, so that one past its maximum is reported at its key.
    Optional<Duration> initial =
        a.get("backoff_initial")
            .map(
                v ->
                    apply(
                        v,
                        () -> {
                          Duration first = v.duration();
                          scratch.get().backoff(first, first);
                          return first;
                        }));
    Optional<Duration> max =
        a.get("backoff_max")
            .map(
                v ->
                    apply(
                        v,
                        () -> {
                          Duration longest = v.duration();
                          scratch.get().backoff(Duration.ofMillis(1), longest);
                          return longest;
                        }));
    if (initial.isPresent() || max.isPresent()) {
      Duration first = initial.orElse(Duration.ofSeconds(1));
      Duration longest = max.orElse(Duration.ofMinutes(5));
      if (longest.compareTo(first) < 0) {
        throw a.get("backoff_max")
            .or(() -> a.get("backoff_initial"))
            .get()
            .error(
                "backoff_max (" + longest + ") must be at least backoff_initial (" + first + ")");
      }
      alerting.add(b -> b.backoff(first, longest));
    }
    a.get("send_timeout")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.sendTimeout(v.duration())));
    a.get("queue_capacity")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.queueCapacity(v.integer(1, 10_000_000))));
    a.get("history_bytes")
        .ifPresent(
            v -> step(alerting, scratch, v, b -> b.maxHistoryBytes(Bindings.bytes(v, MIN_BYTES))));
    a.get("queue_bytes")
        .ifPresent(
            v -> step(alerting, scratch, v, b -> b.maxQueueBytes(Bindings.bytes(v, MIN_BYTES))));
    a.get("max_firing")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.maxFiring(v.integer(1, 10_000_000))));
    a.get("close_timeout")
        .ifPresent(v -> step(alerting, scratch, v, b -> b.closeTimeout(v.duration())));
    a.get("inhibit_rules")
        .ifPresent(
            v -> {
              List<InhibitRule> rules =
                  v.list().stream().map(AlertingBinding::inhibitRule).toList();
              step(alerting, scratch, v, b -> b.inhibitRules(rules));
            });
  }

  /**
   * A route and the routes under it, in Alertmanager's words: {@code matchers}, {@code receivers}
   * (notifier names), {@code continue}, {@code routes}; the root takes only the last two and {@code
   * receivers}, since it takes every alert. {@code item} is where the first level's routes stand in
   * the schema, which the deeper ones borrow; null for the root. Nesting is bounded by the reader's
   * depth.
   */
  private static Route route(
      ConfigReader.Value value, ConfigReader.Value item, List<ConfigReader.Value> receivers) {
    ConfigReader.Section s = value.section();
    Route.Builder route = Route.builder();
    if (item != null) {
      s.get("matchers").ifPresent(v -> apply(v, () -> route.matchers(v.strings())));
      s.bool("continue").ifPresent(route::continueMatching);
    }
    s.get("receivers")
        .ifPresent(
            v -> {
              receivers.addAll(v.list());
              apply(v, () -> route.receivers(v.strings()));
            });
    if (item != null) {
      // Not on the root, which keeps every alert on its own: a route without matchers groups all.
      grouping(s).ifPresent(route::grouping);
    }
    s.get("routes")
        .ifPresent(
            v -> {
              List<Route> children = new ArrayList<>();
              for (ConfigReader.Value child : v.list()) {
                ConfigReader.Value at = item == null ? child : child.schemaAs(item);
                children.add(route(at, item == null ? child : item, receivers));
              }
              route.routes(children);
            });
    s.end();
    return apply(value, route::build);
  }

  /**
   * A route's {@code group_by}, {@code group_wait}, {@code group_interval} and {@code
   * repeat_interval}; empty when it gives none (it groups as its parent). The times default to
   * Alertmanager's (30s, 5m, 4h), and {@code group_by} to none: one group of all its alerts.
   */
  private static Optional<Grouping> grouping(ConfigReader.Section route) {
    Optional<ConfigReader.Value> by = route.get("group_by");
    Optional<ConfigReader.Value> wait = route.get("group_wait");
    Optional<ConfigReader.Value> interval = route.get("group_interval");
    Optional<ConfigReader.Value> repeat = route.get("repeat_interval");
    if (by.isEmpty() && wait.isEmpty() && interval.isEmpty() && repeat.isEmpty()) {
      return Optional.empty();
    }
    Grouping grouping =
        by.map(v -> apply(v, () -> Grouping.by(v.strings()))).orElse(Grouping.by(List.of()));
    grouping = with(grouping, wait, Grouping::withGroupWait);
    grouping = with(grouping, interval, Grouping::withGroupInterval);
    return Optional.of(with(grouping, repeat, Grouping::withRepeatInterval));
  }

  /** {@code grouping} with the duration at {@code key} set, a refusal reported at the key. */
  private static Grouping with(
      Grouping grouping,
      Optional<ConfigReader.Value> key,
      BiFunction<Grouping, Duration, Grouping> set) {
    return key.map(v -> apply(v, () -> set.apply(grouping, v.duration()))).orElse(grouping);
  }

  /** One of {@code inhibit_rules}, in Alertmanager's words. */
  private static InhibitRule inhibitRule(ConfigReader.Value value) {
    ConfigReader.Section s = value.section();
    List<Silence.Matcher> source = matchers(s, "source_matchers");
    List<Silence.Matcher> target = matchers(s, "target_matchers");
    List<String> equal =
        s.get("equal")
            .map(v -> v.list().stream().map(ConfigReader.Value::text).toList())
            .orElse(List.of());
    ConfigReader.Value at = s.get("equal").orElse(value);
    s.end();
    return apply(
        source.isEmpty() || target.isEmpty() ? value : at,
        () -> new InhibitRule(source, target, equal));
  }

  private static List<Silence.Matcher> matchers(ConfigReader.Section rule, String key) {
    return rule.get(key)
        .map(
            v ->
                v.list().stream()
                    .map(item -> apply(item, () -> Silence.Matcher.parse(item.text())))
                    .toList())
        .orElse(List.of());
  }

  private static SilenceSpec silence(ConfigReader.Value value) {
    ConfigReader.Section s = value.section();
    String source = s.string("source").orElse(null);
    String title =
        s.get("title")
            .map(
                v -> {
                  try {
                    Pattern.compile(v.text());
                    return v.text();
                  } catch (PatternSyntaxException e) {
                    throw v.expected("a regular expression (" + e.getDescription() + ")");
                  }
                })
            .orElse(null);
    Set<AlertSeverity> severities = EnumSet.noneOf(AlertSeverity.class);
    s.get("severities")
        .ifPresent(v -> v.list().forEach(item -> severities.add(Bindings.severity(item))));
    Instant until =
        s.get("until")
            .map(
                v -> {
                  try {
                    return Instant.parse(v.text());
                  } catch (DateTimeParseException e) {
                    throw v.expected("an instant such as 2026-12-24T18:00:00Z");
                  }
                })
            .orElse(null);
    Duration duration = s.duration("duration", Bindings.MAX_INTERVAL).orElse(null);
    if ((until == null) == (duration == null)) {
      throw s.error("a silence needs exactly one of 'until' and 'duration'");
    }
    String comment = s.string("comment").orElse("");
    s.end();
    return new SilenceSpec(source, title, Set.copyOf(severities), until, duration, comment);
  }
}
