package io.amptalk.monitoring.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amptalk.monitoring.MonitorTestHooks;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.internal.http.HealthHttpHandler;
import io.amptalk.monitoring.testing.Exposition;
import io.amptalk.monitoring.testing.Hostile;
import io.amptalk.monitoring.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Property-based (issue #7): {@code registerCheck} with any name either registers it or refuses it
 * with an {@link IllegalArgumentException} naming the rule, and nothing else; {@code runCheck} with
 * any name returns the check's result or a {@link NoSuchElementException}; checks returning any
 * message and details leave {@code /health} valid JSON and {@code /metrics} valid text format.
 */
class HealthCheckPropertyTest {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final int HISTORY = 3;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private SystemMonitor monitor;
  private HealthCheck health;

  @BeforeProperty
  void start() {
    monitor =
        SystemMonitor.builder()
            .prometheusHost("127.0.0.1")
            .prometheusPort(0)
            .enableJvmMetrics(false)
            .collectInterval(Duration.ofHours(1))
            .clock(clock)
            .build();
    health =
        HealthCheck.builder()
            .meter(monitor.getMeter())
            .autoCheck(false)
            .historySize(HISTORY)
            .clock(clock)
            .build();
    MonitorTestHooks.mount(
        monitor, "/health", new HealthHttpHandler(health::getStatusReport, null));
  }

  @AfterProperty
  void stop() {
    health.close();
    monitor.close();
  }

  record Registration(
      String name,
      String description,
      HealthStatus status,
      String message,
      Hostile.Details details) {}

  @Provide
  Arbitrary<Registration> registrations() {
    Arbitrary<String> names =
        Arbitraries.frequencyOf(
            Tuple.of(4, Hostile.strings()),
            // Valid names from a small alphabet, so that repeats (already registered) are common.
            Tuple.of(4, Arbitraries.strings().withChars("aZ09_.-").ofMinLength(1).ofMaxLength(3)),
            Tuple.of(1, Arbitraries.of("live", "ready", "started", "group", "health", "..")),
            Tuple.of(1, Arbitraries.strings().withChars("ab").ofMinLength(64).ofMaxLength(66)));
    return Combinators.combine(
            names,
            Hostile.strings(),
            Arbitraries.of(HealthStatus.class),
            Hostile.strings(),
            Hostile.details())
        .as(Registration::new);
  }

  @Property(tries = 200)
  void registerCheck_anyName_registersOrRefusesWithTheRule_andRunCheckAnswers(
      @ForAll("registrations") Registration r) throws Exception {
    boolean known = r.name() != null && health.getCheckNames().contains(r.name());
    Check check = () -> CheckResult.of(r.status(), r.message(), r.details().map());

    if (r.name() == null || !VALID.matcher(r.name()).matches()) {
      assertThatThrownBy(() -> health.registerCheck(r.name(), check, r.description()))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "health check name must be 1-64 of A-Z, a-z, 0-9, '.', '-' and '_', was "
                  + (r.name() == null ? "null" : "'" + r.name() + "'"));
    } else if (HealthCheck.RESERVED_NAMES.contains(r.name())) {
      assertThatThrownBy(() -> health.registerCheck(r.name(), check, r.description()))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "health check name '"
                  + r.name()
                  + "' is reserved for the /health/"
                  + r.name()
                  + " path");
    } else if (known) {
      assertThatThrownBy(() -> health.registerCheck(r.name(), check, r.description()))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("health check '" + r.name() + "' is already registered");
    } else {
      health.registerCheck(r.name(), check, r.description());
      assertThat(health.getCheckNames()).endsWith(r.name());

      CheckResult result = health.runCheck(r.name());

      // Whatever the details (cyclic, deep, unprintable), the check's own verdict stands.
      assertThat(result.status()).isEqualTo(r.status());
      assertThat(result.message()).isEqualTo(r.message() == null ? "" : r.message());
      assertThat(health.getCheckHistory(r.name(), 100)).hasSizeLessThanOrEqualTo(HISTORY);
    }
    if (!known && !health.getCheckNames().contains(r.name())) {
      assertThatThrownBy(() -> health.runCheck(r.name()))
          .isExactlyInstanceOf(NoSuchElementException.class)
          .hasMessage("no health check named '" + r.name() + "'");
    }

    // /health answers valid JSON whatever the checks said; /metrics stays valid text format.
    HttpResponse<byte[]> response = get("/health");
    assertThat(response.statusCode()).isIn(200, 503);
    JsonNode report = JSON.readTree(response.body());
    assertThat(report.get("checks").size()).isEqualTo(health.getCheckNames().size());
    Exposition exposition = Exposition.parse(get("/metrics").body());
    assertThat(exposition.samples("health_check_status"))
        .hasSize(HealthStatus.values().length * health.getCheckNames().size());
    for (String name : health.getCheckNames()) {
      assertThat(
              exposition.samples("health_check_status").stream()
                  .filter(s -> name.equals(s.label("check")))
                  .mapToDouble(Exposition.Sample::value)
                  .sum())
          .as("one state set for %s", name)
          .isEqualTo(1.0);
    }
  }

  @Property(tries = 300)
  void runCheck_unknownName_isNoSuchElement_andNothingElse(@ForAll("names") String name) {
    if (name != null && health.getCheckNames().contains(name)) {
      return;
    }
    assertThatThrownBy(() -> health.runCheck(name))
        .isExactlyInstanceOf(NoSuchElementException.class)
        .hasMessage("no health check named '" + name + "'");
    assertThatThrownBy(() -> health.getCheckHistory(name, 1))
        .isExactlyInstanceOf(NoSuchElementException.class);
    assertThat(health.unregisterCheck(name)).isFalse();
    assertThat(health.clearHistory(name)).isFalse();
  }

  @Provide
  Arbitrary<String> names() {
    return Hostile.strings();
  }

  private HttpResponse<byte[]> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }
}
