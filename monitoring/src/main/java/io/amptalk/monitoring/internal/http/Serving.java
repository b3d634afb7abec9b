package io.amptalk.monitoring.internal.http;

import javax.net.ssl.SSLContext;

/**
 * What every connection of one server is served with: the routes, TLS (null for plain HTTP), the
 * request timeout, and the host names the port answers to.
 */
record Serving(Routes routes, SSLContext tls, long requestNanos, AllowedHosts hosts) {}
