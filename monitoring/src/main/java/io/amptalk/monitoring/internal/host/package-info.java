/**
 * Host sampling: the OSHI probe, the sampler thread that keeps the latest snapshot, and the host
 * gauges on the meter.
 *
 * <p>Not API: the classes here are public only so that the library's other packages can use them.
 * They may change or go away in any release; do not use them from outside the library.
 */
package io.amptalk.monitoring.internal.host;
