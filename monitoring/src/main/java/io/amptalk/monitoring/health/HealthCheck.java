package io.amptalk.monitoring.health;

import io.amptalk.monitoring.health.checks.HostChecks;
import io.amptalk.monitoring.health.checks.NetworkChecks;
import io.amptalk.monitoring.health.checks.RequestChecks;
import io.amptalk.monitoring.internal.health.CheckRunner;
import io.amptalk.monitoring.internal.health.RegisteredCheck;
import io.amptalk.monitoring.internal.util.FatalErrors;
import io.amptalk.monitoring.internal.util.Options;
import io.amptalk.monitoring.internal.util.ThrottledLogger;
import io.amptalk.monitoring.metrics.HostView;
import io.amptalk.monitoring.metrics.RequestView;
import io.opentelemetry.api.metrics.Meter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry of health checks, run in parallel on a bounded pool, each bounded by a timeout, on
 * their own schedule; with per-check history, failure and success thresholds, groups for probes
 * (liveness, readiness, startup), listeners, and a report that readers and {@code /health} take
 * from the last results without ever running a check on their own thread.
 *
 * <pre>{@code
 * HealthCheck healthCheck = HealthCheck.builder()
 *     .serviceName("amptalk")
 *     .checkInterval(Duration.ofSeconds(60))
 *     .build();
 * healthCheck.registerCheck("cpu", createCpuHealthCheck(75.0, 90.0), "CPU usage health check");
 * healthCheck.registerCheck("database",
 *     () -> CheckResult.of(true, "Database connection is healthy"),
 *     "Database connection health check");
 * Map<String, CheckResult> results = healthCheck.runAllChecks();
 * HealthStatus status = healthCheck.getOverallStatus();
 * String json = healthCheck.getStatusReport().toJson();
 * healthCheck.close();
 * }</pre>
 *
 * <p>Longer than our usual 400 lines because it is the registry of the original API: the twelve
 * built-in check factories (delegating to {@code health.checks}), registration, the readers and the
 * builder, each documented. How checks run lives in {@code internal.health}: a check's state and
 * thresholds in {@code RegisteredCheck}, the pool and timeouts in {@code CheckRunner}.
 */
