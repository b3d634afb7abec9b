package io.amptalk.monitoring.internal.history;

import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.internal.history.StatusHistory.Points;
import io.amptalk.monitoring.internal.history.StatusHistory.RouteFigures;
import io.amptalk.monitoring.internal.history.StatusHistory.Series;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/history}: the history as JSON, with each check's results over the retention (as the
 * health registry keeps them: at most its {@code historySize} per check).
 */
public final class HistoryJson {
  public static final String PATH = "/api/history";

  private HistoryJson() {}

  /**
   * The document docs/endpoints.md describes.
   *
   * @param points the history's points
   * @param checks each check's results, newest first (as the registry hands them out)
   */
  public static Map<String, Object> document(Points points, Map<String, List<CheckResult>> checks) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("step_seconds", points.step().toSeconds());
    json.put("retention_seconds", points.retention().toSeconds());
    json.put("times", points.times().stream().map(Instant::toString).toList());
    Series requests = points.requests();
    Map<String, Object> overall = new LinkedHashMap<>();
    overall.put("rate", requests.rate());
    overall.put("error_ratio", requests.errorRatio());
    overall.put("p50_ms", requests.p50Ms());
    overall.put("p95_ms", requests.p95Ms());
    overall.put("p99_ms", requests.p99Ms());
    json.put("requests", overall);
    List<Object> routes = new ArrayList<>();
    for (RouteFigures route : points.routes()) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("route", route.route());
      r.put("requests", route.requests());
      r.put("rate", route.rate());
      r.put("error_ratio", route.errorRatio());
      r.put("p50_ms", route.p50Ms());
      r.put("p95_ms", route.p95Ms());
      r.put("p99_ms", route.p99Ms());
      Map<String, Object> series = new LinkedHashMap<>();
      series.put("rate", route.series().rate());
      series.put("error_ratio", route.series().errorRatio());
      series.put("p99_ms", route.series().p99Ms());
      r.put("series", series);
      routes.add(r);
    }
    json.put("routes", routes);
    Map<String, Object> host = new LinkedHashMap<>();
    host.put("cpu", points.cpu());
    host.put("memory", points.memory());
    host.put("disk", points.disk());
    json.put("host", host);
    Instant oldest = points.times().isEmpty() ? Instant.MAX : points.times().get(0);
    Map<String, Object> results = new LinkedHashMap<>();
    checks.forEach(
        (name, newestFirst) -> {
          List<Object> kept = new ArrayList<>();
          for (int i = newestFirst.size() - 1; i >= 0; i--) {
            CheckResult result = newestFirst.get(i);
            if (result.time().isBefore(oldest.minus(points.step()))) {
              continue;
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("time", result.time().toString());
            r.put("status", result.status().jsonName());
            r.put("message", result.message());
            r.put("duration_ms", result.duration().toNanos() / 1e6);
            kept.add(r);
          }
          results.put(name, kept);
        });
    json.put("checks", results);
    return json;
  }
}
