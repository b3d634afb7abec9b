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
