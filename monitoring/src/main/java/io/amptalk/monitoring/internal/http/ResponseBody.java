package io.amptalk.monitoring.internal.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A response's body as {@code sendResponseHeaders(code, length)} framed it, the JDK's way: a fixed
 * length, chunked (length 0), until the connection closes (length 0 in HTTP/1.0), or none (-1,
 * HEAD, 1xx, 204, 304). Writes go to the connection's buffered stream; closing the body flushes the
 * response, and {@link #complete} tells whether the connection may carry another one.
 */
abstract class ResponseBody extends OutputStream {
  protected final OutputStream wire;
  private final byte[] one = new byte[1];
  private boolean closed;

  private ResponseBody(OutputStream wire) {
    this.wire = wire;
  }

  static ResponseBody none(OutputStream wire) {
    return new Fixed(wire, 0);
  }

  static ResponseBody fixed(OutputStream wire, long length) {
    return new Fixed(wire, length);
  }

  static ResponseBody chunked(OutputStream wire) {
    return new Chunked(wire);
  }

  static ResponseBody untilClose(OutputStream wire) {
    return new UntilClose(wire);
  }

  /** Whether the body was closed whole, so that the next response may follow it on the wire. */
  abstract boolean complete();

  protected abstract void writeBody(byte[] bytes, int offset, int length) throws IOException;

  /** What closing adds on the wire (the last chunk) before the flush. */
  protected void finish() throws IOException {}

  boolean closed() {
    return closed;
  }

  @Override
  public void write(int b) throws IOException {
    one[0] = (byte) b;
    write(one, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (closed) {
      throw new IOException("the response body is closed");
    }
    if (length > 0) {
      writeBody(bytes, offset, length);
    }
  }

  @Override
  public void flush() throws IOException {
    if (!closed) {
      wire.flush();
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    finish();
    wire.flush();
  }

  private static final class Fixed extends ResponseBody {
    private long remaining;

    Fixed(OutputStream wire, long length) {
      super(wire);
      this.remaining = length;
    }

    @Override
    boolean complete() {
      return closed() && remaining == 0;
    }

    @Override
    protected void writeBody(byte[] bytes, int offset, int length) throws IOException {
      if (length > remaining) {
        throw new IOException("too many bytes to write to stream"); // the JDK server's words
      }
      wire.write(bytes, offset, length);
      remaining -= length;
    }
  }

  /** Buffers writes into chunks of up to 8 KiB, so that small writes do not each make a chunk. */
  private static final class Chunked extends ResponseBody {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final byte[] buffer = new byte[8192];
    private int size;

    Chunked(OutputStream wire) {
      super(wire);
    }

    @Override
    boolean complete() {
      return closed();
    }

    @Override
    protected void writeBody(byte[] bytes, int offset, int length) throws IOException {
      if (size + length <= buffer.length) {
        System.arraycopy(bytes, offset, buffer, size, length);
        size += length;
        return;
      }
      emit();
      if (length >= buffer.length) {
        chunk(bytes, offset, length);
      } else {
        System.arraycopy(bytes, offset, buffer, 0, length);
        size = length;
      }
    }

    @Override
    public void flush() throws IOException {
      if (!closed()) {
        emit();
        wire.flush();
      }
    }

    @Override
    protected void finish() throws IOException {
      emit();
      wire.write(LAST);
    }

    private void emit() throws IOException {
      if (size > 0) {
        chunk(buffer, 0, size);
        size = 0;
      }
    }

    private void chunk(byte[] bytes, int offset, int length) throws IOException {
      wire.write(Integer.toHexString(length).getBytes(StandardCharsets.US_ASCII));
      wire.write(CRLF);
      wire.write(bytes, offset, length);
      wire.write(CRLF);
    }
  }

  /** HTTP/1.0 without a length: the body ends when the connection does. */
  private static final class UntilClose extends ResponseBody {
    UntilClose(OutputStream wire) {
      super(wire);
    }

    @Override
    boolean complete() {
      return false;
    }

    @Override
    protected void writeBody(byte[] bytes, int offset, int length) throws IOException {
      wire.write(bytes, offset, length);
    }
  }
}
