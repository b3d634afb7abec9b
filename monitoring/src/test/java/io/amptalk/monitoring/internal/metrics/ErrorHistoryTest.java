package io.amptalk.monitoring.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.metrics.ErrorRecord;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recent errors are bounded by their estimated bytes, not only by their count. */
class ErrorHistoryTest {
  /** 32 entries of a 3-character key and a value cut to 1,024 characters. */
  private static Map<String, Object> largest(int seed) {
    Map<String, Object> details = new LinkedHashMap<>();
    for (int i = 0; i < 32; i++) {
      details.put(String.format("k%02d", i), "v".repeat(2000) + seed);
    }
    return details;
  }

  @Test
  void add_largeRecords_keepsTheNewestWithin2MiB() {
    ErrorHistory history = new ErrorHistory(100_000);
    for (int i = 0; i < 100; i++) {
      history.add(Instant.EPOCH.plusSeconds(i), "e", largest(i));
    }
    // Each record: 48 + type 42 + map 64 + 32 × (entry 48 + key 46 + value 40 + 2 × 1,024) =
    // 69,978 bytes; 2 MiB holds 29 of them.
    assertThat(history.recent()).hasSize(29);
    assertThat(history.recent().get(28).time()).isEqualTo(Instant.EPOCH.plusSeconds(99));
    assertThat(history.recent().get(0).time()).isEqualTo(Instant.EPOCH.plusSeconds(71));
  }

  @Test
  void add_keepsCountAndBytesExact() {
    ErrorHistory history = new ErrorHistory(4, 3 * 2286);
    for (int i = 0; i < 5; i++) {
      history.add(Instant.EPOCH.plusSeconds(i), "db", Map.of("k", "x".repeat(1000)));
    }
    // 48 + type 44 + map 64 + entry 48 + key 42 + value 2,040 = 2,286 bytes each.
    assertThat(history.recent()).extracting(ErrorRecord::time).hasSize(3);
    assertThat(history.bytes()).isEqualTo(3 * 2286);
    ErrorHistory counted = new ErrorHistory(2);
    for (int i = 0; i < 5; i++) {
      counted.add(Instant.EPOCH.plusSeconds(i), "db", Map.of());
    }
    assertThat(counted.recent())
        .extracting(ErrorRecord::time)
        .containsExactly(Instant.EPOCH.plusSeconds(3), Instant.EPOCH.plusSeconds(4));
  }
}
