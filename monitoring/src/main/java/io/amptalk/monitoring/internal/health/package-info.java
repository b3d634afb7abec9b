/**
 * How a health registry runs its checks: the registered check's state and thresholds, and the
 * runner that bounds each run by its timeout on a pool of daemon threads.
 *
 * <p>Not API: the classes here are public only so that the library's other packages can use them.
 * They may change or go away in any release; do not use them from outside the library.
 */
package io.amptalk.monitoring.internal.health;