public final class HealthCheck implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthCheck.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Path segments the HTTP handler gives meaning to, so no check may take them as a name. */
  static final Set<String> RESERVED_NAMES = Set.of("live", "ready", "started", "group");

  private final String serviceName;
  private final Duration checkInterval;
  private final Duration defaultTimeout;
  private final int historySize;
  private final Clock clock;
  private final ConcurrentHashMap<String, RegisteredCheck> entries = new ConcurrentHashMap<>();
  private final AtomicLong registrations = new AtomicLong();
  private final CopyOnWriteArrayList<HealthListener> listeners = new CopyOnWriteArrayList<>();
  private final CheckRunner runner;
  private final Object overallLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final HealthMetrics metrics;
  private final int threads;
  private final ThrottledLogger skipLog;
  private final boolean autoCheck;
  private final long maxSleepNanos;
  private final Object ticking = new Object();
  private ScheduledFuture<?> nextTick; // guarded by ticking
  private HealthStatus overall = HealthStatus.UNKNOWN;
  private volatile HealthReport report;

  private HealthCheck(Builder builder) {
    this.serviceName = builder.serviceName;
    this.checkInterval = builder.checkInterval;
    this.defaultTimeout = builder.defaultTimeout;
    this.historySize = builder.historySize;
    this.clock = builder.clock;
    this.threads = builder.threads;
    this.skipLog = new ThrottledLogger(LOG, clock, Duration.ofMinutes(1));
    this.runner = new CheckRunner(builder.threads, clock, this::settled);
    this.report = buildReport();
    this.metrics = builder.meter == null ? null : new HealthMetrics(builder.meter, () -> report);
    this.autoCheck = builder.autoCheck;
    this.maxSleepNanos = builder.tick.toNanos();
    if (autoCheck) {
      scheduleTick();
    }
  }

  /** A builder; every option has a default. */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------- built-in checks (the seed's)

  /** CPU utilization of the whole host, in percent, sampled by the check itself. */
  public static Check createCpuHealthCheck(double warningThreshold, double criticalThreshold) {
    return HostChecks.cpu(warningThreshold, criticalThreshold);
  }

  /**
   * CPU utilization from the latest snapshot of a {@link HostView} (a {@code SystemMonitor}): no
   * second sampling.
   */
  public static Check createCpuHealthCheck(
      HostView monitor, double warningThreshold, double criticalThreshold) {
    return HostChecks.cpu(monitor, warningThreshold, criticalThreshold);
  }

  /** Physical memory in use, in percent, read by the check itself. */
  public static Check createMemoryHealthCheck(double warningThreshold, double criticalThreshold) {
    return HostChecks.memory(warningThreshold, criticalThreshold);
  }

  /** Physical memory in use, from a {@link HostView}'s (a {@code SystemMonitor}'s) snapshot. */
  public static Check createMemoryHealthCheck(
      HostView monitor, double warningThreshold, double criticalThreshold) {
    return HostChecks.memory(monitor, warningThreshold, criticalThreshold);
  }

  /** Use of the file system holding {@code path}, in percent. */
  public static Check createDiskHealthCheck(
      String path, double warningThreshold, double criticalThreshold) {
    return HostChecks.disk(path, warningThreshold, criticalThreshold);
  }

  /** Use of the file system holding {@code path}, from a {@link HostView}'s latest snapshot. */
  public static Check createDiskHealthCheck(
      HostView monitor, String path, double warningThreshold, double criticalThreshold) {
    return HostChecks.disk(monitor, path, warningThreshold, criticalThreshold);
  }

  /** Whether a TCP connection to {@code host:port} opens within {@code timeout}. */
  public static Check createTcpHealthCheck(String host, int port, Duration timeout) {
    return NetworkChecks.tcp(host, port, timeout);
  }

  /** Whether a GET of {@code url} answers one of {@code acceptedStatuses} within the timeout. */
  public static Check createHttpHealthCheck(
      String url, Set<Integer> acceptedStatuses, Duration timeout) {
    return NetworkChecks.http(url, acceptedStatuses, timeout);
  }

  /** JVM heap in use, in percent of the maximum heap. */
  public static Check createJvmHeapHealthCheck(double warningThreshold, double criticalThreshold) {
    return HostChecks.jvmHeap(warningThreshold, criticalThreshold);
  }

  /**
   * The fraction of the requests of a {@link RequestView} (a {@code SystemMonitor}) answered 5xx
   * over the last {@code window}; HEALTHY while fewer than {@code minRequests} were recorded.
   */
  public static Check createErrorRatioHealthCheck(
      RequestView monitor,
      Duration window,
      double warningRatio,
      double criticalRatio,
      long minRequests) {
    return RequestChecks.errorRatio(monitor, window, warningRatio, criticalRatio, minRequests);
  }

  /**
   * A latency quantile (e.g. 0.99) of the requests of a {@link RequestView} (a {@code
   * SystemMonitor}) over the last {@code window}; HEALTHY while fewer than {@code minRequests} were
   * recorded.
   */
  public static Check createLatencyHealthCheck(
      RequestView monitor,
      Duration window,
      double quantile,
      Duration warning,
      Duration critical,
      long minRequests) {
    return RequestChecks.latency(monitor, window, quantile, warning, critical, minRequests);
  }

  // ---------------------------------------------------------------- registration

  /** Registers a check with the registry's defaults. */
  public void registerCheck(String name, Check check, String description) {
    registerCheck(name, check, description, CheckOptions.DEFAULTS);
  }

  /**
   * Registers a check.
   *
   * @throws IllegalArgumentException when the name is invalid, reserved or already registered
   */
  public void registerCheck(String name, Check check, String description, CheckOptions options) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "health check name must be 1-64 of A-Z, a-z, 0-9, '.', '-' and '_', was "
              + (name == null ? "null" : "'" + name + "'"));
    }
    if (RESERVED_NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "health check name '" + name + "' is reserved for the /health/" + name + " path");
    }
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(options, "options");
    RegisteredCheck entry =
        new RegisteredCheck(
            name,
            check,
            description == null ? "" : description,
            options,
            options.timeout().orElse(defaultTimeout),
            options.interval().orElse(checkInterval),
            registrations.incrementAndGet(),
            clock.instant().plus(options.initialDelay()));
    if (entries.putIfAbsent(name, entry) != null) {
      throw new IllegalArgumentException("health check '" + name + "' is already registered");
    }
    publish();
    if (autoCheck) {
      scheduleTick(); // the scheduler may be asleep until a later check's run
    }
  }

  /** Removes a check and its history; returns whether it was registered. */
  public boolean unregisterCheck(String name) {
    RegisteredCheck removed = name == null ? null : entries.remove(name);
    if (removed == null) {
      return false;
    }
    publish();
    return true;
  }

  /**
   * Adds a listener, told of each later change of a check's reported status and of the overall
   * status; what it throws is logged and ignored. Must not be null.
   */
  public void addListener(HealthListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added with {@link #addListener}; returns whether it was there. */
  public boolean removeListener(HealthListener listener) {
    return listeners.remove(listener);
  }

  // ---------------------------------------------------------------- running

  /**
   * Runs one check now and waits for it: for a thread, at most its interval, then at most its
   * timeout. When every thread stayed busy, answers UNKNOWN "Not started: …" and records nothing;
   * the run stays queued and is recorded when it runs.
   *
   * @throws NoSuchElementException when no check has that name
   */
  public CheckResult runCheck(String name) {
    // A null name is just a name no check has (ConcurrentHashMap would throw a bare NPE).
    RegisteredCheck entry = name == null ? null : entries.get(name);
    if (entry == null) {
      throw new NoSuchElementException("no health check named '" + name + "'");
    }
    return runner.await(entry, runner.execute(entry));
  }

  /**
   * Runs every check now, in parallel, and waits for all: for threads at most the longest interval,
   * then at most the longest timeout. Results are in registration order.
   */
  public Map<String, CheckResult> runAllChecks() {
    List<RegisteredCheck> ordered = ordered();
    List<CompletableFuture<CheckResult>> runs = new ArrayList<>(ordered.size());
    for (RegisteredCheck entry : ordered) {
      runs.add(runner.execute(entry));
    }
    Map<String, CheckResult> results = new LinkedHashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      results.put(ordered.get(i).name(), runner.await(ordered.get(i), runs.get(i)));
    }
    return results;
  }

  /**
   * Runs the checks whose next run is due by the registry's clock. The scheduler's tick. A check
   * whose previous run still waits for a thread is skipped, not queued twice: counted, logged, and
   * its last result kept (it could not start within its interval, which says the pool is too small
   * for the checks, not that the check failed).
   */
  void runDueChecks() {
    Instant now = clock.instant();
    for (RegisteredCheck entry : ordered()) {
      if (!entry.takeDue(now)) {
        continue;
      }
      if (runner.waiting(entry)) {
        entry.recordSkip();
        skipLog.warn(
            entry.name(),
            "Health check '{}' skipped a run: its previous run has waited a whole interval for one"
                + " of the {} threads; give the registry more threads or the checks longer"
                + " intervals",
            entry.name(),
            threads);
        publish();
      } else {
        runner.execute(entry);
      }
    }
  }

  private void tick() {
    try {
      runDueChecks();
    } catch (Throwable t) {
      // Caught so that the next tick below is still booked.
      if (!FatalErrors.caught(t)) {
        LOG.error("Health check scheduling failed; will retry on the next tick", t);
      }
    }
    scheduleTick();
  }

  /**
   * Books the scheduler's next look at the checks: when the earliest check is due, but no later
   * than the tick. Sleeping until due rather than polling keeps an idle registry from waking five
   * times a second; the tick bounds how late a run is when the injected clock is not the one the
   * scheduler sleeps on.
   */
  private void scheduleTick() {
    synchronized (ticking) {
      // Computed under the lock: a check registered after this saw the entries books its own
      // tick after this one, replacing it.
      long delay = untilNextDue();
      if (nextTick != null) {
        nextTick.cancel(false);
      }
      try {
        nextTick = runner.schedule(this::tick, delay);
      } catch (RejectedExecutionException e) {
        // Closed: nothing runs any more.
      }
    }
  }

  private long untilNextDue() {
    Instant now = clock.instant();
    long wait = maxSleepNanos;
    for (RegisteredCheck entry : entries.values()) {
      Duration until = Duration.between(now, entry.nextRun());
      if (until.isNegative()) {
        return 0;
      }
      if (until.toNanos() < wait) {
        wait = until.toNanos();
      }
    }
    return wait;
  }

  /**
   * A run's result, timed: recorded (unless the check was unregistered meanwhile), published, and
   * told to the listeners, outside every lock.
   */
  private void settled(RegisteredCheck entry, CheckResult result) {
    RegisteredCheck.StatusChange change =
        entries.get(entry.name()) == entry ? entry.record(result, historySize) : null;
    HealthStatus[] overallChange = publish();
    if (change != null) {
      for (HealthListener listener : listeners) {
        notify(
            listener,
            () ->
                listener.onCheckStatusChange(
                    entry.name(), change.previous(), change.current(), result));
      }
    }
    if (overallChange != null) {
      for (HealthListener listener : listeners) {
        notify(listener, () -> listener.onOverallStatusChange(overallChange[0], overallChange[1]));
      }
    }
  }

  private static void notify(HealthListener listener, Runnable call) {
    try {
      call.run();
    } catch (Throwable t) {
      LOG.warn("Health listener {} threw; ignored", listener, t);
    }
  }

  /**
   * Rebuilds the cached report; returns {previous, current} when the overall status changed. The
   * lock orders concurrent publishers, so listeners see each change once and in order.
   */
  private HealthStatus[] publish() {
    synchronized (overallLock) {
      HealthReport next = buildReport();
      report = next;
      HealthStatus previous = overall;
      overall = next.status();
      if (previous == overall) {
        return null;
      }
      return new HealthStatus[] {previous, overall};
    }
  }

  private HealthReport buildReport() {
    Map<String, HealthReport.CheckReport> checks = new LinkedHashMap<>();
    HealthStatus status = null;
    for (RegisteredCheck entry : ordered()) {
      HealthReport.CheckReport check = entry.report();
      checks.put(entry.name(), check);
      if (check.critical()) {
        status = status == null ? check.status() : status.worst(check.status());
      }
    }
    return new HealthReport(
        serviceName, clock.instant(), status == null ? HealthStatus.UNKNOWN : status, checks);
  }

  private List<RegisteredCheck> ordered() {
    List<RegisteredCheck> list = new ArrayList<>(entries.values());
    list.sort(Comparator.comparingLong(RegisteredCheck::sequence));
    return list;
  }

  // ---------------------------------------------------------------- readers

  /** The worst reported status of the critical checks; UNKNOWN when there are none. */
  public HealthStatus getOverallStatus() {
    return report.status();
  }

  /**
   * The report of the last results (never runs a check). Its timestamp is when the last result
   * arrived.
   */
  public HealthReport getStatusReport() {
    return report;
  }

  /**
   * The newest {@code limit} results of a check, newest first.
   *
   * @throws NoSuchElementException when no check has that name
   */
  public List<CheckResult> getCheckHistory(String name, int limit) {
    RegisteredCheck entry = name == null ? null : entries.get(name);
    if (entry == null) {
      throw new NoSuchElementException("no health check named '" + name + "'");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
    return entry.history(limit);
  }

  /** Forgets every check's history (not their current status). */
  public void clearHistory() {
    for (RegisteredCheck entry : entries.values()) {
      entry.clearHistory();
    }
  }

  /** Forgets one check's history; returns whether the check exists. */
  public boolean clearHistory(String name) {
    RegisteredCheck entry = name == null ? null : entries.get(name);
    if (entry == null) {
      return false;
    }
    entry.clearHistory();
    return true;
  }

  /** For tests: how many checks have a run in flight. */
  int runsInFlight() {
    return (int) entries.values().stream().filter(RegisteredCheck::running).count();
  }

  /** The names of the registered checks, in registration order. */
  public List<String> getCheckNames() {
    return ordered().stream().map(RegisteredCheck::name).toList();
  }

  /** Stops the scheduler and the pool (interrupting running checks); idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (metrics != null) {
      metrics.close();
    }
    runner.close(entries.values());
  }

  /** Configures a {@link HealthCheck}; each option is checked when set. */
  public static final class Builder {
    private String serviceName = "amptalk";
    private Duration checkInterval = Duration.ofSeconds(60);
    private Duration defaultTimeout = Duration.ofSeconds(10);
    private int historySize = 100;
    private boolean autoCheck = true;
    private int threads = 4;
    private Clock clock = Clock.systemUTC();
    private Meter meter;
    private Duration tick = Duration.ofSeconds(1);

    private Builder() {}

    /** The {@code service} of the report. Default "amptalk". */
    public Builder serviceName(String serviceName) {
      this.serviceName = Options.requireNonBlank("serviceName", serviceName);
      return this;
    }

    /**
     * How often checks run on their own, unless a check sets its own interval. Default 60 s; at
     * most 365 days.
     */
    public Builder checkInterval(Duration checkInterval) {
      this.checkInterval =
          Options.requirePositive("checkInterval", checkInterval, Options.MAX_INTERVAL);
      return this;
    }

    /**
     * How long a run may take, unless a check sets its own timeout. Default 10 s; at most a day.
     */
    public Builder defaultTimeout(Duration defaultTimeout) {
      this.defaultTimeout =
          Options.requirePositive("defaultTimeout", defaultTimeout, Options.MAX_PERIOD);
      return this;
    }

    /** Results kept per check. Default 100. */
    public Builder historySize(int historySize) {
      if (historySize < 1) {
        throw new IllegalArgumentException("historySize must be at least 1, was " + historySize);
      }
      this.historySize = historySize;
      return this;
    }

    /** Whether checks run periodically on their own. Default true. */
    public Builder autoCheck(boolean autoCheck) {
      this.autoCheck = autoCheck;
      return this;
    }

    /**
     * Threads that run checks in parallel. Default 4. A check stuck past its timeout holds one
     * until it returns.
     */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 256) {
        throw new IllegalArgumentException("threads must be 1..256, was " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * The clock results, reports and due runs are timed on. Default {@code Clock.systemUTC()}; must
     * not be null.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Records each check's status ({@code health.check.status}, a state set) and last duration
     * ({@code health.check.duration}) on this meter, e.g. {@code monitor.getMeter()}. Default: no
     * metrics.
     */
    public Builder meter(Meter meter) {
      this.meter = Objects.requireNonNull(meter, "meter");
      return this;
    }

    /**
     * For tests: the longest the scheduler sleeps before looking for due checks (it wakes when the
     * earliest is due by the clock; a test's clock moves without waking it).
     */
    Builder tick(Duration tick) {
      this.tick = Options.requirePositive("tick", tick);
      return this;
    }

    /**
     * Builds the registry, on daemon threads; with {@code autoCheck}, its scheduler starts at once.
     */
    public HealthCheck build() {
      return new HealthCheck(this);
    }
  }
}
