/**
 * The status page's history: what it plots, kept in memory on a fixed step for a retention, and
 * served as JSON at {@code /api/history}.
 *
 * <p>Not API: the classes here are public only so that the library's other packages can use them.
 * They may change or go away in any release; do not use them from outside the library.
 */
package io.amptalk.monitoring.internal.history;
