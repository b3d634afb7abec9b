package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
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
}
