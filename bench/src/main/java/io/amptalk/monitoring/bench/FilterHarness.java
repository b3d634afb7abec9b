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
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;

/**
 * The harness of {@link MonitoringFilterBenchmark}: the smallest {@link HttpServletRequest} and
 * {@link HttpServletResponse} a filter can run on outside a container. They answer what a filter
 * asks on a synchronous request (method, scheme, dispatcher type, async state, servlet mapping;
 * status and commit state), from fields, without allocating; every other method throws {@link
 * UnsupportedOperationException}, so a filter that started asking more would fail the benchmark
 * rather than measure a made-up answer.
 */
final class FilterHarness {
  private FilterHarness() {}

  private static UnsupportedOperationException unsupported() {
    return new UnsupportedOperationException("not part of the benchmark's harness");
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

  /** A synchronous {@code REQUEST} dispatch of {@code method}, served under {@code mapping}. */
  static final class Request implements HttpServletRequest {
    private final String method;
    private final HttpServletMapping mapping;

    Request(String method, HttpServletMapping mapping) {
      this.method = method;
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
      throw unsupported();
    }

    @Override
    public String getScheme() {
      throw unsupported();
    }

    @Override
    public String getServerName() {
      throw unsupported();
    }

    @Override
    public int getServerPort() {
      throw unsupported();
    }

    @Override
    public BufferedReader getReader() throws IOException {
      throw unsupported();
    }

    @Override
    public String getRemoteAddr() {
      throw unsupported();
    }

    @Override
    public String getRemoteHost() {
      throw unsupported();
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
      throw unsupported();
    }

    @Override
    public String getLocalName() {
      throw unsupported();
    }

    @Override
    public String getLocalAddr() {
      throw unsupported();
    }

    @Override
    public int getLocalPort() {
      throw unsupported();
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
      throw unsupported();
    }

    @Override
    public Enumeration<String> getHeaders(String first) {
      throw unsupported();
    }

    @Override
    public Enumeration<String> getHeaderNames() {
      throw unsupported();
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
      throw unsupported();
    }

    @Override
    public String getQueryString() {
      throw unsupported();
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
      throw unsupported();
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

  /** A response whose status the chain sets; committed once flushed. */
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
      throw unsupported();
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
      throw unsupported();
    }

    @Override
    public Collection<String> getHeaders(String first) {
      throw unsupported();
    }

    @Override
    public Collection<String> getHeaderNames() {
      throw unsupported();
    }
  }
}
