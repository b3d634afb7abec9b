package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.testing.Exposition;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Load on the recording path while Prometheus-style scrapes run: millions of {@code recordRequest}
 * calls from several threads, and a scraper fetching {@code /metrics} over HTTP as fast as it can
 * meanwhile. Every body must be well-formed with counts that never go back, and the last one must
 * hold exactly the calls made.
 */
class RecordUnderScrapeIT {
  private static final int THREADS = 4;
  private static final int CALLS_PER_THREAD = 500_000;
  private static final String[] ROUTES = {"/a", "/b/{id}", "/c", "/d/{id}/e"};
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE"};
  private static final int[] STATUSES = {200, 201, 404, 500, 503};

  private final HttpClient http = HttpClient.newHttpClient();

  private static long total(byte[] body) {
    return Math.round(
        Exposition.parse(body).samples("http_server_request_duration_seconds_count").stream()
            .mapToDouble(Exposition.Sample::value)
            .sum());
  }

  @Test
  void twoMillionRecords_duringScrapes_exactCountsAndEveryBodyValid() throws Exception {
    try (SystemMonitor monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .build()) {
      HttpRequest scrape =
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics"))
              .build();
      CyclicBarrier start = new CyclicBarrier(THREADS + 1);
      AtomicBoolean recording = new AtomicBoolean(true);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1);
      try {
        List<Future<?>> recorders = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int offset = t;
          recorders.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < CALLS_PER_THREAD; i++) {
                      int k = i + offset;
                      monitor.recordRequest(
                          ROUTES[k & 3], METHODS[(k >> 2) & 3], STATUSES[k % 5], (k % 1000) * 0.5);
                    }
                    return null;
                  }));
        }
        CompletableFuture<List<Long>> scrapes =
            CompletableFuture.supplyAsync(
                () -> {
                  List<Long> seen = new ArrayList<>();
                  try {
                    start.await();
                    while (recording.get()) {
                      HttpResponse<byte[]> response =
                          http.send(scrape, HttpResponse.BodyHandlers.ofByteArray());
                      assertThat(response.statusCode()).isEqualTo(200);
                      seen.add(total(response.body()));
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  return seen;
                },
                pool);
        for (Future<?> recorder : recorders) {
          recorder.get(120, TimeUnit.SECONDS);
        }
        recording.set(false);
        List<Long> seen = scrapes.get(120, TimeUnit.SECONDS);

        assertThat(seen).as("scrapes during the load").isNotEmpty().isSorted();
        assertThat(seen.get(seen.size() - 1))
            .isLessThanOrEqualTo((long) THREADS * CALLS_PER_THREAD);
        byte[] last = http.send(scrape, HttpResponse.BodyHandlers.ofByteArray()).body();
        assertThat(total(last)).isEqualTo((long) THREADS * CALLS_PER_THREAD);
        assertThat(Exposition.parse(last).samples("http_server_request_duration_seconds_count"))
            .hasSize(ROUTES.length * METHODS.length * STATUSES.length);
        assertThat(Exposition.parse(last).samples("monitoring_dropped_total"))
            .allSatisfy(sample -> assertThat(sample.value()).isZero());
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
