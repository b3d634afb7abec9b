package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.health.CheckOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class AgentConfigTest {
  /** The example at the root of the repository; tests run in the agent module's directory. */
  static final Path EXAMPLE = Path.of("..", "monitor.example.yml");

  /** The configuration reference, with the table between the config-reference markers. */
  static final Path CONFIGURATION_DOC = Path.of("..", "docs", "configuration.md");

  static final Path BROKEN = Path.of("src", "test", "resources", "broken");

  private static AgentConfig parse(String yaml, Map<String, String> env) {
    return AgentConfig.read(ConfigReader.parse("test.yml", yaml, env), "test.yml");
  }

  private static AgentConfig parse(String yaml) {
    return parse(yaml, Map.of());
  }

  @Test
  void noFile_isTheSeedsHostChecksTheLogAndSqliteUnderData() {
    AgentConfig config = AgentConfig.defaults();

    assertThat(config.source()).isEqualTo("(defaults)");
    assertThat(config.serviceName()).isNull();
    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.apiToken()).isNull();
    assertThat(config.checkInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.checks())
        .extracting(AgentConfig.CheckSpec::name)
        .containsExactly("cpu", "memory", "disk");
    assertThat(config.checks())
        .allSatisfy(
            check -> {
              assertThat(check.options().failureThreshold()).isEqualTo(3);
              // Host checks are in no group: readiness is the agent having started.
              assertThat(check.options().groups()).isEmpty();
            });
    assertThat(config.notifiers()).extracting(AlertNotifier::name).containsExactly("logging");
    assertThat(config.store()).isEqualTo(Path.of("data", "alerts.db"));
    assertThat(config.historySize()).isEqualTo(1000);
    assertThat(config.silences()).isEmpty();
    assertThat(config.degradedSeverity()).isEqualTo(AlertSeverity.WARNING);
    assertThat(config.unhealthySeverity()).isEqualTo(AlertSeverity.CRITICAL);
  }

  @Test
  void example_loadsWithoutAnyEnvironment_configuringEveryCheckAndNotifierType() {
    AgentConfig config = AgentConfig.load(EXAMPLE, Map.of());

    assertThat(config.serviceName()).isEqualTo("checkout");
    assertThat(config.checks())
        .extracting(c -> c.name() + ":" + c.type())
        .containsExactly(
            "cpu:cpu",
            "memory:memory",
            "disk:disk",
            "heap:jvm",
            "self:http",
            "port:tcp",
            "errors:error_ratio",
            "p99:latency");
    assertThat(
            config.checks().stream().map(AgentConfig.CheckSpec::type).collect(Collectors.toSet()))
        .isEqualTo(Set.copyOf(CheckBinding.CHECK_TYPES));
    assertThat(config.notifiers())
        .extracting(AlertNotifier::name)
        .containsExactly(
            "logging", "ops-email", "pager", "slack", "teams", "pagerduty", "alertmanager");
    assertThat(config.silences()).hasSize(2);
    assertThat(config.store()).isEqualTo(Path.of("data", "alerts.db"));
  }

  @Test
  void example_checkOptions_areThoseWritten() {
    Map<String, CheckOptions> options =
        AgentConfig.load(EXAMPLE, Map.of()).checks().stream()
            .collect(Collectors.toMap(AgentConfig.CheckSpec::name, AgentConfig.CheckSpec::options));

    assertThat(options.get("self"))
        .isEqualTo(
            CheckOptions.builder()
                .interval(Duration.ofSeconds(30))
                .timeout(Duration.ofSeconds(5))
                .initialDelay(Duration.ofSeconds(5))
                .groups("liveness")
                .build());
    assertThat(options.get("heap")).isEqualTo(CheckOptions.builder().critical(false).build());
    assertThat(options.get("port")).isEqualTo(CheckOptions.builder().successThreshold(2).build());
    assertThat(options.get("memory")).isEqualTo(CheckOptions.builder().failureThreshold(3).build());
  }

  /** Every key the loader asks for is in the example, and the example has no other. */
  @Test
  void example_documentsEveryKeyTheLoaderKnows() {
    ConfigReader.Section root = ConfigReader.read(EXAMPLE, Map.of());
    AgentConfig.read(root, EXAMPLE.toString());

    assertThat(new TreeSet<>(root.givenKeys())).isEqualTo(new TreeSet<>(root.askedKeys()));
  }

  /** The configuration reference (docs/configuration.md) lists exactly the example's keys. */
  @Test
  void configurationDoc_referenceListsExactlyTheExamplesKeys() throws IOException {
    ConfigReader.Section root = ConfigReader.read(EXAMPLE, Map.of());
    AgentConfig.read(root, EXAMPLE.toString());
    Set<String> leaves = new TreeSet<>(root.givenKeys());
    // A section is documented by its keys, not as a row of its own.
    leaves.removeIf(key -> root.givenKeys().stream().anyMatch(k -> k.startsWith(key + ".")));
    leaves.removeIf(key -> root.givenKeys().stream().anyMatch(k -> k.startsWith(key + "[].")));

    String doc = Files.readString(CONFIGURATION_DOC);
    int start = doc.indexOf("<!-- config-reference:start -->");
    int end = doc.indexOf("<!-- config-reference:end -->");
    assertThat(start).as("docs/configuration.md has the reference markers").isPositive();
    Matcher row = Pattern.compile("(?m)^\\| `([^`]+)` \\|").matcher(doc.substring(start, end));
    Set<String> documented = new TreeSet<>();
    while (row.find()) {
      documented.add(row.group(1));
    }

    assertThat(documented).isEqualTo(leaves);
  }

  static Stream<Path> brokenConfigs() throws IOException {
    try (Stream<Path> files = Files.list(BROKEN)) {
      return files.filter(f -> f.toString().endsWith(".yml")).sorted().toList().stream();
    }
  }

  /**
   * Each file under {@code broken/} says on its first line the exact message it must fail with:
   * {@code # expect: <file>:<line>: <key>: <problem>}.
   */
  @ParameterizedTest
  @MethodSource("brokenConfigs")
  void brokenConfig_failsWithTheExpectedMessage(Path file) throws IOException {
    String text = Files.readString(file);
    String expected = text.lines().findFirst().orElseThrow().replaceFirst("^# expect: ", "");

    assertThatThrownBy(
            () ->
                AgentConfig.read(
                    ConfigReader.parse(file.getFileName().toString(), text, Map.of()),
                    file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(expected);
  }

  @Test
  void brokenCorpus_isNotEmpty() throws IOException {
    assertThat(brokenConfigs().count()).isGreaterThanOrEqualTo(30);
  }

  @Test
  void missingFile_namesIt() {
    assertThatThrownBy(() -> AgentConfig.load(Path.of("no-such-dir", "monitor.yml"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(Path.of("no-such-dir", "monitor.yml") + ": no such file");
  }

  @Test
  void emptyFile_isTheDefaults() {
    AgentConfig config = parse("# nothing yet\n");

    assertThat(config.checks())
        .extracting(AgentConfig.CheckSpec::name)
        .containsExactly("cpu", "memory", "disk");
  }

  @Test
  void emptyChecksSection_meansNoChecks() {
    assertThat(parse("checks: {}\n").checks()).isEmpty();
  }

  @Test
  void keyWithNoValue_isTheDefault() {
    AgentConfig config = parse("http:\n  port:\nchecks:\n  cpu:\n");

    assertThat(config.checks()).extracting(AgentConfig.CheckSpec::name).containsExactly("cpu");
    assertThat(config.checks().get(0).options().failureThreshold()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- bounds

  /**
   * The native-histogram keys reach the monitor: its protobuf exposition (read through
   * client_java's debug view) carries the schema asked for, and no classic buckets.
   */
  @Test
  void nativeHistogramKeys_reachTheMonitor() throws Exception {
    AgentConfig config =
        parse(
            "metrics:\n"
                + "  native_histograms: true\n"
                + "  native_histogram_schema: 2\n"
                + "  native_histogram_max_buckets: 50\n"
                + "  classic_histogram_buckets: false\n");
    SystemMonitor.Builder builder = SystemMonitor.builder();
    config.monitor().forEach(step -> step.accept(builder));
    try (SystemMonitor monitor =
        builder.prometheusHost("127.0.0.1").prometheusPort(0).enableJvmMetrics(false).build()) {
      monitor.recordRequest("/a", "GET", 200, 1500);
      HttpResponse<String> debug =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + monitor.getPrometheusPort()
                                  + "/metrics?debug=prometheus-protobuf&name[]="
                                  + "http_server_request_duration_seconds"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(debug.body())
          .contains("schema: 2", "zero_count: 0", "sample_count: 1")
          .doesNotContain("upper_bound");
    }
  }

  @Test
  void statusPageKeys_reachTheMonitoring() throws Exception {
    AgentConfig config =
        parse(
            "status_page:\n"
                + "  history: 5m\n"
                + "  grafana_url: https://grafana.example.com/d/amptalk\n");
    Monitoring.Builder builder =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false));
    config.statusPage().forEach(step -> step.accept(builder));
    try (Monitoring monitoring = builder.build()) {
      String base = "http://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort();
      HttpClient http = HttpClient.newHttpClient();
      String history =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/api/history")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      String system =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/api/system")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();

      assertThat(history).startsWith("{\"step_seconds\":10,\"retention_seconds\":300,");
      assertThat(system)
          .contains("\"links\":{\"grafana\":\"https://grafana.example.com/d/amptalk\"}");
    }
  }

  @Test
  void statusPage_emptyGrafanaUrl_meansNone() {
    assertThat(parse("status_page:\n  grafana_url: ${GRAFANA_URL:-}\n").statusPage()).isEmpty();
  }

  /**
   * Every duration key with a value that overflows when added to an instant (the scheduler would
   * throw on every tick, a silence or a notifier at start): refused while the file is read, at its
   * line and key, in the library's words where the library takes the value.
   */
  static Stream<Arguments> overflowingDurations() {
    return Stream.of(
        Arguments.of(
            "metrics:\n  collect_interval: PT9999999999999H\n",
            "test.yml:2: metrics.collect_interval: collectInterval must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "metrics:\n  export_interval: PT9999999999999H\n",
            "test.yml:2: metrics.export_interval: metricsExportInterval must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "metrics:\n  request_window_retention: PT9999999999999H\n",
            "test.yml:2: metrics.request_window_retention: requestWindowRetention must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "status_page:\n  history: PT9999999999999H\n",
            "test.yml:2: status_page.history: statusHistory must be at most PT1H, was PT9999999999999H"),
        Arguments.of(
            "slos:\n  x:\n    objective: 99\n    window: PT9999999999999H\n",
            "test.yml:4: slos.x.window: window must be at most P365D, was PT9999999999999H"),
        Arguments.of(
            "slos:\n  x:\n    indicator: latency\n    threshold: PT9999999999999H\n    objective: 99\n",
            "test.yml:4: slos.x.threshold: latency threshold must be one of the request histogram's"
                + " bucket bounds [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,"
                + " 5.0, 7.5, 10.0] (seconds), was PT9999999999999H"),
        Arguments.of(
            "health:\n  interval: PT9999999999999H\n",
            "test.yml:2: health.interval: checkInterval must be at most P365D, was PT9999999999999H"),
        Arguments.of(
            "health:\n  timeout: PT9999999999999H\n",
            "test.yml:2: health.timeout: defaultTimeout must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "checks:\n  cpu:\n    interval: PT9999999999999H\n",
            "test.yml:3: checks.cpu.interval: interval must be at most P365D, was PT9999999999999H"),
        Arguments.of(
            "checks:\n  cpu:\n    timeout: PT9999999999999H\n",
            "test.yml:3: checks.cpu.timeout: timeout must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "checks:\n  cpu:\n    initial_delay: PT9999999999999H\n",
            "test.yml:3: checks.cpu.initial_delay: initialDelay must be at most P365D, was PT9999999999999H"),
        Arguments.of(
            "checks:\n  web:\n    type: http\n    url: http://127.0.0.1:9/\n    request_timeout: PT9999999999999H\n",
            "test.yml:5: checks.web.request_timeout: expected a duration of at most 1d, got 'PT9999999999999H'"),
        Arguments.of(
            "checks:\n  db:\n    type: tcp\n    host: 127.0.0.1\n    port: 5432\n    request_timeout: PT9999999999999H\n",
            "test.yml:6: checks.db.request_timeout: expected a duration of at most 1d, got 'PT9999999999999H'"),
        Arguments.of(
            "checks:\n  errors:\n    type: error_ratio\n    window: PT9999999999999H\n",
            "test.yml:4: checks.errors.window: expected a duration of at most 1d, got 'PT9999999999999H'"),
        Arguments.of(
            "checks:\n  p99:\n    type: latency\n    window: PT9999999999999H\n",
            "test.yml:4: checks.p99.window: expected a duration of at most 1d, got 'PT9999999999999H'"),
        Arguments.of(
            "checks:\n  p99:\n    type: latency\n    warning_threshold: PT9999999999999H\n",
            "test.yml:4: checks.p99.warning_threshold: expected a duration of at most 1d, got 'PT9999999999999H'"),
        Arguments.of(
            "checks:\n  p99:\n    type: latency\n    critical_threshold: PT9999999999999H\n",
            "test.yml:4: checks.p99.critical_threshold: expected a duration of at most 1d, got 'PT9999999999999H'"),
        Arguments.of(
            "alerting:\n  dedup_window: PT9999999999999H\n",
            "test.yml:2: alerting.dedup_window: dedupWindow must be at most P365D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  repeat_interval: PT9999999999999H\n",
            "test.yml:2: alerting.repeat_interval: repeatInterval must be at most P365D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  rate_limit_period: PT9999999999999H\n",
            "test.yml:2: alerting.rate_limit_period: rateLimit period must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  rate_limit: 0\n  rate_limit_period: PT9999999999999H\n",
            "test.yml:3: alerting.rate_limit_period: rateLimit period must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  backoff_initial: PT9999999999999H\n",
            "test.yml:2: alerting.backoff_initial: backoff initial must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  backoff_max: PT9999999999999H\n",
            "test.yml:2: alerting.backoff_max: backoff max must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  send_timeout: PT9999999999999H\n",
            "test.yml:2: alerting.send_timeout: sendTimeout must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  close_timeout: PT9999999999999H\n",
            "test.yml:2: alerting.close_timeout: closeTimeout must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  route:\n    routes:\n      - group_wait: PT9999999999999H\n",
            "test.yml:4: alerting.route.routes[0].group_wait: groupWait must be at most P365D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  route:\n    routes:\n      - group_interval: PT9999999999999H\n",
            "test.yml:4: alerting.route.routes[0].group_interval: groupInterval must be at most P365D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  route:\n    routes:\n      - repeat_interval: PT9999999999999H\n",
            "test.yml:4: alerting.route.routes[0].repeat_interval: repeatInterval must be at most P365D, was PT9999999999999H"),
        Arguments.of(
            "alerting:\n  silences:\n    - duration: PT9999999999999H\n",
            "test.yml:3: alerting.silences[0].duration: expected a duration of at most 365d, got 'PT9999999999999H'"),
        Arguments.of(
            "notifiers:\n  - type: email\n    to: ops@example.com\n    connect_timeout: PT9999999999999H\n",
            "test.yml:4: notifiers[0].connect_timeout: connectTimeout must be 1 ms..24 days, was PT9999999999999H"),
        Arguments.of(
            "notifiers:\n  - type: email\n    to: ops@example.com\n    read_timeout: PT9999999999999H\n",
            "test.yml:4: notifiers[0].read_timeout: readTimeout must be 1 ms..24 days, was PT9999999999999H"),
        Arguments.of(
            "notifiers:\n  - type: webhook\n    url: http://127.0.0.1:9/\n    timeout: PT9999999999999H\n",
            "test.yml:4: notifiers[0].timeout: timeout must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "notifiers:\n  - type: alertmanager\n    url: http://127.0.0.1:9/\n    timeout: PT9999999999999H\n",
            "test.yml:4: notifiers[0].timeout: timeout must be at most P1D, was PT9999999999999H"),
        Arguments.of(
            "notifiers:\n  - type: alertmanager\n    url: http://127.0.0.1:9/\n    resend_interval: PT9999999999999H\n",
            "test.yml:4: notifiers[0].resend_interval: resendInterval must be at most P1D, was PT9999999999999H"));
  }

  @ParameterizedTest
  @MethodSource("overflowingDurations")
  void duration_pastItsMaximum_isRefusedAtItsKey(String yaml, String expected) {
    assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessage(expected);
  }

  /**
   * The cases above cover every duration key of the example (by its last name): a new duration key
   * needs its maximum, and a case here.
   */
  @Test
  void overflowingDurations_coverEveryDurationKeyOfTheExample() throws IOException {
    Set<String> covered =
        overflowingDurations()
            .map(
                a ->
                    ((String) a.get()[1])
                        .replaceFirst("^test\\.yml:\\d+: (?:[^:]*\\.)?([a-z_]+): .*", "$1"))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> durations = new TreeSet<>();
    Pattern duration = Pattern.compile("^\\s*(?:- )?([a-z_]+): \\d+(?:\\.\\d+)?(?:ms|s|m|h|d)\\s");
    for (String line : Files.readAllLines(EXAMPLE)) {
      Matcher m = duration.matcher(line);
      if (m.find()) {
        durations.add(m.group(1));
      }
    }

    assertThat(durations).isNotEmpty();
    assertThat(covered).containsAll(durations);
  }

  @Test
  void duration_shortFormPastTheMaximum_isRefusedAsTooLong_notAsUnreadable() {
    assertThatThrownBy(() -> parse("health:\n  interval: 9999999999999h\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "test.yml:2: health.interval: checkInterval must be at most P365D, was PT9999999999999H");
  }

  @Test
  void duration_atItsMaximum_isAccepted() {
    AgentConfig config =
        parse(
            "health:\n  interval: 365d\n  timeout: 1d\nchecks:\n  cpu:\n    interval: 365d\n"
                + "    timeout: 1d\n    initial_delay: 365d\nalerting:\n  repeat_interval: 365d\n"
                + "  send_timeout: 1d\n  silences:\n    - duration: 365d\n");

    assertThat(config.checkInterval()).isEqualTo(Duration.ofDays(365));
    assertThat(config.silences().get(0).duration()).isEqualTo(Duration.ofDays(365));
  }

  // ---------------------------------------------------------------- size and depth

  @Test
  void nestingDeeperThan64Levels_isRefusedAtItsLine_notAStackOverflow() {
    String deep = "checks:\n  cpu:\n    groups: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
    assertThatThrownBy(() -> parse(deep))
        .isInstanceOf(ConfigException.class)
        .hasMessage("test.yml:3: nesting deeper than 64 levels");

    StringBuilder block = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      block.append("  ".repeat(i)).append("k").append(i).append(":\n");
    }
    assertThatThrownBy(() -> parse(block.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("test.yml:65: nesting deeper than 64 levels");
  }

  @Test
  void nesting64Levels_isRead() {
    String yaml = "checks:\n  cpu:\n    groups: " + "[".repeat(61) + "]".repeat(61) + "\n";
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("test.yml:3: checks.cpu.groups[0]: expected a single value");
  }

  @Test
  void fileLargerThan1MiB_isRefusedBeforeParsing(@TempDir Path dir) throws IOException {
    Path big = dir.resolve("monitor.yml");
    Files.writeString(big, "# " + "x".repeat(1024 * 1024) + "\n");

    assertThatThrownBy(() -> AgentConfig.load(big, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(big + ": file is larger than 1 MiB");
  }

  @Test
  void fileOf1MiB_isRead(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("monitor.yml");
    String head = "checks: {}\n# ";
    Files.writeString(file, head + "x".repeat(1024 * 1024 - head.length() - 1) + "\n");

    assertThat(Files.size(file)).isEqualTo(1024 * 1024);
    assertThat(AgentConfig.load(file, Map.of()).checks()).isEmpty();
  }

  @Test
  @EnabledOnOs({OS.LINUX, OS.MAC})
  void endlessFile_devZero_isRefusedAsTooLarge() {
    Path zero = Path.of("/dev/zero");

    assertThatThrownBy(() -> AgentConfig.load(zero, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage("/dev/zero: file is larger than 1 MiB");
  }

  // ---------------------------------------------------------------- environment

  @Test
  void environment_substitutedWithDefaultsAndDollarEscape() {
    AgentConfig config =
        parse(
            "service:\n  name: ${NAME}-$${literal}\nhttp:\n  token: ${TOKEN:-fallback}\n",
            Map.of("NAME", "shop"));

    assertThat(config.serviceName()).isEqualTo("shop-${literal}");
    assertThat(config.apiToken()).isEqualTo("fallback");
  }

  @Test
  void environment_valueWithYamlSpecialCharacters_needsNoQuoting() {
    AgentConfig config = parse("http:\n  token: ${TOKEN}\n", Map.of("TOKEN", "a: b # c, [d]"));

    assertThat(config.apiToken()).isEqualTo("a: b # c, [d]");
  }

  @Test
  void environment_unterminatedReference_isAnError() {
    assertThatThrownBy(() -> parse("http:\n  token: ${TOKEN\n", Map.of("TOKEN", "t")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "test.yml:2: http.token: unterminated ${ in '${TOKEN' (close it with }, or write $${"
                + " for a literal ${)");
    assertThatThrownBy(() -> parse("http:\n  token: a-${TOKEN:-x\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageEndingWith(
            "unterminated ${ in 'a-${TOKEN:-x' (close it with }, or write $${ for a literal ${)");
  }

  @Test
  void environment_escapedBrace_isLiteral() {
    assertThat(parse("http:\n  token: $${TOKEN\n").apiToken()).isEqualTo("${TOKEN");
  }

  @Test
  void environment_emptyDefault_meansNone() {
    assertThat(parse("http:\n  token: ${TOKEN:-}\n").apiToken()).isNull();
  }

  @Test
  void errorMessage_quotesTheValueAsWritten_neverTheSecretFromTheEnvironment() {
    assertThatThrownBy(() -> parse("http:\n  port: ${PORT}\n", Map.of("PORT", "s3cret-value")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("test.yml:2: http.port: expected an integer from 0 to 65535, got '${PORT}'")
        .hasMessageNotContaining("s3cret-value");
  }

  // ---------------------------------------------------------------- values

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "15s, PT15S",
    "5m, PT5M",
    "4h, PT4H",
    "1d, PT24H",
    "1m30s, PT1M30S",
    "1.5s, PT1.5S",
    "PT15S, PT15S",
    "pt2m, PT2M"
  })
  void duration_parsesShortAndIsoForms(String text, Duration expected) {
    assertThat(ConfigReader.parseDuration(text)).contains(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "PT0.5S, 500ms",
    "PT15S, 15s",
    "PT5M, 5m",
    "PT4H, 4h",
    "PT24H, 1d",
    "PT36H, 1d12h",
    "PT1M30S, 1m30s",
    "PT1.5S, 1.5s",
    "PT1M0.25S, 1m0.25s",
    "PT0.000001S, 0.000001s",
    "PT0S, 0s",
    "PT8760H, 365d"
  })
  void duration_shortForm_isWhatTheParserReadsBack(Duration duration, String expected) {
    assertThat(ConfigReader.shortForm(duration)).isEqualTo(expected);
    assertThat(ConfigReader.parseDuration(expected)).contains(duration);
  }

  @ParameterizedTest
  @CsvSource({"15", "s", "15 s", "-5s", "1w", "PT", "15sec"})
  void duration_refusesOtherText(String text) {
    assertThat(ConfigReader.parseDuration(text)).isEmpty();
  }

  @Test
  void silence_untilInThePast_isKeptForTheAgentToSkip() {
    AgentConfig config =
        parse("alerting:\n  silences:\n    - until: 2020-01-01T00:00:00Z\n      comment: old\n");

    assertThat(config.silences())
        .singleElement()
        .satisfies(s -> assertThat(s.until()).hasToString("2020-01-01T00:00:00Z"));
  }

  @Test
  void byteSizes_readBytesAndBinaryUnits() {
    ConfigReader.Section sizes =
        ConfigReader.parse(
            "sizes.yml", "a: 65536\nb: 512KiB\nc: 16MiB\nd: 1GiB\ne: 64GiB\n", Map.of());
    assertThat(Bindings.bytes(sizes.get("a").orElseThrow(), 65_536)).isEqualTo(65_536);
    assertThat(Bindings.bytes(sizes.get("b").orElseThrow(), 65_536)).isEqualTo(524_288);
    assertThat(Bindings.bytes(sizes.get("c").orElseThrow(), 65_536)).isEqualTo(16_777_216);
    assertThat(Bindings.bytes(sizes.get("d").orElseThrow(), 65_536)).isEqualTo(1_073_741_824);
    assertThat(Bindings.bytes(sizes.get("e").orElseThrow(), 65_536)).isEqualTo(68_719_476_736L);
    ConfigReader.Section tooLarge = ConfigReader.parse("big.yml", "a: 65GiB\n", Map.of());
    assertThatThrownBy(() -> Bindings.bytes(tooLarge.get("a").orElseThrow(), 65_536))
        .hasMessage("big.yml:1: a: expected a size from 64KiB to 64GiB, got '65GiB'");
  }

  @Test
  void memoryStore_hasNoPath() {
    assertThat(parse("alerting:\n  store: memory\n").store()).isNull();
  }

  @Test
  void rateLimitZero_meansNone_andBuildsAnAlertSystem() {
    AgentConfig config = parse("alerting:\n  rate_limit: 0\n  store: memory\n");

    try (var alerts = AgentAlert.alertSystem(config, "svc", null, null)) {
      assertThat(alerts.getServiceName()).isEqualTo("svc");
    }
  }

  @Test
  void slackNotifier_isAWebhookNamedSlack() {
    AgentConfig config =
        parse("notifiers:\n  - type: slack\n    url: https://hooks.slack.com/services/T/B/X\n");

    assertThat(config.notifiers())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.name()).isEqualTo("slack");
              assertThat(n.toString()).doesNotContain("T/B/X");
            });
  }

  @Test
  void teamsNotifier_isAWebhookNamedTeamsPostingAdaptiveCards() {
    AgentConfig config =
        parse(
            "notifiers:\n  - type: teams\n"
                + "    url: https://example.webhook.office.com/webhookb2/T/IncomingWebhook/X\n"
                + "  - type: webhook\n    name: teams-too\n    format: teams\n"
                + "    url: https://example.webhook.office.com/webhookb2/U\n");

    assertThat(config.notifiers())
        .extracting(AlertNotifier::toString)
        .containsExactly(
            "WebhookNotifier{name=teams, url=https://example.webhook.office.com/…, format=TEAMS,"
                + " minSeverity=INFO, signed=false}",
            "WebhookNotifier{name=teams-too, url=https://example.webhook.office.com/…,"
                + " format=TEAMS, minSeverity=INFO, signed=false}");
  }

  @Test
  void pagerDutyNotifier_takesItsRoutingKeyFromTheEnvironment_andNeverShowsIt() {
    String key = "0123456789abcdefABCDEF0123456789";
    AgentConfig config =
        parse(
            "notifiers:\n  - type: pagerduty\n    routing_key: ${PAGERDUTY_ROUTING_KEY}\n"
                + "    min_severity: critical\n    sources: [database]\n"
                + "    send_resolved: false\n    timeout: 5s\n"
                + "    client_url: http://monitor.internal:8000/\n",
            Map.of("PAGERDUTY_ROUTING_KEY", key));

    AlertNotifier pagerDuty = config.notifiers().get(0);
    assertThat(pagerDuty)
        .hasToString(
            "PagerDutyNotifier{name=pagerduty, url=https://events.pagerduty.com/…,"
                + " minSeverity=CRITICAL}");
    assertThat(pagerDuty.sources()).containsExactly("database");
    assertThat(pagerDuty.sendsResolved()).isFalse();
  }

  @Test
  void pagerDutyNotifier_badRoutingKeyFromTheEnvironment_isRefusedAtItsKeyWithoutTheValue() {
    assertThatThrownBy(
            () ->
                parse(
                    "notifiers:\n  - type: pagerduty\n"
                        + "    routing_key: ${PAGERDUTY_ROUTING_KEY}\n",
                    Map.of("PAGERDUTY_ROUTING_KEY", "s3cr3t-but-not-a-key")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "test.yml:3: notifiers[0].routing_key: routingKey must be the 32 letters and digits"
                + " of a PagerDuty integration key, was 20 characters (not shown: the key is a"
                + " secret)");
  }

  @Test
  void notifierNames_refusedByTheLibrary_areReportedAtTheNameKey() {
    assertThatThrownBy(
            () ->
                parse(
                    "notifiers:\n  - type: pagerduty\n    name: ' '\n"
                        + "    routing_key: 0123456789abcdef0123456789abcdef\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("test.yml:3: notifiers[0].name: name must not be blank, was ' '");
  }
}
