package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.metrics.ErrorRecord;
import io.amptalk.monitoring.testing.Exposition;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.Hostile;
import io.amptalk.monitoring.testing.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Property-based (issue #7): whatever a caller passes to the record methods, they never throw, the
 * {@code /metrics} body served over real HTTP stays valid text format with exactly the counts the
 * README's rules give, and the monitor's memory stays within its documented caps.
 */
class SystemMonitorPropertyTest {
  private static final int MAX_ROUTES = 6;
  private static final int MAX_ERROR_TYPES = 4;
  private static final int ERROR_HISTORY = 5;

  /** The largest sum the cells can hold, in seconds: Long.MAX_VALUE nanoseconds. */
  private static final double MAX_SUM_SECONDS = Long.MAX_VALUE / 1e9;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  // ---------------------------------------------------------------- the calls

  sealed interface Call permits Request, Failure, Health {}

  record Request(String route, String method, int status, double durationMs) implements Call {}

  record Failure(String type, Hostile.Details details) implements Call {}

  record Health(boolean healthy, String reason) implements Call {}

  @Provide
  Arbitrary<List<Call>> calls() {
    Arbitrary<Call> request =
        Combinators.combine(Hostile.strings(), methods(), Hostile.ints(), Hostile.doubles())
            .as(Request::new);
    Arbitrary<Call> failure =
        Combinators.combine(Hostile.strings(), Hostile.details()).as(Failure::new);
    Arbitrary<Call> health =
        Combinators.combine(Arbitraries.of(true, false), Hostile.strings()).as(Health::new);
    return Arbitraries.frequencyOf(Tuple.of(6, request), Tuple.of(3, failure), Tuple.of(1, health))
        .list()
        .ofMinSize(1)
        .ofMaxSize(40);
  }

  private static Arbitrary<String> methods() {
    return Arbitraries.oneOf(
        Hostile.strings(),
        Arbitraries.of(RequestMetrics.METHODS.subList(0, 9)),
        Arbitraries.of("get", "pOsT", "poſt", "GET ", " GET", "G\u0000ET"));
  }

  // ---------------------------------------------------------------- the oracle, from the README

  /** What the README says the monitor must show after a list of calls. */
  private static final class Model {
    final Set<String> routes = new LinkedHashSet<>();
    final Set<String> errorTypes = new LinkedHashSet<>();
    final Map<List<String>, Long> counts = new HashMap<>();
    final Map<List<String>, Double> sums = new HashMap<>();
    final Map<String, Long> errors = new HashMap<>();
    final Map<String, Long> dropped = new HashMap<>();
    boolean healthy = true;

    Model() {
      dropped.put("invalid_duration", 0L);
      dropped.put("invalid_status_code", 0L);
      dropped.put("internal_error", 0L);
      dropped.put("unresolved_route", 0L);
    }

    void apply(Call call) {
      if (call instanceof Request r) {
        if (!(r.durationMs() >= 0) || r.durationMs() == Double.POSITIVE_INFINITY) {
          dropped.merge("invalid_duration", 1L, Long::sum);
        } else if (r.status() < 100 || r.status() > 599) {
          dropped.merge("invalid_status_code", 1L, Long::sum);
        } else {
          List<String> series =
              List.of(
                  capped(routes, label(r.route()), MAX_ROUTES),
                  method(r.method()),
                  Integer.toString(r.status()));
          counts.merge(series, 1L, Long::sum);
          sums.merge(series, Math.min(r.durationMs() / 1000.0, 1e6), Double::sum);
        }
      } else if (call instanceof Failure f) {
        errors.merge(capped(errorTypes, label(f.type()), MAX_ERROR_TYPES), 1L, Long::sum);
      } else if (call instanceof Health h) {
        healthy = h.healthy();
      }
    }

    /** The label, or {@code other} past the cap; a caller's own "other" takes no place. */
    private static String capped(Set<String> seen, String label, int max) {
      if (label.equals("other")) {
        return label;
      }
      if (seen.contains(label) || seen.size() < max) {
        seen.add(label);
        return label;
      }
      return "other";
    }
  }

  /**
   * A label value by the README's rules: null or blank is {@code unknown}; cut at 128 characters
   * without splitting a surrogate pair; and an unpaired surrogate, which UTF-8 cannot carry, is
   * U+FFFD (else two distinct values would both be written as '?', one series twice).
   */
  static String label(String value) {
    if (value == null || value.isBlank()) {
      return "unknown";
    }
    StringBuilder clean = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        clean.append(c).append(value.charAt(++i));
      } else {
        clean.append(Character.isSurrogate(c) ? '\uFFFD' : c);
      }
    }
    String text = clean.toString();
    if (text.length() <= 128) {
      return text;
    }
    return text.substring(0, Character.isHighSurrogate(text.charAt(127)) ? 127 : 128);
  }

  private static String method(String method) {
    if (method == null || method.isBlank()) {
      return "unknown";
    }
    for (String standard : RequestMetrics.METHODS.subList(0, 9)) {
      if (standard.equalsIgnoreCase(method)) {
        return standard;
      }
    }
    return "_OTHER";
  }

  // ---------------------------------------------------------------- properties

  @Property(tries = 150)
  void anyCalls_neverThrow_andMetricsServesValidExactCounts(@ForAll("calls") List<Call> calls)
      throws Exception {
    Model model = new Model();
    try (SystemMonitor monitor = newMonitor(0)) {
      for (Call call : calls) {
        apply(monitor, call); // a throw fails the property
        model.apply(call);
      }

      Exposition exposition = Exposition.parse(scrape(monitor));

      Map<List<String>, Long> counts = new HashMap<>();
      Map<List<String>, Double> sums = new HashMap<>();
      for (Exposition.Sample s : exposition.samples("http_server_request_duration_seconds_count")) {
        counts.put(series(s), (long) s.value());
      }
      for (Exposition.Sample s : exposition.samples("http_server_request_duration_seconds_sum")) {
        sums.put(series(s), s.value());
      }
      assertThat(counts).isEqualTo(model.counts);
      model.sums.forEach(
          (series, expected) ->
              assertThat(sums.get(series))
                  .as("sum of %s", series)
                  .isCloseTo(
                      Math.min(expected, MAX_SUM_SECONDS),
                      within(1e-9 * Math.max(1, expected) + 1e-9 * model.counts.get(series))));
      assertThat(byLabel(exposition, "app_errors_total", "error_type")).isEqualTo(model.errors);
      assertThat(byLabel(exposition, "monitoring_dropped_total", "reason"))
          .isEqualTo(model.dropped);
      assertThat(exposition.samples("app_health_status"))
          .singleElement()
          .extracting(Exposition.Sample::value)
          .isEqualTo(model.healthy ? 1.0 : 0.0);
    }
  }

  /** One monitor for the whole property: its caps must hold however long it is fed. */
  private SystemMonitor shared;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @BeforeProperty
  void startShared() {
    shared = newMonitor(-1);
  }

  @AfterProperty
  void closeShared() {
    shared.close();
  }

  @Property(tries = 500)
  void anyCalls_keepSeriesAndHistoryWithinTheirCaps(@ForAll("calls") List<Call> calls) {
    for (Call call : calls) {
      apply(shared, call);
    }

    List<ErrorRecord> recent = shared.getRecentErrors();
    assertThat(recent).hasSizeLessThanOrEqualTo(ERROR_HISTORY);
    for (ErrorRecord record : recent) {
      assertThat(record.details()).hasSizeLessThanOrEqualTo(SystemMonitor.MAX_DETAIL_ENTRIES);
      record
          .details()
          .forEach(
              (key, value) -> {
                assertThat(key.length()).isLessThanOrEqualTo(SystemMonitor.MAX_DETAIL_KEY_LENGTH);
                assertThat(value.length())
                    .isLessThanOrEqualTo(SystemMonitor.MAX_DETAIL_VALUE_LENGTH);
              });
    }
    assertThat(shared.routeCount()).isLessThanOrEqualTo(MAX_ROUTES);
    assertThat(shared.errorTypeCount()).isLessThanOrEqualTo(MAX_ERROR_TYPES);
    assertThat(shared.droppedCount("internal_error")).isZero();
  }

  @Property(tries = 300)
  void setHealthStatus_keepsExactlyWhatWasSet(
      @ForAll boolean healthy, @ForAll("reasons") String reason) {
    shared.setHealthStatus(healthy, reason);

    assertThat(shared.isHealthy()).isEqualTo(healthy);
    assertThat(shared.getHealthReason()).isEqualTo(reason == null ? "" : reason);
  }

  @Provide
  Arbitrary<String> reasons() {
    return Hostile.strings();
  }

  @Property(tries = 200)
  void recordError_keepsTheErrorWithBoundedDetails(
      @ForAll("types") String type, @ForAll("details") Hostile.Details details) {
    shared.recordError(type, details.map());

    ErrorRecord last = shared.getRecentErrors().get(shared.getRecentErrors().size() - 1);
    assertThat(last.errorType()).isEqualTo(label(type));
    assertThat(last.time()).isEqualTo(clock.instant());
    if (details.map() == null) {
      assertThat(last.details()).isEmpty();
    } else {
      // The first 32 keys that are not null, each cut at 256 characters (without splitting a
      // surrogate pair), so that long keys alike that far become one.
      Set<String> keys = new LinkedHashSet<>();
      for (String key : details.map().keySet()) {
        if (keys.size() == SystemMonitor.MAX_DETAIL_ENTRIES) {
          break;
        }
        if (key != null) {
          keys.add(
              key.length() <= 256
                  ? key
                  : key.substring(0, Character.isHighSurrogate(key.charAt(255)) ? 255 : 256));
        }
      }
      assertThat(describe(last.details().keySet()))
          .containsExactlyInAnyOrderElementsOf(describe(keys));
      assertThat(last.details().keySet()).containsExactlyInAnyOrderElementsOf(keys);
    }
  }

  @Provide
  Arbitrary<String> types() {
    return Hostile.strings();
  }

  @Provide
  Arbitrary<Hostile.Details> details() {
    return Hostile.details();
  }

  // ---------------------------------------------------------------- helpers

  /** Keys as (length, first characters in hex), readable in a report even when huge. */
  private static List<String> describe(Set<String> keys) {
    return keys.stream()
        .map(
            k ->
                k.length()
                    + ":"
                    + k.chars()
                        .limit(6)
                        .mapToObj(Integer::toHexString)
                        .collect(java.util.stream.Collectors.joining(" ")))
        .toList();
  }

  private SystemMonitor newMonitor(int port) {
    SystemMonitor.Builder builder =
        SystemMonitor.builder()
            .serviceName("amptalk")
            .enableJvmMetrics(false)
            .collectInterval(Duration.ofHours(1))
            .clock(clock)
            .hostProbe(new FakeHostProbe())
            .maxRoutes(MAX_ROUTES)
            .maxErrorTypes(MAX_ERROR_TYPES)
            .errorHistorySize(ERROR_HISTORY);
    if (port < 0) {
      builder.enablePrometheus(false);
    } else {
      builder.prometheusHost("127.0.0.1").prometheusPort(port);
    }
    return builder.build();
  }

  private static void apply(SystemMonitor monitor, Call call) {
    if (call instanceof Request r) {
      monitor.recordRequest(r.route(), r.method(), r.status(), r.durationMs());
    } else if (call instanceof Failure f) {
      monitor.recordError(f.type(), f.details().map());
    } else if (call instanceof Health h) {
      monitor.setHealthStatus(h.healthy(), h.reason());
    }
  }

  static byte[] scrape(SystemMonitor monitor) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static List<String> series(Exposition.Sample s) {
    return List.of(
        s.label("http_route"),
        s.label("http_request_method"),
        s.label("http_response_status_code"));
  }

  private static Map<String, Long> byLabel(Exposition exposition, String name, String label) {
    Map<String, Long> values = new HashMap<>();
    for (Exposition.Sample s : exposition.samples(name)) {
      values.put(s.label(label), (long) s.value());
    }
    return values;
  }
}
