package io.amptalk.monitoring.internal.health;

import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.internal.util.DaemonThreads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs checks on a bounded pool of daemon threads, each run bounded by its check's timeout, counted
 * from when a thread starts it: the first of the check's own result and its timeout settles the
 * run, once. A check never runs concurrently with itself, and one stuck past its timeout is not
 * started again until it returns. Whatever a check does (throw, return null, hang) becomes a
 * result; nothing escapes to the caller or kills a thread.
 */
public final class CheckRunner {
  private static final Logger LOG = LoggerFactory.getLogger(CheckRunner.class);

  /** The check whose run this (pool) thread is executing; see {@link #await}. */
  private static final ThreadLocal<RegisteredCheck> RUNNING = new ThreadLocal<>();

  /** Told each run's result, with its timing, before the run's future completes. */
  @FunctionalInterface
  public interface Settlement {
    void settled(RegisteredCheck check, CheckResult result);
  }

  private final int threads;
  private final Clock clock;
  private final Settlement settlement;
  private final ThreadPoolExecutor pool;
  private final ScheduledThreadPoolExecutor scheduler;

  public CheckRunner(int threads, Clock clock, Settlement settlement) {
    this.threads = threads;
    this.clock = clock;
    this.settlement = settlement;
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            DaemonThreads.factory("amptalk-health-"));
    pool.allowCoreThreadTimeOut(true);
    this.scheduler =
        new ScheduledThreadPoolExecutor(1, DaemonThreads.factory("amptalk-health-scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
  }

  /**
   * Runs {@code task} on the runner's one scheduler thread after {@code delayNanos}.
   *
   * @throws RejectedExecutionException once closed
   */
  public ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
    return scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  /**
   * Starts a run of the check on the pool, unless one is in flight, in which case that run is
   * shared. A check that timed out and is still stuck is not started again: a new UNHEALTHY result
   * says so. The run's timeout counts from when a thread starts it, not from now: waiting in the
   * queue behind other checks is not the check's slowness.
   */
  public CompletableFuture<CheckResult> execute(RegisteredCheck entry) {
    Run run;
    boolean stuck;
    synchronized (entry.lock) {
      if (entry.current != null && !entry.current.future.isDone()) {
        return entry.current.future;
      }
      run = new Run(clock.instant(), System.nanoTime());
      stuck = entry.current != null;
      if (!stuck) {
        entry.current = run;
      }
    }
    if (stuck) {
      // Settled after leaving entry.lock: settling publishes the registry's report, which takes
      // every check's lock. Settling while holding entry.lock deadlocked the scheduler and the
      // pool for good when another check's result was being published at once.
      settle(
          entry,
          run,
          CheckResult.unhealthy(
              "Timed out after "
                  + format(entry.timeout())
                  + " and still running; not started again until it returns"));
      return run.future;
    }
    FutureTask<Void> task = new FutureTask<>(() -> runCheck(entry, run), null);
    run.task = task;
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      release(entry, run);
      settle(entry, run, CheckResult.unknown("The health check registry is closed"));
    }
    return run.future;
  }

  /**
   * Whether the check's run in flight still waits for a thread: when its next periodic run is due
   * meanwhile, that one is skipped rather than queued behind it.
   */
  public boolean waiting(RegisteredCheck entry) {
    synchronized (entry.lock) {
      return entry.current != null && entry.current.waiting();
    }
  }

