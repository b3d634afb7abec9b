package io.amptalk.monitoring.health;

import io.amptalk.monitoring.health.checks.HostChecks;
import io.amptalk.monitoring.health.checks.NetworkChecks;
import io.amptalk.monitoring.health.checks.RequestChecks;
import io.amptalk.monitoring.internal.util.DaemonThreads;
import io.amptalk.monitoring.internal.util.Options;
import io.amptalk.monitoring.metrics.HostView;
import io.amptalk.monitoring.metrics.RequestView;
import io.opentelemetry.api.metrics.Meter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 */
public final class HealthCheck implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthCheck.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Path segments the HTTP handler gives meaning to, so no check may take them as a name. */
  static final Set<String> RESERVED_NAMES = Set.of("live", "ready", "started", "group");

  /** The check whose run this (pool) thread is executing; see {@link #await}. */
  private static final ThreadLocal<Entry> RUNNING = new ThreadLocal<>();

  private final String serviceName;
  private final Duration checkInterval;
  private final Duration defaultTimeout;
  private final int historySize;
  private final Clock clock;
  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong registrations = new AtomicLong();
  private final CopyOnWriteArrayList<HealthListener> listeners = new CopyOnWriteArrayList<>();
  private final ThreadPoolExecutor pool;
  private final ScheduledThreadPoolExecutor scheduler;
  private final Object overallLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final HealthMetrics metrics;
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
    this.pool =
        new ThreadPoolExecutor(
            builder.threads,
            builder.threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            DaemonThreads.factory("amptalk-health-"));
    pool.allowCoreThreadTimeOut(true);
    this.scheduler =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.factory("amptalk-health-scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
    this.report = buildReport();
    this.metrics = builder.meter == null ? null : new HealthMetrics(builder.meter, () -> report);
    this.autoCheck = builder.autoCheck;
    this.maxSleepNanos = builder.tick.toNanos();
    if (autoCheck) {
      scheduleTick();
    }
  }

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
    Entry entry =
        new Entry(
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
    Entry removed = name == null ? null : entries.remove(name);
    if (removed == null) {
      return false;
    }
    publish();
    return true;
  }

  public void addListener(HealthListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  public boolean removeListener(HealthListener listener) {
    return listeners.remove(listener);
  }

  // ---------------------------------------------------------------- running

  /**
   * Runs one check now and waits for it, at most its timeout.
   *
   * @throws NoSuchElementException when no check has that name
   */
  public CheckResult runCheck(String name) {
    // A null name is just a name no check has (ConcurrentHashMap would throw a bare NPE).
    Entry entry = name == null ? null : entries.get(name);
    if (entry == null) {
      throw new NoSuchElementException("no health check named '" + name + "'");
    }
    return await(entry, execute(entry));
  }

  /**
   * Runs every check now, in parallel, and waits for all: at most the longest timeout. Results are
   * in registration order.
   */
  public Map<String, CheckResult> runAllChecks() {
    List<Entry> ordered = ordered();
    List<CompletableFuture<CheckResult>> runs = new ArrayList<>(ordered.size());
    for (Entry entry : ordered) {
      runs.add(execute(entry));
    }
    Map<String, CheckResult> results = new LinkedHashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      results.put(ordered.get(i).name, await(ordered.get(i), runs.get(i)));
    }
    return results;
  }

  /** Runs the checks whose next run is due by the registry's clock. The scheduler's tick. */
  void runDueChecks() {
    Instant now = clock.instant();
    for (Entry entry : ordered()) {
      if (entry.takeDue(now)) {
        execute(entry);
      }
    }
  }

  private void tick() {
    try {
      runDueChecks();
    } catch (Throwable t) {
      // Caught so that the next tick below is still booked.
      LOG.error("Health check scheduling failed; will retry on the next tick", t);
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
        nextTick = scheduler.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // Closed: nothing runs any more.
      }
    }
  }

  private long untilNextDue() {
    Instant now = clock.instant();
    long wait = maxSleepNanos;
    for (Entry entry : entries.values()) {
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

  private CheckResult await(Entry entry, CompletableFuture<CheckResult> run) {
    if (RUNNING.get() == entry) {
      // A check calling runCheck (or runAllChecks) for itself would wait for its own result, that
      // is, until its own timeout, and then be reported as timed out instead of as what it found.
      return CheckResult.unknown(
          "Health check '"
              + entry.name
              + "' asked for its own result from inside its run; a check cannot wait for itself");
    }
    try {
      // The run completes by its own timeout; the margin only guards against a closed timer.
      return run.get(entry.timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CheckResult.unknown("Interrupted while waiting for the check");
    } catch (ExecutionException | TimeoutException e) {
      return CheckResult.unknown("No result: " + e);
    }
  }

  /**
   * Starts a run of the check on the pool, unless one is in flight, in which case that run is
   * shared. A check that timed out and is still stuck is not started again: a new UNHEALTHY result
   * says so.
   */
  private CompletableFuture<CheckResult> execute(Entry entry) {
    Run run;
    boolean stuck;
    synchronized (entry.lock) {
      if (entry.current != null && !entry.current.future.isDone()) {
        return entry.current.future;
      }
      run = new Run(clock.instant());
      stuck = entry.current != null;
      if (!stuck) {
        entry.current = run;
      }
    }
    if (stuck) {
      // Settled after leaving entry.lock: settle publishes under overallLock, and publishing takes
      // every entry's lock to build the report. Settling while holding entry.lock deadlocked the
      // scheduler and the pool for good when another check's result was being published at once.
      settle(
          entry,
          run,
          CheckResult.unhealthy(
              "Timed out after "
                  + format(entry.timeout)
                  + " and still running; not started again until it returns"));
      return run.future;
    }
    try {
      Future<?> task = pool.submit(() -> runCheck(entry, run));
      ScheduledFuture<?> timer =
          scheduler.schedule(
              () -> {
                if (settle(
                    entry,
                    run,
                    CheckResult.unhealthy("Timed out after " + format(entry.timeout)))) {
                  if (run.started.compareAndSet(false, true)) {
                    // Timed out waiting for a pool thread (all held by slow checks): cancelled
                    // before it started, nothing of it is stuck. Without releasing the entry, its
                    // run would stay current for good, and the check be reported "still running"
                    // and never run again.
                    synchronized (entry.lock) {
                      if (entry.current == run) {
                        entry.current = null;
                      }
                    }
                  }
                  task.cancel(true);
                }
              },
              entry.timeout.toNanos(),
              TimeUnit.NANOSECONDS);
      run.future.whenComplete((result, error) -> timer.cancel(false));
    } catch (RejectedExecutionException e) {
      synchronized (entry.lock) {
        entry.current = null;
      }
      settle(entry, run, CheckResult.unknown("The health check registry is closed"));
    }
    return run.future;
  }

  private void runCheck(Entry entry, Run run) {
    if (!run.started.compareAndSet(false, true)) {
      return; // timed out before it started: the timer released the entry
    }
    CheckResult result;
    RUNNING.set(entry);
    try {
      result = entry.check.check();
      if (result == null) {
        result = CheckResult.unhealthy("Check returned no result");
      }
    } catch (Throwable t) {
      // Errors too (StackOverflowError, OutOfMemoryError thrown by the check): they are the
      // check's failure, not the registry's.
      result = CheckResult.failed(t);
    } finally {
      RUNNING.remove();
      synchronized (entry.lock) {
        if (entry.current == run) {
          entry.current = null;
        }
      }
    }
    settle(entry, run, result);
  }

  /**
   * Records the first outcome of a run (the check's own, or its timeout) and completes it; returns
   * false when the run was already settled.
   */
  private boolean settle(Entry entry, Run run, CheckResult raw) {
    if (!run.settled.compareAndSet(false, true)) {
      return false;
    }
    // Timed on the injected clock, like everything else: a test's fixed clock gives exact output.
    Duration took = Duration.between(run.start, clock.instant());
    CheckResult result = raw.withTiming(run.start, took.isNegative() ? Duration.ZERO : took);
    StatusChange change =
        entries.get(entry.name) == entry ? entry.record(result, historySize) : null;
    HealthStatus[] overallChange = publish();
    if (change != null) {
      for (HealthListener listener : listeners) {
        notify(
            listener,
            () ->
                listener.onCheckStatusChange(entry.name, change.previous, change.current, result));
      }
    }
    if (overallChange != null) {
      for (HealthListener listener : listeners) {
        notify(listener, () -> listener.onOverallStatusChange(overallChange[0], overallChange[1]));
      }
    }
    run.future.complete(result);
    return true;
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
    for (Entry entry : ordered()) {
      HealthReport.CheckReport check = entry.report();
      checks.put(entry.name, check);
      if (check.critical()) {
        status = status == null ? check.status() : status.worst(check.status());
      }
    }
    return new HealthReport(
        serviceName, clock.instant(), status == null ? HealthStatus.UNKNOWN : status, checks);
  }

  private List<Entry> ordered() {
    List<Entry> list = new ArrayList<>(entries.values());
    list.sort(Comparator.comparingLong(e -> e.sequence));
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
    Entry entry = name == null ? null : entries.get(name);
    if (entry == null) {
      throw new NoSuchElementException("no health check named '" + name + "'");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("limit must not be negative, was " + limit);
    }
    synchronized (entry.lock) {
      List<CheckResult> newestFirst = new ArrayList<>(Math.min(limit, entry.history.size()));
      var it = entry.history.descendingIterator();
      while (it.hasNext() && newestFirst.size() < limit) {
        newestFirst.add(it.next());
      }
      return List.copyOf(newestFirst);
    }
  }

  /** Forgets every check's history (not their current status). */
  public void clearHistory() {
    for (Entry entry : entries.values()) {
      synchronized (entry.lock) {
        entry.history.clear();
      }
    }
  }

  /** Forgets one check's history; returns whether the check exists. */
  public boolean clearHistory(String name) {
    Entry entry = name == null ? null : entries.get(name);
    if (entry == null) {
      return false;
    }
    synchronized (entry.lock) {
      entry.history.clear();
    }
    return true;
  }

  /** For tests: how many checks have a run in flight. */
  int runsInFlight() {
    int count = 0;
    for (Entry entry : entries.values()) {
      synchronized (entry.lock) {
        if (entry.current != null) {
          count++;
        }
      }
    }
    return count;
  }

  /** The names of the registered checks, in registration order. */
  public List<String> getCheckNames() {
    return ordered().stream().map(e -> e.name).toList();
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
    scheduler.shutdownNow();
    pool.shutdownNow();
    for (Entry entry : entries.values()) {
      Run run;
      synchronized (entry.lock) {
        run = entry.current;
      }
      if (run != null) {
        settle(entry, run, CheckResult.unknown("The health check registry is closed"));
      }
    }
    try {
      if (!pool.awaitTermination(2, TimeUnit.SECONDS)) {
        LOG.warn("Some health checks ignored interruption and are still running");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0) {
      return millis + " ms";
    }
    long seconds = millis / 1000;
    return seconds % 60 == 0 && seconds >= 60 ? seconds / 60 + " min" : seconds + " s";
  }

  // ---------------------------------------------------------------- internals

  private record StatusChange(HealthStatus previous, HealthStatus current) {}

  /** One run of a check: settled once, by the check's result or by its timeout. */
  private static final class Run {
    final Instant start;
    final AtomicBoolean settled = new AtomicBoolean();

    /** Claimed by the pool thread that runs the check, or by the timer when it never started. */
    final AtomicBoolean started = new AtomicBoolean();

    final CompletableFuture<CheckResult> future = new CompletableFuture<>();

    Run(Instant start) {
      this.start = start;
    }
  }

  /** A registered check and its state, guarded by {@link #lock}. */
  private static final class Entry {
    final String name;
    final Check check;
    final String description;
    final CheckOptions options;
    final Duration timeout;
    final Duration interval;
    final long sequence;
    final Object lock = new Object();
    final ArrayDeque<CheckResult> history = new ArrayDeque<>();
    Instant nextRun;
    Run current;
    CheckResult last;
    HealthStatus reported = HealthStatus.UNKNOWN;
    int streak;
    int streakDirection;

    Entry(
        String name,
        Check check,
        String description,
        CheckOptions options,
        Duration timeout,
        Duration interval,
        long sequence,
        Instant firstRun) {
      this.name = name;
      this.check = check;
      this.description = description;
      this.options = options;
      this.timeout = timeout;
      this.interval = interval;
      this.sequence = sequence;
      this.nextRun = firstRun;
    }

    Instant nextRun() {
      synchronized (lock) {
        return nextRun;
      }
    }

    /** Whether a periodic run is due at {@code now}; if so, books the next one. */
    boolean takeDue(Instant now) {
      synchronized (lock) {
        if (now.isBefore(nextRun)) {
          return false;
        }
        nextRun = now.plus(interval);
        return true;
      }
    }

    /**
     * Adds a result to the history and applies the thresholds: the reported status moves toward the
     * result's only after {@code failureThreshold} worse (or {@code successThreshold} better)
     * results in a row; a first result no worse than the initial UNKNOWN is taken at once.
     */
    StatusChange record(CheckResult result, int historySize) {
      synchronized (lock) {
        history.addLast(result);
        while (history.size() > historySize) {
          history.removeFirst();
        }
        HealthStatus previous = reported;
        HealthStatus raw = result.status();
        if (last == null && raw.severity() <= reported.severity()) {
          // Leaving the initial UNKNOWN for HEALTHY needs no streak: a service is ready as soon as
          // its checks pass. Leaving it for worse still needs failureThreshold results, so a spike
          // at start-up raises nothing.
          reported = raw;
        } else if (raw == reported) {
          streak = 0;
        } else {
          int direction = Integer.signum(raw.severity() - reported.severity());
          streak = direction == streakDirection ? streak + 1 : 1;
          streakDirection = direction;
          int needed = direction > 0 ? options.failureThreshold() : options.successThreshold();
          if (streak >= needed) {
            reported = raw;
            streak = 0;
          }
        }
        last = result;
        return previous == reported ? null : new StatusChange(previous, reported);
      }
    }

    HealthReport.CheckReport report() {
      synchronized (lock) {
        return new HealthReport.CheckReport(
            reported,
            last == null ? "Not run yet" : last.message(),
            last == null ? null : last.time(),
            description,
            last == null ? Duration.ZERO : last.duration(),
            last == null ? Map.of() : last.details(),
            options.critical(),
            options.groups(),
            check.measurement());
      }
    }
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

    /** How often checks run on their own, unless a check sets its own interval. Default 60 s. */
    public Builder checkInterval(Duration checkInterval) {
      this.checkInterval = Options.requirePositive("checkInterval", checkInterval);
      return this;
    }

    /** How long a run may take, unless a check sets its own timeout. Default 10 s. */
    public Builder defaultTimeout(Duration defaultTimeout) {
      this.defaultTimeout = Options.requirePositive("defaultTimeout", defaultTimeout);
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

    public HealthCheck build() {
      return new HealthCheck(this);
    }
  }
}
