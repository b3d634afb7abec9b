package io.amptalk.monitoring.bom;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer's build, run as a child Maven: a project that imports {@code amptalk-monitoring-bom}
 * and depends on {@code amptalk-monitoring} resolves exactly the runtime dependencies this build
 * resolves for the library (the list the build wrote to {@code target/} before the tests); a Spring
 * Boot application importing it before Spring Boot's own gets our OpenTelemetry and Prometheus.
 *
 * <p>Our artifacts are staged into a fresh local repository, as {@code mvn install} would put them;
 * everything else the child reads from this build's local repository, served to it as its only
 * remote repository, so the child never reaches the network and never writes into ours.
 */
class ConsumerBuildIT {
  private static final String VERSION = property("amptalk.version");
  private static final Path ROOT = Path.of(property("amptalk.root")).normalize();

  /** {@code group:artifact:type:version:scope}, perhaps followed by {@code -- module ...}. */
  private static final Pattern LISTED =
      Pattern.compile("^\\s+([^:\\s]+:[^:\\s]+:[^:\\s]+(?::[^:\\s]+)?:[^:\\s]+:[^:\\s]+)(\\s.*)?$");

  @TempDir Path dir;

  @Test
  void consumerImportingTheBom_resolvesExactlyOurRuntimeDependencies() throws Exception {
    List<String> ours = listed(Path.of(property("amptalk.ourDependencies")));
    // Without the BOM a consumer gets 1.65.0-alpha, the version opentelemetry-instrumentation-api
    // was built with.
    assertThat(ours)
        .contains("io.opentelemetry:opentelemetry-api-incubator:jar:1.66.0-alpha:runtime");

    List<String> theirs =
        resolve(
            "",
            """
                <dependency>
                  <groupId>io.amptalk</groupId>
                  <artifactId>amptalk-monitoring</artifactId>
                </dependency>
            """);

    assertThat(theirs)
        .contains("io.amptalk:amptalk-monitoring:jar:" + VERSION + ":compile")
        .containsExactlyElementsOf(ours);
    // The library records metrics only: the SDK's tracing and logging halves are not its to bring.
    assertThat(theirs)
        .filteredOn(d -> d.matches("io\\.opentelemetry:opentelemetry-sdk(-trace|-logs)?:.*"))
        .isEmpty();
  }

  @Test
  void springBootConsumer_importingTheBomFirst_resolvesOurOpenTelemetryAndPrometheus()
      throws Exception {
    List<String> ours = listed(Path.of(property("amptalk.ourDependencies")));
    // As docs/library.md says: our BOM, then Spring Boot's, which manages older ones of both.
    List<String> theirs =
        resolve(
            """
                <dependency>
                  <groupId>org.springframework.boot</groupId>
                  <artifactId>spring-boot-dependencies</artifactId>
                  <version>%s</version>
                  <type>pom</type>
                  <scope>import</scope>
                </dependency>
            """
                .formatted(property("amptalk.springBootVersion")),
            """
                <dependency>
                  <groupId>org.springframework.boot</groupId>
                  <artifactId>spring-boot-starter-web</artifactId>
                </dependency>
                <dependency>
                  <groupId>io.amptalk</groupId>
                  <artifactId>amptalk-monitoring-spring-boot-starter</artifactId>
                </dependency>
            """);

    assertThat(theirs)
        .contains("io.amptalk:amptalk-monitoring-spring-boot-starter:jar:" + VERSION + ":compile")
        .filteredOn(ConsumerBuildIT::isOpenTelemetryOrPrometheus)
        .containsExactlyElementsOf(
            ours.stream().filter(ConsumerBuildIT::isOpenTelemetryOrPrometheus).toList());
  }

  private static boolean isOpenTelemetryOrPrometheus(String coordinates) {
    return coordinates.startsWith("io.opentelemetry") || coordinates.startsWith("io.prometheus");
  }

