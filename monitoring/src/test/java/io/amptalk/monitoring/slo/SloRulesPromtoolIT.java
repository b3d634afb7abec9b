package io.amptalk.monitoring.slo;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.testing.Promtool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated rules as Prometheus' own tooling sees them: {@code promtool check rules} accepts
 * them, and {@code promtool test rules} evaluates them on series shaped as the monitor exports
 * them: quiet at a steady 0.05 % of errors (half the 99.9 % objective's budget), all four of the
 * Workbook's alerts firing, with their labels and annotations, at a sustained 2 %.
 */
class SloRulesPromtoolIT {
  @TempDir Path dir;

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private static String alert(String window, String severity, String factor, String shortWindow) {
    return """
                  - exp_labels: {alertname: AmptalkSloBurnRate, slo: checkout, window: %s, severity: %s, service: shop}
                    exp_annotations:
                      summary: "SLO checkout of shop: error budget burning %sx over %s"
                      description: "Over the last %s and the last %s, more than %s times the error budget of 0.1 %% of requests failed the objective (99.9 %% over 30d)."
        """
        .formatted(window, severity, factor, window, window, shortWindow, factor);
  }

  @Test
  void workbookRules_checkClean_quietAtHalfTheBudget_allFourFireAtTwentyTimesIt() throws Exception {
    String promtool = Promtool.path();
    ServiceLevelObjective checkout =
        ServiceLevelObjective.builder("checkout")
            .routes(List.of("/orders"))
            .objective(99.9)
            .build();
    Files.writeString(dir.resolve("slo-rules.yml"), PrometheusRules.yaml(List.of(checkout)));
    String series =
        "http_server_request_duration_seconds_count{service=\"shop\", instance=\"%s\","
            + " http_route=\"%s\", http_request_method=\"GET\", http_response_status_code=\"%s\"}";
    Files.writeString(
        dir.resolve("slo-rules.test.yml"),
        """
        rule_files:
          - slo-rules.yml
        evaluation_interval: 1m
        tests:
          - name: 0.05 %% of errors on two instances, and errors on a route not covered
            interval: 1m
            input_series:
              - series: '%s'
                values: '0+10000x300'
              - series: '%s'
                values: '0+5x300'
              - series: '%s'
                values: '0+10000x300'
              - series: '%s'
                values: '0+5x300'
              - series: '%s'
                values: '0+1000x300'
            alert_rule_test:
              - eval_time: 4h
                alertname: AmptalkSloBurnRate
                exp_alerts: []
          - name: 2 %% of errors fire every alert
            interval: 1m
            input_series:
              - series: '%s'
                values: '0+980x300'
              - series: '%s'
                values: '0+20x300'
            alert_rule_test:
              - eval_time: 4h
                alertname: AmptalkSloBurnRate
                exp_alerts:
        %s%s%s%s"""
            .formatted(
                series.formatted("a:8000", "/orders", "200"),
                series.formatted("a:8000", "/orders", "500"),
                series.formatted("b:8000", "/orders", "200"),
                series.formatted("b:8000", "/orders", "500"),
                series.formatted("a:8000", "/health", "500"),
                series.formatted("a:8000", "/orders", "200"),
                series.formatted("a:8000", "/orders", "500"),
                alert("1h", "critical", "14.4", "5m"),
                alert("6h", "critical", "6", "30m"),
                alert("1d", "warning", "3", "2h"),
                alert("3d", "warning", "1", "6h")));

    assertThat(run(promtool, "check", "rules", dir.resolve("slo-rules.yml").toString()))
        .contains("SUCCESS: 11 rules found");
    assertThat(run(promtool, "test", "rules", dir.resolve("slo-rules.test.yml").toString()))
        .contains("SUCCESS");
  }
}
