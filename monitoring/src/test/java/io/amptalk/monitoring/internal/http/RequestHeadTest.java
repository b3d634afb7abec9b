package io.amptalk.monitoring.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The parser's decision on each odd request head: the exact status, or what it reads. */
class RequestHeadTest {
  private static RequestHead parse(String head) throws IOException {
    return RequestHead.read(
        new WireInput(new ByteArrayInputStream(head.getBytes(StandardCharsets.ISO_8859_1))));
  }

  private static int status(String head) {
    try {
      parse(head);
      return 0;
    } catch (HttpFailure refused) {
      return refused.status();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The request line alone, with one Host header: {@code \0} stands for NUL, {@code \r} CR. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiterString = " -> ",
      quoteCharacter = '"',
      value = {
        "GET //health HTTP/1.1 -> 400",
        "GET health HTTP/1.1 -> 400",
        "GET * HTTP/1.1 -> 400",
        "OPTIONS * HTTP/1.1 -> 400",
        "CONNECT host:443 HTTP/1.1 -> 400",
        "GET /%zz HTTP/1.1 -> 400",
        "GET /%4 HTTP/1.1 -> 400",
        "GET /a? HTTP/1.1 -> 0",
        "GET /a?x=%E0%A4%A HTTP/1.1 -> 400",
        "GET /a?%=1 HTTP/1.1 -> 400",
        "GET /a#top HTTP/1.1 -> 400",
        "GET /a{b} HTTP/1.1 -> 400",
        "GET /a|b HTTP/1.1 -> 400",
        "GET /a\\b HTTP/1.1 -> 400",
        "GET /a[0] HTTP/1.1 -> 400",
        "GET /metrics?name[]=up HTTP/1.1 -> 0",
        "GET /a//b HTTP/1.1 -> 0",
        "GET /~a-b_c.d!$&'()*+,;=:@ HTTP/1.1 -> 0",
        "GET /health -> 400",
        "GET -> 400",
        "GARBAGE -> 400",
        "GET  /health HTTP/1.1 -> 400",
        "GET /health  HTTP/1.1 -> 400",
        "G@T /health HTTP/1.1 -> 400",
        "GET /health HTTP/2.0 -> 505",
        "GET /health HTTP/3.0 -> 505",
        "GET /health http/1.1 -> 400",
        "GET /health HTTP/1 -> 400",
        "GET /health HTTP/1.10 -> 400",
        "GET /health HTTP/1.2 -> 0",
        "FOO /health HTTP/1.1 -> 0",
        "GET http://host:8000/health?x=1 HTTP/1.1 -> 0",
        "GET HTTP://HOST HTTP/1.1 -> 0",
        "GET http:///health HTTP/1.1 -> 400",
        "GET http://host//health HTTP/1.1 -> 400",
        "GET http://user@host/ HTTP/1.1 -> 400",
        "GET ftp://host/x HTTP/1.1 -> 400",
      })
  void requestLine(String line, int expected) {
    assertThat(status(line + "\r\nHost: x\r\n\r\n")).as(line).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /a\0b HTTP/1.1", "GET /a\rb HTTP/1.1", "GET /caf\u00e9 HTTP/1.1"})
  void controlAndNonAsciiCharactersInTheTarget_are400(String line) {
    assertThat(status(line + "\r\n\r\n")).isEqualTo(400);
  }

  @Test
  void theTarget_isWhatHandlersSee_originFormEvenFromAbsoluteForm() throws IOException {
    RequestHead head = parse("GET http://host:8000/health/db?x=%20y HTTP/1.1\r\n\r\n");
    assertThat(head.uri.toString()).isEqualTo("/health/db?x=%20y");
    assertThat(head.uri.getPath()).isEqualTo("/health/db");
    assertThat(head.uri.getQuery()).isEqualTo("x= y");

    assertThat(parse("GET http://host?a=1 HTTP/1.1\r\n\r\n").uri.toString()).isEqualTo("/?a=1");
    assertThat(parse("GET /metrics?name[]=up HTTP/1.1\r\n\r\n").uri.getRawQuery())
        .isEqualTo("name[]=up");
    assertThat(parse("GET /health HTTP/1.2\r\n\r\n").protocol).isEqualTo("HTTP/1.1");
  }

  @Test
  void aRequestLineOverTheLimit_is414_atTheLimitIsRead() {
    String prefix = "GET /";
    String suffix = " HTTP/1.1";
    int room = RequestHead.MAX_REQUEST_LINE - prefix.length() - suffix.length();

    assertThat(status(prefix + "a".repeat(room) + suffix + "\r\n\r\n")).isZero();
    assertThat(status(prefix + "a".repeat(room + 1) + suffix + "\r\n\r\n")).isEqualTo(414);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiterString = " -> ",
      quoteCharacter = '"',
      value = {
        "Bad Header Name: v -> 400",
        "no colon at all -> 400",
        ": no name -> 400",
        "Host : x -> 400",
        "X-Latin: caf\u00e9 -> 0",
        "X-Del: a\u007fb -> 400",
        "Content-Length: -5 -> 400",
        "Content-Length: lots -> 400",
        "Content-Length: +5 -> 400",
        "Content-Length: -> 400",
        "Content-Length: 1234567890123456789 -> 400",
        "Content-Length: 5, 5 -> 0",
        "Content-Length: 5, 6 -> 400",
        "Transfer-Encoding: gzip -> 501",
        "Transfer-Encoding: gzip, chunked -> 501",
        "Transfer-Encoding: chunked -> 0",
      })
  void headerField(String field, int expected) {
    String head = "POST /alerts HTTP/1.1\r\nHost: x\r\n" + field + "\r\n\r\n";
    assertThat(status(head)).as(field).isEqualTo(expected);
  }

  @Test
  void foldedFields_are400_tabsInValuesAreText() {
    String head = "GET / HTTP/1.1\r\nHost: x\r\n";
    assertThat(status(head + "X-Folded: a\r\n  b\r\n\r\n")).isEqualTo(400);
    assertThat(status(head + "X-Folded: a\r\n\tb\r\n\r\n")).isEqualTo(400);
    assertThat(status(head + "X-Tab: a b\tc\r\n\r\n")).isZero();
    assertThat(status(head + "X-Nul: a\0b\r\n\r\n")).isEqualTo(400);
    assertThat(status(head + "X-Cr: a\rb\r\n\r\n")).isEqualTo(400);
  }

  @Test
  void repeatedFields_contentLengthOnlyWithOneValue_hostOnce() {
    String head = "POST /alerts HTTP/1.1\r\n";
    assertThat(status(head + "Content-Length: 1\r\nContent-Length: 2\r\n\r\n")).isEqualTo(400);
    assertThat(status(head + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n")).isZero();
    assertThat(status(head + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"))
        .isEqualTo(400);
    assertThat(status(head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"))
        .isEqualTo(501);
    assertThat(status(head + "Host: a\r\nHost: b\r\n\r\n")).isEqualTo(400);
    assertThat(status("POST /a HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")).isEqualTo(400);
  }

  @Test
  void tooManyOrTooLongHeaderFields_are431() {
    StringBuilder fields = new StringBuilder();
    for (int i = 1; i < RequestHead.MAX_HEADERS; i++) {
      fields.append("X-H").append(i).append(": v\r\n");
    }
    String head = "GET /health HTTP/1.1\r\nHost: x\r\n";

    assertThat(status(head + fields + "\r\n")).isZero();
    assertThat(status(head + fields + "X-One-Too-Many: v\r\n\r\n")).isEqualTo(431);
    assertThat(status(head + "X-Big: " + "a".repeat(RequestHead.MAX_HEADER_BYTES) + "\r\n\r\n"))
        .isEqualTo(431);
  }

  @Test
  void bodyFraming_andPersistence() throws IOException {
    RequestHead get = parse("GET / HTTP/1.1\r\n\r\n");
    assertThat(get.length).isZero();
    assertThat(get.persistent).isTrue();
    assertThat(get.http10).isFalse();

    assertThat(parse("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n").length).isEqualTo(12);
    assertThat(parse("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n").length).isEqualTo(-1);
    assertThat(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").persistent).isFalse();
    assertThat(parse("GET / HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n").persistent)
        .isTrue();
    assertThat(parse("GET / HTTP/1.0\r\n\r\n").persistent).isFalse();
    assertThat(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").persistent).isTrue();
    assertThat(parse("POST / HTTP/1.1\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"))
        .matches(head -> head.expectContinue);
    assertThat(parse("GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n").expectContinue).isFalse();
  }

  @Test
  void lineEndings_bareLfAccepted_leadingEmptyLinesSkippedUpToFour() throws IOException {
    assertThat(parse("GET /a HTTP/1.1\nHost: x\n\n").uri.getPath()).isEqualTo("/a");
    assertThat(parse("\r\n\r\nGET /a HTTP/1.1\r\n\r\n").uri.getPath()).isEqualTo("/a");
    assertThat(status("\r\n".repeat(5) + "GET /a HTTP/1.1\r\n\r\n")).isEqualTo(400);
  }

  @Test
  void theStreamEnding_beforeARequestIsNull_insideOneIsAnEof() throws IOException {
    assertThat(parse("")).isNull();
    assertThatThrownBy(() -> parse("GET /a HTTP/1.1\r\nHost: x\r\n"))
        .isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> parse("GET /hea")).isInstanceOf(EOFException.class);
  }
}
