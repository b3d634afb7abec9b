package io.amptalk.monitoring.internal.health;

import io.amptalk.monitoring.health.CheckResult;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One run of a check: queued, then started by a pool thread, then settled once, by the check's
 * result or by its timeout, which counts from the start (time spent waiting for a thread is not the
 * check's).
 */
final class Run {
  /** When it was queued, by the registry's clock: its time until a thread starts it. */
  final Instant queued;

  /**
   * When it was queued, by {@code System.nanoTime()}: what callers' waits for a thread count from.
   */
  final long queuedNanos;

  final AtomicBoolean settled = new AtomicBoolean();

  /** Claimed by the pool thread that runs the check, or by {@code close} when it never started. */
  final AtomicBoolean started = new AtomicBoolean();

  /** Counted down when a thread starts the check. */
  final CountDownLatch began = new CountDownLatch(1);

  final CompletableFuture<CheckResult> future = new CompletableFuture<>();

  /** When a thread started it, by the registry's clock; null while queued. */
  volatile Instant start;

  /** The pool's task; set before it is queued, so the timeout can always cancel it. */
  volatile FutureTask<Void> task;

  Run(Instant queued, long queuedNanos) {
    this.queued = queued;
    this.queuedNanos = queuedNanos;
  }

  /** Whether it still waits for a thread. */
  boolean waiting() {
    return !started.get() && !future.isDone();
  }
}