  /**
   * The runtime dependencies a consumer with these {@code dependencyManagement} entries (after our
   * BOM's import) and these dependencies resolves, as {@code dependency:list} writes them.
   */
  private List<String> resolve(String managed, String dependencies) throws Exception {
    Path repository = dir.resolve("repository");
    if (!Files.exists(repository)) {
      stageOurArtifacts(repository);
    }
    Path consumer = Files.createTempDirectory(dir, "consumer");
    Files.writeString(
        consumer.resolve("pom.xml"),
        """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>com.example</groupId>
          <artifactId>consumer</artifactId>
          <version>1.0</version>
          <dependencyManagement>
            <dependencies>
              <dependency>
                <groupId>io.amptalk</groupId>
                <artifactId>amptalk-monitoring-bom</artifactId>
                <version>%s</version>
                <type>pom</type>
                <scope>import</scope>
              </dependency>
        %s
            </dependencies>
          </dependencyManagement>
          <dependencies>
        %s
          </dependencies>
        </project>
        """
            .formatted(VERSION, managed, dependencies));
    Path listed = consumer.resolve("dependencies.txt");
    runMaven(
        consumer,
        repository,
        property("amptalk.dependencyPlugin") + ":list",
        "-DincludeScope=runtime",
        "-Dsort=true",
        "-DoutputFile=" + listed);
    return listed(listed);
  }

  /** Our poms and the library's jar, laid out as {@code mvn install} lays them out. */
  private static Path stageOurArtifacts(Path repository) throws IOException {
    stage(repository, "amptalk-monitoring-bom", ROOT.resolve("bom/pom.xml"), null);
    stage(repository, "amptalk-monitoring-parent", ROOT.resolve("pom.xml"), null);
    Path jar = ROOT.resolve("monitoring/target/amptalk-monitoring-" + VERSION + ".jar");
    assertThat(jar).as("the library's jar (build it in the same run: -am)").exists();
    stage(repository, "amptalk-monitoring", ROOT.resolve("monitoring/pom.xml"), jar);
    stageModule(repository, "servlet", "amptalk-monitoring-servlet");
    stageModule(repository, "spring-boot-starter", "amptalk-monitoring-spring-boot-starter");
    return repository;
  }

  private static void stageModule(Path repository, String module, String artifactId)
      throws IOException {
    Path jar = ROOT.resolve(module + "/target/" + artifactId + "-" + VERSION + ".jar");
    assertThat(jar).as("%s's jar (build it in the same run: -am)", module).exists();
    stage(repository, artifactId, ROOT.resolve(module + "/pom.xml"), jar);
  }

  private static void stage(Path repository, String artifactId, Path pom, Path jar)
      throws IOException {
    Path directory =
        Files.createDirectories(repository.resolve("io/amptalk/" + artifactId + "/" + VERSION));
    String base = artifactId + "-" + VERSION;
    Files.copy(pom, directory.resolve(base + ".pom"));
    if (jar != null) {
      Files.copy(jar, directory.resolve(base + ".jar"));
    }
  }

  private void runMaven(Path project, Path repository, String... goal) throws Exception {
    Path settings = project.resolve("settings.xml");
    Files.writeString(
        settings,
        """
        <settings>
          <mirrors>
            <mirror>
              <id>this-build</id>
              <mirrorOf>*</mirrorOf>
              <url>%s</url>
            </mirror>
          </mirrors>
        </settings>
        """
            .formatted(Path.of(property("amptalk.localRepository")).toUri()));
    List<String> command = new ArrayList<>();
    command.add(Path.of(property("amptalk.mavenHome"), "bin", "mvn").toString());
    command.addAll(
        List.of("-B", "-s", settings.toString(), "-Dmaven.repo.local=" + repository, "-f"));
    command.add(project.resolve("pom.xml").toString());
    command.addAll(List.of(goal));
    Path log = project.resolve("maven.log");
    Process maven =
        new ProcessBuilder(command)
            .directory(project.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean exited = maven.waitFor(5, TimeUnit.MINUTES);
    if (!exited) {
      maven.destroyForcibly();
    }
    assertThat(exited && maven.exitValue() == 0)
        .as("%s%n%s", String.join(" ", command), Files.readString(log, StandardCharsets.UTF_8))
        .isTrue();
  }

  /** The coordinates {@code dependency:list} wrote, without module names. */
  private static List<String> listed(Path file) throws IOException {
    List<String> coordinates = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      Matcher matcher = LISTED.matcher(line);
      if (matcher.matches()) {
        coordinates.add(matcher.group(1));
      }
    }
    assertThat(coordinates).as("dependencies listed in %s", file).isNotEmpty();
    return coordinates;
  }

  private static String property(String name) {
    return Objects.requireNonNull(System.getProperty(name), name + " (set by the failsafe plugin)");
  }
}
