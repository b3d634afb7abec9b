package io.amptalk.monitoring.internal.http;

import com.sun.net.httpserver.Headers;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a response's status line and header fields, in one write to the connection's buffer (so
 * that head and a small body leave in one packet), with the JDK server's {@code Date} format.
 */
final class ResponseHead {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss zzz", Locale.US)
          .withZone(ZoneId.of("GMT"));

  private static final byte[] CONTINUE =
      "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** The date of the current second, formatted once a second rather than once a response. */
  private static volatile Dated dated = new Dated(-1, "");

  private record Dated(long second, String text) {}

  private ResponseHead() {}

  static String date() {
    long second = System.currentTimeMillis() / 1000;
    Dated current = dated;
    if (current.second() != second) {
      current = new Dated(second, DATE.format(Instant.ofEpochSecond(second)));
      dated = current;
    }
    return current.text();
  }

  static void writeContinue(OutputStream wire) throws IOException {
    wire.write(CONTINUE);
    wire.flush();
  }

  /**
   * Writes {@code HTTP/1.1 code reason} and the fields.
   *
   * @throws IOException when a name is not a token or a value holds a control character (a line
   *     break would let a value smuggle in fields of its own); nothing is written then
   */
  static void write(OutputStream wire, int code, Headers headers) throws IOException {
    StringBuilder head = new StringBuilder(256);
    head.append("HTTP/1.1 ").append(code).append(' ').append(reason(code)).append("\r\n");
    for (Map.Entry<String, List<String>> field : headers.entrySet()) {
      String name = field.getKey();
      if (name.isEmpty() || !name.chars().allMatch(ResponseHead::token)) {
        throw new IOException("a response header's name is not a token: " + name);
      }
      for (String value : field.getValue()) {
        for (int i = 0; i < value.length(); i++) {
          char c = value.charAt(i);
          if ((c < ' ' && c != '\t') || c == 0x7f || c > 0xff) {
            throw new IOException("the value of response header " + name + " is not text");
          }
        }
        head.append(name).append(": ").append(value).append("\r\n");
      }
    }
    head.append("\r\n");
    wire.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  private static boolean token(int c) {
    return c > ' ' && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
  }

  static String reason(int code) {
    return switch (code) {
      case 100 -> "Continue";
      case 101 -> "Switching Protocols";
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 204 -> "No Content";
      case 206 -> "Partial Content";
      case 301 -> "Moved Permanently";
      case 302 -> "Found";
      case 303 -> "See Other";
      case 304 -> "Not Modified";
      case 307 -> "Temporary Redirect";
      case 308 -> "Permanent Redirect";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 406 -> "Not Acceptable";
      case 408 -> "Request Timeout";
      case 409 -> "Conflict";
      case 410 -> "Gone";
      case 411 -> "Length Required";
      case 412 -> "Precondition Failed";
      case 413 -> "Content Too Large";
      case 414 -> "URI Too Long";
      case 415 -> "Unsupported Media Type";
      case 417 -> "Expectation Failed";
      case 421 -> "Misdirected Request";
      case 422 -> "Unprocessable Content";
      case 429 -> "Too Many Requests";
      case 431 -> "Request Header Fields Too Large";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      case 505 -> "HTTP Version Not Supported";
      default -> "";
    };
  }
}
