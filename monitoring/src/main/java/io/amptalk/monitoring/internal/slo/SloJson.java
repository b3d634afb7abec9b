package io.amptalk.monitoring.internal.slo;

import io.amptalk.monitoring.slo.BurnRateAlert;
import io.amptalk.monitoring.slo.SloStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /api/slo}: each objective's status as JSON. */
public final class SloJson {
  public static final String PATH = "/api/slo";

  private SloJson() {}

  /** {@code {"slos": [{"name": ..., "error_budget_remaining": ..., ...}]}}. */
  public static Map<String, Object> document(List<SloStatus> statuses) {
    List<Object> slos = new ArrayList<>();
    for (SloStatus status : statuses) {
      Map<String, Object> slo = new LinkedHashMap<>();
      slo.put("name", status.name());
      slo.put("objective_percent", status.objective());
      slo.put("window", BurnRateAlert.shortForm(status.window()));
      slo.put("good_requests", status.goodRequests());
      slo.put("total_requests", status.totalRequests());
      slo.put("error_budget_remaining", status.errorBudgetRemaining());
      slo.put("burn_rates", status.burnRates());
      List<Object> firing = new ArrayList<>();
      for (BurnRateAlert alert : status.firing()) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("window", BurnRateAlert.shortForm(alert.longWindow()));
        a.put("short_window", BurnRateAlert.shortForm(alert.shortWindow()));
        a.put("factor", alert.factor());
        a.put("severity", alert.severity().jsonName());
        firing.add(a);
      }
      slo.put("firing", firing);
      slos.add(slo);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("slos", slos);
    return json;
  }
}
