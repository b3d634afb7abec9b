package io.amptalk.monitoring.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Real load: one thread spinning on each core the JVM sees, until closed. The constructor returns
 * once every thread is spinning, so a reading taken after it sees a busy host.
 */
public final class BusyCores implements AutoCloseable {
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean stop;

  public BusyCores() throws InterruptedException {
    int cores = Runtime.getRuntime().availableProcessors();
    CountDownLatch spinning = new CountDownLatch(cores);
    for (int i = 0; i < cores; i++) {
      Thread thread =
          new Thread(
              () -> {
                spinning.countDown();
                long sink = 0;
                while (!stop) {
                  sink += System.nanoTime() % 7; // work the JIT cannot drop
                }
                if (sink == 42) {
                  System.out.print("");
                }
              },
              "busy-core-" + i);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    if (!spinning.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the busy threads did not start");
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    for (Thread thread : threads) {
      thread.join(5_000);
    }
  }
}
