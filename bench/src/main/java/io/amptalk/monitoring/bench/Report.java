package io.amptalk.monitoring.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Turns a results folder of {@code bench/run.sh} into {@code summary.md} and one PNG chart per
 * benchmark class, from the JMH JSON files in it (and the scrape bodies' sizes, when present).
 *
 * <p>Rows are the benchmarks of a class (or, for a class with one benchmark method, its parameter
 * values), columns the thread counts run. The row named {@code amptalk} is ours; every other row
 * gets the ratio ours / peer of the time per operation (below 1: ours takes less time). Rows named
 * {@code amptalk…} are our own variants and get no ratio.
 *
 * <pre>{@code java -Djava.awt.headless=true -cp bench/target/benchmarks.jar \
 *     io.amptalk.monitoring.bench.Report bench/results/20261127T080000Z}</pre>
 */
public final class Report {
  static final String OURS = "amptalk";

  /** What each benchmark class measures, for the headings; in the order of the summary. */
  private static final Map<String, String> TITLES = new LinkedHashMap<>();

  static {
    TITLES.put("RecordRequestBenchmark", "Recording one request (the hot path)");
    TITLES.put("ScrapeBenchmark", "One /metrics text body, in-process (400 series × 15 buckets)");
    TITLES.put("ScrapeHttpBenchmark", "One GET /metrics over loopback HTTP (the same 400 series)");
    TITLES.put(
        "ScrapeCurveBenchmark",
        "The cost curve: one /metrics body from 1,000 to 100,000 series, in-process and over HTTP");
    TITLES.put(
        "ParallelChecksBenchmark",
        "HealthCheck.runAllChecks(): "
            + ParallelChecksBenchmark.CHECKS
            + " checks of "
            + ParallelChecksBenchmark.SLEEP_MILLIS
            + " ms each");
    TITLES.put("AlertBenchmark", "AlertSystem.alert()");
    TITLES.put("SloBenchmark", "One evaluation of the service level objectives (400 series)");
    TITLES.put(
        "MonitoringFilterBenchmark",
        "A Servlet filter alone around a trivial chain: ours and the peers'");
  }

  /** Classes that measure our code alone, with no peer: all their rows are ours. */
  private static final Set<String> OWN =
      Set.of("ParallelChecksBenchmark", "AlertBenchmark", "SloBenchmark");

  private Report() {}

  /** One JMH result: a benchmark (with its parameters) at one thread count. */
  record Result(
      String className,
      String method,
      Map<String, String> params,
      int threads,
      String mode,
      double score,
      double error,
      String unit,
      Double alloc,
      Double allocError) {

    /** The row's name within its class. */
    String label(boolean manyMethods) {
      List<String> parts = new ArrayList<>();
      if (manyMethods || params.isEmpty()) {
        parts.add(method);
      }
      params.forEach((key, value) -> parts.add("library".equals(key) ? value : key + "=" + value));
      return String.join(", ", parts);
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: Report RESULTS_DIR");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    List<Result> results = read(dir);
    if (results.isEmpty()) {
      System.err.println("no JMH results (*.json) in " + dir);
      System.exit(1);
    }
    String summary = summarize(dir, results);
    Files.writeString(dir.resolve("summary.md"), summary);
    System.out.print(summary);
  }

  // ---------------------------------------------------------------- reading

  static List<Result> read(Path dir) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<Result> results = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    for (Path file : files) {
      for (JsonNode node : mapper.readTree(file.toFile())) {
        String benchmark = node.get("benchmark").asText();
        String[] parts = benchmark.split("\\.");
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode paramsNode = node.get("params");
        if (paramsNode != null) {
          for (Map.Entry<String, JsonNode> param : paramsNode.properties()) {
            params.put(param.getKey(), param.getValue().asText());
          }
        }
        JsonNode primary = node.get("primaryMetric");
        JsonNode alloc = node.path("secondaryMetrics").get("gc.alloc.rate.norm");
        results.add(
            new Result(
                parts[parts.length - 2],
                parts[parts.length - 1],
                params,
                node.get("threads").asInt(),
                node.get("mode").asText(),
                primary.get("score").asDouble(),
                number(primary.get("scoreError")),
                primary.get("scoreUnit").asText(),
                alloc == null ? null : alloc.get("score").asDouble(),
                alloc == null ? null : number(alloc.get("scoreError"))));
      }
    }
    return results;
  }

  /** JMH writes "NaN" as a string when one iteration gives no error estimate. */
  private static double number(JsonNode node) {
    return node == null || !node.isNumber() ? Double.NaN : node.asDouble();
  }

  /**
   * library → [in-process bytes, HTTP bytes, series], from {@link ScrapeBodies}' file when present.
   */
  static Map<String, long[]> bodySizes(Path dir) throws IOException {
    Path file = dir.resolve("scrape").resolve(ScrapeBodies.SIZES);
    Map<String, long[]> sizes = new LinkedHashMap<>();
    if (Files.exists(file)) {
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split("\t");
        sizes.put(
            cells[0],
            new long[] {
              Long.parseLong(cells[1]), Long.parseLong(cells[2]), Long.parseLong(cells[3])
            });
      }
    }
    return sizes;
  }

  // ---------------------------------------------------------------- the summary

  static String summarize(Path dir, List<Result> results) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmark results: ").append(dir.getFileName()).append("\n\n");
    Path machine = dir.resolve("machine.txt");
    if (Files.exists(machine)) {
      md.append("```\n").append(Files.readString(machine).strip()).append("\n```\n\n");
    }
    md.append(
        "Score ± JMH's error (99.9 % confidence interval); B/op is `gc.alloc.rate.norm` (every"
            + " thread of the JVM counts, servers included). **ours/peer** is our time divided by"
            + " the peer's at the same thread count: below 1, ours takes less time. At 2 threads"
            + " the time is per operation per thread. Raw figures: the `*.json` and `*.txt` files"
            + " beside this one.\n\n");
    Map<String, long[]> sizes = bodySizes(dir);

    Set<String> classes = new LinkedHashSet<>(TITLES.keySet());
    results.forEach(r -> classes.add(r.className()));
    for (String className : classes) {
      List<Result> section = results.stream().filter(r -> r.className().equals(className)).toList();
      if (section.isEmpty()) {
        continue;
      }
      md.append("## ")
          .append(className)
          .append(": ")
          .append(TITLES.getOrDefault(className, className))
          .append("\n\n");
      if (CURVE.equals(className)) {
        md.append(curve(dir, section));
        continue;
      }
      Table table = Table.of(section, OWN.contains(className));
      if ("ParallelChecksBenchmark".equals(className)) {
        md.append(checksTable(table));
      } else {
        int sizeColumn =
            switch (className) {
              case "ScrapeBenchmark" -> 0;
              case "ScrapeHttpBenchmark" -> 1;
              default -> -1;
            };
        md.append(table.markdown(sizeColumn < 0 ? Map.of() : sizes, sizeColumn));
      }
      String png = className + ".png";
      String chartUnit = table.chartUnit();
      Table charted = table.only(chartUnit);
      if (charted.rows.size() < table.rows.size()) {
        md.append("\nThe chart shows the results in ").append(unit(chartUnit)).append(" only.\n");
      }
      BarChart.write(
          charted,
          TITLES.getOrDefault(className, className),
          "ParallelChecksBenchmark".equals(className) ? checksReference(section) : Map.of(),
          dir.resolve(png).toFile());
      md.append("\n![").append(className).append("](").append(png).append(")\n\n");
    }
    return md.toString();
  }

  static final String CURVE = "ScrapeCurveBenchmark";

  /** The curve's target: time and bytes per series within this factor from the smallest size. */
  static final double FLAT = 1.25;

  /**
   * The cost curve: a table per size and library (time and bytes per body in-process and over HTTP,
   * per series, the heap retained per series from {@link CurveHeap}'s file), the targets read from
   * it, and {@code ScrapeCurveBenchmark.png}: lines per library on log-log axes.
   */
  static String curve(Path dir, List<Result> section) throws IOException {
    Map<String, Map<Integer, Result>> inProcess = new LinkedHashMap<>();
    Map<String, Map<Integer, Result>> http = new LinkedHashMap<>();
    TreeSet<Integer> sizes = new TreeSet<>();
    List<String> libraries = new ArrayList<>();
    for (Result r : section) {
      String library = r.params().get("library");
      int series = Integer.parseInt(r.params().get("series"));
      if (!libraries.contains(library)) {
        libraries.add(library);
      }
      sizes.add(series);
      (r.method().equals("http") ? http : inProcess)
          .computeIfAbsent(library, k -> new LinkedHashMap<>())
          .put(series, r);
    }
    libraries.sort((a, b) -> Boolean.compare(!a.equals(OURS), !b.equals(OURS)));
    // library → series → {retained bytes per series, body bytes, thread CPU µs per series}
    Map<String, Map<Integer, double[]>> heap = new LinkedHashMap<>();
    Path heapFile = dir.resolve(CurveHeap.FILE);
    if (Files.exists(heapFile)) {
      List<String> lines = Files.readAllLines(heapFile);
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split("\t");
        heap.computeIfAbsent(cells[0], k -> new LinkedHashMap<>())
            .put(
                Integer.valueOf(cells[1]),
                new double[] {
                  Double.parseDouble(cells[3]),
                  Double.parseDouble(cells[4]),
                  cells.length > 5 ? Double.parseDouble(cells[5]) : Double.NaN
                });
      }
    }
    StringBuilder md = new StringBuilder();
    md.append(
        "| series | library | in-process ms | B/op | B/op ÷ body | µs/series | thread CPU µs/series"
            + " | over HTTP ms | B/op | µs/series | heap B/series | body bytes | ours/peer"
            + " in-process, HTTP |\n"
            + "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
            + " ---: |\n");
    for (int series : sizes) {
      for (String library : libraries) {
        Result in = inProcess.getOrDefault(library, Map.of()).get(series);
        Result over = http.getOrDefault(library, Map.of()).get(series);
        double[] memory = heap.getOrDefault(library, Map.of()).get(series);
        double body = memory == null ? Double.NaN : memory[1];
        Result oursIn = inProcess.getOrDefault(OURS, Map.of()).get(series);
        Result oursOver = http.getOrDefault(OURS, Map.of()).get(series);
        String name = library.equals(OURS) ? "**" + library + "**" : library;
        md.append(String.format(Locale.ROOT, "| %,d | %s |", series, name))
            .append(cell(in, r -> format(millis(r.score(), r.unit()))))
            .append(cell(in, r -> r.alloc() == null ? "–" : bytes(r.alloc())))
            .append(
                cell(
                    in,
                    r ->
                        r.alloc() == null || Double.isNaN(body)
                            ? "–"
                            : formatRatio(r.alloc() / body)))
            .append(cell(in, r -> format(millis(r.score(), r.unit()) * 1000 / series)))
            .append(memory == null ? " – |" : " " + format(memory[2]) + " |")
            .append(cell(over, r -> format(millis(r.score(), r.unit()))))
            .append(cell(over, r -> r.alloc() == null ? "–" : bytes(r.alloc())))
            .append(cell(over, r -> format(millis(r.score(), r.unit()) * 1000 / series)))
            .append(memory == null ? " – |" : " " + bytes(memory[0]) + " |")
            .append(Double.isNaN(body) ? " – |" : String.format(Locale.ROOT, " %,.0f |", body))
            .append(' ')
            .append(
                library.equals(OURS) ? "" : ratioOf(oursIn, in) + ", " + ratioOf(oursOver, over))
            .append(" |\n");
      }
    }
    md.append(curveTargets(libraries, sizes, inProcess, http, heap));

    List<LineChart.Panel> panels = new ArrayList<>();
    panels.add(
        new LineChart.Panel(
            "ms per body (log scale), lower is better",
            lines(libraries, inProcess, http, (r, n) -> millis(r.score(), r.unit()))));
    panels.add(
        new LineChart.Panel(
            "µs per series (log scale), lower is better",
            lines(libraries, inProcess, http, (r, n) -> millis(r.score(), r.unit()) * 1000 / n)));
    List<LineChart.Line> memoryLines = new ArrayList<>();
    for (String library : libraries) {
      java.util.TreeMap<Integer, Double> retained = new java.util.TreeMap<>();
      heap.getOrDefault(library, Map.of()).forEach((n, v) -> retained.put(n, v[0]));
      memoryLines.add(new LineChart.Line(library, false, retained));
      java.util.TreeMap<Integer, Double> allocated = new java.util.TreeMap<>();
      inProcess
          .getOrDefault(library, Map.of())
          .forEach((n, r) -> allocated.put(n, r.alloc() == null ? Double.NaN : r.alloc() / n));
      memoryLines.add(new LineChart.Line(library, true, allocated));
    }
    panels.add(
        new LineChart.Panel(
            "bytes per series (log scale): heap retained, allocated per body", memoryLines));
    String png = CURVE + ".png";
    LineChart.write(
        TITLES.get(CURVE),
        libraries,
        new String[] {"in-process; heap retained", "over HTTP; allocated per in-process body"},
        panels,
        dir.resolve(png).toFile());
    md.append("\n![").append(CURVE).append("](").append(png).append(")\n\n");
    return md.toString();
  }

  private static String cell(Result r, java.util.function.Function<Result, String> value) {
    return " " + (r == null ? "–" : value.apply(r)) + " |";
  }

  private static String ratioOf(Result ours, Result peer) {
    return ours == null || peer == null ? "–" : formatRatio(ours.score() / peer.score());
  }

  private static List<LineChart.Line> lines(
      List<String> libraries,
      Map<String, Map<Integer, Result>> inProcess,
      Map<String, Map<Integer, Result>> http,
      java.util.function.ToDoubleBiFunction<Result, Integer> value) {
    List<LineChart.Line> lines = new ArrayList<>();
    for (String library : libraries) {
      for (boolean dashed : new boolean[] {false, true}) {
        java.util.TreeMap<Integer, Double> points = new java.util.TreeMap<>();
        (dashed ? http : inProcess)
            .getOrDefault(library, Map.of())
            .forEach((n, r) -> points.put(n, value.applyAsDouble(r, n)));
        if (!points.isEmpty()) {
          lines.add(new LineChart.Line(library, dashed, points));
        }
      }
    }
    return lines;
  }

  /** Each target of the curve, met or not, with the figures it is read from. */
  private static String curveTargets(
      List<String> libraries,
      TreeSet<Integer> sizes,
      Map<String, Map<Integer, Result>> inProcess,
      Map<String, Map<Integer, Result>> http,
      Map<String, Map<Integer, double[]>> heap) {
    StringBuilder md = new StringBuilder("\n");
    // Ahead of every peer at every size: our time below each peer's, both ways.
    List<String> behind = new ArrayList<>();
    for (int series : sizes) {
      for (String library : libraries) {
        if (library.equals(OURS)) {
          continue;
        }
        for (Map<String, Map<Integer, Result>> way : List.of(inProcess, http)) {
          Result ours = way.getOrDefault(OURS, Map.of()).get(series);
          Result peer = way.getOrDefault(library, Map.of()).get(series);
          if (ours != null && peer != null && ours.score() >= peer.score()) {
            behind.add(
                String.format(
                    Locale.ROOT,
                    "%s at %,d (%s)",
                    library,
                    series,
                    way == inProcess ? "in-process" : "HTTP"));
          }
        }
      }
    }
    md.append("- Ahead of every peer at every size, in-process and over HTTP: ")
        .append(behind.isEmpty() ? "**met**" : "**missed**: " + String.join("; ", behind))
        .append(".\n");
    if (sizes.size() > 1) {
      int first = sizes.first();
      int last = sizes.last();
      md.append(
          String.format(
              Locale.ROOT,
              "- Flat per series within %.0f %% from %,d to %,d series (ours, largest ÷ smallest"
                  + " size's figure): ",
              (FLAT - 1) * 100,
              first,
              last));
      List<String> parts = new ArrayList<>();
      parts.add(flatness("in-process time", perSeries(inProcess, sizes, true)));
      Map<Integer, Double> cpu = new java.util.TreeMap<>();
      heap.getOrDefault(OURS, Map.of()).forEach((n, v) -> cpu.put(n, v[2]));
      parts.add(flatness("in-process thread CPU time", cpu));
      parts.add(flatness("HTTP time", perSeries(http, sizes, true)));
      parts.add(flatness("bytes allocated in-process", perSeries(inProcess, sizes, false)));
      Map<Integer, Double> retained = new java.util.TreeMap<>();
      heap.getOrDefault(OURS, Map.of()).forEach((n, v) -> retained.put(n, v[0]));
      parts.add(flatness("heap retained", retained));
      md.append(String.join("; ", parts)).append(".\n");
      Result largest = inProcess.getOrDefault(OURS, Map.of()).get(last);
      double[] memory = heap.getOrDefault(OURS, Map.of()).get(last);
      if (largest != null && largest.alloc() != null && memory != null) {
        md.append(
            String.format(
                Locale.ROOT,
                "- A %,d-series body allocating no more than its size: %s (%s B/op in-process"
                    + " against a %,.0f-byte body, %.2f×).%n",
                last,
                largest.alloc() <= memory[1] ? "**met**" : "**missed**",
                bytes(largest.alloc()),
                memory[1],
                largest.alloc() / memory[1]));
      }
    }
    return md.toString();
  }

  /** Ours per series at each size: time in µs, or bytes allocated. */
  private static Map<Integer, Double> perSeries(
      Map<String, Map<Integer, Result>> way, TreeSet<Integer> sizes, boolean time) {
    Map<Integer, Double> values = new java.util.TreeMap<>();
    for (int series : sizes) {
      Result r = way.getOrDefault(OURS, Map.of()).get(series);
      if (r != null && (time || r.alloc() != null)) {
        values.put(
            series, (time ? millis(r.score(), r.unit()) * 1000 : r.alloc()) / (double) series);
      }
    }
    return values;
  }

  private static String flatness(String what, Map<Integer, Double> values) {
    if (values.size() < 2) {
      return what + " –";
    }
    double min = values.values().stream().mapToDouble(d -> d).min().orElseThrow();
    double max = values.values().stream().mapToDouble(d -> d).max().orElseThrow();
    double spread = max / min;
    return String.format(
        Locale.ROOT,
        "%s %s (%s, spread %.2f×)",
        what,
        spread <= FLAT ? "**met**" : "**missed**",
        String.join(" → ", values.values().stream().map(Report::format).toList()),
        spread);
  }

  private static String checksTable(Table table) {
    int checks = ParallelChecksBenchmark.CHECKS;
    int sleep = ParallelChecksBenchmark.SLEEP_MILLIS;
    StringBuilder md = new StringBuilder();
    md.append("| pool threads | wall time | ideal: ⌈checks / threads⌉ × ")
        .append(sleep)
        .append(" ms | sum of the checks' times / wall |\n| --- | ---: | ---: | ---: |\n");
    int threads = table.threadCounts.first();
    for (String row : table.rows) {
      Result r = table.get(row, threads);
      int pool = Integer.parseInt(r.params().getOrDefault("poolThreads", "0"));
      double ideal = pool == 0 ? Double.NaN : Math.ceil((double) checks / pool) * sleep;
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %s%s %s | %.0f ms | %.1f× |%n",
              pool,
              format(r.score()),
              Double.isNaN(r.error()) ? "" : " ± " + format(r.error()),
              unit(r.unit()),
              ideal,
              checks * (double) sleep / millis(r.score(), r.unit())));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%nThe sum of the %d checks' times is %d ms; each row is one `runAllChecks()` (JMH"
                + " SingleShotTime, %s).%n",
            checks,
            checks * sleep,
            "mean of the measured shots"));
    return md.toString();
  }

  /** The sum of the checks' times, in the unit of the results, for the chart. */
  private static Map<String, Double> checksReference(List<Result> section) {
    double sum = ParallelChecksBenchmark.CHECKS * (double) ParallelChecksBenchmark.SLEEP_MILLIS;
    double perMilli = millis(1, section.get(0).unit());
    return Map.of(String.format(Locale.ROOT, "one after another: %,.0f ms", sum), sum / perMilli);
  }

  private static double millis(double score, String unit) {
    return switch (unit) {
      case "s/op" -> score * 1000;
      case "us/op" -> score / 1000;
      case "ns/op" -> score / 1e6;
      default -> score;
    };
  }

  /** The results of one benchmark class, by row and thread count. */
  static final class Table {
    final List<String> rows = new ArrayList<>();
    final TreeSet<Integer> threadCounts = new TreeSet<>();
    final Map<String, Map<Integer, Result>> cells = new LinkedHashMap<>();
    final Map<String, String> keys = new LinkedHashMap<>();
    private final boolean allOurs;

    private Table(boolean allOurs) {
      this.allOurs = allOurs;
    }

    static Table of(List<Result> section, boolean allOurs) {
      boolean manyMethods = section.stream().map(Result::method).distinct().count() > 1;
      Table table = new Table(allOurs);
      // Ours first, then the others in JMH's order.
      List<Result> ordered = new ArrayList<>(section);
      ordered.sort(
          (a, b) ->
              Boolean.compare(
                  !a.label(manyMethods).startsWith(OURS), !b.label(manyMethods).startsWith(OURS)));
      for (Result r : ordered) {
        String label = r.label(manyMethods);
        if (!table.cells.containsKey(label)) {
          table.rows.add(label);
          table.keys.put(label, r.params().getOrDefault("library", r.method()));
        }
        table.cells.computeIfAbsent(label, k -> new LinkedHashMap<>()).put(r.threads(), r);
        table.threadCounts.add(r.threads());
      }
      return table;
    }

    /** The unit every result shares, or null when they differ (alert: ns/op and ops/s). */
    String commonUnit() {
      List<String> units =
          cells.values().stream()
              .flatMap(m -> m.values().stream())
              .map(Result::unit)
              .distinct()
              .toList();
      return units.size() == 1 ? units.get(0) : null;
    }

    /** The rows whose results are in {@code unit}: a chart has one axis. */
    Table only(String unit) {
      Table table = new Table(allOurs);
      for (String row : rows) {
        Map<Integer, Result> kept = new LinkedHashMap<>(cells.get(row));
        kept.values().removeIf(r -> !r.unit().equals(unit));
        if (!kept.isEmpty()) {
          table.rows.add(row);
          table.cells.put(row, kept);
          table.keys.put(row, keys.get(row));
          table.threadCounts.addAll(kept.keySet());
        }
      }
      return table;
    }

    /** The unit of our row, else the most common one. */
    String chartUnit() {
      if (hasOurs()) {
        return cells.get(OURS).values().iterator().next().unit();
      }
      Map<String, Integer> counts = new LinkedHashMap<>();
      cells.values().forEach(m -> m.values().forEach(r -> counts.merge(r.unit(), 1, Integer::sum)));
      return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    Result get(String row, int threads) {
      return cells.get(row).get(threads);
    }

    boolean hasOurs() {
      return cells.containsKey(OURS);
    }

    boolean hasAlloc() {
      return cells.values().stream()
          .flatMap(m -> m.values().stream())
          .anyMatch(r -> r.alloc() != null);
    }

    /** Whether the row measures our code: named amptalk…, or in a class without peers. */
    boolean isOurs(String row) {
      return allOurs || row.startsWith(OURS);
    }

    boolean allOurs() {
      return allOurs;
    }

    /** Our time over the row's, at that thread count; NaN when there is nothing to compare. */
    double ratio(String row, int threads) {
      Result ours = hasOurs() ? get(OURS, threads) : null;
      Result peer = get(row, threads);
      if (ours == null || peer == null || row.startsWith(OURS)) {
        return Double.NaN;
      }
      // Throughput: more is better, so the time ratio is the inverse.
      return ours.mode().equals("thrpt")
          ? peer.score() / ours.score()
          : ours.score() / peer.score();
    }

    String markdown(Map<String, long[]> sizes, int sizeColumn) {
      StringBuilder md = new StringBuilder("| benchmark |");
      StringBuilder rule = new StringBuilder("| --- |");
      boolean alloc = hasAlloc();
      boolean ratio = hasOurs() && rows.size() > 1;
      boolean size = !sizes.isEmpty();
      String common = commonUnit();
      for (int threads : threadCounts) {
        String t = threads == 1 ? "1 thread" : threads + " threads";
        md.append(' ').append(t).append(common == null ? "" : ": " + unit(common)).append(" |");
        rule.append(" ---: |");
        if (alloc) {
          md.append(" B/op |");
          rule.append(" ---: |");
        }
        if (ratio) {
          md.append(" ours/peer |");
          rule.append(" ---: |");
        }
      }
      if (size) {
        md.append(" body bytes | series |");
        rule.append(" ---: | ---: |");
      }
      md.append('\n').append(rule).append('\n');
      for (String row : rows) {
        md.append("| ").append(row.startsWith(OURS) ? "**" + row + "**" : row).append(" |");
        for (int threads : threadCounts) {
          Result r = get(row, threads);
          md.append(' ')
              .append(
                  r == null
                      ? "–"
                      : format(r.score())
                          + (Double.isNaN(r.error()) ? "" : " ± " + format(r.error()))
                          + (common == null ? " " + unit(r.unit()) : ""))
              .append(" |");
          if (alloc) {
            md.append(' ')
                .append(r == null || r.alloc() == null ? "–" : bytes(r.alloc()))
                .append(" |");
          }
          if (ratio) {
            double value = ratio(row, threads);
            md.append(' ').append(Double.isNaN(value) ? "" : formatRatio(value)).append(" |");
          }
        }
        if (size) {
          long[] bytes = sizes.get(keys.get(row));
          md.append(' ')
              .append(bytes == null ? "–" : String.format(Locale.ROOT, "%,d", bytes[sizeColumn]))
              .append(" | ")
              .append(bytes == null ? "–" : String.format(Locale.ROOT, "%,d", bytes[2]))
              .append(" |");
        }
        md.append('\n');
      }
      return md.toString();
    }
  }

  // ---------------------------------------------------------------- formatting

  static String unit(String jmhUnit) {
    return jmhUnit.replace("us/", "µs/");
  }

  /** Three significant figures or so, never in exponent form. */
  static String format(double value) {
    if (Double.isNaN(value)) {
      return "?";
    }
    double abs = Math.abs(value);
    String pattern = abs >= 100 ? "%,.0f" : abs >= 10 ? "%.1f" : abs >= 1 ? "%.2f" : "%.3f";
    return String.format(Locale.ROOT, pattern, value);
  }

  /** Two decimals, or two significant figures below 0.1 (Dropwizard is 100× slower). */
  static String formatRatio(double value) {
    return String.format(Locale.ROOT, value >= 0.1 ? "%.2f" : "%.2g", value);
  }

  static String bytes(double value) {
    return value >= 100
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.2f", value);
  }
}
