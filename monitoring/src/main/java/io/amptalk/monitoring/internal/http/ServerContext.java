package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A path and its handler, as {@link com.sun.net.httpserver.HttpExchange#getHttpContext} shows them.
 * There is no {@link HttpServer} behind it ({@link #getServer} is null), and filters and
 * authenticators are not supported: the handlers of the monitor's port check tokens themselves.
 */
final class ServerContext extends HttpContext {
  private final String path;
  private volatile HttpHandler handler;
  private final Map<String, Object> attributes = new ConcurrentHashMap<>();

  ServerContext(String path, HttpHandler handler) {
    this.path = path;
    this.handler = handler;
  }

  @Override
  public HttpHandler getHandler() {
    return handler;
  }

  @Override
  public void setHandler(HttpHandler handler) {
    this.handler = java.util.Objects.requireNonNull(handler, "handler");
  }

  @Override
  public String getPath() {
    return path;
  }

  @Override
  public HttpServer getServer() {
    return null;
  }

  @Override
  public Map<String, Object> getAttributes() {
    return attributes;
  }

  /** Empty and unmodifiable: a filter added here would never run, so adding one fails. */
  @Override
  public List<Filter> getFilters() {
    return List.of();
  }

  @Override
  public Authenticator setAuthenticator(Authenticator auth) {
    throw new UnsupportedOperationException("the monitor's server has no authenticators");
  }

  @Override
  public Authenticator getAuthenticator() {
    return null;
  }
}
