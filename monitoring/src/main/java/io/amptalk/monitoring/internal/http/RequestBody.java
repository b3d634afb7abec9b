package io.amptalk.monitoring.internal.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A request's body as the handler reads it: exactly {@code Content-Length} bytes, or the chunks of
 * a chunked body, and never a byte of the next request. Closing it only ends the handler's reading;
 * what is left is read and dropped by the connection after the exchange ({@link #skipRest}), or the
 * connection is closed.
 */
abstract class RequestBody extends InputStream {
  /** Chunk-size and trailer lines: far more than any client needs. */
  private static final int MAX_CHUNK_LINE = 4096;

  private static final int MAX_TRAILERS = 64;

  /**
   * The most of a body a handler left unread that is skipped so that the connection goes on; a
   * longer rest, or one that has not all arrived, closes the connection after the answer instead,
   * so that the server never waits for a body no one reads.
   */
  static final int MAX_SKIPPED = 64 * 1024;

  protected final WireInput in;
  private final byte[] one = new byte[1];
  private boolean closed;
  private boolean started;

  private RequestBody(WireInput in) {
    this.in = in;
  }

  static RequestBody of(WireInput in, long length) {
    return length < 0 ? new Chunked(in) : new Fixed(in, length);
  }

  /** Whether every byte of the body has been read. */
  abstract boolean atEnd();

  /** Reads at most {@code length} bytes of the body; -1 at its end. */
  protected abstract int readBody(byte[] into, int offset, int length) throws IOException;

  /** Whether the handler has started reading (and so a client that expects 100 was told to go). */
  boolean started() {
    return started;
  }

  @Override
  public int read() throws IOException {
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, into.length);
    if (closed) {
      throw new IOException("the request body is closed");
    }
    started = true;
    return length == 0 ? 0 : readBody(into, offset, length);
  }

  @Override
  public void close() {
    closed = true;
  }

  /**
   * Whether what is left of the body can be skipped without waiting: it is at most {@link
   * #MAX_SKIPPED} bytes and has all arrived (the intake reads such bodies whole before a handler
   * runs). What is left of a chunked body is never skipped.
   */
  abstract boolean skippable();

  /**
   * Drops what is left of the body when it is {@link #skippable}; whether the body's end was
   * reached (else the connection must close, its next request not being found).
   */
  boolean skipRest() throws IOException {
    if (atEnd()) {
      return true; // the usual case: nothing allocated
    }
    if (!skippable()) {
      return false;
    }
    byte[] scratch = new byte[8192];
    while (!atEnd()) {
      if (readBody(scratch, 0, scratch.length) < 0) {
        return atEnd();
      }
    }
    return true;
  }

  /** Exactly {@code Content-Length} bytes. */
  private static final class Fixed extends RequestBody {
    private long remaining;

    Fixed(WireInput in, long length) {
      super(in);
      this.remaining = length;
    }

    @Override
    boolean atEnd() {
      return remaining == 0;
    }

    @Override
    boolean skippable() {
      return remaining <= MAX_SKIPPED && remaining <= in.bufferedCount();
    }

    @Override
    protected int readBody(byte[] into, int offset, int length) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int n = in.read(into, offset, (int) Math.min(length, remaining));
      if (n < 0) {
        throw new EOFException("the stream ended " + remaining + " bytes before the body's end");
      }
      remaining -= n;
      return n;
    }

    @Override
    public int available() {
      return (int) Math.min(remaining, in.bufferedCount());
    }
  }

  /** {@code Transfer-Encoding: chunked}: sized chunks, a zero-size one, trailers (dropped). */
  private static final class Chunked extends RequestBody {
    private long chunk; // bytes left in the current chunk
    private boolean end;

    Chunked(WireInput in) {
      super(in);
    }

    @Override
    boolean atEnd() {
      return end;
    }

    @Override
    boolean skippable() {
      return end;
    }

    @Override
    protected int readBody(byte[] into, int offset, int length) throws IOException {
      if (end) {
        return -1;
      }
      if (chunk == 0) {
        chunk = nextChunk();
        if (chunk == 0) {
          trailers();
          end = true;
          return -1;
        }
      }
      int n = in.read(into, offset, (int) Math.min(length, chunk));
      if (n < 0) {
        throw new EOFException("the stream ended inside a chunk");
      }
      chunk -= n;
      if (chunk == 0) {
        String crlf = in.readLine(0, 400, "the end of a chunk");
        if (crlf == null || !crlf.isEmpty()) {
          throw new HttpFailure(400, "a chunk does not end with CRLF");
        }
      }
      return n;
    }

    private long nextChunk() throws IOException {
      String line = in.readLine(MAX_CHUNK_LINE, 400, "a chunk's size line");
      if (line == null) {
        throw new EOFException("the stream ended before a chunk");
      }
      int end = line.indexOf(';'); // chunk extensions are allowed, and ignored
      String size = (end < 0 ? line : line.substring(0, end)).strip();
      if (size.isEmpty()
          || size.length() > 15
          || !size.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
        throw new HttpFailure(400, "a chunk's size is malformed");
      }
      return Long.parseLong(size, 16);
    }

    private void trailers() throws IOException {
      for (int count = 0; ; count++) {
        String line = in.readLine(MAX_CHUNK_LINE, 400, "a trailer field");
        if (line == null) {
          throw new EOFException("the stream ended inside the trailer fields");
        }
        if (line.isEmpty()) {
          return;
        }
        if (count == MAX_TRAILERS) {
          throw new HttpFailure(400, "more than " + MAX_TRAILERS + " trailer fields");
        }
      }
    }
  }
}
