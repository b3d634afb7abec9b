package io.amptalk.monitoring;

import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.store.AlertStore;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.internal.alert.AlertSystemStore;
import io.amptalk.monitoring.internal.slo.SloEvaluator;
import io.amptalk.monitoring.internal.util.DaemonThreads;
import io.amptalk.monitoring.internal.util.FatalErrors;
import io.amptalk.monitoring.slo.BurnRateAlert;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import io.amptalk.monitoring.slo.SloStatus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service level objectives of one {@link Monitoring}, evaluated on a thread of their own every
 * {@link #INTERVAL}: their counts are kept in the alert system's store (once a minute and at
 * close), and exported as {@code slo_error_budget_remaining{slo}} and {@code
 * slo_burn_rate{slo,window}}.
 */
final class ServiceLevels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceLevels.class);

  /** How often the objectives are evaluated: well within the shortest alert window's minute. */
  static final Duration INTERVAL = Duration.ofSeconds(10);

  private static final AttributeKey<String> SLO = AttributeKey.stringKey("slo");
  private static final AttributeKey<String> WINDOW = AttributeKey.stringKey("window");

  private final SloEvaluator evaluator;
  private final AlertStore store;
  private final ScheduledExecutorService scheduler;
  private final List<ObservableDoubleGauge> gauges = new ArrayList<>();
  private int ticks;

  ServiceLevels(List<ServiceLevelObjective> objectives, SystemMonitor monitor, AlertSystem alerts) {
    this.store = AlertSystemStore.of(alerts);
    this.evaluator =
        new SloEvaluator(
            objectives,
            monitor::forEachRequestSeries,
            alerts,
            store::state,
            Clock.systemUTC(),
            System::nanoTime);
    Meter meter = monitor.getMeter();
    gauges.add(
        meter
            .gaugeBuilder("slo.error_budget.remaining")
            .setDescription(
                "Share of the service level objective's error budget not yet spent over its"
                    + " window: 1 untouched, 0 spent, below 0 overspent.")
            .buildWithCallback(
                m -> {
                  for (SloStatus status : evaluator.status()) {
                    m.record(status.errorBudgetRemaining(), Attributes.of(SLO, status.name()));
                  }
                }));
    gauges.add(
        meter
            .gaugeBuilder("slo.burn_rate")
            .setDescription(
                "Error ratio of the objective's requests over the window, divided by its error"
                    + " budget: 1 spends the budget exactly over the objective's window.")
            .buildWithCallback(
                m -> {
                  for (SloStatus status : evaluator.status()) {
                    status
                        .burnRates()
                        .forEach(
                            (window, rate) ->
                                m.record(rate, Attributes.of(SLO, status.name(), WINDOW, window)));
                  }
                }));
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("amptalk-slo"));
    scheduler.scheduleWithFixedDelay(
        this::evaluateSafely, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
  }

  List<SloStatus> status() {
    return evaluator.status();
  }

  /** The check's name in the health report. */
  static final String CHECK = "slo";

  /**
   * Registers the {@code slo} check: degraded while a burn-rate alert fires, healthy otherwise,
   * with each objective's budget and burn rates in its details. Not critical and in no group: a
   * burning budget is for people to act on, and taking the instance out of its load balancer or
   * restarting it would only burn the budget faster; the burn-rate alerts already notify, so the
   * health alerts do not repeat them.
   */
  void registerCheck(HealthCheck health) {
    health.registerCheck(
        CHECK,
        this::check,
        "The service level objectives' error budgets and burn rates",
        CheckOptions.builder().critical(false).interval(INTERVAL).build());
  }

  private CheckResult check() {
    Map<String, Object> details = new LinkedHashMap<>();
    List<String> burning = new ArrayList<>();
    for (SloStatus status : evaluator.status()) {
      Map<String, Object> slo = new LinkedHashMap<>();
      slo.put("error_budget_remaining", status.errorBudgetRemaining());
      slo.put("burn_rates", status.burnRates());
      slo.put(
          "firing",
          status.firing().stream().map(a -> BurnRateAlert.shortForm(a.longWindow())).toList());
      details.put(status.name(), slo);
      if (!status.firing().isEmpty()) {
        burning.add(status.name());
      }
    }
    return burning.isEmpty()
        ? CheckResult.healthy("No error budget burning fast", details)
        : CheckResult.degraded("Error budget burning: " + String.join(", ", burning), details);
  }

  private void evaluateSafely() {
    try {
      evaluator.evaluate();
      if (++ticks % (60 / INTERVAL.toSeconds()) == 0) {
        save();
      }
    } catch (Throwable t) {
      // A throwable escaping a scheduled task would cancel every later run.
      if (!FatalErrors.caught(t)) {
        LOG.warn("Evaluating the service level objectives failed; will retry", t);
      }
    }
  }

  private void save() {
    for (Map.Entry<String, byte[]> entry : evaluator.state().entrySet()) {
      store.saveState(entry.getKey(), entry.getValue());
    }
  }

  /** Stops evaluating, then folds the last requests in and saves the counts. */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    gauges.forEach(ObservableDoubleGauge::close);
    try {
      evaluator.evaluate();
      save();
    } catch (RuntimeException e) {
      LOG.warn("Saving the service level objectives' counts at close failed", e);
    }
  }
}
