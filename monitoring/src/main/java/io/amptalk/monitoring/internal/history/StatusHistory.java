package io.amptalk.monitoring.internal.history;

import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.internal.util.DaemonThreads;
import io.amptalk.monitoring.internal.util.FatalErrors;
import io.amptalk.monitoring.metrics.RequestWindow;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the status page plots, kept in memory for a retention on a fixed step: per step the request
 * rate, error ratio and latency buckets overall and per route, and the host's CPU, memory and disk
 * utilization. Recording a request costs nothing more: each {@link #tick} folds the request cells'
 * cumulative counts (as the objectives do) and keeps the difference from the previous tick.
 *
 * <p>Steps are numbered on the wall clock ({@code round(epoch / step)}), so two monitors' points
 * line up, and a tick a little early or late lands on the step it was meant for. Two ticks on one
 * step (or a clock that went back) add to the newest step: nothing is lost. A step no tick reached
 * stays unknown (nulls), so a stalled thread never looks like an idle service.
 *
 * <p>Memory: fixed at construction but for the routes. With {@code n = retention / step + 1} steps:
 * {@code 168 n + 96} bytes for the overall counts and the host figures, {@code 64 n + 16} bytes for
 * each route with requests within the retention (15 bucket counts and the server errors, as ints,
 * per step), at most {@link #MAX_ROUTES} of them plus {@code other}, and 288 bytes of cumulative
 * counts per route the cells hold. At the default 15 minutes ({@code n = 91}) with 200 busy routes:
 * 15,384 + 201 × 5,840 + 201 × 288 = 1,247,112 bytes (1.2 MiB; about 1,265,000 measured on the
 * heap, see BENCHMARKS.md); at the longest retention, 1 hour ({@code n = 361}), 4,765,752 bytes
 * (4.5 MiB).
 *
 * <p>Thread-safe: ticks and reads share one lock; a read copies what it shows.
 */
public final class StatusHistory implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusHistory.class);

  public static final Duration DEFAULT_STEP = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RETENTION = Duration.ofMinutes(15);

  /**
   * The longest retention: 361 steps, 4.5 MiB with 200 busy routes. Longer history is Prometheus'
   * job; the page links to the Grafana dashboard for it.
   */
  public static final Duration MAX_RETENTION = Duration.ofHours(1);

  /** Routes the page shows series of, the busiest first. */
  public static final int TOP_ROUTES = 10;

  /** Routes with series of their own; the requests of further ones are kept under {@code other}. */
  public static final int MAX_ROUTES = 200;

  public static final String THREAD_NAME = "amptalk-status-history";

  private static final String OTHER = "other";
  private static final int BUCKETS = RequestMetrics.BOUNDARIES.size() + 1;
  private static final int ERRORS = BUCKETS;
  private static final int WIDTH = BUCKETS + 1;
  private static final long EMPTY = Long.MIN_VALUE;
  private static final double[] QUANTILES = {0.5, 0.95, 0.99};

  private final Consumer<RequestMetrics.SeriesVisitor> series;
  private final Supplier<SystemSnapshot> host;
  private final Clock clock;
  private final Duration step;
  private final Duration retention;
  private final long stepMillis;
  private final int capacity;
  private final Object lock = new Object();

  // One slot per step, at floorMod(step, capacity); all guarded by lock.
  private final long[] slotStep;
  private final long[] slotMillis; // the time the slot's request counts cover; 0: none
  private final long[] overall; // capacity * WIDTH
  private final double[] cpu;
  private final double[] memory;
  private final double[] disk;
  private final Map<String, Route> routes = new HashMap<>();
  private int routesWithSeries;
  private long newestStep;
  private long lastReadingMillis;

  private ScheduledExecutorService scheduler;

  /** One route's counts: cumulative as of the last tick, and its steps while it is busy. */
  private static final class Route {
    final String name;
    final long[] cumulative = new long[WIDTH];
    final long[] reading = new long[WIDTH];
    int[] steps; // capacity * WIDTH; null without a request within the retention
    long lastBusyStep = EMPTY;

    Route(String name) {
      this.name = name;
    }
  }

  /**
   * Starts the history at {@code clock}'s now with a first point: the host's figures, and no
   * request figures yet (nothing to compare with).
   *
   * @param series visits the request series with their cumulative bucket counts
   * @param host the latest host snapshot
   */
  public StatusHistory(
      Consumer<RequestMetrics.SeriesVisitor> series,
      Supplier<SystemSnapshot> host,
      Clock clock,
      Duration step,
      Duration retention) {
    this.series = series;
    this.host = host;
    this.clock = clock;
    this.step = step;
    this.retention = retention;
    this.stepMillis = step.toMillis();
    this.capacity = (int) (retention.toMillis() / stepMillis) + 1;
    this.slotStep = new long[capacity];
    Arrays.fill(slotStep, EMPTY);
    this.slotMillis = new long[capacity];
    this.overall = new long[capacity * WIDTH];
    this.cpu = new double[capacity];
    this.memory = new double[capacity];
    this.disk = new double[capacity];
    Arrays.fill(cpu, Double.NaN);
    Arrays.fill(memory, Double.NaN);
    Arrays.fill(disk, Double.NaN);
    // Made now, not while the routes are iterated: the one routes past MAX_ROUTES are kept under.
    routes.put(OTHER, new Route(OTHER));
    long now = clock.millis();
    synchronized (lock) {
      read();
      for (Route route : routes.values()) {
        System.arraycopy(route.reading, 0, route.cumulative, 0, WIDTH);
      }
      newestStep = stepOf(now);
      lastReadingMillis = now;
      open(newestStep);
      hostFigures(slot(newestStep));
    }
  }

  /** Ticks at each step's boundary on a daemon thread of its own, until {@link #close}. */
  public void start() {
    synchronized (lock) {
      if (scheduler != null) {
        return;
      }
      scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory(THREAD_NAME));
      long untilBoundary = stepMillis - Math.floorMod(clock.millis(), stepMillis);
      scheduler.scheduleAtFixedRate(
          this::tickSafely, untilBoundary, stepMillis, TimeUnit.MILLISECONDS);
    }
  }

  public Duration step() {
    return step;
  }

  public Duration retention() {
    return retention;
  }

  private void tickSafely() {
    try {
      tick();
    } catch (Throwable t) {
      // A throwable escaping a scheduled task would cancel every later run.
      if (!FatalErrors.caught(t)) {
        LOG.warn("Keeping the status page's history failed; will retry next step", t);
      }
    }
  }

  /** Keeps what was recorded since the last tick, and the host's latest figures, at now. */
  public void tick() {
    long now = clock.millis();
    synchronized (lock) {
      read();
      long at = Math.max(stepOf(now), newestStep);
      if (at > newestStep) {
        for (long s = Math.max(newestStep + 1, at - capacity + 1); s <= at; s++) {
          clear(slot(s));
        }
        newestStep = at;
        open(at);
      }
      int slot = slot(at);
      slotMillis[slot] += Math.max(0, now - lastReadingMillis);
      lastReadingMillis = now;
      long oldest = at - capacity + 1;
      for (Route route : routes.values()) {
        addDelta(route, slot, at);
        if (route.steps != null && route.lastBusyStep < oldest && !OTHER.equals(route.name)) {
          route.steps = null; // idle over the whole retention
          routesWithSeries--;
        }
      }
      hostFigures(slot);
    }
  }

  /** Folds the cells' cumulative counts by route into each route's {@code reading}. */
  private void read() {
    for (Route route : routes.values()) {
      Arrays.fill(route.reading, 0);
    }
    series.accept(
        (name, status, buckets) -> {
          Route route = routes.computeIfAbsent(name, Route::new);
          long n = 0;
          for (int b = 0; b < BUCKETS; b++) {
            route.reading[b] += buckets[b];
            n += buckets[b];
          }
          if (status >= 500) {
            route.reading[ERRORS] += n;
          }
        });
  }

  private void addDelta(Route route, int slot, long at) {
    long[] delta = new long[WIDTH];
    boolean any = false;
    boolean backwards = false;
    for (int i = 0; i < WIDTH; i++) {
      delta[i] = route.reading[i] - route.cumulative[i];
      any |= delta[i] != 0;
      backwards |= delta[i] < 0;
    }
    if (backwards) {
      // Cells only grow; fewer means they were replaced, and all of it is new.
      delta = route.reading.clone();
    }
    System.arraycopy(route.reading, 0, route.cumulative, 0, WIDTH);
    if (!any) {
      return;
    }
    int[] steps = stepsOf(route);
    route.lastBusyStep = at;
    for (int i = 0; i < WIDTH; i++) {
      overall[slot * WIDTH + i] += delta[i];
      steps[slot * WIDTH + i] =
          (int) Math.min(Integer.MAX_VALUE, steps[slot * WIDTH + i] + delta[i]);
    }
  }

  /** The route's steps; a new route's past {@link #MAX_ROUTES} are kept under {@code other}. */
  private int[] stepsOf(Route route) {
    if (route.steps != null) {
      return route.steps;
    }
    Route target = route;
    if (routesWithSeries >= MAX_ROUTES && !OTHER.equals(route.name)) {
      target = routes.get(OTHER);
      if (target.steps != null) {
        return target.steps;
      }
    } else if (!OTHER.equals(route.name)) {
      routesWithSeries++;
    }
    target.steps = new int[capacity * WIDTH];
    return target.steps;
  }

  private void open(long at) {
    int slot = slot(at);
    clear(slot);
    slotStep[slot] = at;
  }

  private void clear(int slot) {
    slotStep[slot] = EMPTY;
    slotMillis[slot] = 0;
    Arrays.fill(overall, slot * WIDTH, (slot + 1) * WIDTH, 0);
    cpu[slot] = Double.NaN;
    memory[slot] = Double.NaN;
    disk[slot] = Double.NaN;
    for (Route route : routes.values()) {
      if (route.steps != null) {
        Arrays.fill(route.steps, slot * WIDTH, (slot + 1) * WIDTH, 0);
      }
    }
  }

  /**
   * CPU and memory as the built-in checks judge them (of the container's quota and limit when one
   * binds, else the host's); the disk, the fullest file system, as the page's disk card shows it.
   */
  private void hostFigures(int slot) {
    SystemSnapshot snapshot = host.get();
    OptionalDouble busy = snapshot.effectiveCpuUtilization();
    cpu[slot] = busy.isPresent() ? busy.getAsDouble() : Double.NaN;
    memory[slot] = snapshot.effectiveMemory().map(MemoryUsage::utilization).orElse(Double.NaN);
    disk[slot] =
        snapshot.fileSystems().stream()
            .mapToDouble(FileSystemUsage::utilization)
            .max()
            .orElse(Double.NaN);
  }

  private long stepOf(long epochMillis) {
    return Math.floorDiv(epochMillis + stepMillis / 2, stepMillis);
  }

  private int slot(long stepNumber) {
    return (int) Math.floorMod(stepNumber, (long) capacity);
  }

  /** Figures per step, oldest first; null where unknown. */
  public record Series(
      List<Double> rate,
      List<Double> errorRatio,
      List<Double> p50Ms,
      List<Double> p95Ms,
      List<Double> p99Ms) {}

  /** One of the busiest routes: over the whole retention, and per step ({@code series}). */
  public record RouteFigures(
      String route,
      long requests,
      Double rate,
      Double errorRatio,
      Double p50Ms,
      Double p95Ms,
      Double p99Ms,
      Series series) {}

  /**
   * What the page plots, oldest step first, from the oldest step kept to the newest; each list has
   * one entry per time.
   */
  public record Points(
      Duration step,
      Duration retention,
      List<Instant> times,
      Series requests,
      List<RouteFigures> routes,
      List<Double> cpu,
      List<Double> memory,
      List<Double> disk) {}

  /** A copy of what is kept, read under the lock. */
  public Points points() {
    synchronized (lock) {
      long first = newestStep - capacity + 1;
      while (first < newestStep && slotStep[slot(first)] != first) {
        first++;
      }
      int n = (int) (newestStep - first + 1);
      int[] slots = new int[n];
      List<Instant> times = new ArrayList<>(n);
      long coveredMillis = 0;
      for (int i = 0; i < n; i++) {
        long s = first + i;
        slots[i] = slotStep[slot(s)] == s ? slot(s) : -1;
        times.add(Instant.ofEpochMilli(s * stepMillis));
        coveredMillis += slots[i] < 0 ? 0 : slotMillis[slots[i]];
      }
      Series requests = series(slots, (slot, i) -> overall[slot * WIDTH + i]);
      List<RouteFigures> top = new ArrayList<>();
      for (Route route : busiest(slots)) {
        top.add(routeFigures(route, slots, coveredMillis));
      }
      return new Points(
          step,
          retention,
          List.copyOf(times),
          requests,
          List.copyOf(top),
          figures(slots, cpu),
          figures(slots, memory),
          figures(slots, disk));
    }
  }

  @FunctionalInterface
  private interface Counts {
    long at(int slot, int index);
  }

  private Series series(int[] slots, Counts counts) {
    int n = slots.length;
    Double[] rate = new Double[n];
    Double[] ratio = new Double[n];
    Double[][] quantiles = new Double[QUANTILES.length][n];
    long[] buckets = new long[WIDTH];
    for (int i = 0; i < n; i++) {
      if (slots[i] < 0 || slotMillis[slots[i]] == 0) {
        continue;
      }
      for (int b = 0; b < WIDTH; b++) {
        buckets[b] = counts.at(slots[i], b);
      }
      Window window = new Window(buckets, slotMillis[slots[i]]);
      rate[i] = window.rate();
      ratio[i] = window.errorRatio();
      for (int q = 0; q < QUANTILES.length; q++) {
        quantiles[q][i] = window.quantileMs(QUANTILES[q]);
      }
    }
    return new Series(
        nullable(rate),
        nullable(ratio),
        nullable(quantiles[0]),
        nullable(quantiles[1]),
        nullable(quantiles[2]));
  }

  /** The routes with the most requests over the steps shown, most first (then by name). */
  private List<Route> busiest(int[] slots) {
    List<Route> busy = new ArrayList<>();
    Map<Route, Long> totals = new HashMap<>();
    for (Route route : routes.values()) {
      if (route.steps == null) {
        continue;
      }
      long total = 0;
      for (int slot : slots) {
        if (slot >= 0) {
          for (int b = 0; b < BUCKETS; b++) {
            total += route.steps[slot * WIDTH + b];
          }
        }
      }
      if (total > 0) {
        busy.add(route);
        totals.put(route, total);
      }
    }
    busy.sort(
        Comparator.<Route>comparingLong(totals::get).reversed().thenComparing(route -> route.name));
    return busy.subList(0, Math.min(TOP_ROUTES, busy.size()));
  }

  private RouteFigures routeFigures(Route route, int[] slots, long coveredMillis) {
    long[] sum = new long[WIDTH];
    for (int slot : slots) {
      if (slot >= 0) {
        for (int b = 0; b < WIDTH; b++) {
          sum[b] += route.steps[slot * WIDTH + b];
        }
      }
    }
    Window whole = new Window(sum, coveredMillis);
    Series series = series(slots, (slot, i) -> route.steps[slot * WIDTH + i]);
    return new RouteFigures(
        route.name,
        whole.requests(),
        whole.rate(),
        whole.errorRatio(),
        whole.quantileMs(0.5),
        whole.quantileMs(0.95),
        whole.quantileMs(0.99),
        series);
  }

  /** One step's (or the retention's) counts: buckets, then server errors. */
  private record Window(long[] counts, long millis) {
    long requests() {
      long n = 0;
      for (int b = 0; b < BUCKETS; b++) {
        n += counts[b];
      }
      return n;
    }

    Double rate() {
      return millis == 0 ? null : requests() * 1000.0 / millis;
    }

    Double errorRatio() {
      long n = requests();
      return n == 0 ? null : (double) counts[ERRORS] / n;
    }

    /**
     * As Prometheus' {@code histogram_quantile}, through {@link RequestWindow}; in ms, to the
     * microsecond (finer is noise of the interpolation, and bytes on the page's every load).
     */
    Double quantileMs(double q) {
      long n = requests();
      if (n == 0) {
        return null;
      }
      List<Long> buckets = new ArrayList<>(BUCKETS);
      for (int b = 0; b < BUCKETS; b++) {
        buckets.add(counts[b]);
      }
      OptionalDouble seconds =
          new RequestWindow(
                  Duration.ofMillis(millis), n, counts[ERRORS], RequestMetrics.BOUNDARIES, buckets)
              .quantile(q);
      return seconds.isPresent() ? Math.round(seconds.getAsDouble() * 1e6) / 1e3 : null;
    }
  }

  private static List<Double> figures(int[] slots, double[] values) {
    Double[] out = new Double[slots.length];
    for (int i = 0; i < slots.length; i++) {
      out[i] = slots[i] < 0 || Double.isNaN(values[slots[i]]) ? null : values[slots[i]];
    }
    return nullable(out);
  }

  private static List<Double> nullable(Double[] values) {
    return Collections.unmodifiableList(Arrays.asList(values));
  }

  /**
   * The bytes the kept counts take on the heap, arrays and their headers, per the class comment
   * (the map's entries and the route names not counted).
   */
  public long footprintBytes() {
    synchronized (lock) {
      long bytes = 16L * 6 + 8L * capacity * (2 + WIDTH + 3);
      for (Route route : routes.values()) {
        bytes += 2 * (16 + 8L * WIDTH);
        if (route.steps != null) {
          bytes += 16 + 4L * route.steps.length;
        }
      }
      return bytes;
    }
  }

  /** Stops ticking; idempotent. */
  @Override
  public void close() {
    ScheduledExecutorService running;
    synchronized (lock) {
      running = scheduler;
    }
    if (running == null) {
      return;
    }
    running.shutdownNow();
    try {
      running.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
