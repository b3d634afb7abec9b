package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.slo.BurnRateAlert;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code slos:}: the service level objectives, by name. Each is an availability (good: a status
 * below 500, or one of {@code good_statuses}) or a latency ({@code threshold}, a bucket bound) of
 * the covered {@code routes} (a list, or {@code route_pattern}; default all), with an {@code
 * objective} in percent over a {@code window} (default 30d), watched by the SRE Workbook's four
 * burn-rate alerts or by its own {@code alerts}.
 */
final class SloBinding {
  private SloBinding() {}

  static List<ServiceLevelObjective> read(ConfigReader.Section section) {
    List<ServiceLevelObjective> slos = new ArrayList<>();
    section.entries("name").forEach((name, value) -> slos.add(slo(name, value)));
    return List.copyOf(slos);
  }

  private static ServiceLevelObjective slo(String name, ConfigReader.Value value) {
    ServiceLevelObjective.Builder slo =
        Bindings.apply(value, () -> ServiceLevelObjective.builder(name));
    ConfigReader.Section s = value.section();
    String indicator = s.string("indicator").map(String::strip).orElse("availability");
    switch (indicator) {
      case "availability" -> {
        s.get("good_statuses")
            .ifPresent(
                v -> {
                  Set<Integer> statuses = new LinkedHashSet<>();
                  for (ConfigReader.Value status : v.list()) {
                    statuses.add(status.integer(100, 599));
                  }
                  Bindings.apply(v, () -> slo.availability(statuses));
                });
      }
      case "latency" -> {
        ConfigReader.Value threshold =
            s.get("threshold")
                .orElseThrow(() -> s.error("a latency objective needs a threshold (e.g. 250ms)"));
        Bindings.apply(threshold, () -> slo.latency(threshold.duration()));
      }
      default ->
          throw s.get("indicator")
              .orElseThrow()
              .error("indicator must be availability or latency, was '" + indicator + "'");
    }
    s.get("routes").ifPresent(v -> Bindings.apply(v, () -> slo.routes(v.strings())));
    s.get("route_pattern")
        .ifPresent(
            v -> {
              if (s.has("routes")) {
                throw v.error("give routes or route_pattern, not both");
              }
              Bindings.apply(v, () -> slo.routePattern(v.text()));
            });
    ConfigReader.Value objective =
        s.get("objective").orElseThrow(() -> s.error("objective is required (e.g. 99.9)"));
    Bindings.apply(objective, () -> slo.objective(objective.number(0, 100)));
    s.get("window").ifPresent(v -> Bindings.apply(v, () -> slo.window(v.duration())));
    s.get("alerts").ifPresent(v -> Bindings.apply(v, () -> slo.alerts(alerts(v))));
    s.end();
    return Bindings.apply(s.get("window").orElse(value), slo::build);
  }

  /**
   * {@code alerts:}, the burn-rate alerts in place of the Workbook's: each a {@code severity}
   * ({@code critical} pages, {@code warning} opens a ticket), a {@code long_window} and a {@code
   * short_window} in whole minutes, and a {@code factor}.
   */
  private static List<BurnRateAlert> alerts(ConfigReader.Value value) {
    List<ConfigReader.Value> items = value.list();
    if (items.isEmpty()) {
      throw value.error("alerts must list at least one burn-rate alert, was []");
    }
    List<BurnRateAlert> alerts = new ArrayList<>();
    for (ConfigReader.Value item : items) {
      ConfigReader.Section a = item.section();
      ConfigReader.Value severity =
          a.get("severity").orElseThrow(() -> a.error("severity is required (critical, warning)"));
      ConfigReader.Value longWindow =
          a.get("long_window").orElseThrow(() -> a.error("long_window is required (e.g. 1h)"));
      ConfigReader.Value shortWindow =
          a.get("short_window").orElseThrow(() -> a.error("short_window is required (e.g. 5m)"));
      ConfigReader.Value factor =
          a.get("factor").orElseThrow(() -> a.error("factor is required (e.g. 14.4)"));
      AlertSeverity level = Bindings.severity(severity);
      Duration longDuration = longWindow.duration();
      Duration shortDuration = shortWindow.duration();
      double times = factor.number(0, 1_000_000);
      a.end();
      alerts.add(
          Bindings.apply(item, () -> new BurnRateAlert(level, longDuration, shortDuration, times)));
    }
    return alerts;
  }
}
