package io.amptalk.monitoring.internal.health;

import io.amptalk.monitoring.health.CheckResult;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** One run of a check: settled once, by the check's result or by its timeout. */
final class Run {
  final Instant start;
  final AtomicBoolean settled = new AtomicBoolean();

  /** Claimed by the pool thread that runs the check, or by the timer when it never started. */
  final AtomicBoolean started = new AtomicBoolean();

  final CompletableFuture<CheckResult> future = new CompletableFuture<>();

  Run(Instant start) {
    this.start = start;
  }
}