  /**
   * Waits for a run: for a thread to start it, at most the check's interval from when it was
   * queued, then for its result, at most its timeout (and a margin). Never throws. A run no thread
   * started in time stays queued; the caller gets UNKNOWN "Not started: ..." and nothing is
   * recorded.
   */
  public CheckResult await(RegisteredCheck entry, CompletableFuture<CheckResult> future) {
    if (RUNNING.get() == entry) {
      // A check calling runCheck (or runAllChecks) for itself would wait for its own result, that
      // is, until its own timeout, and then be reported as timed out instead of as what it found.
      return CheckResult.unknown(
          "Health check '"
              + entry.name()
              + "' asked for its own result from inside its run; a check cannot wait for itself");
    }
    try {
      Run run;
      synchronized (entry.lock) {
        // A run waiting for a thread is its check's current one; one no longer current started.
        run = entry.current != null && entry.current.future == future ? entry.current : null;
      }
      if (run != null && !startedInTime(entry, run)) {
        Duration waited = Duration.between(run.queued, clock.instant());
        return CheckResult.unknown(
                "Not started: the "
                    + (threads == 1 ? "1 health check thread" : threads + " health check threads")
                    + " stayed busy for "
                    + format(entry.interval()))
            .withTiming(run.queued, waited.isNegative() ? Duration.ZERO : waited);
      }
      // The run completes by its own timeout; the margin only guards against a closed timer.
      return future.get(entry.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CheckResult.unknown("Interrupted while waiting for the check");
    } catch (ExecutionException | TimeoutException e) {
      return CheckResult.unknown("No result: " + e);
    }
  }

  private static boolean startedInTime(RegisteredCheck entry, Run run) throws InterruptedException {
    long left = entry.interval().toNanos() - (System.nanoTime() - run.queuedNanos);
    return run.began.await(Math.max(0, left), TimeUnit.NANOSECONDS) || run.future.isDone();
  }

  private void runCheck(RegisteredCheck entry, Run run) {
    if (!run.started.compareAndSet(false, true)) {
      return; // settled by close before a thread took it
    }
    run.start = clock.instant();
    run.began.countDown();
    ScheduledFuture<?> timer;
    try {
      timer =
          scheduler.schedule(
              () -> {
                if (settle(
                    entry,
                    run,
                    CheckResult.unhealthy("Timed out after " + format(entry.timeout())))) {
                  run.task.cancel(true); // interrupts this run's thread only while it runs it
                }
              },
              entry.timeout().toNanos(),
              TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      release(entry, run);
      settle(entry, run, CheckResult.unknown("The health check registry is closed"));
      return;
    }
    run.future.whenComplete((result, error) -> timer.cancel(false));
    CheckResult result;
    RUNNING.set(entry);
    try {
      result = entry.check().check();
      if (result == null) {
        result = CheckResult.unhealthy("Check returned no result");
      }
    } catch (Throwable t) {
      // Errors too (StackOverflowError, OutOfMemoryError thrown by the check): they are the
      // check's failure, not the registry's.
      result = CheckResult.failed(t);
    } finally {
      RUNNING.remove();
      release(entry, run);
    }
    settle(entry, run, result);
  }

  private static void release(RegisteredCheck entry, Run run) {
    synchronized (entry.lock) {
      if (entry.current == run) {
        entry.current = null;
      }
    }
  }

  /**
   * Records the first outcome of a run (the check's own, or its timeout) and completes it; returns
   * false when the run was already settled.
   */
  private boolean settle(RegisteredCheck entry, Run run, CheckResult raw) {
    if (!run.settled.compareAndSet(false, true)) {
      return false;
    }
    // Timed on the injected clock, like everything else: a test's fixed clock gives exact output.
    // From the start: a run settled before a thread took it (closed) is timed from its queueing.
    Instant start = run.start != null ? run.start : run.queued;
    Duration took = Duration.between(start, clock.instant());
    CheckResult result = raw.withTiming(start, took.isNegative() ? Duration.ZERO : took);
    try {
      settlement.settled(entry, result);
    } finally {
      run.future.complete(result);
    }
    return true;
  }

  /**
   * Stops the scheduler and the pool (interrupting running checks); runs still in flight are
   * settled UNKNOWN. Waits up to two seconds for the pool's threads.
   */
  public void close(Collection<RegisteredCheck> entries) {
    scheduler.shutdownNow();
    pool.shutdownNow();
    for (RegisteredCheck entry : entries) {
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

  /** "10 s", "1500 ms", "2 min": how timeouts read in results. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 1000 != 0) {
      return millis + " ms";
    }
    long seconds = millis / 1000;
    return seconds % 60 == 0 && seconds >= 60 ? seconds / 60 + " min" : seconds + " s";
  }
}
