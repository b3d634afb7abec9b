package io.amptalk.monitoring.bench;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CPU time one {@code /metrics} body costs each library, for machines too busy for JMH's wall
 * time (other builds share the cores, and time spent waiting for a core counts in wall time but not
 * in CPU time). Each library runs in a JVM of its own, in turn, for two rounds; each JVM warms up,
 * then measures batches of bodies and reports medians:
 *
 * <ul>
 *   <li>in-process: the writing thread's CPU time and allocated bytes per body, and the whole
 *       process's CPU time per body (garbage collection and compilation included);
 *   <li>over HTTP ({@code --http}): the process's CPU time per {@code GET /metrics} (client and
 *       server are in the process, as in {@link ScrapeHttpBenchmark}), and the server's share: the
 *       CPU time of every Java thread but the measuring one and the HTTP client's;
 *   <li>the parts of our in-process body ({@code --parts}): collecting the snapshots alone, then
 *       writing the same snapshots with our writer and with client_java's, thread CPU time and
 *       allocated bytes of each.
 * </ul>
 *
 * <pre>{@code java -cp bench/target/benchmarks.jar io.amptalk.monitoring.bench.ScrapeCpu
 *     [--http | --parts] [--batches 15] [--batch 100] [library ...]}</pre>
 */
public final class ScrapeCpu {
  private static final int WARM_UP_BATCHES = 10;
  private static final String PARTS = "parts";

  private ScrapeCpu() {}

