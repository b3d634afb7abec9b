package io.amptalk.monitoring.internal.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.testing.BusyCores;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The readings a check takes itself, on this machine's real kernel counters. */
class LocalReadingsTest {
  @Test
  void cpuPercent_firstReadingWhileEveryCoreIsBusy_isARealReading() throws Exception {
    try (BusyCores busy = new BusyCores()) {
      // Read right after it is made, as a check registered and run at once does.
      Supplier<OptionalDouble> cpu = LocalReadings.cpuPercent();
      double first = cpu.get().orElseThrow();
      double second = cpu.get().orElseThrow();

      assertThat(first).isGreaterThanOrEqualTo(50.0).isLessThanOrEqualTo(100.0);
      assertThat(second).isGreaterThanOrEqualTo(50.0).isLessThanOrEqualTo(100.0);
    }
  }

  @Test
  void cpuPercent_idleReadings_areFractionsOfAHundred() {
    Supplier<OptionalDouble> cpu = LocalReadings.cpuPercent();

    assertThat(cpu.get().orElseThrow()).isBetween(0.0, 100.0);
    assertThat(cpu.get().orElseThrow()).isBetween(0.0, 100.0);
  }
}
