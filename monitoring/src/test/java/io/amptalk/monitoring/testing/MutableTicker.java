package io.amptalk.monitoring.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A monotonic nanosecond ticker tests move by hand, in place of {@code System::nanoTime}. */
public final class MutableTicker implements LongSupplier {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  public void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  @Override
  public long getAsLong() {
    return nanos.get();
  }
}
