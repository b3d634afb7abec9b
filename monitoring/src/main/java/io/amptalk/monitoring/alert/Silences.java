package io.amptalk.monitoring.alert;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The silences of one alert system: copy-on-write, since alerts are checked against them far more
 * often than silences change.
 */
final class Silences {
  private final CopyOnWriteArrayList<Silence> silences = new CopyOnWriteArrayList<>();

  Silence add(
      String source,
      String titlePattern,
      Set<AlertSeverity> severities,
      List<Silence.Matcher> matchers,
      Instant until,
      String why,
      String createdBy) {
    Silence silence =
        new Silence(
            UUID.randomUUID().toString(),
            source,
            titlePattern == null ? null : Pattern.compile(titlePattern),
            severities == null ? Set.of() : severities,
            matchers,
            until,
            why,
            createdBy);
    silences.add(silence);
    return silence;
  }

  /** Puts back silences kept before a restart, those still in force at {@code now}. */
  void restore(List<Silence> kept, Instant now) {
    for (Silence silence : kept) {
      if (now.isBefore(silence.until())
          && silences.stream().noneMatch(s -> s.id().equals(silence.id()))) {
        silences.add(silence);
      }
    }
  }

  boolean remove(String id) {
    return silences.removeIf(s -> s.id().equals(id));
  }

  /** The silences still in force at {@code now}; the ended ones are forgotten. */
  List<Silence> active(Instant now) {
    silences.removeIf(s -> !now.isBefore(s.until()));
    return List.copyOf(silences);
  }

  /** Whether an alert of these fields and labels raised at {@code now} is muted. */
  boolean mutes(
      String title,
      AlertSeverity severity,
      String source,
      String service,
      Map<String, String> labels,
      Instant now) {
    if (silences.isEmpty()) {
      return false;
    }
    Alert probe =
        new Alert(
            "",
            title,
            "",
            severity,
            source,
            service,
            now,
            Map.of(),
            labels,
            "",
            Alert.State.FIRING,
            1,
            now,
            false,
            List.of());
    for (Silence silence : silences) {
      if (silence.mutes(probe, now)) {
        return true;
      }
    }
    return false;
  }
}
