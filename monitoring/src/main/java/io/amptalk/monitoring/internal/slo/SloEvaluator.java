package io.amptalk.monitoring.internal.slo;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.internal.alert.AlertLabels;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.slo.BurnRateAlert;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import io.amptalk.monitoring.slo.ServiceLevelObjective.Availability;
import io.amptalk.monitoring.slo.ServiceLevelObjective.Latency;
import io.amptalk.monitoring.slo.SloStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Evaluates service level objectives inside the service: at each {@link #evaluate()} it folds the
 * request cells' cumulative counts into each objective's per-minute counts (so recording a request
 * costs nothing more), then raises or resolves the burn-rate alerts through the alert system, with
 * labels {@code slo} and {@code window} beside the built-in {@code severity}: an alert fires while
 * the error ratio over both its long and its short window is above its factor times the budget, the
 * condition of the Prometheus rules {@code PrometheusRules} writes.
 *
 * <p>Minutes are counted on a monotonic time line ({@code nanoTime}) anchored at the wall clock's
 * minute when the evaluator starts: a wall clock stepped by hours neither drops counts nor opens an
 * empty window that would resolve an alert, or fire one, spuriously. The wall clock only places
 * counts saved before a restart (time the process was down passes as minutes without requests).
 *
 * <p>Thread-safe: evaluation, status and saving share one lock; evaluation runs on one thread.
 */
public final class SloEvaluator {
  /** The alerts' source. */
  public static final String SOURCE = "slo";

  private static final long NANOS_PER_MINUTE = 60_000_000_000L;

  private final AlertSystem alerts;
  private final Consumer<RequestMetrics.SeriesVisitor> series;
  private final LongSupplier nanoTime;
  private final long originNanos;
  private final long originMinute;
  private final List<Tracked> tracked = new ArrayList<>();
  private final Object lock = new Object();

  /**
   * @param objectives the objectives, their names distinct
   * @param series visits the request series with their cumulative bucket counts
   * @param alerts where the burn-rate alerts are raised and resolved
   * @param saved the counts kept before a restart, by objective name, empty for none
   * @param clock the wall clock, read once to anchor the time line
   * @param nanoTime the monotonic time line
   */
  public SloEvaluator(
      List<ServiceLevelObjective> objectives,
      Consumer<RequestMetrics.SeriesVisitor> series,
      AlertSystem alerts,
      Function<String, Optional<byte[]>> saved,
      Clock clock,
      LongSupplier nanoTime) {
    this.alerts = alerts;
    this.series = series;
    this.nanoTime = nanoTime;
    this.originNanos = nanoTime.getAsLong();
    this.originMinute = Math.floorDiv(clock.millis(), 60_000L);
    for (ServiceLevelObjective objective : objectives) {
      tracked.add(new Tracked(objective, saved.apply(stateKey(objective)), originMinute));
    }
  }

  /** The key an objective's counts are saved under. */
  public static String stateKey(ServiceLevelObjective objective) {
    return "slo/" + objective.name();
  }

  /** The minute now on the evaluator's time line. */
  long minuteNow() {
    return originMinute + Math.floorDiv(nanoTime.getAsLong() - originNanos, NANOS_PER_MINUTE);
  }

  /**
   * Folds the requests recorded since the last evaluation into the counts, then raises the
   * burn-rate alerts whose condition now holds and resolves those whose condition ended.
   */
  public void evaluate() {
    List<Runnable> transitions = new ArrayList<>();
    synchronized (lock) {
      for (Tracked t : tracked) {
        t.good = 0;
        t.total = 0;
      }
      series.accept(
          (route, status, buckets) -> {
            for (Tracked t : tracked) {
              t.fold(route, status, buckets);
            }
          });
      long minute = minuteNow();
      for (Tracked t : tracked) {
        t.record(minute);
        t.judge(transitions);
      }
    }
    // Outside the lock: the alert system takes its own, and its listeners may read our status.
    transitions.forEach(Runnable::run);
  }

  /** Where each objective stands, as of the last evaluation. */
  public List<SloStatus> status() {
    synchronized (lock) {
      List<SloStatus> out = new ArrayList<>(tracked.size());
      for (Tracked t : tracked) {
        out.add(t.status());
      }
      return out;
    }
  }

  /** Each objective's counts as bytes, by the key to save them under. */
  public Map<String, byte[]> state() {
    synchronized (lock) {
      Map<String, byte[]> out = new LinkedHashMap<>();
      for (Tracked t : tracked) {
        out.put(stateKey(t.objective), t.counts.toBytes());
      }
      return out;
    }
  }

  /** The bytes the counts of all objectives take on the heap. */
  public long footprintBytes() {
    synchronized (lock) {
      return tracked.stream().mapToLong(t -> t.counts.footprintBytes()).sum();
    }
  }

  /** One objective: its counts, the cumulative reading last folded, its alerts' state. */
  private final class Tracked {
    final ServiceLevelObjective objective;
    final BudgetCounts counts;
    final Pattern routePattern;
    final int latencyBuckets; // buckets at or under the threshold; -1 for availability
    final double budget;
    final long windowMinutes;
    final Map<String, Boolean> covers = new HashMap<>();
    // Made once: a method reference written in fold() would be a new object per series.
    final Function<String, Boolean> coverage = this::covered;
    final List<Duration> windows;
    final Map<BurnRateAlert, String> firing = new LinkedHashMap<>();
    boolean judged; // whether the alerts were judged once since the start

    // The cumulative counts of this evaluation's reading, and of the last one.
    long good;
    long total;
    long lastGood;
    long lastTotal;

    Tracked(ServiceLevelObjective objective, Optional<byte[]> saved, long startMinute) {
      this.objective = objective;
      this.budget = objective.errorBudget();
      this.windowMinutes = objective.window().toMinutes();
      long longest =
          objective.alerts().stream().mapToLong(a -> a.longWindow().toMinutes()).max().orElse(60);
      int minutes = (int) Math.min(longest, windowMinutes);
      int hours = (int) ((windowMinutes + 59) / 60) + 1;
      this.counts =
          saved
              .flatMap(bytes -> BudgetCounts.fromBytes(bytes, minutes, hours))
              .orElseGet(() -> new BudgetCounts(minutes, hours, startMinute));
      this.routePattern =
          objective.routePattern() == null ? null : Pattern.compile(objective.routePattern());
      this.latencyBuckets =
          objective.indicator() instanceof Latency latency
              ? RequestMetrics.BOUNDARIES.indexOf(latency.thresholdSeconds()) + 1
              : -1;
      TreeSet<Duration> all = new TreeSet<>();
      for (BurnRateAlert alert : objective.alerts()) {
        all.add(alert.shortWindow());
        all.add(alert.longWindow());
      }
      this.windows = List.copyOf(all);
    }

    void fold(String route, int status, long[] buckets) {
      if (!covers.computeIfAbsent(route, coverage)) {
        return;
      }
      long n = 0;
      for (long b : buckets) {
        n += b;
      }
      total += n;
      if (latencyBuckets >= 0) {
        for (int i = 0; i < latencyBuckets; i++) {
          good += buckets[i];
        }
      } else if (isGood(status)) {
        good += n;
      }
    }

    private boolean covered(String route) {
      if (routePattern != null) {
        return routePattern.matcher(route).matches();
      }
      return objective.routes().isEmpty() || objective.routes().contains(route);
    }

    private boolean isGood(int status) {
      Availability availability = (Availability) objective.indicator();
      return availability.goodStatuses().isEmpty()
          ? status < 500
          : availability.goodStatuses().contains(status);
    }

    /** Adds what was recorded since the last reading to {@code minute}. */
    void record(long minute) {
      long newGood = good - lastGood;
      long newTotal = total - lastTotal;
      if (newTotal < 0 || newGood < 0) {
        // Cells only grow; fewer means the series were replaced, and all of it is new.
        newGood = good;
        newTotal = total;
      }
      counts.add(minute, newGood, newTotal);
      lastGood = good;
      lastTotal = total;
    }

    /** The error ratio over the last {@code window}; 0 without requests (nothing burns). */
    double errorRatio(Duration window) {
      long[] sum = counts.sum(window.toMinutes());
      return sum[1] == 0 ? 0 : (double) (sum[1] - sum[0]) / sum[1];
    }

    void judge(List<Runnable> transitions) {
      boolean first = !judged;
      judged = true;
      for (BurnRateAlert alert : objective.alerts()) {
        double threshold = alert.factor() * budget;
        double longRatio = errorRatio(alert.longWindow());
        double shortRatio = errorRatio(alert.shortWindow());
        boolean burning = longRatio > threshold && shortRatio > threshold;
        if (burning && !firing.containsKey(alert)) {
          Map<String, String> labels = labels(alert);
          firing.put(alert, "");
          String title = title(alert);
          String message = message(alert, longRatio, shortRatio);
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("objective_percent", objective.objective());
          details.put("factor", alert.factor());
          details.put("long_window_error_ratio", longRatio);
          details.put("short_window_error_ratio", shortRatio);
          transitions.add(
              () -> {
                Alert raised =
                    alerts.alert(title, message, alert.severity(), SOURCE, details, labels);
                if (raised != null) {
                  synchronized (lock) {
                    firing.replace(alert, "", raised.fingerprint());
                  }
                }
              });
        } else if (!burning && (firing.containsKey(alert) || first)) {
          // At the first judgement after a start, an alert kept firing in a durable alert
          // store from before is resolved too, if its condition no longer holds.
          String fingerprint = firing.remove(alert);
          String key =
              fingerprint == null || fingerprint.isEmpty() ? fingerprint(alert) : fingerprint;
          transitions.add(() -> alerts.resolve(key));
        }
      }
    }

    private Map<String, String> labels(BurnRateAlert alert) {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("slo", objective.name());
      labels.put("window", BurnRateAlert.shortForm(alert.longWindow()));
      return labels;
    }

    private String fingerprint(BurnRateAlert alert) {
      Map<String, String> labels = labels(alert);
      labels.put(AlertLabels.SERVICE, alerts.getServiceName());
      labels.put(AlertLabels.SOURCE, SOURCE);
      labels.put(AlertLabels.ALERTNAME, title(alert));
      return Alert.fingerprint(labels);
    }

    private String title(BurnRateAlert alert) {
      return "SLO "
          + objective.name()
          + ": error budget burning over "
          + BurnRateAlert.shortForm(alert.longWindow());
    }

    private String message(BurnRateAlert alert, double longRatio, double shortRatio) {
      return "Over the last "
          + BurnRateAlert.shortForm(alert.longWindow())
          + " and the last "
          + BurnRateAlert.shortForm(alert.shortWindow())
          + ", "
          + percent(longRatio)
          + " % and "
          + percent(shortRatio)
          + " % of requests failed the objective, more than "
          + decimal(alert.factor())
          + " times the error budget of "
          + percent(budget)
          + " % ("
          + decimal(objective.objective())
          + " % over "
          + BurnRateAlert.shortForm(objective.window())
          + ").";
    }

    SloStatus status() {
      long[] sum = counts.sum(windowMinutes);
      double ratio = sum[1] == 0 ? 0 : (double) (sum[1] - sum[0]) / sum[1];
      Map<String, Double> burnRates = new LinkedHashMap<>();
      for (Duration window : windows) {
        burnRates.put(BurnRateAlert.shortForm(window), errorRatio(window) / budget);
      }
      return new SloStatus(
          objective.name(),
          objective.objective(),
          objective.window(),
          sum[0],
          sum[1],
          1 - ratio / budget,
          burnRates,
          objective.alerts().stream().filter(firing::containsKey).toList());
    }
  }

  /** 2.1 for 0.021: a ratio in percent, to three significant decimals, no exponent. */
  private static String percent(double ratio) {
    return decimal(
        BigDecimal.valueOf(ratio)
            .movePointRight(2)
            .round(new java.math.MathContext(3))
            .doubleValue());
  }

  private static String decimal(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
