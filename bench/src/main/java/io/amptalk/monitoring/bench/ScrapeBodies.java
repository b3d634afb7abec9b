package io.amptalk.monitoring.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes, for each library of the scrape benchmarks, its body produced in-process and the one its
 * server answers on loopback, and {@code sizes.tsv} with their sizes in bytes, samples and metric
 * families; it warns when the two bodies do not hold the same series. {@code bench/run.sh} runs it
 * into {@code <results>/scrape/}; the summary reads the sizes from there.
 *
 * <pre>{@code java -cp bench/target/benchmarks.jar io.amptalk.monitoring.bench.ScrapeBodies DIR}
 * </pre>
 */
public final class ScrapeBodies {
  static final String SIZES = "sizes.tsv";

  private ScrapeBodies() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: ScrapeBodies OUTPUT_DIR");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of(args[0]));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<String> rows = new ArrayList<>();
    rows.add("library\tin_process_bytes\thttp_bytes\tsamples\tfamilies");
    for (Exposition.Library library : Exposition.Library.values()) {
      if (!library.text()) {
        continue; // binary protobuf: nothing to compare line by line
      }
      try (Exposition exposition = Exposition.create(library)) {
        String inProcess = exposition.body();
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(exposition.metricsUri()).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        String http = response.body();
        Files.writeString(dir.resolve(library + ".prom"), inProcess);
        Files.writeString(dir.resolve(library + "-http.prom"), http);
        Set<String> inProcessSeries = series(inProcess);
        Set<String> httpSeries = series(http);
        if (response.statusCode() != 200 || !inProcessSeries.equals(httpSeries)) {
          Set<String> onlyInProcess = new LinkedHashSet<>(inProcessSeries);
          onlyInProcess.removeAll(httpSeries);
          Set<String> onlyHttp = new LinkedHashSet<>(httpSeries);
          onlyHttp.removeAll(inProcessSeries);
          System.err.printf(
              "warning: %s: HTTP %d; series only in-process %s, only over HTTP %s%n",
              library, response.statusCode(), first(onlyInProcess), first(onlyHttp));
        }
        long families = inProcess.lines().filter(line -> line.startsWith("# TYPE ")).count();
        rows.add(
            String.join(
                "\t",
                library.name(),
                String.valueOf(inProcess.getBytes(StandardCharsets.UTF_8).length),
                String.valueOf(http.getBytes(StandardCharsets.UTF_8).length),
                String.valueOf(inProcessSeries.size()),
                String.valueOf(families)));
      }
    }
    Files.write(dir.resolve(SIZES), rows);
    rows.forEach(System.out::println);
  }

  /** Sample lines without their values: name and labels. */
  private static Set<String> series(String body) {
    Set<String> series = new LinkedHashSet<>();
    body.lines()
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .forEach(line -> series.add(line.substring(0, line.lastIndexOf(' '))));
    return series;
  }

  private static List<String> first(Set<String> set) {
    return set.stream().limit(3).toList();
  }
}
