package io.amptalk.monitoring.servlet;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpServer;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.MappingMatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A Servlet request and its response as the JDK server's {@link HttpExchange} the monitor's
 * handlers are written against: the request URI is the path the container matched (context path,
 * servlet path and path info, decoded and normalised by the container, encoded again) with the raw
 * query; the context's path is where the servlet is mapped. {@code sendResponseHeaders(code,
 * length)} keeps the JDK's meaning of the length: above 0 that many bytes, 0 chunked, -1 none.
 */
final class ServletExchange extends HttpExchange {
  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final URI uri;
  private final Context context;
  private final Headers requestHeaders = new Headers();
  private final Headers responseHeaders = new Headers();
  private InputStream in;
  private OutputStream out;
  private int code = -1;

  private ServletExchange(
      HttpServletRequest request, HttpServletResponse response, URI uri, String base) {
    this.request = request;
    this.response = response;
    this.uri = uri;
    this.context = new Context(base);
    for (String name : Collections.list(request.getHeaderNames())) {
      requestHeaders.put(name, Collections.list(request.getHeaders(name)));
    }
  }

  /**
   * The exchange of {@code request}.
   *
   * @throws URISyntaxException when the query string is no valid URI query
   */
  static ServletExchange of(HttpServletRequest request, HttpServletResponse response)
      throws URISyntaxException {
    String contextPath = request.getServletContext().getContextPath();
    String servletPath = request.getServletPath();
    String pathInfo = request.getPathInfo();
    HttpServletMapping mapping = request.getHttpServletMapping();
    boolean byPath = mapping != null && mapping.getMappingMatch() == MappingMatch.PATH;
    String path = contextPath + servletPath + (pathInfo == null ? "" : pathInfo);
    String rawPath = new URI(null, null, path.isEmpty() ? "/" : path, null).getRawPath();
    String query = request.getQueryString();
    URI uri = new URI(query == null ? rawPath : rawPath + "?" + query);
    return new ServletExchange(
        request, response, uri, byPath ? contextPath + servletPath : contextPath);
  }

  @Override
  public Headers getRequestHeaders() {
    return requestHeaders;
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return uri;
  }

  @Override
  public String getRequestMethod() {
    return request.getMethod();
  }

  @Override
  public HttpContext getHttpContext() {
    return context;
  }

  /** Ends the exchange; one its handler never answered is a 500, as on the monitor's port. */
  @Override
  public void close() {
    try {
      if (code < 0) {
        sendResponseHeaders(500, -1);
      }
      if (out != null) {
        out.close();
      }
    } catch (IOException gone) {
      // The client is gone; the container ends the response.
    }
  }

  @Override
  public InputStream getRequestBody() {
    if (in == null) {
      try {
        in = request.getInputStream();
      } catch (IOException e) {
        in = InputStream.nullInputStream();
      }
    }
    return in;
  }

  @Override
  public OutputStream getResponseBody() {
    if (out == null) {
      out = new Body();
    }
    return out;
  }

  @Override
  public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
    if (code >= 0) {
      throw new IOException("headers already sent");
    }
    code = rCode;
    response.setStatus(rCode);
    for (Map.Entry<String, List<String>> header : responseHeaders.entrySet()) {
      boolean first = true;
      for (String value : header.getValue()) {
        if (first) {
          response.setHeader(header.getKey(), value);
          first = false;
        } else {
          response.addHeader(header.getKey(), value);
        }
      }
    }
    boolean head = "HEAD".equals(request.getMethod());
    if (responseLength > 0) {
      response.setContentLengthLong(responseLength);
    } else if (responseLength < 0 && !head) {
      response.setContentLength(0);
    }
    // 0: the length is unknown; the container chunks the body.
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return InetSocketAddress.createUnresolved(request.getRemoteAddr(), request.getRemotePort());
  }

  @Override
  public int getResponseCode() {
    return code;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return InetSocketAddress.createUnresolved(request.getLocalAddr(), request.getLocalPort());
  }

  @Override
  public String getProtocol() {
    return request.getProtocol();
  }

  @Override
  public Object getAttribute(String name) {
    return request.getAttribute(name);
  }

  @Override
  public void setAttribute(String name, Object value) {
    request.setAttribute(name, value);
  }

  @Override
  public void setStreams(InputStream i, OutputStream o) {
    if (i != null) {
      in = i;
    }
    if (o != null) {
      out = o;
    }
  }

  @Override
  public HttpPrincipal getPrincipal() {
    return null;
  }

  /** The container's output stream, once the headers are set. */
  private final class Body extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      response.getOutputStream().write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      response.getOutputStream().write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
      response.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
      response.getOutputStream().close();
    }
  }

  /**
   * Where the servlet is mapped, as the context the handlers see; no server, filters or
   * authenticators behind it (the container's filters have run).
   */
  private static final class Context extends HttpContext {
    private final String path;

    Context(String path) {
      this.path = path;
    }

    @Override
    public HttpHandler getHandler() {
      return null;
    }

    @Override
    public void setHandler(HttpHandler handler) {
      throw new UnsupportedOperationException("the servlet's handler is fixed");
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
      return Map.of();
    }

    @Override
    public List<Filter> getFilters() {
      return List.of();
    }

    @Override
    public Authenticator setAuthenticator(Authenticator auth) {
      throw new UnsupportedOperationException("the servlet has no authenticators");
    }

    @Override
    public Authenticator getAuthenticator() {
      return null;
    }
  }
}