  public static void main(String[] args) throws Exception {
    boolean http = false;
    boolean parts = false;
    int batches = 15;
    int batch = 0; // by default 100 bodies in-process, 40 over HTTP: a few hundred ms, enough for
    // the process CPU time, which Linux counts in 10 ms ticks
    List<String> libraries = new ArrayList<>();
    String child = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--http" -> http = true;
        case "--parts" -> parts = true;
        case "--batches" -> batches = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--child" -> child = args[++i];
        default -> libraries.add(args[i]);
      }
    }
    if (batch == 0) {
      batch = http ? 40 : 100;
    }
    if (child != null) {
      if (child.equals(PARTS)) {
        measureParts(batches, batch);
      } else {
        measure(Exposition.Library.valueOf(child), http, batches, batch);
      }
      return;
    }
    if (parts) {
      libraries = List.of(PARTS);
    }
    if (libraries.isEmpty()) {
      for (Exposition.Library library : Exposition.Library.values()) {
        if (library.text() && !(http && library == Exposition.Library.micrometerStream)) {
          libraries.add(library.name());
        }
      }
    }
    Map<String, List<String[]>> results = new LinkedHashMap<>();
    for (int round = 0; round < 2; round++) {
      for (String library : libraries) {
        String[] result = runChild(library, http, batches, batch);
        results.computeIfAbsent(library, k -> new ArrayList<>()).add(result);
        System.err.println("round " + (round + 1) + ": " + String.join(" ", result));
      }
    }
    System.out.println(
        parts
            ? "body\tcollect: thread CPU ms (two rounds)\tcollect: B\tour writer: ms"
                + "\tour writer: B\tclient_java writer: ms\tclient_java writer: B"
            : http
                ? "library\tprocess CPU ms per GET (two rounds)\tserver threads' CPU ms per GET"
                : "library\tthread CPU ms per body (two rounds)\tprocess CPU ms per body"
                    + "\tB allocated per body");
    for (Map.Entry<String, List<String[]>> entry : results.entrySet()) {
      List<String[]> rounds = entry.getValue();
      StringBuilder line = new StringBuilder(rounds.get(0)[0]);
      for (int column = 1; column < rounds.get(0).length; column++) {
        line.append('\t');
        for (int r = 0; r < rounds.size(); r++) {
          line.append(r == 0 ? "" : " / ").append(rounds.get(r)[column]);
        }
      }
      System.out.println(line);
    }
  }

  private static String[] runChild(String library, boolean http, int batches, int batch)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-Xms1g",
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                ScrapeCpu.class.getName(),
                "--child",
                library,
                "--batches",
                String.valueOf(batches),
                "--batch",
                String.valueOf(batch)));
    if (http) {
      command.add("--http");
    }
    return lastLine(command, library).split("\t");
  }

  /** Runs {@code command} (a measuring JVM) and returns the last line it printed. */
  static String lastLine(List<String> command, String what)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String last = null;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        last = line;
      }
    }
    if (process.waitFor() != 0 || last == null) {
      throw new IllegalStateException(what + ": the measuring JVM failed");
    }
    return last;
  }

  private static void measure(Exposition.Library library, boolean http, int batches, int batch)
      throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (Exposition exposition = Exposition.create(library)) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 21);
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request = HttpRequest.newBuilder(exposition.metricsUri()).GET().build();
      long[] threadCpu = new long[batches];
      long[] processCpu = new long[batches];
      long[] serverCpu = new long[batches];
      long[] allocated = new long[batches];
      for (int b = -WARM_UP_BATCHES; b < batches; b++) {
        long thread0 = threads.getCurrentThreadCpuTime();
        long process0 = os.getProcessCpuTime();
        long allocated0 = threads.getCurrentThreadAllocatedBytes();
        long server0 = http ? serverThreadsCpu(threads) : 0;
        for (int i = 0; i < batch; i++) {
          if (http) {
            HttpResponse<byte[]> response =
                client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
              throw new IllegalStateException(library + " answered " + response.statusCode());
            }
          } else {
            buffer.reset();
            exposition.writeTo(buffer);
          }
        }
        if (b >= 0) {
          threadCpu[b] = (threads.getCurrentThreadCpuTime() - thread0) / batch;
          processCpu[b] = (os.getProcessCpuTime() - process0) / batch;
          serverCpu[b] = http ? (serverThreadsCpu(threads) - server0) / batch : 0;
          allocated[b] = (threads.getCurrentThreadAllocatedBytes() - allocated0) / batch;
        }
      }
      System.out.println(
          http
              ? library + "\t" + millis(median(processCpu)) + "\t" + millis(median(serverCpu))
              : String.join(
                  "\t",
                  library.name(),
                  millis(median(threadCpu)),
                  millis(median(processCpu)),
                  String.format(Locale.ROOT, "%,d", median(allocated))));
    }
  }

  private static void measureParts(int batches, int batch) throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (Exposition exposition = Exposition.create(Exposition.Library.amptalk)) {
      io.amptalk.monitoring.InProcessScrape scrape = ((Exposition.Amptalk) exposition).inProcess();
      ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 21);
      io.prometheus.metrics.model.snapshots.MetricSnapshots snapshots = scrape.collect();
      long[][] cpu = new long[3][batches];
      long[][] allocated = new long[3][batches];
      for (int b = -WARM_UP_BATCHES; b < batches; b++) {
        for (int part = 0; part < 3; part++) {
          long cpu0 = threads.getCurrentThreadCpuTime();
          long allocated0 = threads.getCurrentThreadAllocatedBytes();
          for (int i = 0; i < batch; i++) {
            if (part == 0) {
              snapshots = scrape.collect();
            } else {
              buffer.reset();
              scrape.write(snapshots, buffer, part == 2);
            }
          }
          if (b >= 0) {
            cpu[part][b] = (threads.getCurrentThreadCpuTime() - cpu0) / batch;
            allocated[part][b] = (threads.getCurrentThreadAllocatedBytes() - allocated0) / batch;
          }
        }
      }
      List<String> columns = new ArrayList<>(List.of(Exposition.Library.amptalk.name()));
      for (int part = 0; part < 3; part++) {
        columns.add(millis(median(cpu[part])));
        columns.add(String.format(Locale.ROOT, "%,d", median(allocated[part])));
      }
      System.out.println(String.join("\t", columns));
    }
  }

  /**
   * The CPU time of every Java thread but this one and the HTTP client's: the server's (its
   * acceptor and workers live as long as it does). GC threads are not Java threads.
   */
  private static long serverThreadsCpu(com.sun.management.ThreadMXBean threads) {
    long self = Thread.currentThread().getId();
    long total = 0;
    for (java.lang.management.ThreadInfo info :
        threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
      if (info != null
          && info.getThreadId() != self
          && !info.getThreadName().startsWith("HttpClient-")) {
        long cpu = threads.getThreadCpuTime(info.getThreadId());
        total += Math.max(cpu, 0);
      }
    }
    return total;
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
  }
}
