package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The dedup and repeat windows' test answers as the Duration comparison it replaced. */
class WithinTest {
  @Test
  void edges() {
    Instant t = Instant.parse("2026-12-03T10:00:00.500Z");
    Duration window = Duration.ofSeconds(300);
    assertThat(AlertSystem.within(t, t, window)).isTrue();
    assertThat(AlertSystem.within(t, t.plus(window).minusNanos(1), window)).isTrue();
    assertThat(AlertSystem.within(t, t.plus(window), window)).isFalse();
    assertThat(AlertSystem.within(t, t.minusSeconds(5), window)).isTrue(); // a clock set back
    assertThat(AlertSystem.within(t, t, Duration.ofNanos(1))).isTrue();
    assertThat(AlertSystem.within(t, t.plusNanos(1), Duration.ofNanos(1))).isFalse();
    assertThat(AlertSystem.within(t, t, Duration.ZERO)).isFalse();
  }

  @Test
  void agreesWithDurationBetween() {
    SplittableRandom random = new SplittableRandom(17);
    Instant base = Instant.parse("2026-12-03T10:00:00Z");
    for (int i = 0; i < 100_000; i++) {
      Instant from = base.plusNanos(random.nextLong(-5_000_000_000L, 5_000_000_000L));
      Instant to = from.plusNanos(random.nextLong(-3_000_000_000L, 3_000_000_000L));
      Duration window = Duration.ofNanos(random.nextLong(0, 3_000_000_000L));
      assertThat(AlertSystem.within(from, to, window))
          .as("%s %s %s", from, to, window)
          .isEqualTo(Duration.between(from, to).compareTo(window) < 0);
    }
  }
}
