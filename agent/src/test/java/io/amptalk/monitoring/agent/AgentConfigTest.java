package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.health.CheckOptions;
import java.io.IOException;
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
import org.junit.jupiter.params.ParameterizedTest;
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
              assertThat(check.options().groups()).containsExactly(CheckOptions.READINESS);
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
        .containsExactly("logging", "ops-email", "pager", "slack", "alertmanager");
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
    assertThat(options.get("memory"))
        .isEqualTo(CheckOptions.builder().groups("readiness").failureThreshold(3).build());
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
}
