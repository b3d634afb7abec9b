package io.amptalk.monitoring.slo;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one objective stands, as the service evaluates it: its requests over the window, the error
 * budget left, the burn rate over each alert window, and the burn-rate alerts firing.
 *
 * @param name the objective's name
 * @param objective the share of good requests asked for, in percent
 * @param window the window the budget is kept over
 * @param goodRequests the covered requests over the window that were good
 * @param totalRequests the covered requests over the window
 * @param errorBudgetRemaining the share of the budget not spent: 1 untouched (and without
 *     requests), 0 spent, below 0 overspent
 * @param burnRates per alert window ({@code 5m}, {@code 1h}, ...), the error ratio over it divided
 *     by the error budget: 1 spends the budget exactly over the window
 * @param firing the burn-rate alerts firing now, fastest first
 */
public record SloStatus(
    String name,
    double objective,
    Duration window,
    long goodRequests,
    long totalRequests,
    double errorBudgetRemaining,
    Map<String, Double> burnRates,
    List<BurnRateAlert> firing) {

  /** Copies the map (in its order, shortest window first) and the list. */
  public SloStatus {
    burnRates = Collections.unmodifiableMap(new LinkedHashMap<>(burnRates));
    firing = List.copyOf(firing);
  }
}
