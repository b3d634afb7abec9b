/**
 * Alert dispatch: the per-notifier queues with retries and backoff, the rate limiter, the in-memory
 * guard in front of a failing store, and the JSON form of an alert.
 *
 * <p>Not API: the classes here are public only so that the library's other packages can use them.
 * They may change or go away in any release; do not use them from outside the library.
 */
package io.amptalk.monitoring.internal.alert;
