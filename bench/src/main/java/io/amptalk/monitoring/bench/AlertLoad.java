package io.amptalk.monitoring.bench;

import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.Grouping;
import io.amptalk.monitoring.alert.Route;
import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The alert system under load, end to end to a real webhook receiver on loopback; prints figures.
 *
 * <ol>
 *   <li><b>Sustained</b>: distinct alerts raised from one thread as fast as it can, no notifiers:
 *       alerts per second into history.
 *   <li><b>Latency</b>: alerts raised at a steady 50 a second, each delivered by a {@link
 *       WebhookNotifier} to a JDK {@code HttpServer} receiver: time from the call to {@code
 *       alert()} to the receiver having the request, p50/p99/max, after the first tenth.
 *   <li><b>Storm</b>: 100,000 distinct alerts at once with the default protection (60 new alerts
 *       notified a minute, the rest kept in history and counted): wall time, notifications the
 *       receiver got, history size, peak heap.
 *   <li><b>Grouped storm</b>: 10,000 alerts across 5 teams, raised into a system whose route groups
 *       by {@code team}, and into one without: the notifications the receiver got from each, and
 *       the time to raise them.
 * </ol>
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar io.amptalk.monitoring.bench.AlertLoad
 * [sustained-count] [latency-count] [storm-count]} (defaults 200000, 2000, 100000).
 */
public final class AlertLoad {
  private static final Pattern TITLE = Pattern.compile("\"title\":\"load-(\\d+)\"");

  private AlertLoad() {}

  public static void main(String[] args) throws Exception {
    int sustained = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int latency = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    int storm = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    System.out.printf(
        Locale.ROOT,
        "java %s, %d cores, max heap %d MB%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    sustained(sustained);
    latency(latency);
    storm(storm);
    groupedStorm(10_000, false);
    groupedStorm(10_000, true);
  }

  /** A storm of {@code count} alerts across 5 teams, without or with grouping by team. */
  private static void groupedStorm(int count, boolean grouped) throws IOException {
    AtomicLong delivered = new AtomicLong();
    HttpServer receiver = receiver((index, at) -> delivered.incrementAndGet());
    AlertSystem.Builder builder =
        AlertSystem.builder()
            .serviceName("load")
            .defaultNotifiers(List.of(webhook(receiver)))
            .closeTimeout(Duration.ofSeconds(30));
    if (grouped) {
      builder.route(
          Route.builder()
              .routes(
                  List.of(
                      Route.builder()
                          .grouping(
                              Grouping.by(List.of("team")).withGroupWait(Duration.ofSeconds(1)))
                          .build()))
              .build());
    }
    long start = System.nanoTime();
    long raisedNanos;
    try (AlertSystem alerts = builder.build()) {
      for (int i = 0; i < count; i++) {
        alerts.alert(
            "storm-" + i,
            "",
            AlertSeverity.CRITICAL,
            "load",
            Map.of(),
            Map.of("team", "team-" + i % 5));
      }
      raisedNanos = System.nanoTime() - start;
      // Past the group wait, and a tick of the scheduler, before closing.
      LockSupport.parkNanos(Duration.ofMillis(2500).toNanos());
    }
    receiver.stop(0);
    System.out.printf(
        Locale.ROOT,
        "storm across 5 teams, %s: %d alerts raised in %.1f ms; %d notifications delivered%s%n",
        grouped ? "grouped by team (wait 1s)" : "no grouping",
        count,
        raisedNanos / 1e6,
        delivered.get(),
        grouped
            ? " (one per group)"
            : " (the rate limit's 60 a minute; the rest counted, summarised when it reopens)");
  }

  /** Distinct alerts into history, no notifier: what one caller thread can raise per second. */
  private static void sustained(int count) {
    try (AlertSystem alerts =
        AlertSystem.builder()
            .serviceName("load")
            .defaultNotifiers(List.of())
            .maxHistorySize(count)
            .maxFiring(count)
            .noRateLimit()
            .build()) {
      // Warm-up: the same path, so the JIT has compiled it before the clock starts.
      for (int i = 0; i < Math.min(count, 50_000); i++) {
        alerts.alert("warm-" + i, "", AlertSeverity.WARNING, "load", Map.of());
      }
      alerts.clearHistory();
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        alerts.alert("sustained-" + i, "", AlertSeverity.WARNING, "load", Map.of());
      }
      long nanos = System.nanoTime() - start;
      int kept = alerts.getHistory(count, null, null).size();
      System.out.printf(
          Locale.ROOT,
          "sustained: %d alerts in %.1f ms = %.0f alerts/s, %.0f ns each; history holds %d%n",
          count,
          nanos / 1e6,
          count / (nanos / 1e9),
          (double) nanos / count,
          kept);
    }
  }

