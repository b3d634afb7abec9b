/**
 * Small helpers shared by the library's packages: option checks, throttled logging, daemon threads,
 * text bounds.
 *
 * <p>Not API: the classes here are public only so that the library's other packages can use them.
 * They may change or go away in any release; do not use them from outside the library.
 */
package io.amptalk.monitoring.internal.util;
