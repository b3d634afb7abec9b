package io.amptalk.monitoring.metrics;

/**
 * A read-only view of the latest host sample, for checks that judge the host without sampling it
 * again. {@code SystemMonitor} is one; a test can pass a lambda.
 */
@FunctionalInterface
public interface HostView {
  /** The latest host sample; never null (empty figures before the first full sample). */
  SystemSnapshot getLatestSnapshot();
}
