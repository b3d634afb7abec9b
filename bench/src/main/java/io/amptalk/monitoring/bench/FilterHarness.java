package io.amptalk.monitoring.bench;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.MappingMatch;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UnsupportedEncodingException;
import java.security.Principal;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The harness of {@link MonitoringFilterBenchmark}: the smallest {@link HttpServletRequest} and
 * {@link HttpServletResponse} the filters measured can run on outside a container. They answer what
 * those filters ask on a synchronous request, from fields, as Jetty would for {@code wrk}'s {@code
 * GET} on loopback: method, URI, query, scheme, protocol, the local and remote addresses, the one
 * {@code Host} header, dispatcher type, async state and servlet mapping; status, commit state and
 * no response header. Only the header enumerations allocate (as the container's do), and only for
 * the peers that ask. Every other method throws {@link UnsupportedOperationException}, so a filter
 * that started asking more would fail the benchmark rather than measure a made-up answer.
 */
final class FilterHarness {
  private FilterHarness() {}

  /** Counted too, for a filter that would catch the exception and carry on. */
  private static final AtomicLong UNSUPPORTED_CALLS = new AtomicLong();

  private static UnsupportedOperationException unsupported() {
    UNSUPPORTED_CALLS.incrementAndGet();
    return new UnsupportedOperationException("not part of the benchmark's harness");
  }

  /**
   * Throws if any filter called a method the harness does not implement, even one that swallowed
   * the exception: what it measured would not be what it does in a container.
   */
  static void checkAllAnswered(String filter) {
    long calls = UNSUPPORTED_CALLS.get();
    if (calls != 0) {
      throw new IllegalStateException(
          filter + " called " + calls + " method(s) that FilterHarness does not implement");
    }
  }

  /** A servlet mapping by path pattern, as a container reports {@code /items/*}. */
  record PathMapping(String pattern, String matchValue, String servletName)
      implements HttpServletMapping {
    @Override
    public String getMatchValue() {
      return matchValue;
    }

    @Override
    public String getPattern() {
      return pattern;
    }

    @Override
    public String getServletName() {
      return servletName;
    }

    @Override
    public MappingMatch getMappingMatch() {
      return MappingMatch.PATH;
    }
  }

  /**
   * A synchronous {@code REQUEST} dispatch of {@code method} for {@code uri} (no query string) in
   * the root context, served under {@code mapping}, from {@code 127.0.0.1:40000} to {@code
   * 127.0.0.1:8080} over HTTP/1.1 with the one header {@code Host: 127.0.0.1:8080}.
   */
  static final class Request implements HttpServletRequest {
    private static final String HOST = "Host";
    private static final List<String> HEADER_NAMES = List.of(HOST);
    private static final String ADDRESS = "127.0.0.1";
    private static final int PORT = 8080;
    private static final int REMOTE_PORT = 40000;
    private static final List<String> HOST_VALUES = List.of(ADDRESS + ":" + PORT);

    private final String method;
    private final String uri;
    private final HttpServletMapping mapping;

    Request(String method, String uri, HttpServletMapping mapping) {
      this.method = method;
      this.uri = uri;
      this.mapping = mapping;
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
      return mapping;
    }

    @Override
    public Object getAttribute(String first) {
      throw unsupported();
    }

    @Override
    public Enumeration<String> getAttributeNames() {
      throw unsupported();
    }

    @Override
    public String getCharacterEncoding() {
      throw unsupported();
    }

    @Override
    public void setCharacterEncoding(String first) throws UnsupportedEncodingException {
      throw unsupported();
    }

    @Override
    public int getContentLength() {
      throw unsupported();
    }

    @Override
    public long getContentLengthLong() {
      throw unsupported();
    }

    @Override
    public String getContentType() {
      throw unsupported();
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      throw unsupported();
    }

    @Override
    public String getParameter(String first) {
      throw unsupported();
    }

    @Override
    public Enumeration<String> getParameterNames() {
      throw unsupported();
    }

    @Override
    public String[] getParameterValues(String first) {
      throw unsupported();
    }

    @Override
    public Map<String, String[]> getParameterMap() {
      throw unsupported();
    }

    @Override
    public String getProtocol() {
      return "HTTP/1.1";
    }

    @Override
    public String getScheme() {
      return "http";
    }

    @Override
    public String getServerName() {
      return ADDRESS;
    }

    @Override
    public int getServerPort() {
      return PORT;
    }

    @Override
    public BufferedReader getReader() throws IOException {
      throw unsupported();
    }

    @Override
    public String getRemoteAddr() {
      return ADDRESS;
    }

    @Override
    public String getRemoteHost() {
      return ADDRESS;
    }

    @Override
    public void setAttribute(String first, Object second) {
      throw unsupported();
    }

    @Override
    public void removeAttribute(String first) {
      throw unsupported();
    }

    @Override
    public Locale getLocale() {
      throw unsupported();
    }

    @Override
    public Enumeration<Locale> getLocales() {
      throw unsupported();
    }

    @Override
    public boolean isSecure() {
      return false;
    }

    @Override
    public RequestDispatcher getRequestDispatcher(String first) {
      throw unsupported();
    }

    @Override
    public int getRemotePort() {
      return REMOTE_PORT;
    }

    @Override
    public String getLocalName() {
      return ADDRESS;
    }

    @Override
    public String getLocalAddr() {
      return ADDRESS;
    }

    @Override
    public int getLocalPort() {
      return PORT;
    }

    @Override
    public ServletContext getServletContext() {
      throw unsupported();
    }

    @Override
    public AsyncContext startAsync() throws IllegalStateException {
      throw unsupported();
    }

    @Override
    public AsyncContext startAsync(ServletRequest first, ServletResponse second)
        throws IllegalStateException {
      throw unsupported();
    }

    @Override
    public boolean isAsyncStarted() {
      return false;
    }

    @Override
    public boolean isAsyncSupported() {
      return true;
    }

    @Override
    public AsyncContext getAsyncContext() {
      throw unsupported();
    }

    @Override
    public DispatcherType getDispatcherType() {
      return DispatcherType.REQUEST;
    }

    @Override
    public String getRequestId() {
      throw unsupported();
    }

    @Override
    public String getProtocolRequestId() {
      throw unsupported();
    }

    @Override
    public ServletConnection getServletConnection() {
      throw unsupported();
    }

    @Override
    public String getAuthType() {
      throw unsupported();
    }

    @Override
    public Cookie[] getCookies() {
      throw unsupported();
    }

    @Override
    public long getDateHeader(String first) {
      throw unsupported();
    }

    @Override
    public String getHeader(String first) {
      return HOST.equalsIgnoreCase(first) ? HOST_VALUES.get(0) : null;
    }

    @Override
    public Enumeration<String> getHeaders(String first) {
      return HOST.equalsIgnoreCase(first)
          ? Collections.enumeration(HOST_VALUES)
          : Collections.emptyEnumeration();
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      return Collections.enumeration(HEADER_NAMES);
    }

    @Override
    public int getIntHeader(String first) {
      throw unsupported();
    }

    @Override
    public String getMethod() {
      return method;
    }

    @Override
    public String getPathInfo() {
      throw unsupported();
    }

    @Override
    public String getPathTranslated() {
      throw unsupported();
    }

    @Override
    public String getContextPath() {
      return "";
    }

    @Override
    public String getQueryString() {
      return null;
    }

    @Override
    public String getRemoteUser() {
      throw unsupported();
    }

    @Override
    public boolean isUserInRole(String first) {
      throw unsupported();
    }

    @Override
    public Principal getUserPrincipal() {
      throw unsupported();
    }

    @Override
    public String getRequestedSessionId() {
      throw unsupported();
    }

    @Override
    public String getRequestURI() {
      return uri;
    }

    @Override
    public StringBuffer getRequestURL() {
      throw unsupported();
    }

    @Override
    public String getServletPath() {
      throw unsupported();
    }

    @Override
    public HttpSession getSession(boolean first) {
      throw unsupported();
    }

    @Override
    public HttpSession getSession() {
      throw unsupported();
    }

    @Override
    public String changeSessionId() {
      throw unsupported();
    }

    @Override
    public boolean isRequestedSessionIdValid() {
      throw unsupported();
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
      throw unsupported();
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
      throw unsupported();
    }

    @Override
    public boolean authenticate(HttpServletResponse first) throws IOException, ServletException {
      throw unsupported();
    }

    @Override
    public void login(String first, String second) throws ServletException {
      throw unsupported();
    }

    @Override
    public void logout() throws ServletException {
      throw unsupported();
    }

    @Override
    public Collection<Part> getParts() throws IOException, ServletException {
      throw unsupported();
    }

    @Override
    public Part getPart(String first) throws IOException, ServletException {
      throw unsupported();
    }

    @Override
    public <T extends HttpUpgradeHandler> T upgrade(Class<T> first)
        throws IOException, ServletException {
      throw unsupported();
    }
  }

  /** A response whose status the chain sets, with no header; committed once flushed. */
  static final class Response implements HttpServletResponse {
    private int status = 200;
    private boolean committed;

    @Override
    public String getCharacterEncoding() {
      throw unsupported();
    }

    @Override
    public String getContentType() {
      throw unsupported();
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      throw unsupported();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      throw unsupported();
    }

    @Override
    public void setCharacterEncoding(String first) {
      throw unsupported();
    }

    @Override
    public void setContentLength(int first) {
      throw unsupported();
    }

    @Override
    public void setContentLengthLong(long first) {
      throw unsupported();
    }

    @Override
    public void setContentType(String first) {
      throw unsupported();
    }

    @Override
    public void setBufferSize(int first) {
      throw unsupported();
    }

    @Override
    public int getBufferSize() {
      throw unsupported();
    }

    @Override
    public void flushBuffer() throws IOException {
      committed = true;
    }

    @Override
    public void resetBuffer() {
      throw unsupported();
    }

    @Override
    public boolean isCommitted() {
      return committed;
    }

    @Override
    public void reset() {
      status = 200;
      committed = false;
    }

    @Override
    public void setLocale(Locale first) {
      throw unsupported();
    }

    @Override
    public Locale getLocale() {
      throw unsupported();
    }

    @Override
    public void addCookie(Cookie first) {
      throw unsupported();
    }

    @Override
    public boolean containsHeader(String first) {
      return false;
    }

    @Override
    public String encodeURL(String first) {
      throw unsupported();
    }

    @Override
    public String encodeRedirectURL(String first) {
      throw unsupported();
    }

    @Override
    public void sendError(int first, String second) throws IOException {
      throw unsupported();
    }

    @Override
    public void sendError(int first) throws IOException {
      throw unsupported();
    }

    @Override
    public void sendRedirect(String first, int second, boolean third) throws IOException {
      throw unsupported();
    }

    @Override
    public void setDateHeader(String first, long second) {
      throw unsupported();
    }

    @Override
    public void addDateHeader(String first, long second) {
      throw unsupported();
    }

    @Override
    public void setHeader(String first, String second) {
      throw unsupported();
    }

    @Override
    public void addHeader(String first, String second) {
      throw unsupported();
    }

    @Override
    public void setIntHeader(String first, int second) {
      throw unsupported();
    }

    @Override
    public void addIntHeader(String first, int second) {
      throw unsupported();
    }

    @Override
    public void setStatus(int first) {
      this.status = first;
    }

    @Override
    public int getStatus() {
      return status;
    }

    @Override
    public String getHeader(String first) {
      return null;
    }

    @Override
    public Collection<String> getHeaders(String first) {
      return List.of();
    }

    @Override
    public Collection<String> getHeaderNames() {
      return List.of();
    }
  }
}
