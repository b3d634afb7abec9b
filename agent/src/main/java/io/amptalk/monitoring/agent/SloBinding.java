package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.slo.ServiceLevelObjective;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code slos:}: the service level objectives, by name. Each is an availability (good: a status
 * below 500, or one of {@code good_statuses}) or a latency ({@code threshold}, a bucket bound) of
 * the covered {@code routes} (a list, or {@code route_pattern}; default all), with an {@code
 * objective} in percent over a {@code window} (default 30d), watched by the SRE Workbook's four
 * burn-rate alerts.
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
    s.end();
    return Bindings.apply(s.get("window").orElse(value), slo::build);
  }
}
