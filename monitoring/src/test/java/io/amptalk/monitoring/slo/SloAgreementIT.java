package io.amptalk.monitoring.slo;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.internal.slo.SloEvaluator;
import io.amptalk.monitoring.testing.Promtool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service and Prometheus agree: one traffic trace (two hours at a steady 0.05 % of errors, a 2
 * % incident of 40 minutes, then six hours of recovery, 10,000 requests a minute) replayed into the
 * library on a test-driven time line, and given to {@code promtool test rules} as the series the
 * monitor exports, for the rules {@link PrometheusRules} generates. Every minute at which the
 * service's set of firing burn-rate alerts changes is checked in promtool: the minute before it
 * must have the old set, the minute of it the new one. The tolerance is therefore none: a change
 * seen by the service after the requests of minute m is the change Prometheus sees when it
 * evaluates at the end of minute m (its range [t - w, t] then holds the samples at both ends, so
 * {@code rate} needs no extrapolation and its ratio is the service's count ratio, exactly).
 */
class SloAgreementIT {
  private static final long MINUTE_NANOS = 60_000_000_000L;
  private static final int PER_MINUTE = 10_000;

  @TempDir Path dir;

  /** Errors in each minute of the trace. */
  private static int[] trace() {
    int[] errors = new int[120 + 40 + 360];
    for (int m = 0; m < errors.length; m++) {
      errors[m] = m >= 120 && m < 160 ? 200 : 5;
    }
    return errors;
  }

  @Test
  void theServiceAndPromtool_fireAndResolveTheSameAlertsInTheSameMinutes() throws Exception {
    String promtool = Promtool.path();
    ServiceLevelObjective checkout =
        ServiceLevelObjective.builder("checkout")
            .routes(List.of("/orders"))
            .objective(99.9)
            .build();
    int[] errors = trace();

    // The service: after the requests of minute m, the evaluation at the end of minute m.
    TreeMap<Integer, Set<String>> changes = new TreeMap<>();
    RequestMetrics requests = new RequestMetrics(200, () -> 0L, () -> {});
    AtomicLong nanos = new AtomicLong();
    try (AlertSystem alerts =
        AlertSystem.builder()
            .serviceName("shop")
            .clock(Clock.fixed(Instant.parse("2026-12-02T00:00:00Z"), ZoneOffset.UTC))
            .noRateLimit()
            .build()) {
      SloEvaluator evaluator =
          new SloEvaluator(
              List.of(checkout),
              requests::forEachSeries,
              alerts,
              key -> Optional.empty(),
              Clock.fixed(Instant.parse("2026-12-02T00:00:00Z"), ZoneOffset.UTC),
              nanos::get);
      Set<String> last = Set.of();
      for (int m = 0; m < errors.length; m++) {
        for (int i = 0; i < PER_MINUTE; i++) {
          requests.record("/orders", "POST", i < errors[m] ? 503 : 201, 20);
        }
        evaluator.evaluate();
        Set<String> firing =
            evaluator.status().get(0).firing().stream()
                .map(a -> BurnRateAlert.shortForm(a.longWindow()))
                .collect(Collectors.toSet());
        if (!firing.equals(last)) {
          changes.put(m, firing);
          last = firing;
        }
        nanos.addAndGet(MINUTE_NANOS);
      }
    }
    // The trace's changes as the service saw them: the tickets fire during the incident and
    // resolve in the recovery; the pages never (the trace burns 20 times the budget for 40
    // minutes, which the 1-hour and 6-hour windows dilute below 14.4 and 6 times).
    assertThat(changes.keySet()).containsExactly(123, 137, 264, 510);
    assertThat(changes.get(137)).containsExactlyInAnyOrder("1d", "3d");
    assertThat(changes.get(510)).isEmpty();

    // Prometheus: the sample at t = m minutes holds the requests of minutes 0 .. m - 1, so the
    // service's evaluation after minute m is Prometheus' at t = m + 1 minutes.
    StringBuilder good = new StringBuilder("0");
    StringBuilder bad = new StringBuilder("0");
    long goodSum = 0;
    long badSum = 0;
    for (int error : errors) {
      goodSum += PER_MINUTE - error;
      badSum += error;
      good.append(' ').append(goodSum);
      bad.append(' ').append(badSum);
    }
    List<String> checks = new ArrayList<>();
    Set<String> previous = Set.of();
    for (var change : changes.entrySet()) {
      int t = change.getKey() + 1;
      checks.add(check(t - 1, previous));
      checks.add(check(t, change.getValue()));
      previous = change.getValue();
    }
    Files.writeString(dir.resolve("slo-rules.yml"), PrometheusRules.yaml(List.of(checkout)));
    String series =
        "http_server_request_duration_seconds_count{service=\"shop\", instance=\"a:8000\","
            + " http_route=\"/orders\", http_request_method=\"POST\","
            + " http_response_status_code=\"%s\"}";
    Files.writeString(
        dir.resolve("agreement.test.yml"),
        """
        rule_files:
          - slo-rules.yml
        evaluation_interval: 1m
        tests:
          - name: the service's changes of the firing alerts, a minute before and at each
            interval: 1m
            input_series:
              - series: '%s'
                values: '%s'
              - series: '%s'
                values: '%s'
            alert_rule_test:
        %s
        """
            .formatted(
                series.formatted("201"),
                good,
                series.formatted("503"),
                bad,
                String.join("", checks)));

    assertThat(run(promtool, "test", "rules", dir.resolve("agreement.test.yml").toString()))
        .contains("SUCCESS");
  }

  /** The promtool check that at {@code minute} exactly {@code windows}' alerts fire. */
  private static String check(int minute, Set<String> windows) {
    StringBuilder out = new StringBuilder();
    out.append("      - eval_time: ").append(minute).append("m\n");
    out.append("        alertname: AmptalkSloBurnRate\n");
    if (windows.isEmpty()) {
      out.append("        exp_alerts: []\n");
      return out.toString();
    }
    out.append("        exp_alerts:\n");
    for (BurnRateAlert alert : BurnRateAlert.WORKBOOK) {
      String window = BurnRateAlert.shortForm(alert.longWindow());
      if (!windows.contains(window)) {
        continue;
      }
      String factor =
          java.math.BigDecimal.valueOf(alert.factor()).stripTrailingZeros().toPlainString();
      out.append(
          """
                    - exp_labels: {alertname: AmptalkSloBurnRate, slo: checkout, window: %s, severity: %s, service: shop}
                      exp_annotations:
                        summary: "SLO checkout of shop: error budget burning %sx over %s"
                        description: "Over the last %s and the last %s, more than %s times the error budget of 0.1 %% of requests failed the objective (99.9 %% over 30d)."
          """
              .formatted(
                  window,
                  alert.severity().jsonName(),
                  factor,
                  window,
                  window,
                  BurnRateAlert.shortForm(alert.shortWindow()),
                  factor));
    }
    return out.toString();
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }
}
