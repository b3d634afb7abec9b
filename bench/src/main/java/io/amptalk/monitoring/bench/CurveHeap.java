package io.amptalk.monitoring.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The heap the series of {@link ScrapeCurveBenchmark} retain, per library and size, in a JVM of its
 * own for each library, size and run: the bytes of the live objects (a class histogram's total, as
 * {@code jcmd GC.class_histogram} prints it, after a full collection) with the library holding N
 * series and having written one body (so what a first collection keeps is counted), less the same
 * with the library built and still empty, divided by N. So bytes per series, without what a library
 * holds whatever its series (statics, threads, an SDK). Each library is built without its HTTP
 * server; the label values' strings are the caller's (the workload holds them throughout) and not
 * counted. Each figure is the median of {@code --runs} JVMs (3 by default). Then, in the same JVM,
 * the writing thread's CPU time per body (the best of several; waiting for a core is not in it, as
 * it is in JMH's wall time on a shared machine). Writes {@code curve-heap.tsv}:
 *
 * <pre>{@code java -cp bench/target/benchmarks.jar io.amptalk.monitoring.bench.CurveHeap DIR
 *     [--runs 3] [--series 1000,10000,100000] [library ...]}</pre>
 */
public final class CurveHeap {
  static final String FILE = "curve-heap.tsv";

  /** Series written in all for the CPU time per body (at least 3 bodies). */
  private static final int CPU_SERIES = 500_000;

  private CurveHeap() {}

  public static void main(String[] args) throws Exception {
    int runs = 3;
    List<Integer> sizes = List.of(1000, 10_000, 100_000);
    List<String> libraries = new ArrayList<>();
    Path dir = null;
    boolean child = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[++i]);
        case "--series" ->
            sizes = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
        case "--child" -> child = true;
        default -> {
          if (dir == null && !child) {
            dir = Path.of(args[i]);
          } else {
            libraries.add(args[i]);
          }
        }
      }
    }
    if (child) {
      long[] measured = retained(Exposition.Library.valueOf(libraries.get(0)), sizes.get(0));
      System.out.println(measured[0] + "\t" + measured[1] + "\t" + measured[2]);
      return;
    }
    if (dir == null) {
      System.err.println("usage: CurveHeap DIR [--runs 3] [--series 1000,...] [library ...]");
      System.exit(2);
    }
    if (libraries.isEmpty()) {
      libraries = List.of(ScrapeCurveBenchmark.LIBRARIES);
    }
    List<String> rows = new ArrayList<>();
    rows.add(
        "library\tseries\tretained_bytes\tbytes_per_series\tbody_bytes\tthread_cpu_us_per_series");
    for (String library : libraries) {
      for (int series : sizes) {
        long[] perRun = new long[runs];
        long body = 0;
        long cpu = Long.MAX_VALUE;
        for (int r = 0; r < runs; r++) {
          long[] measured = runChild(library, series);
          perRun[r] = measured[0];
          body = measured[1];
          cpu = Math.min(cpu, measured[2]);
        }
        Arrays.sort(perRun);
        long bytes = perRun[runs / 2];
        String row =
            String.join(
                "\t",
                library,
                String.valueOf(series),
                String.valueOf(bytes),
                String.format(Locale.ROOT, "%.0f", bytes / (double) series),
                String.valueOf(body),
                String.format(Locale.ROOT, "%.3f", cpu / 1e3 / series));
        System.err.println(row + "\t(runs: " + Arrays.toString(perRun) + ")");
        rows.add(row);
      }
    }
    Files.createDirectories(dir);
    Files.write(dir.resolve(FILE), rows);
    rows.forEach(System.out::println);
  }

  /** One measure in a fresh JVM: nothing left over from an earlier library or size. */
  private static long[] runChild(String library, int series)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        List.of(
            java,
            "-Xms4g",
            "-Xmx4g",
            "-cp",
            System.getProperty("java.class.path"),
            CurveHeap.class.getName(),
            "--child",
            "--series",
            String.valueOf(series),
            library);
    String last = ScrapeCpu.lastLine(command, library + " at " + series + " series");
    String[] cells = last.strip().split("\t");
    return new long[] {
      Long.parseLong(cells[0]), Long.parseLong(cells[1]), Long.parseLong(cells[2])
    };
  }

  /**
   * The used heap after a full collection with the library holding {@code series} and having
   * written one body, less the same with the library built and empty; that body's bytes; and the
   * thread CPU nanoseconds of the fastest of several bodies.
   */
  private static long[] retained(Exposition.Library library, int series) throws IOException {
    long[] empty = new long[1];
    Exposition.Workload workload =
        Exposition.Workload.series(series).beforeRecording(() -> empty[0] = usedAfterGc());
    try (Exposition exposition = Exposition.create(library, workload, false)) {
      long[] body = new long[1];
      OutputStream counting =
          new OutputStream() {
            @Override
            public void write(int b) {
              body[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
              body[0] += len;
            }
          };
      exposition.writeTo(counting);
      long bodyBytes = body[0];
      long used = usedAfterGc();
      // The workload's arrays are the benchmark's: alive at both measures, counted in neither.
      Reference.reachabilityFence(workload);
      // Then the writing thread's CPU time per body, best of a few hundred thousand series'
      // bodies: time waiting for a core on a shared machine is not in it, as it is in JMH's.
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long best = Long.MAX_VALUE;
      for (int r = Math.max(3, CPU_SERIES / series); r > 0; r--) {
        long start = threads.getCurrentThreadCpuTime();
        exposition.writeTo(counting);
        best = Math.min(best, threads.getCurrentThreadCpuTime() - start);
      }
      return new long[] {used - empty[0], bodyBytes, best};
    }
  }

  /**
   * The bytes of the live objects, as {@code jcmd <pid> GC.class_histogram} counts them (after a
   * full collection): exact, where the used heap also counts what other threads (a monitor's first
   * host sample) allocated since the last collection.
   */
  private static long usedAfterGc() {
    try {
      String histogram =
          (String)
              ManagementFactory.getPlatformMBeanServer()
                  .invoke(
                      new ObjectName("com.sun.management:type=DiagnosticCommand"),
                      "gcClassHistogram",
                      new Object[] {null},
                      new String[] {String[].class.getName()});
      String total =
          histogram
              .lines()
              .filter(line -> line.startsWith("Total"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no total in " + histogram));
      String[] cells = total.trim().split("\\s+");
      return Long.parseLong(cells[cells.length - 1]);
    } catch (JMException e) {
      throw new IllegalStateException(e);
    }
  }
}
