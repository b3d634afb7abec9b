package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.internal.alert.AlertLabels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The open groups of one alert system's grouping routes: the alerts each gathered since its last
 * notification, and when the next is due. Bounded: at most {@link #MAX_GROUPS} groups (an alert
 * that would open one more is notified alone, and counted) and {@link #MAX_MEMBERS} alerts a group
 * (those past it are counted in its notification, not kept). Thread-safe.
 */
final class Groups {
  static final int MAX_GROUPS = 10_000;
  static final int MAX_MEMBERS = 1_000;

  private final String serviceName;
  private final Map<String, String> instance;
  private final Map<String, Group> groups = new LinkedHashMap<>();

  /** Numbers for routes, so that a group's key names the route that made it. */
  private final Map<Route, Integer> routeIds = new IdentityHashMap<>();

  private long ungrouped;

  /** One notification a group owes, for the notifier {@code receiver}. */
  record Notification(String receiver, Alert alert) {}

  private static final class Group {
    final String receiver;
    final Grouping grouping;
    final Map<String, String> labels;
    final String fingerprint;
    final Map<String, Alert> alerts = new LinkedHashMap<>();
    int beyond;
    boolean changed;
    Instant due;
    Instant lastSent;

    Group(String receiver, Grouping grouping, Map<String, String> labels, String fingerprint) {
      this.receiver = receiver;
      this.grouping = grouping;
      this.labels = labels;
      this.fingerprint = fingerprint;
    }

    boolean firing() {
      return alerts.values().stream().anyMatch(Alert::isFiring);
    }
  }

  Groups(String serviceName, Map<String, String> instance) {
    this.serviceName = serviceName;
    this.instance = instance;
  }

  /**
   * Puts the alert (firing, or its resolution) into its group for {@code receiver}; returns false
   * when the group cannot be opened (too many are), and the caller notifies it alone.
   */
  synchronized boolean add(
      String receiver, Route route, Grouping grouping, Alert alert, Instant now) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String name : grouping.by()) {
      labels.put(name, alert.labels().getOrDefault(name, ""));
    }
    int id = routeIds.computeIfAbsent(route, r -> routeIds.size());
    String key = receiver + "\u0000" + id + "\u0000" + labels;
    Group group = groups.get(key);
    if (group == null) {
      if (groups.size() >= MAX_GROUPS) {
        ungrouped++;
        return false;
      }
      Map<String, String> hashed = new LinkedHashMap<>(labels);
      hashed.put("group_key", key);
      group = new Group(receiver, grouping, labels, Alert.fingerprint(hashed));
      group.due = now.plus(grouping.groupWait());
      groups.put(key, group);
    } else if (group.due == null) {
      Instant next = group.lastSent.plus(grouping.groupInterval());
      group.due = next.isAfter(now) ? next : now;
    }
    if (group.alerts.containsKey(alert.fingerprint()) || group.alerts.size() < MAX_MEMBERS) {
      group.alerts.put(alert.fingerprint(), alert);
    } else if (alert.isFiring()) {
      group.beyond++; // counted as firing in the next notification; its end is not followed
    }
    group.changed = true;
    return true;
  }

  /** Alerts notified alone because {@link #MAX_GROUPS} groups were open. */
  synchronized long ungrouped() {
    return ungrouped;
  }

  /**
   * The notifications due at {@code now}: of each group that changed and whose wait or interval has
   * passed, and of each unchanged group still firing whose repeat interval has. A group's resolved
   * alerts are forgotten once notified, and a group with none left is closed.
   */
  synchronized List<Notification> due(Instant now) {
    List<Notification> due = new ArrayList<>(0);
    Iterator<Group> each = groups.values().iterator();
    while (each.hasNext()) {
      Group group = each.next();
      boolean changed = group.changed && !now.isBefore(group.due);
      boolean repeat =
          !group.changed
              && group.lastSent != null
              && !now.isBefore(group.lastSent.plus(group.grouping.repeatInterval()))
              && group.firing();
      if (changed || repeat) {
        due.add(new Notification(group.receiver, notification(group, now)));
        group.lastSent = now;
        group.due = null;
        group.changed = false;
        group.beyond = 0;
        group.alerts.values().removeIf(alert -> !alert.isFiring());
        if (group.alerts.isEmpty()) {
          each.remove();
        }
      }
    }
    return due;
  }

  /** At close: a notification of every group with news it has not told, due or not. */
  synchronized List<Notification> drain(Instant now) {
    List<Notification> owed = new ArrayList<>(0);
    for (Group group : groups.values()) {
      if (group.changed) {
        owed.add(new Notification(group.receiver, notification(group, now)));
      }
    }
    groups.clear();
    return owed;
  }

  /** The group as one alert, which every notifier can deliver: title, message and details. */
  private Alert notification(Group group, Instant now) {
    List<Alert> firing = group.alerts.values().stream().filter(Alert::isFiring).toList();
    List<Alert> resolved = group.alerts.values().stream().filter(a -> !a.isFiring()).toList();
    Set<String> titles = new LinkedHashSet<>();
    Set<String> sources = new LinkedHashSet<>();
    AlertSeverity severity = AlertSeverity.INFO;
    for (Alert alert : firing.isEmpty() ? resolved : firing) {
      titles.add(alert.title());
      sources.add(alert.source());
      if (alert.severity().isAtLeast(severity)) {
        severity = alert.severity();
      }
    }
    int firingCount = firing.size() + group.beyond;
    String counts =
        (firingCount == 0 ? "" : "FIRING:" + firingCount)
            + (firingCount > 0 && !resolved.isEmpty() ? ", " : "")
            + (resolved.isEmpty() ? "" : "RESOLVED:" + resolved.size());
    String what =
        titles.size() == 1
            ? titles.iterator().next() + (group.labels.isEmpty() ? "" : " " + group.labels)
            : group.labels.isEmpty() ? "alerts" : group.labels.toString();
    String title = "[" + counts + "] " + what;
    StringBuilder message = new StringBuilder();
    List<Map<String, Object>> listed = new ArrayList<>();
    for (Alert alert : concat(firing, resolved)) {
      if (listed.size() == Grouping.MAX_LISTED) {
        break;
      }
      message
          .append(message.length() == 0 ? "" : "\n")
          .append(alert.isFiring() ? "" : "resolved: ")
          .append('[')
          .append(alert.severity().name())
          .append("] ")
          .append(alert.title())
          .append(alert.message().isEmpty() ? "" : ": " + alert.message());
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("id", alert.id());
      item.put("title", alert.title());
      item.put("severity", alert.severity().jsonName());
      item.put("state", alert.isFiring() ? "firing" : "resolved");
      item.put("fingerprint", alert.fingerprint());
      listed.add(item);
    }
    int more = group.alerts.size() - listed.size() + group.beyond;
    if (more > 0) {
      message.append("\n… and ").append(more).append(more == 1 ? " more" : " more alerts");
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("group", group.labels);
    // The counts first: details are bounded (1,000 values), and the list is what may be cut.
    details.put("firing", firingCount);
    details.put("resolved", resolved.size());
    details.put("more", more);
    details.put("alerts", listed);
    Map<String, String> labels = new LinkedHashMap<>(instance);
    group.labels.forEach(
        (name, value) -> {
          if (!AlertLabels.BUILT_IN.contains(name) && !value.isEmpty()) {
            labels.put(name, value);
          }
        });
    return new Alert(
        UUID.randomUUID().toString(),
        title,
        message.toString(),
        severity,
        sources.size() == 1 ? sources.iterator().next() : AlertSystem.SELF_SOURCE,
        serviceName,
        now,
        details,
        labels,
        group.fingerprint,
        firingCount == 0 ? Alert.State.RESOLVED : Alert.State.FIRING,
        group.alerts.size(),
        now,
        false,
        List.of());
  }

  private static List<Alert> concat(List<Alert> first, List<Alert> second) {
    List<Alert> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }
}
