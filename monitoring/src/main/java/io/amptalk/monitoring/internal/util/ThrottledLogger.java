package io.amptalk.monitoring.internal.util;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Logs a warning at most once per interval for each key, so that a caller looping on bad input
 * cannot flood the log. Reads time from the injected clock, so tests need not sleep.
 */
public final class ThrottledLogger {
  private final Logger logger;
  private final Clock clock;
  private final long intervalMillis;
  private final ConcurrentHashMap<String, AtomicLong> lastLogged = new ConcurrentHashMap<>();
  private final Set<String> warnedOnce = ConcurrentHashMap.newKeySet();

  public ThrottledLogger(Logger logger, Clock clock, Duration interval) {
    this.logger = logger;
    this.clock = clock;
    this.intervalMillis = interval.toMillis();
  }

  /** Logs unless a warning with the same key was logged less than one interval ago. */
  public void warn(String key, String format, Object... arguments) {
    long now = clock.millis();
    AtomicLong last = lastLogged.computeIfAbsent(key, k -> new AtomicLong(Long.MIN_VALUE));
    long previous = last.get();
    if (previous != Long.MIN_VALUE && now - previous < intervalMillis) {
      return;
    }
    if (last.compareAndSet(previous, now)) {
      logger.warn(format, arguments);
    }
  }

  /** Logs the first time {@code key} is seen, never again. */
  public void warnOnce(String key, String format, Object... arguments) {
    if (warnedOnce.add(key)) {
      logger.warn(format, arguments);
    }
  }
}
