/**
 * The {@code /metrics} endpoint: content negotiation, and our Prometheus text and OpenMetrics
 * writers (byte for byte those of client_java, tested so).
 *
 * <p>Not API: the classes here are public only so that the library's other packages can use them.
 * They may change or go away in any release; do not use them from outside the library.
 */
package io.amptalk.monitoring.internal.exposition;
