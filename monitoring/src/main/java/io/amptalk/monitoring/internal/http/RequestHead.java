package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.Headers;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;

/**
 * A request's line and header fields, read and checked by {@link #read}: every decision on a
 * malformed or oversized head is made here, so that it is the same on every JDK (the JDK's own
 * server answered {@code GET //health HTTP/1.1} with 404 on one 17 patch and 400 on the next).
 *
 * <p>The rules (RFC 9112, strict where leniency could let two parsers disagree on one message):
 *
 * <ul>
 *   <li>Request line: {@code method SP target SP HTTP/1.x}, one space each, at most {@link
 *       #MAX_REQUEST_LINE} bytes (else 414); the method a token; another major version 505.
 *   <li>Target: origin-form {@code /path?query}; absolute-form {@code http://host/path?query} is
 *       accepted (RFC 9112 says a server must) and served by its path and query alone. Anything
 *       else is 400: {@code *}, {@code health}, authority-form, a path starting {@code //} (which
 *       {@link URI} would read as a host), a bad {@code %} escape, a fragment, or any character
 *       outside RFC 3986's path and query ({@code [} and {@code ]} are allowed in the query, where
 *       clients send {@code name[]=} raw).
 *   <li>Header fields: {@code name: value}, the name a token (so no space before the colon), the
 *       value without control characters, no obsolete line folding; at most {@link #MAX_HEADERS}
 *       fields and {@link #MAX_HEADER_BYTES} bytes (else 431; the JDK server's defaults, so that no
 *       client it served is refused now). At most one {@code Host}; none is required, since one
 *       site is served whatever the name.
 *   <li>Body framing: {@code Content-Length} digits only, repeated only with the same value; {@code
 *       Transfer-Encoding: chunked} alone (another coding 501), never with a length nor in HTTP/1.0
 *       (400).
 * </ul>
 */
final class RequestHead {
  static final int MAX_REQUEST_LINE = 8 * 1024;
  static final int MAX_HEADER_BYTES = 380 * 1024;
  static final int MAX_HEADERS = 200;

  /** Empty lines skipped before a request line (RFC 9112 section 2.2: after a body, say). */
  static final int MAX_EMPTY_LINES = 4;

  private static final boolean[] TOKEN = chars("!#$%&'*+-.^_`|~");
  private static final boolean[] PATH = chars("-._~!$&'()*+,;=:@/");
  private static final boolean[] AUTHORITY = chars("-._~!$&'()*+,;=:[]");

  final String method;
  final URI uri;
  final String protocol;
  final boolean http10;
  final Headers headers;

  /** The body's length; -1 for a chunked body. */
  final long length;

  /** Whether the connection may carry another request after this one. */
  final boolean persistent;

  final boolean expectContinue;

  private RequestHead(
      String method, URI uri, String protocol, Headers headers, long length, boolean persistent) {
    this.method = method;
    this.uri = uri;
    this.protocol = protocol;
    this.http10 = "HTTP/1.0".equals(protocol);
    this.headers = headers;
    this.length = length;
    this.persistent = persistent;
    this.expectContinue =
        !http10 && length != 0 && "100-continue".equalsIgnoreCase(headers.getFirst("Expect"));
  }

  /** A stand-in for a head that could not be read: {@code GET /}, not persistent. */
  static RequestHead refused() {
    return new RequestHead("GET", URI.create("/"), "HTTP/1.1", new Headers(), 0, false);
  }

  /**
   * Reads one request's head; null when the stream ends before it starts.
   *
   * @throws HttpFailure when the head is malformed or past a limit
   * @throws EOFException when the stream ends inside the head
   */
  static RequestHead read(WireInput in) throws IOException {
    String line = in.readLine(MAX_REQUEST_LINE, 414, "the request line");
    for (int empty = 0; line != null && line.isEmpty(); empty++) {
      if (empty == MAX_EMPTY_LINES) {
        throw new HttpFailure(400, "empty lines instead of a request line");
      }
      line = in.readLine(MAX_REQUEST_LINE, 414, "the request line");
    }
    if (line == null) {
      return null;
    }
    int first = line.indexOf(' ');
    int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
    if (second < 0 || line.indexOf(' ', second + 1) >= 0) {
      throw new HttpFailure(400, "the request line must be: method, target and HTTP version");
    }
    String method = line.substring(0, first);
    if (method.isEmpty() || !all(method, TOKEN)) {
      throw new HttpFailure(400, "the method is not a token");
    }
    URI uri = target(line.substring(first + 1, second));
    String protocol = version(line.substring(second + 1));
    Headers headers = headers(in);
    long length = length(headers, "HTTP/1.0".equals(protocol));
    List<String> host = headers.get("Host");
    if (host != null && host.size() > 1) {
      throw new HttpFailure(400, "more than one Host header");
    }
    return new RequestHead(method, uri, protocol, headers, length, persistent(headers, protocol));
  }

