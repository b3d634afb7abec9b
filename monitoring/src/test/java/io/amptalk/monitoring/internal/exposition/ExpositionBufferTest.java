package io.amptalk.monitoring.internal.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.TextExpositionWriterTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExpositionBufferTest {

  private static byte[] bytes(ExpositionBuffer buffer) {
    return Arrays.copyOf(buffer.array(), buffer.size());
  }

  /** What client_java's writers produce: an OutputStreamWriter in UTF-8. */
  private static byte[] javaUtf8(String... parts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
      for (String part : parts) {
        writer.write(part);
      }
    }
    return out.toByteArray();
  }

  @Test
  void utf8_encodesAsOutputStreamWriter_unpairedSurrogatesAsQuestionMarks() throws IOException {
    for (String value : TextExpositionWriterTest.HOSTILE_VALUES) {
      ExpositionBuffer buffer = new ExpositionBuffer(1);
      buffer.utf8(value, ExpositionBuffer.PLAIN);
      assertThat(bytes(buffer)).as(value).isEqualTo(javaUtf8(value));
    }
  }

  @Test
  void utf8_escapesOnlyWhatTheTableNames() throws IOException {
    String value = "a\\b\"c\nd\te";
    ExpositionBuffer label = new ExpositionBuffer(8);
    label.utf8(value, ExpositionBuffer.LABEL_VALUE);
    ExpositionBuffer help = new ExpositionBuffer(8);
    help.utf8(value, ExpositionBuffer.HELP);

    assertThat(new String(bytes(label), StandardCharsets.UTF_8)).isEqualTo("a\\\\b\\\"c\\nd\te");
    assertThat(new String(bytes(help), StandardCharsets.UTF_8)).isEqualTo("a\\\\b\"c\\nd\te");
  }

  @Test
  void draining_writesEverythingInOrder_atAnyCapacity() throws IOException {
    String all = String.join("|", TextExpositionWriterTest.HOSTILE_VALUES);
    byte[] expected = javaUtf8(all, "12345", "-9223372036854775808", "+Inf", "x".repeat(300));
    for (int capacity : new int[] {1, 63, 64, 65, 100, 1000, 20_000}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ExpositionBuffer buffer = ExpositionBuffer.draining(out, capacity);
      buffer.utf8(all, ExpositionBuffer.PLAIN);
      buffer.longValue(12345);
      buffer.longValue(Long.MIN_VALUE);
      buffer.doubleValue(Double.POSITIVE_INFINITY);
      buffer.write("x".repeat(300).getBytes(StandardCharsets.US_ASCII));
      buffer.flush();

      assertThat(out.toByteArray()).as("capacity %d", capacity).isEqualTo(expected);
    }
  }

  @Test
  void longValue_isLongToString() throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    long[] values = new long[2000];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextLong() >> random.nextInt(64);
    }
    long[] edges = {0, 1, -1, 9, 10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
    for (long[] set : new long[][] {values, edges}) {
      for (long value : set) {
        long power = 1;
        for (int digits = 0; digits < 19; digits++, power *= 10) {
          for (long v : new long[] {value, power, power - 1, -power, 1 - power}) {
            ExpositionBuffer buffer = new ExpositionBuffer(1);
            buffer.longValue(v);
            assertThat(new String(bytes(buffer), StandardCharsets.US_ASCII))
                .isEqualTo(Long.toString(v));
          }
        }
      }
    }
  }

  @Test
  void doubleValue_isClientJavasWriteDouble() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    double[] randoms = new double[20_000];
    for (int i = 0; i < randoms.length; i++) {
      randoms[i] =
          switch (i % 4) {
            case 0 -> Double.longBitsToDouble(random.nextLong());
            case 1 -> random.nextLong(-20_000_000, 20_000_000); // whole numbers around 1e7
            case 2 -> random.nextLong(-20_000_000, 20_000_000) / 8.0;
            default -> random.nextDouble() * Math.pow(10, random.nextInt(-12, 24));
          };
    }
    for (double[] set : new double[][] {TextExpositionWriterTest.EDGE_DOUBLES, randoms}) {
      for (double value : set) {
        ExpositionBuffer buffer = new ExpositionBuffer(1);
        buffer.doubleValue(value);
        String expected =
            value == Double.POSITIVE_INFINITY
                ? "+Inf"
                : value == Double.NEGATIVE_INFINITY ? "-Inf" : Double.toString(value);
        assertThat(new String(bytes(buffer), StandardCharsets.US_ASCII)).isEqualTo(expected);
      }
    }
  }

  @Test
  void openMetricsTimestamp_isSecondsWithThreeDecimals() throws IOException {
    long[] millis = {0, 1, 12, 123, 1000, 1_700_000_000_001L, 1_700_000_000_010L, 999_999};
    String[] expected = {
      "0.000", "0.001", "0.012", "0.123", "1.000", "1700000000.001", "1700000000.010", "999.999"
    };
    for (int i = 0; i < millis.length; i++) {
      ExpositionBuffer buffer = new ExpositionBuffer(1);
      buffer.openMetricsTimestamp(millis[i]);
      assertThat(new String(bytes(buffer), StandardCharsets.US_ASCII)).isEqualTo(expected[i]);
    }
  }

  @Test
  void growing_keepsContentAcrossGrowthAndReset() throws IOException {
    ExpositionBuffer buffer = new ExpositionBuffer(1);
    byte[] chunk = "0123456789".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 1000; i++) {
      buffer.write(chunk);
    }
    buffer.flush(); // no stream to drain into: keeps everything

    assertThat(buffer.size()).isEqualTo(10_000);
    assertThat(new String(bytes(buffer), StandardCharsets.US_ASCII))
        .isEqualTo("0123456789".repeat(1000));
    buffer.reset();
    buffer.ascii("ok");
    assertThat(new String(bytes(buffer), StandardCharsets.US_ASCII)).isEqualTo("ok");
  }
}
