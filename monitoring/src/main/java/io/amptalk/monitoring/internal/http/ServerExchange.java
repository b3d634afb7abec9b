package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One request and its response on our server, as the {@link HttpExchange} every handler of the
 * monitor's port was written against, with the JDK server's semantics: {@code
 * sendResponseHeaders(code, length)} with length 0 chunked, -1 no body, above 0 that many bytes;
 * HEAD never writes a body; a {@code Date} header on every response; closing the exchange ends the
 * response. Unlike the JDK's, the exchange ends when the handler returns: a handler may not hand it
 * to another thread to answer later (none of ours does).
 */
final class ServerExchange extends HttpExchange {
  private final RequestHead request;
  private final RequestBody requestBody;
  private final OutputStream wire;
  private final ServerContext context;
  private final InetSocketAddress local;
  private final InetSocketAddress remote;
  private final Headers responseHeaders = new Headers();
  private InputStream in = new Request();
  private OutputStream out = new Response();
  private ResponseBody body;
  private int code = -1;
  private boolean persistent;
  private boolean closed;
  private boolean continued;
  private Map<String, Object> attributes;

  ServerExchange(
      RequestHead request,
      RequestBody requestBody,
      OutputStream wire,
      ServerContext context,
      InetSocketAddress local,
      InetSocketAddress remote,
      boolean last) {
    this.request = request;
    this.requestBody = requestBody;
    this.wire = wire;
    this.context = context;
    this.local = local;
    this.remote = remote;
    this.persistent = request.persistent && !last;
  }

  /**
   * An exchange only to answer a request refused before any handler saw it (its head was
   * malformed): to {@code GET /}, so that the answer has a body; the connection closes after it.
   */
  static ServerExchange refusal(OutputStream wire) {
    RequestHead head = RequestHead.refused();
    return new ServerExchange(head, RequestBody.of(null, 0), wire, null, null, null, true);
  }

  /**
   * Whether the connection may carry another request: neither side asked to close, the response was
   * framed and ended whole, and the client is not waiting for a 100 to send a body it was never
   * asked for.
   */
  boolean persistent() {
    return persistent
        && body != null
        && body.complete()
        && (!request.expectContinue || continued || requestBody.atEnd());
  }

  /** Whether the exchange was answered: headers sent. */
  boolean answered() {
    return code >= 0;
  }

  /**
   * After the handler failed: the answer is {@code status} with {@code reason} as plain text when
   * nothing was sent yet; the connection closes either way, a response half-written being beyond
   * repair.
   */
  void fail(int status, String reason) {
    persistent = false;
    if (answered()) {
      return;
    }
    try {
      responseHeaders.clear();
      responseHeaders.set("Connection", "close");
      Exchanges.send(
          this,
          status,
          "text/plain; charset=utf-8",
          (reason + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException gone) {
      // The client is gone; the connection closes.
    }
  }

  @Override
  public Headers getRequestHeaders() {
    return request.headers;
  }

  @Override
  public Headers getResponseHeaders() {
    return responseHeaders;
  }

  @Override
  public URI getRequestURI() {
    return request.uri;
  }

  @Override
  public String getRequestMethod() {
    return request.method;
  }

  @Override
  public HttpContext getHttpContext() {
    return context;
  }

  /** Ends the response: a handler that sent none gets a 500; an unfinished body is finished. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (!answered()) {
      fail(500, "Internal server error: the handler sent no response");
    }
    try {
      if (body != null) {
        body.close();
      }
    } catch (IOException gone) {
      persistent = false;
    }
  }

  @Override
  public InputStream getRequestBody() {
    return in;
  }

  @Override
  public OutputStream getResponseBody() {
    return out;
  }

  @Override
  public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
    if (answered()) {
      throw new IOException("headers already sent");
    }
    if (rCode < 100 || rCode > 999) {
      throw new IllegalArgumentException("the status must have three digits, was " + rCode);
    }
    code = rCode;
    responseHeaders.set("Date", ResponseHead.date());
    boolean bodiless = rCode < 200 || rCode == 204 || rCode == 304;
    if (bodiless || "HEAD".equals(request.method)) {
      // As the JDK server: no Content-Length of ours; a HEAD handler may set its own.
      body = ResponseBody.none(wire);
    } else if (responseLength == 0 && request.http10) {
      body = ResponseBody.untilClose(wire);
      persistent = false;
    } else if (responseLength == 0) {
      responseHeaders.set("Transfer-Encoding", "chunked");
      body = ResponseBody.chunked(wire);
    } else {
      long length = Math.max(0, responseLength);
      responseHeaders.set("Content-Length", Long.toString(length));
      body = ResponseBody.fixed(wire, length);
    }
    if (!requestBody.atEnd() && !requestBody.skippable()) {
      // The handler left a body unread that is long or still on its way: the connection closes
      // after this answer rather than have a thread wait for bytes no one reads.
      persistent = false;
    }
    List<String> connection = responseHeaders.get("Connection");
    if (connection != null && connection.stream().anyMatch("close"::equalsIgnoreCase)) {
      persistent = false;
    }
    if (!persistent) {
      responseHeaders.set("Connection", "close");
    } else if (request.http10) {
      responseHeaders.set("Connection", "keep-alive");
    }
    ResponseHead.write(wire, rCode, responseHeaders);
    if (bodiless || responseLength < 0 || "HEAD".equals(request.method)) {
      body.close(); // nothing to wait for: the response goes out now, as the JDK's does
    }
  }

  @Override
  public InetSocketAddress getRemoteAddress() {
    return remote;
  }

  @Override
  public int getResponseCode() {
    return code;
  }

  @Override
  public InetSocketAddress getLocalAddress() {
    return local;
  }

  @Override
  public String getProtocol() {
    return request.protocol;
  }

  @Override
  public synchronized Object getAttribute(String name) {
    return attributes == null ? null : attributes.get(name);
  }

  @Override
  public synchronized void setAttribute(String name, Object value) {
    if (attributes == null) {
      attributes = new HashMap<>();
    }
    if (value == null) {
      attributes.remove(name);
    } else {
      attributes.put(name, value);
    }
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

  /** The body, after a {@code 100 Continue} when the client waits for one before sending it. */
  private final class Request extends InputStream {
    @Override
    public int read() throws IOException {
      go();
      return requestBody.read();
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
      go();
      return requestBody.read(into, offset, length);
    }

    @Override
    public int available() throws IOException {
      return requestBody.available();
    }

    @Override
    public void close() {
      requestBody.close();
    }

    private void go() throws IOException {
      // Sent only once the handler reads: one that refuses the request unread (a 413 to a
      // declared gigabyte) answers without the client ever sending the body.
      if (request.expectContinue && !continued && !answered()) {
        continued = true;
        ResponseHead.writeContinue(wire);
      }
    }
  }

  /** Fails until the headers are sent, as the JDK's placeholder stream does. */
  private final class Response extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      body().write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      body().write(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
      body().flush();
    }

    @Override
    public void close() throws IOException {
      body().close();
    }

    private ResponseBody body() throws IOException {
      if (body == null) {
        throw new IOException("response headers not sent yet");
      }
      return body;
    }
  }
}