  /** The target as the URI handlers see: always origin-form, {@code /path?query}. */
  static URI target(String target) throws HttpFailure {
    String path = target;
    if (!target.startsWith("/")) {
      int scheme =
          target.regionMatches(true, 0, "http://", 0, 7)
              ? 7
              : target.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
      if (scheme < 0) {
        throw new HttpFailure(400, "the request target must be a path starting with '/'");
      }
      int end = scheme;
      while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
        end++;
      }
      if (end == scheme || !all(target.substring(scheme, end), AUTHORITY)) {
        throw new HttpFailure(400, "the request target's host is malformed");
      }
      path = target.substring(end);
      path = path.isEmpty() || path.charAt(0) == '?' ? "/" + path : path;
    }
    if (path.startsWith("//")) {
      throw new HttpFailure(400, "the request target's path must not start with '//'");
    }
    boolean query = false;
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        if (i + 2 >= path.length() || !hex(path.charAt(i + 1)) || !hex(path.charAt(i + 2))) {
          throw new HttpFailure(400, "the request target holds a malformed %-escape");
        }
        i += 2;
      } else if (c == '?') {
        query = true;
      } else if (!is(c, PATH) && !(query && (c == '[' || c == ']'))) {
        throw new HttpFailure(400, "the request target holds a character a URI may not hold");
      }
    }
    try {
      return new URI(path);
    } catch (URISyntaxException e) {
      throw new HttpFailure(400, "the request target is not a URI");
    }
  }

  private static String version(String version) throws HttpFailure {
    if ("HTTP/1.1".equals(version) || "HTTP/1.0".equals(version)) {
      return version;
    }
    if (version.length() != 8
        || !version.startsWith("HTTP/")
        || !digit(version.charAt(5))
        || version.charAt(6) != '.'
        || !digit(version.charAt(7))) {
      throw new HttpFailure(400, "the HTTP version is malformed");
    }
    if (version.charAt(5) != '1') {
      throw new HttpFailure(505, "only HTTP/1.1 and HTTP/1.0 are served");
    }
    return "HTTP/1.1"; // a later 1.x is answered as 1.1, its highest version we speak
  }

  private static Headers headers(WireInput in) throws IOException {
    Headers headers = new Headers();
    int count = 0;
    int bytes = 0;
    while (true) {
      String line = in.readLine(MAX_HEADER_BYTES - bytes, 431, "the header fields");
      if (line == null) {
        throw new EOFException("the stream ended inside the header fields");
      }
      if (line.isEmpty()) {
        return headers;
      }
      bytes += line.length() + 2;
      if (++count > MAX_HEADERS) {
        throw new HttpFailure(431, "more than " + MAX_HEADERS + " header fields");
      }
      if (bytes > MAX_HEADER_BYTES) {
        throw new HttpFailure(
            431, "the header fields are longer than " + MAX_HEADER_BYTES + " bytes");
      }
      char start = line.charAt(0);
      if (start == ' ' || start == '\t') {
        throw new HttpFailure(400, "a header field is folded over lines");
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || !all(line.substring(0, colon), TOKEN)) {
        throw new HttpFailure(400, "a header field's name is missing or not a token");
      }
      int from = colon + 1;
      int to = line.length();
      while (from < to && (line.charAt(from) == ' ' || line.charAt(from) == '\t')) {
        from++;
      }
      while (to > from && (line.charAt(to - 1) == ' ' || line.charAt(to - 1) == '\t')) {
        to--;
      }
      for (int i = from; i < to; i++) {
        char c = line.charAt(i);
        if ((c < ' ' && c != '\t') || c == 0x7f) {
          throw new HttpFailure(400, "a header field's value holds a control character");
        }
      }
      headers.add(line.substring(0, colon), line.substring(from, to));
    }
  }

  private static long length(Headers headers, boolean http10) throws HttpFailure {
    List<String> codings = headers.get("Transfer-Encoding");
    List<String> lengths = headers.get("Content-Length");
    if (codings != null) {
      if (lengths != null) {
        throw new HttpFailure(400, "both Content-Length and Transfer-Encoding");
      }
      if (http10) {
        throw new HttpFailure(400, "Transfer-Encoding in an HTTP/1.0 request");
      }
      if (codings.size() != 1 || !"chunked".equalsIgnoreCase(codings.get(0))) {
        throw new HttpFailure(501, "only the chunked transfer coding is supported");
      }
      return -1;
    }
    if (lengths == null) {
      return 0;
    }
    long length = -1;
    for (String value : lengths) {
      for (String part : value.split(",", -1)) {
        String digits = part.strip();
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(c -> digit(c))) {
          throw new HttpFailure(400, "Content-Length must be a number of bytes");
        }
        long parsed = Long.parseLong(digits);
        if (length >= 0 && parsed != length) {
          throw new HttpFailure(400, "differing Content-Length values");
        }
        length = parsed;
      }
    }
    return length;
  }

  private static boolean persistent(Headers headers, String protocol) {
    boolean close = false;
    boolean keepAlive = false;
    List<String> connection = headers.get("Connection");
    if (connection != null) {
      for (String value : connection) {
        for (String option : value.split(",")) {
          close |= "close".equalsIgnoreCase(option.strip());
          keepAlive |= "keep-alive".equalsIgnoreCase(option.strip());
        }
      }
    }
    return !close && ("HTTP/1.1".equals(protocol) || keepAlive);
  }

  private static boolean[] chars(String extra) {
    boolean[] allowed = new boolean[128];
    for (char c = '0'; c <= '9'; c++) {
      allowed[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      allowed[c] = true;
      allowed[c - 'a' + 'A'] = true;
    }
    for (char c : extra.toCharArray()) {
      allowed[c] = true;
    }
    return allowed;
  }

  private static boolean is(char c, boolean[] allowed) {
    return c < 128 && allowed[c];
  }

  private static boolean all(String text, boolean[] allowed) {
    for (int i = 0; i < text.length(); i++) {
      if (!is(text.charAt(i), allowed)) {
        return false;
      }
    }
    return true;
  }

  private static boolean digit(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean hex(char c) {
    return digit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }
}
