package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library as a named module, as an application on the module path uses it: a small module that
 * requires {@code io.amptalk.monitoring} compiles against the exported API, runs in a child JVM and
 * scrapes its own {@code /metrics}; the same module cannot compile against an internal package.
 */
class ModulePathIT {
  /**
   * The library's own runtime dependencies, by jar name; anything else on the test class path is a
   * test library.
   */
  private static final Pattern RUNTIME_JAR =
      Pattern.compile(
          "(opentelemetry-|prometheus-metrics-|oshi-core|jna-|jackson-|angus-|jakarta\\.|"
              + "sqlite-jdbc|slf4j-api|amptalk-monitoring-).*\\.jar");

  @TempDir Path dir;

  @Test
  void application_onTheModulePath_usesTheApiAndScrapesItsMetrics() throws Exception {
    String modulePath = modulePath();
    Path out = dir.resolve("out");
    String errors =
        compile(
            modulePath,
            out,
            "module app { requires io.amptalk.monitoring; requires java.net.http; }",
            """
            package app;

            import io.amptalk.monitoring.SystemMonitor;
            import java.net.URI;
            import java.net.http.HttpClient;
            import java.net.http.HttpRequest;
            import java.net.http.HttpResponse;

            public class Main {
              public static void main(String[] args) throws Exception {
                try (SystemMonitor monitor =
                    SystemMonitor.builder()
                        .prometheusHost("127.0.0.1")
                        .prometheusPort(0)
                        .enableJvmMetrics(false)
                        .build()) {
                  monitor.recordRequest("/modules", "GET", 200, 3.0);
                  HttpResponse<String> response =
                      HttpClient.newHttpClient()
                          .send(
                              HttpRequest.newBuilder(
                                      URI.create(
                                          "http://127.0.0.1:"
                                              + monitor.getPrometheusPort()
                                              + "/metrics"))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                  System.out.println("status " + response.statusCode());
                  response.body().lines()
                      .filter(l -> l.startsWith("http_server_request_duration_seconds_count"))
                      .forEach(System.out::println);
                }
              }
            }
            """);
    assertThat(errors).isEmpty();

    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (Runtime.version().feature() >= 22) {
      // OSHI reads the host through JNA, which loads native code: from JDK 22 a named module that
      // does must be let, or the JVM warns; docs/library.md tells users the same flag.
      command.add("--enable-native-access=com.sun.jna");
    }
    command.addAll(
        List.of("--module-path", modulePath + File.pathSeparator + out, "-m", "app/app.Main"));
    Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(java.exitValue()).as(output).isZero();
    assertThat(output.lines().filter(l -> !l.startsWith("SLF4J")))
        .containsExactly(
            "status 200",
            "http_server_request_duration_seconds_count{http_request_method=\"GET\","
                + "http_response_status_code=\"200\",http_route=\"/modules\"} 1");
  }

  @Test
  void application_onTheModulePath_cannotReachAnInternalPackage() throws Exception {
    String errors =
        compile(
            modulePath(),
            dir.resolve("out"),
            "module app { requires io.amptalk.monitoring; }",
            """
            package app;

            public class Main {
              public static void main(String[] args) {
                io.amptalk.monitoring.internal.util.Options.requireNonBlank("a", "b");
              }
            }
            """);

    assertThat(errors)
        .contains(
            "package io.amptalk.monitoring.internal.util is declared in module"
                + " io.amptalk.monitoring, which does not export it");
  }

  /** The library (its jar or classes) and its runtime dependencies, from the test class path. */
  private static String modulePath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      boolean library = path.endsWith(Path.of("target", "classes"));
      if (library || RUNTIME_JAR.matcher(path.getFileName().toString()).matches()) {
        entries.add(entry);
      }
    }
    assertThat(entries)
        .as("the library and its dependencies on the class path")
        .hasSizeGreaterThan(10);
    return String.join(File.pathSeparator, entries);
  }

  /**
   * Compiles the module with this JDK's javac; returns its error output (empty when it compiled).
   */
  private String compile(String modulePath, Path out, String descriptor, String main)
      throws IOException, InterruptedException {
    Path src = dir.resolve("src");
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("module-info.java"), descriptor);
    Files.writeString(src.resolve("app").resolve("Main.java"), main);
    Process javac =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "-d",
                out.toString(),
                "--module-path",
                modulePath,
                src.resolve("module-info.java").toString(),
                src.resolve("app").resolve("Main.java").toString())
            .redirectErrorStream(true)
            .start();
    String text = new String(javac.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(javac.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return javac.exitValue() == 0 ? "" : text;
  }
}
