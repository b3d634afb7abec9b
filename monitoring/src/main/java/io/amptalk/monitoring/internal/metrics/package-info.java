/**
 * The request and error cells behind {@code SystemMonitor}'s recording methods, the request
 * windows, and what the OpenTelemetry SDK is handed at collection time.
 *
 * <p>Not API: the classes here are public only so that the library's other packages can use them.
 * They may change or go away in any release; do not use them from outside the library.
 */
package io.amptalk.monitoring.internal.metrics;
