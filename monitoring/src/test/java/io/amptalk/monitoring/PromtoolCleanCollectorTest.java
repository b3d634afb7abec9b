package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.internal.exposition.ClientJavaOracle;
import io.amptalk.monitoring.internal.exposition.PromtoolCleanCollector;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.MutableClock;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromtoolCleanCollectorTest {

  @Test
  void gaugeName_replacesCountSuffixWithPlural() {
    assertThat(PromtoolCleanCollector.gaugeName("process_thread_count"))
        .isEqualTo("process_threads");
    assertThat(PromtoolCleanCollector.gaugeName("process_open_file_descriptor_count"))
        .isEqualTo("process_open_file_descriptors");
    assertThat(PromtoolCleanCollector.gaugeName("jvm_class_count")).isEqualTo("jvm_classes");
    assertThat(PromtoolCleanCollector.gaugeName("jvm_cpu_count")).isEqualTo("jvm_cpus");
    assertThat(PromtoolCleanCollector.gaugeName("box_count")).isEqualTo("boxes");
  }

  @Test
  void collect_renamesCountGauges_addsTargetInfoHelp_leavesOthers() {
    GaugeSnapshot threads =
        GaugeSnapshot.builder()
            .name("process_thread_count")
            .help("Threads")
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(12).build())
            .build();
    CounterSnapshot errors =
        CounterSnapshot.builder()
            .name("app_errors")
            .help("Errors")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(3).build())
            .build();
    InfoSnapshot target =
        InfoSnapshot.builder()
            .name("target")
            .dataPoint(
                InfoSnapshot.InfoDataPointSnapshot.builder()
                    .labels(Labels.of("service_name", "amptalk"))
                    .build())
            .build();

    MetricSnapshots cleaned =
        new PromtoolCleanCollector(() -> MetricSnapshots.of(threads, errors, target)).collect();

    List<MetricSnapshot> list = cleaned.stream().toList();
    assertThat(list)
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder("process_threads", "app_errors", "target");
    MetricSnapshot renamed =
        list.stream()
            .filter(s -> s.getMetadata().getName().equals("process_threads"))
            .findFirst()
            .orElseThrow();
    assertThat(renamed.getMetadata().getHelp()).isEqualTo("Threads");
    assertThat(((GaugeSnapshot) renamed).getDataPoints().get(0).getValue()).isEqualTo(12.0);
    assertThat(list)
        .filteredOn(s -> s.getMetadata().getName().equals("target"))
        .singleElement()
        .satisfies(s -> assertThat(s.getMetadata().getHelp()).isEqualTo("Target metadata"));
    assertThat(list)
        .filteredOn(s -> s.getMetadata().getName().equals("app_errors"))
        .singleElement()
        .isSameAs(errors);
  }

  @Test
  void collect_withTheMonitorsRequestSnapshot_sameSnapshotsAndBodiesAsThroughTheExporter() {
    // Sub-millisecond start times: the created timestamps are cut to milliseconds alike.
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00.123456789Z"));
    PrometheusMetricReader throughExporter = prometheusReader();
    PrometheusMetricReader direct = prometheusReader();
    InMemoryMetricReader otlp = InMemoryMetricReader.create();
    try (SystemMonitor monitor =
        SystemMonitor.builder()
            .enablePrometheus(false)
            .enableJvmMetrics(false)
            .clock(clock)
            .hostProbe(new FakeHostProbe())
            .collectInterval(Duration.ofHours(1))
            .maxRoutes(3)
            .metricReader(throughExporter)
            .metricReader(direct)
            .metricReader(otlp)
            .build()) {
      monitor.recordRequest("/users/{id}", "GET", 200, 12.5);
      clock.advance(Duration.ofNanos(1_700_001));
      monitor.recordRequest("/users/{id}", "GET", 200, 3000);
      monitor.recordRequest("/users/{id}", "post", 503, 70);
      clock.advance(Duration.ofSeconds(3));
      monitor.recordRequest("/a\"b\\c\nd", "PROPFIND", 500, 0.001);
      monitor.recordRequest(null, null, 404, 1e12); // beyond the last bound, +Inf
      monitor.recordRequest("/beyond/max/routes", "DELETE", 204, 5);
      monitor.recordRequest("other", "DELETE", 204, 7.5);
      monitor.recordRequest("/never/requested/again", "HEAD", 301, 0);
      monitor.recordError("timeout", null);
      clock.advance(Duration.ofSeconds(1));

      MetricSnapshots expected = new PromtoolCleanCollector(throughExporter).collect();
      MetricSnapshots actual = monitor.prometheusCollector(direct).collect();

      assertThat(actual.stream().map(m -> m.getMetadata().getName()))
          .containsExactlyElementsOf(expected.stream().map(m -> m.getMetadata().getName()).toList())
          .contains("http_server_request_duration_seconds", "app_errors", "target");
      assertSameMetadata(requestHistogram(actual), requestHistogram(expected));
      assertThat(requestHistogram(actual).getDataPoints()).hasSize(6);
      for (ClientJavaOracle.Pair writers : ClientJavaOracle.pairs()) {
        String body = text(writers, actual);
        assertThat(body).as(writers.settings()).isEqualTo(text(writers, expected));
        assertThat(body)
            .contains(
                "http_request_method=\"_OTHER\",http_response_status_code=\"500\"",
                "http_response_status_code=\"404\",http_route=\"unknown\"",
                "http_request_method=\"DELETE\",http_response_status_code=\"204\","
                    + "http_route=\"other\"");
      }

      // The other readers, on this thread too, still get the histogram from the producer.
      assertThat(otlp.collectAllMetrics())
          .filteredOn(m -> m.getName().equals("http.server.request.duration"))
          .singleElement()
          .satisfies(
              m -> {
                List<HistogramPointData> points = List.copyOf(m.getHistogramData().getPoints());
                assertThat(points).hasSize(6);
                assertThat(points).extracting(HistogramPointData::getCount).contains(2L, 1L);
              });
    }
  }

  @Test
  void collect_withARequestSnapshot_putsItInPlaceOfTheExportersFamily() {
    HistogramSnapshot ours = new HistogramSnapshot(RequestMetrics.PROMETHEUS_METADATA, List.of());
    HistogramSnapshot exporters =
        new HistogramSnapshot(RequestMetrics.PROMETHEUS_METADATA, List.of());

    List<MetricSnapshot> with =
        new PromtoolCleanCollector(() -> MetricSnapshots.of(exporters), () -> ours)
            .collect().stream().toList();
    List<MetricSnapshot> without =
        new PromtoolCleanCollector(() -> MetricSnapshots.of(exporters)).collect().stream().toList();

    assertThat(with).hasSize(1);
    assertThat(with.get(0)).isSameAs(ours);
    assertThat(without).hasSize(1);
    assertThat(without.get(0)).isSameAs(exporters);
  }

  private static PrometheusMetricReader prometheusReader() {
    // As SystemMonitor configures the reader for /metrics.
    return PrometheusMetricReader.builder().setOtelScopeLabelsEnabled(false).build();
  }

  private static MetricSnapshot requestHistogram(MetricSnapshots snapshots) {
    return snapshots.stream()
        .filter(s -> s.getMetadata().getName().equals("http_server_request_duration_seconds"))
        .findFirst()
        .orElseThrow();
  }

  private static void assertSameMetadata(MetricSnapshot actual, MetricSnapshot expected) {
    assertThat(actual).isInstanceOf(HistogramSnapshot.class);
    assertThat(expected).isInstanceOf(HistogramSnapshot.class);
    MetricMetadata a = actual.getMetadata();
    MetricMetadata e = expected.getMetadata();
    assertThat(List.of(a.getName(), a.getPrometheusName(), a.getOriginalName()))
        .isEqualTo(List.of(e.getName(), e.getPrometheusName(), e.getOriginalName()));
    assertThat(List.of(a.getExpositionBaseName(), a.getExpositionBasePrometheusName()))
        .isEqualTo(List.of(e.getExpositionBaseName(), e.getExpositionBasePrometheusName()));
    assertThat(a.getHelp()).isEqualTo(e.getHelp());
    assertThat(a.getUnit()).isEqualTo(e.getUnit());
  }

  private static String text(ClientJavaOracle.Pair writers, MetricSnapshots snapshots) {
    return new String(
        ClientJavaOracle.render(writers.ours(), snapshots, EscapingScheme.DEFAULT),
        StandardCharsets.UTF_8);
  }
}
