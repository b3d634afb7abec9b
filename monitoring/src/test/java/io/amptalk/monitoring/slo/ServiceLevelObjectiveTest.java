package io.amptalk.monitoring.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.alert.AlertSeverity;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceLevelObjectiveTest {

  @Test
  void defaults_availabilityOfAllRoutesOver30Days_withTheWorkbooksFourAlerts() {
    ServiceLevelObjective slo = ServiceLevelObjective.builder("api").objective(99.9).build();

    assertThat(slo.indicator()).isEqualTo(new ServiceLevelObjective.Availability(Set.of()));
    assertThat(slo.routes()).isEmpty();
    assertThat(slo.routePattern()).isNull();
    assertThat(slo.window()).isEqualTo(Duration.ofDays(30));
    assertThat(slo.errorBudget()).isEqualTo(0.001);
    assertThat(slo.alerts()).isEqualTo(BurnRateAlert.WORKBOOK);
    assertThat(slo.alerts())
        .extracting(
            a ->
                BurnRateAlert.shortForm(a.longWindow())
                    + "/"
                    + BurnRateAlert.shortForm(a.shortWindow())
                    + " "
                    + a.factor()
                    + " "
                    + a.severity())
        .containsExactly(
            "1h/5m 14.4 CRITICAL", "6h/30m 6.0 CRITICAL", "1d/2h 3.0 WARNING", "3d/6h 1.0 WARNING");
  }

  @Test
  void badInput_failsNamingTheFieldAndTheValue() {
    assertThatThrownBy(() -> ServiceLevelObjective.builder("api").objective(100))
        .hasMessage("objective must be a percentage above 0 and below 100, was 100.0");
    assertThatThrownBy(() -> ServiceLevelObjective.builder("api").objective(120.5))
        .hasMessage("objective must be a percentage above 0 and below 100, was 120.5");
    assertThatThrownBy(
            () ->
                ServiceLevelObjective.builder("api")
                    .objective(99)
                    .window(Duration.ofDays(1))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("window must be at least the longest burn-rate window 3d, was 1d");
    assertThatThrownBy(() -> ServiceLevelObjective.builder("api").latency(Duration.ofMillis(300)))
        .hasMessage(
            "latency threshold must be one of the request histogram's bucket bounds [0.005, 0.01,"
                + " 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0] (seconds),"
                + " was PT0.3S");
    assertThatThrownBy(() -> ServiceLevelObjective.builder("api").routes(List.of()))
        .hasMessage("routes must not be empty, was []: leave it out to cover all routes");
    assertThatThrownBy(() -> ServiceLevelObjective.builder("api").routePattern("/users/("))
        .hasMessageStartingWith("routePattern must be a regular expression, was '/users/(': ");
    assertThatThrownBy(() -> ServiceLevelObjective.builder("my slo"))
        .hasMessage(
            "name must be letters, digits, '_', '.' or '-' (at most 64 characters, starting with a"
                + " letter or digit), was 'my slo'");
    assertThatThrownBy(() -> ServiceLevelObjective.builder("api").build())
        .hasMessage("objective is required for 'api'");
    assertThatThrownBy(() -> ServiceLevelObjective.builder("api").availability(Set.of(200, 700)))
        .hasMessage("goodStatuses must be statuses 100..599, was [200, 700]");
    assertThatThrownBy(
            () ->
                new BurnRateAlert(
                    AlertSeverity.CRITICAL, Duration.ofMinutes(5), Duration.ofHours(1), 14.4))
        .hasMessage("shortWindow must be shorter than longWindow 5m, was 1h");
    assertThatThrownBy(
            () ->
                new BurnRateAlert(
                    AlertSeverity.CRITICAL, Duration.ofHours(1), Duration.ofSeconds(90), 14.4))
        .hasMessage("a burn-rate window must be a positive whole number of minutes, was 90s");
    assertThatThrownBy(
            () ->
                new BurnRateAlert(
                    AlertSeverity.CRITICAL, Duration.ofHours(1), Duration.ofMinutes(5), 0))
        .hasMessage("factor must be a positive number, was 0.0");
  }

  @Test
  void rules_twoObjectivesWithOneName_areRefused() {
    ServiceLevelObjective one = ServiceLevelObjective.builder("api").objective(99).build();
    assertThatThrownBy(() -> PrometheusRules.yaml(List.of(one, one)))
        .hasMessage("slos: two objectives are named 'api'");
  }

  @Test
  void rules_forAvailabilityAndLatency_exactly() {
    BurnRateAlert page =
        new BurnRateAlert(AlertSeverity.CRITICAL, Duration.ofHours(1), Duration.ofMinutes(5), 14.4);
    ServiceLevelObjective availability =
        ServiceLevelObjective.builder("orders")
            .routes(List.of("/orders", "/users/{id}"))
            .objective(99.9)
            .alerts(List.of(page))
            .build();
    ServiceLevelObjective latency =
        ServiceLevelObjective.builder("fast")
            .latency(Duration.ofMillis(250))
            .objective(99)
            .window(Duration.ofDays(7))
            .alerts(List.of(page))
            .build();

    assertThat(PrometheusRules.yaml(List.of(availability, latency)))
        .isEqualTo(
            """
            # Recording and alerting rules of the service level objectives: error ratios over each window,
            # and the multi-window, multi-burn-rate alerts of the SRE Workbook. Generated by amptalk-monitor slo-rules.
            groups:
              - name: slo-orders
                rules:
                  - record: slo:sli_error:ratio_rate5m
                    expr: |
                      sum by (service) (rate(http_server_request_duration_seconds_count{http_route=~"/orders|/users/\\\\{id\\\\}",http_response_status_code=~"5.."}[5m])) / sum by (service) (rate(http_server_request_duration_seconds_count{http_route=~"/orders|/users/\\\\{id\\\\}"}[5m]))
                    labels:
                      slo: orders
                  - record: slo:sli_error:ratio_rate1h
                    expr: |
                      sum by (service) (rate(http_server_request_duration_seconds_count{http_route=~"/orders|/users/\\\\{id\\\\}",http_response_status_code=~"5.."}[1h])) / sum by (service) (rate(http_server_request_duration_seconds_count{http_route=~"/orders|/users/\\\\{id\\\\}"}[1h]))
                    labels:
                      slo: orders
                  - alert: AmptalkSloBurnRate
                    expr: |
                      slo:sli_error:ratio_rate1h{slo="orders"} > (14.4 * 0.001)
                      and
                      slo:sli_error:ratio_rate5m{slo="orders"} > (14.4 * 0.001)
                    labels:
                      slo: orders
                      window: 1h
                      severity: critical
                    annotations:
                      summary: "SLO orders of {{ $labels.service }}: error budget burning 14.4x over 1h"
                      description: "Over the last 1h and the last 5m, more than 14.4 times the error budget of 0.1 % of requests failed the objective (99.9 % over 30d)."
              - name: slo-fast
                rules:
                  - record: slo:sli_error:ratio_rate5m
                    expr: |
                      1 - (sum by (service) (rate(http_server_request_duration_seconds_bucket{le="0.25"}[5m])) / sum by (service) (rate(http_server_request_duration_seconds_count[5m])))
                    labels:
                      slo: fast
                  - record: slo:sli_error:ratio_rate1h
                    expr: |
                      1 - (sum by (service) (rate(http_server_request_duration_seconds_bucket{le="0.25"}[1h])) / sum by (service) (rate(http_server_request_duration_seconds_count[1h])))
                    labels:
                      slo: fast
                  - alert: AmptalkSloBurnRate
                    expr: |
                      slo:sli_error:ratio_rate1h{slo="fast"} > (14.4 * 0.01)
                      and
                      slo:sli_error:ratio_rate5m{slo="fast"} > (14.4 * 0.01)
                    labels:
                      slo: fast
                      window: 1h
                      severity: critical
                    annotations:
                      summary: "SLO fast of {{ $labels.service }}: error budget burning 14.4x over 1h"
                      description: "Over the last 1h and the last 5m, more than 14.4 times the error budget of 1 % of requests failed the objective (99 % over 7d)."
            """);
  }
}
