/**
 * The one small HTTP/1.1 server of the monitor's port (our own, serving the JDK's {@code
 * HttpHandler}s), exchange helpers, TLS, and the handlers of the endpoints the wiring mounts.
 *
 * <p>Not API: the classes here are public only so that the library's other packages can use them.
 * They may change or go away in any release; do not use them from outside the library.
 */
package io.amptalk.monitoring.internal.http;
