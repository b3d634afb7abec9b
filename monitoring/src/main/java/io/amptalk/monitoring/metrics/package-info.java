/**
 * The read-only values the monitor measures and other components read: host snapshots, request
 * windows, recent errors, system information, and the narrow views ({@link
 * io.amptalk.monitoring.metrics.HostView}, {@link io.amptalk.monitoring.metrics.RequestView})
 * through which health checks read them without depending on the monitor.
 */
package io.amptalk.monitoring.metrics;