  /** Time from {@code alert()} to a webhook receiver on loopback having it. */
  private static void latency(int count) throws IOException, InterruptedException {
    long[] raised = new long[count];
    long[] received = new long[count];
    CountDownLatch all = new CountDownLatch(count);
    HttpServer receiver =
        receiver(
            (index, at) -> {
              if (index < count && received[index] == 0) {
                received[index] = at;
                all.countDown();
              }
            });
    try (AlertSystem alerts =
        AlertSystem.builder()
            .serviceName("load")
            .defaultNotifiers(List.of(webhook(receiver)))
            .maxHistorySize(count)
            .noRateLimit()
            .build()) {
      // 50 alerts/s, steady: a pace one notifier keeps up with, so this is latency, not backlog.
      long interval = TimeUnit.MILLISECONDS.toNanos(20);
      long next = System.nanoTime();
      for (int i = 0; i < count; i++) {
        while (System.nanoTime() < next) {
          Thread.onSpinWait();
        }
        raised[i] =
            System.nanoTime(); // before the call: the receiver may have it before it returns
        alerts.alert("load-" + i, "", AlertSeverity.ERROR, "load", Map.of());
        next += interval;
      }
      boolean done = all.await(60, TimeUnit.SECONDS);
      // The first tenth, in the order raised, warms up the client and the JIT (the first send
      // loads classes for half a second); the figures are of the rest. (Sorting before dropping
      // them, as this did at first, dropped the fastest tenth and kept the warm-up's stall.)
      int from = count / 10;
      long[] measured = new long[count - from];
      int n = 0;
      for (int i = from; i < count; i++) {
        if (received[i] != 0) {
          measured[n++] = received[i] - raised[i];
        }
      }
      measured = Arrays.copyOf(measured, n);
      Arrays.sort(measured);
      System.out.printf(
          Locale.ROOT,
          "latency: %d of %d delivered%s at 50/s; alert() to webhook receiver: p50 %.2f ms,"
              + " p99 %.2f ms, max %.2f ms (after %d warm-up alerts)%n",
          Arrays.stream(received).filter(at -> at != 0).count(),
          count,
          done ? "" : " (timed out)",
          percentile(measured, 0.50) / 1e6,
          percentile(measured, 0.99) / 1e6,
          measured.length == 0 ? 0 : measured[measured.length - 1] / 1e6,
          from);
    } finally {
      receiver.stop(0);
    }
  }

  /** 100,000 distinct alerts at once, with the default storm protection. */
  private static void storm(int count) throws IOException, InterruptedException {
    AtomicLong delivered = new AtomicLong();
    HttpServer receiver = receiver((index, at) -> delivered.incrementAndGet());
    List<MemoryPoolMXBean> heap =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(pool -> pool.getType() == MemoryType.HEAP)
            .toList();
    System.gc();
    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
    long start = System.nanoTime();
    long raisedNanos;
    int kept;
    Map<String, Integer> queued;
    try (AlertSystem alerts =
        AlertSystem.builder()
            .serviceName("load")
            .defaultNotifiers(List.of(webhook(receiver)))
            .closeTimeout(Duration.ofSeconds(30))
            .build()) {
      for (int i = 0; i < count; i++) {
        alerts.alert("storm-" + i, "", AlertSeverity.CRITICAL, "load", Map.of());
      }
      raisedNanos = System.nanoTime() - start;
      kept = alerts.getHistory(Integer.MAX_VALUE, null, null).size();
      queued = alerts.getQueueSizes();
    }
    long wall = System.nanoTime() - start;
    long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
    receiver.stop(0);
    System.out.printf(
        Locale.ROOT,
        "storm: %d distinct alerts raised in %.1f ms (%.0f alerts/s); %d notifications delivered"
            + " (rate limit 60/min, the rest kept in history and counted); history holds %d"
            + " (its bound); queued at close %s; wall time to a closed system %.1f ms; peak heap"
            + " %.1f MB%n",
        count,
        raisedNanos / 1e6,
        count / (raisedNanos / 1e9),
        delivered.get(),
        kept,
        queued,
        wall / 1e6,
        peak / 1e6);
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  /** What the receiver does with each request: the alert's index, and when it arrived. */
  private interface Sink {
    void accept(int index, long nanos);
  }

  private static HttpServer receiver(Sink sink) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    Map<Integer, Boolean> seen = new ConcurrentHashMap<>();
    server.createContext(
        "/",
        exchange -> {
          long at = System.nanoTime();
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          Matcher title = TITLE.matcher(body);
          int index = title.find() ? Integer.parseInt(title.group(1)) : Integer.MAX_VALUE;
          if (index == Integer.MAX_VALUE || seen.putIfAbsent(index, Boolean.TRUE) == null) {
            sink.accept(index, at);
          }
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            task -> {
              Thread thread = new Thread(task, "webhook-receiver");
              thread.setDaemon(true);
              return thread;
            }));
    server.start();
    return server;
  }

  private static WebhookNotifier webhook(HttpServer receiver) {
    return WebhookNotifier.builder()
        .webhookUrl("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")
        .sendsResolved(false)
        .build();
  }
}
