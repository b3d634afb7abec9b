package io.amptalk.monitoring.internal.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The bytes one connection receives, buffered: the lines of a request's head, each bounded, then
 * its body. One buffer serves every request of a keep-alive connection, so bytes of the next
 * request read along with this one's body are kept, never lost (a pipelining client, or a TLS
 * record holding two requests).
 */
final class WireInput {
  private static final int SIZE = 16 * 1024;

  private final InputStream in;
  private byte[] buffer;
  private int position;
  private int limit;
  private byte[] line = new byte[256];

  WireInput(InputStream in) {
    this.in = in;
    this.buffer = new byte[SIZE];
  }

  /**
   * Reads {@code bytes} from {@code offset} to {@code limit} first (what the intake buffered, kept
   * as it is, not copied), then {@code in}.
   */
  WireInput(InputStream in, byte[] bytes, int offset, int limit) {
    this.in = in;
    this.buffer = bytes;
    this.position = offset;
    this.limit = limit;
  }

  /** A copy of the bytes buffered and not read yet: the start of the next request. */
  byte[] rest() {
    return java.util.Arrays.copyOfRange(buffer, position, limit);
  }

  /** Whether bytes are buffered already: the next request has (at least partly) arrived. */
  boolean buffered() {
    return position < limit;
  }

  int bufferedCount() {
    return limit - position;
  }

  /** Waits for at least one byte; false when the peer ended the stream. */
  boolean await() throws IOException {
    return position < limit || fill();
  }

  private boolean fill() throws IOException {
    if (buffer.length < SIZE) {
      buffer = new byte[SIZE]; // the intake's bytes were all read: a buffer of the usual size now
    }
    int n = in.read(buffer, 0, buffer.length);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }

  /**
   * The next line without its CRLF (a bare LF ends a line too, as RFC 9112 lets a recipient
   * accept), decoded as ISO-8859-1 so that each byte is one char the parser can check; null when
   * the stream ends before the line's first byte.
   *
   * @throws HttpFailure with {@code tooLong} when the line is longer than {@code max} bytes: it is
   *     not read further, so a client cannot make us buffer more than the bound
   * @throws EOFException when the stream ends inside the line
   */
  String readLine(int max, int tooLong, String what) throws IOException {
    int length = 0;
    while (true) {
      if (position == limit && !fill()) {
        if (length == 0) {
          return null;
        }
        throw new EOFException("the stream ended inside " + what);
      }
      int end = position;
      while (end < limit && buffer[end] != '\n') {
        end++;
      }
      int n = end - position;
      // One byte more than the bound may be the CR of the CRLF.
      if (length + n > max + 1) {
        throw new HttpFailure(tooLong, what + ": over " + max + " bytes");
      }
      if (length + n > line.length) {
        line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, length + n));
      }
      System.arraycopy(buffer, position, line, length, n);
      length += n;
      if (end < limit) {
        position = end + 1;
        break;
      }
      position = limit;
    }
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    if (length > max) {
      throw new HttpFailure(tooLong, what + ": over " + max + " bytes");
    }
    return new String(line, 0, length, StandardCharsets.ISO_8859_1);
  }

  /** Like {@link InputStream#read(byte[], int, int)}: buffered bytes first, then the socket's. */
  int read(byte[] into, int offset, int length) throws IOException {
    if (position == limit) {
      if (length >= SIZE) {
        return in.read(into, offset, length); // a large read needs no copy through the buffer
      }
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(length, limit - position);
    System.arraycopy(buffer, position, into, offset, n);
    position += n;
    return n;
  }
}
