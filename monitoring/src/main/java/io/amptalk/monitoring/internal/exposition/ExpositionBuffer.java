package io.amptalk.monitoring.internal.exposition;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The bytes of an exposition body: a growable, unsynchronized buffer with the text primitives the
 * writers need (UTF-8, the formats' escapes, numbers), written straight into one array. It either
 * holds the whole body (the HTTP handler sends it with its length) or drains into a stream each
 * time it fills.
 *
 * <p>Strings are encoded as {@link java.io.OutputStreamWriter} encodes them in UTF-8, which is what
 * client_java's writers use: an unpaired surrogate becomes {@code ?}.
 */
public final class ExpositionBuffer extends OutputStream {
  /** The escapes of a label value and of a quoted name: {@code \\}, {@code \"}, {@code \n}. */
  public static final byte[] LABEL_VALUE = escapes("\\\"\n");

  /** The escapes of help text in the Prometheus text format: {@code \\}, {@code \n}. */
  public static final byte[] HELP = escapes("\\\n");

  /** No escapes. */
  public static final byte[] PLAIN = new byte[128];

  /** Strings are encoded this many chars at a time, so the room to ask for cannot overflow. */
  private static final int CHUNK = 4096;

  private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

  private byte[] bytes;
  private int size;
  private OutputStream drain;

  private ExpositionBuffer(int capacity, OutputStream drain) {
    this.bytes = new byte[Math.max(capacity, 64)];
    this.drain = drain;
  }

  /** A buffer that grows to hold everything written to it. */
  public ExpositionBuffer(int capacity) {
    this(capacity, null);
  }

  /** A buffer of a fixed size that writes its content to {@code out} whenever it is full. */
  public static ExpositionBuffer draining(OutputStream out, int capacity) {
    return new ExpositionBuffer(capacity, out);
  }

  /** Drains into {@code out} from now on; null: grows instead. Empties the buffer. */
  public void drainInto(OutputStream out) {
    drain = out;
    size = 0;
  }

  private static byte[] escapes(String escaped) {
    byte[] table = new byte[128];
    for (char c : escaped.toCharArray()) {
      table[c] = (byte) (c == '\n' ? 'n' : c);
    }
    return table;
  }

  /** The bytes held (not yet drained); valid up to {@link #size()}. */
  public byte[] array() {
    return bytes;
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return bytes.length;
  }

  public void reset() {
    size = 0;
  }

  /** Writes what is held to {@code out}. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(bytes, 0, size);
  }

  /**
   * Makes room for {@code room} more bytes, to be written with {@link #put(byte)} and {@link
   * #put(byte[], int, int)}, which do not check.
   */
  public void ensure(int room) throws IOException {
    if (room > bytes.length - size) {
      makeRoom(room);
    }
  }

  private void makeRoom(int room) throws IOException {
    if (drain != null && size > 0) {
      drain.write(bytes, 0, size);
      size = 0;
      if (room <= bytes.length) {
        return;
      }
    }
    long wanted = Math.max((long) size + room, 2L * bytes.length);
    int capacity = (int) Math.min(wanted, Integer.MAX_VALUE - 8);
    if (capacity - size < room) {
      throw new IOException("exposition body exceeds 2 GB");
    }
    bytes = Arrays.copyOf(bytes, capacity);
  }

  // ---------------------------------------------------------------- OutputStream

  @Override
  public void write(int b) throws IOException {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensure(len);
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  /** Drains what is held into the stream and flushes it; a growing buffer keeps its content. */
  @Override
  public void flush() throws IOException {
    if (drain != null) {
      drain.write(bytes, 0, size);
      size = 0;
      drain.flush();
    }
  }

  /** One byte, in room made by {@link #ensure(int)}. */
  public void put(byte b) {
    bytes[size++] = b;
  }

  /** Bytes, in room made by {@link #ensure(int)}. */
  public void put(byte[] b, int off, int len) {
    System.arraycopy(b, off, bytes, size, len);
    size += len;
  }

  // ---------------------------------------------------------------- text

  @Override
  public void write(byte[] b) throws IOException {
    write(b, 0, b.length);
  }

  /** One ASCII character. */
  public void ascii(char c) throws IOException {
    ensure(1);
    bytes[size++] = (byte) c;
  }

  /** Two ASCII characters. */
  public void ascii(char c1, char c2) throws IOException {
    ensure(2);
    bytes[size++] = (byte) c1;
    bytes[size++] = (byte) c2;
  }

  /** A string known to be ASCII (a constant of the format, a number). */
  public void ascii(String s) throws IOException {
    int length = s.length();
    ensure(length);
    byte[] b = bytes;
    int p = size;
    for (int i = 0; i < length; i++) {
      b[p++] = (byte) s.charAt(i);
    }
    size = p;
  }

  /**
   * {@code s} in UTF-8, each ASCII character that has an entry in {@code escapes} ({@link
   * #LABEL_VALUE}, {@link #HELP}, {@link #PLAIN}) written as a backslash and that entry.
   */
  public void utf8(String s, byte[] escapes) throws IOException {
    int length = s.length();
    int i = 0;
    while (i < length) {
      int end = Math.min(length, i + CHUNK);
      // At most 3 bytes a char (2 for an escape, 4 for a surrogate pair's 2), +1 for a pair whose
      // low half lies past the chunk.
      ensure(3 * (end - i) + 1);
      byte[] b = bytes;
      int p = size;
      while (i < end) {
        char c = s.charAt(i++);
        if (c < 0x80) {
          byte escape = escapes[c];
          if (escape == 0) {
            b[p++] = (byte) c;
          } else {
            b[p++] = '\\';
            b[p++] = escape;
          }
        } else if (c < 0x800) {
          b[p++] = (byte) (0xc0 | (c >> 6));
          b[p++] = (byte) (0x80 | (c & 0x3f));
        } else if (!Character.isSurrogate(c)) {
          b[p++] = (byte) (0xe0 | (c >> 12));
          b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
          b[p++] = (byte) (0x80 | (c & 0x3f));
        } else if (Character.isHighSurrogate(c)
            && i < length
            && Character.isLowSurrogate(s.charAt(i))) {
          int codePoint = Character.toCodePoint(c, s.charAt(i++));
          b[p++] = (byte) (0xf0 | (codePoint >> 18));
          b[p++] = (byte) (0x80 | ((codePoint >> 12) & 0x3f));
          b[p++] = (byte) (0x80 | ((codePoint >> 6) & 0x3f));
          b[p++] = (byte) (0x80 | (codePoint & 0x3f));
        } else {
          b[p++] = '?'; // what the JDK's UTF-8 encoder puts for an unpaired surrogate
        }
      }
      size = p;
    }
  }

  /** A decimal integer, as {@link Long#toString(long)} writes it. */
  public void longValue(long value) throws IOException {
    if (value == Long.MIN_VALUE) {
      ascii("-9223372036854775808");
      return;
    }
    ensure(20);
    long v = value;
    if (v < 0) {
      bytes[size++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long bound = 10; digits < 19 && v >= bound; bound *= 10) {
      digits++;
    }
    int p = size + digits;
    size = p;
    do {
      bytes[--p] = (byte) ('0' + (int) (v % 10));
      v /= 10;
    } while (v > 0);
  }

  /**
   * A double as client_java writes it: {@code +Inf}, {@code -Inf}, else {@link
   * Double#toString(double)}. Whole numbers below ten million, which it writes as {@code 42.0}, are
   * written without building the string.
   */
  public void doubleValue(double value) throws IOException {
    long whole = (long) value;
    if (whole == value
        && whole > -10_000_000L
        && whole < 10_000_000L
        && Double.doubleToRawLongBits(value) != NEGATIVE_ZERO) {
      longValue(whole);
      ascii('.', '0');
    } else if (value == Double.POSITIVE_INFINITY) {
      ascii("+Inf");
    } else if (value == Double.NEGATIVE_INFINITY) {
      ascii("-Inf");
    } else {
      ascii(Double.toString(value));
    }
  }

  /** Milliseconds as seconds with three decimals, exactly as client_java writes them. */
  public void openMetricsTimestamp(long millis) throws IOException {
    longValue(millis / 1000L);
    ascii('.');
    long ms = millis % 1000;
    if (ms < 100) {
      ascii('0');
    }
    if (ms < 10) {
      ascii('0');
    }
    longValue(ms);
  }
}
