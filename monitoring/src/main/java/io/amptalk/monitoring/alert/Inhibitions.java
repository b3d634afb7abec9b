package io.amptalk.monitoring.alert;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The inhibit rules of one alert system and the firing alerts that may act as their sources. Only
 * alerts matching some rule's source side are kept here, so checking a new alert costs the number
 * of such sources times the rules, not the number of firing alerts. Not thread-safe: the alert
 * system's lock guards it, as it guards the firing alerts this mirrors.
 */
final class Inhibitions {
  private final List<InhibitRule> rules;

  /** Firing alerts that match a rule's source matchers, by fingerprint. */
  private final Map<String, Alert> sources = new LinkedHashMap<>();

  Inhibitions(List<InhibitRule> rules) {
    this.rules = List.copyOf(rules);
  }

  boolean isEmpty() {
    return rules.isEmpty();
  }

  /** A new firing alert: kept as a source when some rule's source side matches it. */
  void fired(Alert alert) {
    if (rules.isEmpty()) {
      return; // without rules, not even an iterator: every new alert comes here
    }
    for (InhibitRule rule : rules) {
      if (rule.isSource(alert.labels())) {
        sources.put(alert.fingerprint(), alert);
        return;
      }
    }
  }

  /** The alert with this fingerprint stopped firing; returns whether it was a source. */
  boolean resolved(String fingerprint) {
    return sources.remove(fingerprint) != null;
  }

  /**
   * Whether a firing source inhibits {@code target} (never itself: a rule it is a source of and a
   * target of does not let such alerts inhibit each other). {@code firing} says whether a source is
   * still among the firing alerts: one the firing alerts' bounds forgot can no longer be resolved,
   * so it is forgotten here too instead of muting its targets for ever.
   */
  boolean inhibits(Alert target, Predicate<String> firing) {
    if (rules.isEmpty()) {
      return false;
    }
    Iterator<Map.Entry<String, Alert>> each = sources.entrySet().iterator();
    while (each.hasNext()) {
      Map.Entry<String, Alert> source = each.next();
      if (!firing.test(source.getKey())) {
        each.remove();
      } else {
        Map<String, String> labels = source.getValue().labels();
        for (InhibitRule rule : rules) {
          if (rule.isSource(labels) && rule.inhibits(labels, target.labels())) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
