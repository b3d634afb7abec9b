package io.amptalk.monitoring.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A protobuf message read from its wire format by field number, for the tests that assert on what
 * an exporter sent (the opentelemetry-proto classes are not a dependency): varints and fixed-width
 * fields as {@code long}, length-delimited ones as bytes, which {@link #message} reads as a nested
 * message. Field numbers are those of the {@code .proto} files, e.g. opentelemetry-proto's {@code
 * metrics/v1/metrics.proto}.
 */
public final class ProtobufMessage {
  private final Map<Integer, List<Object>> fields = new LinkedHashMap<>();

  private ProtobufMessage() {}

  /** Parses {@code bytes}; a truncated or malformed message throws. */
  public static ProtobufMessage parse(byte[] bytes) {
    ProtobufMessage message = new ProtobufMessage();
    int[] at = {0};
    while (at[0] < bytes.length) {
      long key = varint(bytes, at);
      int field = (int) (key >>> 3);
      int wireType = (int) (key & 7);
      Object value =
          switch (wireType) {
            case 0 -> varint(bytes, at);
            case 1 -> fixed(bytes, at, 8);
            case 2 -> {
              int length = (int) varint(bytes, at);
              if (length < 0 || at[0] + length > bytes.length) {
                throw new IllegalArgumentException("field " + field + ": length " + length);
              }
              byte[] nested = new byte[length];
              System.arraycopy(bytes, at[0], nested, 0, length);
              at[0] += length;
              yield nested;
            }
            case 5 -> fixed(bytes, at, 4);
            default ->
                throw new IllegalArgumentException(
                    "field " + field + ": wire type " + wireType + " not supported");
          };
      message.fields.computeIfAbsent(field, f -> new ArrayList<>()).add(value);
    }
    return message;
  }

  /** Every occurrence of a message field (a repeated field in order). */
  public List<ProtobufMessage> messages(int field) {
    List<ProtobufMessage> messages = new ArrayList<>();
    for (Object value : fields.getOrDefault(field, List.of())) {
      messages.add(parse((byte[]) value));
    }
    return messages;
  }

  /** The one occurrence of a message field. */
  public ProtobufMessage message(int field) {
    List<ProtobufMessage> messages = messages(field);
    if (messages.size() != 1) {
      throw new IllegalStateException("field " + field + " occurs " + messages.size() + " times");
    }
    return messages.get(0);
  }

  /** A bytes or string field's bytes, or null when absent. */
  public byte[] bytes(int field) {
    List<Object> values = fields.get(field);
    return values == null ? null : (byte[]) values.get(values.size() - 1);
  }

  public String string(int field) {
    byte[] bytes = bytes(field);
    return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A varint or fixed-width field's value (the last, as protobuf merges), or 0 when absent. */
  public long number(int field) {
    List<Object> values = fields.get(field);
    return values == null ? 0 : (Long) values.get(values.size() - 1);
  }

  /**
   * A length-delimited stream of messages, each after its varint length, as Prometheus' protobuf
   * exposition sends its metric families.
   */
  public static List<ProtobufMessage> parseDelimited(byte[] bytes) {
    List<ProtobufMessage> messages = new ArrayList<>();
    int[] at = {0};
    while (at[0] < bytes.length) {
      int length = (int) varint(bytes, at);
      if (length < 0 || at[0] + length > bytes.length) {
        throw new IllegalArgumentException("delimited message: length " + length);
      }
      byte[] message = new byte[length];
      System.arraycopy(bytes, at[0], message, 0, length);
      at[0] += length;
      messages.add(parse(message));
    }
    return messages;
  }

  /** A {@code sint32} or {@code sint64} field (zigzag-encoded), or 0 when absent. */
  public long sint(int field) {
    long n = number(field);
    return (n >>> 1) ^ -(n & 1);
  }

  /** A packed repeated varint field ({@code uint64}, or zigzag-decoded {@code sint64}). */
  public List<Long> packedVarints(int field, boolean zigzag) {
    List<Long> values = new ArrayList<>();
    for (Object value : fields.getOrDefault(field, List.of())) {
      if (value instanceof Long single) { // one value may come unpacked
        values.add(zigzag ? (single >>> 1) ^ -(single & 1) : single);
        continue;
      }
      byte[] bytes = (byte[]) value;
      int[] at = {0};
      while (at[0] < bytes.length) {
        long n = varint(bytes, at);
        values.add(zigzag ? (n >>> 1) ^ -(n & 1) : n);
      }
    }
    return values;
  }

  /** A {@code double} field. */
  public double doubleValue(int field) {
    return Double.longBitsToDouble(number(field));
  }

  /** A packed {@code repeated fixed64} field. */
  public List<Long> packedFixed64(int field) {
    byte[] bytes = bytes(field);
    List<Long> values = new ArrayList<>();
    int[] at = {0};
    while (bytes != null && at[0] < bytes.length) {
      values.add(fixed(bytes, at, 8));
    }
    return values;
  }

  /** Lower-case hex of a bytes field, as trace and span ids are written. */
  public String hex(int field) {
    StringBuilder hex = new StringBuilder();
    for (byte b : bytes(field)) {
      hex.append(String.format("%02x", b));
    }
    return hex.toString();
  }

  private static long varint(byte[] bytes, int[] at) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = bytes[at[0]++];
      value |= (long) (b & 0x7f) << shift;
      if (b >= 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes at " + at[0]);
  }

  private static long fixed(byte[] bytes, int[] at, int width) {
    if (at[0] + width > bytes.length) {
      throw new IllegalArgumentException("fixed" + width * 8 + " truncated at " + at[0]);
    }
    long value = 0;
    for (int i = 0; i < width; i++) {
      value |= (long) (bytes[at[0]++] & 0xff) << (8 * i);
    }
    return value;
  }
}
