package io.amptalk.monitoring.internal.exposition;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.TextExpositionWriterTest;
import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.testing.Hostile;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot;
import io.prometheus.metrics.model.snapshots.StateSetSnapshot.StateSetDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot.UnknownDataPointSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple3;

/**
 * Our text writers against client_java's on generated snapshots: any metric types, names (legacy,
 * dotted, Unicode, with quotes and newlines, with the suffixes the writers treat specially), units,
 * help, label names and values (any chars, unpaired surrogates included), doubles, timestamps and
 * exemplars. In every setting and escaping scheme the bytes must be the same, or both must throw
 * the same exception (see {@link ClientJavaOracle}).
 */
class TextExpositionWriterPropertyTest {

  @Property(tries = 300)
  void write_anySnapshots_sameBytesAsClientJava(@ForAll("bodies") MetricSnapshots snapshots) {
    ClientJavaOracle.assertSameBytes(snapshots);
  }

  /**
   * The request histogram straight from our cells, any routes and durations recorded under a
   * sampled span or not: the same bytes as client_java, and in OpenMetrics one exemplar for each
   * bucket that a sampled request fell into (its value within the bucket's bounds, or the writer
   * would not find it).
   */
  @Property(tries = 100)
  void write_requestHistogramWithExemplars_sameBytesAsClientJava(
      @ForAll("requests") List<Tuple3<String, Double, Boolean>> requests) {
    RequestMetrics metrics = new RequestMetrics(8, () -> 1_700_000_000_000_000_000L, () -> {});
    Set<List<Object>> sampledBuckets = new HashSet<>();
    try (SdkTracerProvider tracing =
        SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build()) {
      Tracer tracer = tracing.get("test");
      for (Tuple3<String, Double, Boolean> request : requests) {
        if (request.get3()) {
          try (Scope ignored = tracer.spanBuilder("request").startSpan().makeCurrent()) {
            metrics.record(request.get1(), "GET", 200, request.get2());
          }
        } else {
          metrics.record(request.get1(), "GET", 200, request.get2());
        }
      }
    }
    MetricSnapshots snapshots = MetricSnapshots.of(metrics.prometheusSnapshot());
    ClientJavaOracle.assertSameBytes(snapshots);

    for (HistogramDataPointSnapshot point : metrics.prometheusSnapshot().getDataPoints()) {
      for (int i = 0; i < point.getExemplars().size(); i++) {
        sampledBuckets.add(
            List.of(
                point.getLabels(),
                RequestMetrics.bucketIndex(point.getExemplars().get(i).getValue())));
      }
    }
    long exemplarLines =
        Arrays.stream(
                new String(
                        ClientJavaOracle.render(
                            new OpenMetricsTextWriter(false, false),
                            snapshots,
                            EscapingScheme.DEFAULT),
                        StandardCharsets.UTF_8)
                    // Lines end in \n only: a label value may hold a raw \r, which lines() splits
                    // at.
                    .split("\n", -1))
            .filter(l -> l.contains("_bucket{") && l.contains(" # {span_id=\""))
            .count();
    assertThat(exemplarLines).isEqualTo(sampledBuckets.size());
    assertThat(sampledBuckets.isEmpty()).isEqualTo(requests.stream().noneMatch(Tuple3::get3));
  }

  @Provide
  Arbitrary<List<Tuple3<String, Double, Boolean>>> requests() {
    return Combinators.combine(
            Arbitraries.oneOf(Arbitraries.of("/a", "/b/{id}"), Hostile.strings()),
            Hostile.doubles().filter(RequestMetrics::isValidDuration),
            Arbitraries.of(true, false))
        .as(Tuple::of)
        .list()
        .ofMinSize(1)
        .ofMaxSize(40);
  }

  @Provide
  Arbitrary<MetricSnapshots> bodies() {
    return Arbitraries.oneOf(
            counter(), gauge(), histogram(), summary(), info(), stateSet(), unknown())
        .list()
        .ofMinSize(1)
        .ofMaxSize(6)
        .map(list -> build(() -> new MetricSnapshots(list)))
        .filter(Objects::nonNull);
  }

  // ---------------------------------------------------------------- metrics

  private Arbitrary<MetricSnapshot> counter() {
    Arbitrary<CounterDataPointSnapshot> point =
        Combinators.combine(nonNegative(), labels(), exemplar().injectNull(0.5), timestamps())
            .as((v, l, e, t) -> build(() -> new CounterDataPointSnapshot(v, l, e, t[0], t[1])));
    return metric(point, (metadata, points) -> new CounterSnapshot(metadata, points));
  }

  private Arbitrary<MetricSnapshot> gauge() {
    Arbitrary<GaugeDataPointSnapshot> point =
        Combinators.combine(value(), labels(), exemplar().injectNull(0.5), timestamp())
            .as((v, l, e, t) -> build(() -> new GaugeDataPointSnapshot(v, l, e, t)));
    return metric(point, (metadata, points) -> new GaugeSnapshot(metadata, points));
  }

  private Arbitrary<MetricSnapshot> unknown() {
    Arbitrary<UnknownDataPointSnapshot> point =
        Combinators.combine(value(), labels(), exemplar().injectNull(0.5), timestamp())
            .as((v, l, e, t) -> build(() -> new UnknownDataPointSnapshot(v, l, e, t)));
    return metric(point, (metadata, points) -> new UnknownSnapshot(metadata, points));
  }

  private Arbitrary<MetricSnapshot> histogram() {
    Arbitrary<ClassicHistogramBuckets> buckets =
        Combinators.combine(
                value().filter(d -> !Double.isNaN(d)).set().ofMaxSize(6),
                Arbitraries.longs().between(0, 1_000_000).list().ofSize(7))
            .as(
                (bounds, counts) -> {
                  TreeSet<Double> all = new TreeSet<>(bounds);
                  all.add(Double.POSITIVE_INFINITY);
                  double[] upper = all.stream().mapToDouble(Double::doubleValue).toArray();
                  long[] count =
                      counts.stream().mapToLong(Long::longValue).limit(upper.length).toArray();
                  return build(() -> ClassicHistogramBuckets.of(upper, count));
                })
            .filter(Objects::nonNull);
    Arbitrary<HistogramDataPointSnapshot> classic =
        Combinators.combine(buckets, value(), labels(), exemplars(), timestamps())
            .as(
                (b, sum, l, e, t) ->
                    build(
                        () ->
                            new HistogramDataPointSnapshot(
                                b,
                                0,
                                0,
                                0,
                                NativeHistogramBuckets.EMPTY,
                                NativeHistogramBuckets.EMPTY,
                                sum,
                                l,
                                e,
                                t[0],
                                t[1])));
    Arbitrary<HistogramDataPointSnapshot> nativeOnly =
        Combinators.combine(value(), labels(), exemplars(), timestamps())
            .as(
                (sum, l, e, t) ->
                    build(
                        () ->
                            new HistogramDataPointSnapshot(
                                ClassicHistogramBuckets.EMPTY,
                                2,
                                1,
                                1e-3,
                                NativeHistogramBuckets.of(new int[] {1, 3}, new long[] {2, 5}),
                                NativeHistogramBuckets.EMPTY,
                                sum,
                                l,
                                e,
                                t[0],
                                t[1])));
    Arbitrary<HistogramDataPointSnapshot> point =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, classic), net.jqwik.api.Tuple.of(1, nativeOnly));
    return Arbitraries.of(false, true)
        .flatMap(
            gauge ->
                metric(
                    point, (metadata, points) -> new HistogramSnapshot(gauge, metadata, points)));
  }

  private Arbitrary<MetricSnapshot> summary() {
    Arbitrary<Quantiles> quantiles =
        Combinators.combine(Arbitraries.doubles().between(0, 1), value())
            .as(Quantile::new)
            .list()
            .ofMaxSize(4)
            .uniqueElements(Quantile::getQuantile)
            .map(Quantiles::of);
    Arbitrary<SummaryDataPointSnapshot> point =
        Combinators.combine(
                Arbitraries.longs().between(-1, Long.MAX_VALUE),
                value(),
                quantiles,
                labels(),
                exemplars(),
                timestamps())
            .as(
                (count, sum, q, l, e, t) ->
                    build(() -> new SummaryDataPointSnapshot(count, sum, q, l, e, t[0], t[1])));
    return metric(point, (metadata, points) -> new SummarySnapshot(metadata, points));
  }

  private Arbitrary<MetricSnapshot> info() {
    Arbitrary<InfoDataPointSnapshot> point =
        Combinators.combine(labels(), timestamp())
            .as((l, t) -> build(() -> new InfoDataPointSnapshot(l, t)));
    return metric(point, (metadata, points) -> new InfoSnapshot(metadata, points));
  }

  private Arbitrary<MetricSnapshot> stateSet() {
    Arbitrary<StateSetDataPointSnapshot> point =
        Combinators.combine(
                string().filter(s -> !s.isEmpty()).set().ofMinSize(1).ofMaxSize(4),
                Arbitraries.of(true, false).list().ofSize(4),
                labels(),
                timestamp())
            .as(
                (names, values, l, t) -> {
                  boolean[] states = new boolean[names.size()];
                  for (int i = 0; i < states.length; i++) {
                    states[i] = values.get(i);
                  }
                  return build(
                      () ->
                          new StateSetDataPointSnapshot(
                              names.toArray(String[]::new), states, l, t));
                });
    return metric(point, (metadata, points) -> new StateSetSnapshot(metadata, points), false);
  }

  interface Factory<P> {
    MetricSnapshot create(MetricMetadata metadata, List<P> points);
  }

  private <P> Arbitrary<MetricSnapshot> metric(Arbitrary<P> point, Factory<P> factory) {
    return metric(point, factory, true);
  }

  /**
   * Metadata and one to five points with distinct labels, the whole built or discarded (metrics
   * without points are in the example tests).
   */
  private <P> Arbitrary<MetricSnapshot> metric(
      Arbitrary<P> point, Factory<P> factory, boolean units) {
    Arbitrary<List<P>> points =
        point
            .filter(Objects::nonNull)
            .list()
            .ofMinSize(1)
            .ofMaxSize(5)
            .uniqueElements(
                p -> ((io.prometheus.metrics.model.snapshots.DataPointSnapshot) p).getLabels());
    return Combinators.combine(metadata(units), points)
        .as((metadata, list) -> build(() -> factory.create(metadata, list)))
        .filter(Objects::nonNull);
  }

  // ---------------------------------------------------------------- parts

  private Arbitrary<MetricMetadata> metadata(boolean units) {
    Arbitrary<String> stem =
        Arbitraries.oneOf(
            Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8),
            Arbitraries.of(
                "http.server.request.duration",
                "jvm.memory.used",
                "métrique",
                "日本",
                "a-b",
                "with space",
                "quo\"te",
                "back\\slash",
                "new\nline",
                "_under",
                ":colon",
                "9digit",
                "target"),
            Arbitraries.strings().all().ofMinLength(1).ofMaxLength(6));
    Arbitrary<String> tail =
        Arbitraries.of("", "", "", "_total", ".total", "_info", ".info", ".created", "_bucket");
    Arbitrary<Unit> unit =
        units
            ? Arbitraries.of(Unit.SECONDS, Unit.BYTES, new Unit("requests")).injectNull(0.6)
            : Arbitraries.just(null);
    Arbitrary<String> help = Arbitraries.oneOf(string(), Arbitraries.just("")).injectNull(0.2);
    Arbitrary<Boolean> counterSuffix = Arbitraries.of(false, false, true);
    return Combinators.combine(stem, tail, unit, help, counterSuffix)
        .as(
            (s, t, u, h, c) -> {
              String name = s + t;
              if (!PrometheusNaming.isValidMetricName(name)) {
                return null;
              }
              if (u != null) {
                name = name + "_" + u;
              }
              String finalName = name;
              return build(
                  () ->
                      MetricMetadata.builder()
                          .name(finalName)
                          .help(h)
                          .unit(u)
                          .counterSuffix(c)
                          .build());
            })
        .filter(Objects::nonNull);
  }

  /** Any chars, or one of the values known to need escaping. */
  private static Arbitrary<String> string() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(12),
        Arbitraries.strings().withChars("a\\\"\n é🎉\uD800\uDC00").ofMaxLength(12),
        Arbitraries.of(TextExpositionWriterTest.HOSTILE_VALUES));
  }

  private static Arbitrary<Labels> labels() {
    Arbitrary<String> name =
        Arbitraries.of(
            "path",
            "method",
            "status",
            "http.route",
            "läbel",
            "_hidden",
            "a1",
            "odd name",
            "Ünï",
            "trace_id",
            "x-y");
    return Combinators.combine(name.set().ofMaxSize(3), string().list().ofSize(3))
        .as(
            (names, values) ->
                build(
                    () -> {
                      List<String> n = new ArrayList<>(names);
                      return Labels.of(n, values.subList(0, n.size()));
                    }))
        .filter(Objects::nonNull);
  }

  private static Arbitrary<Double> value() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            Arrays.stream(TextExpositionWriterTest.EDGE_DOUBLES).boxed().toArray(Double[]::new)),
        Arbitraries.doubles(),
        Arbitraries.longs().between(-20_000_000, 20_000_000).map(Long::doubleValue),
        Arbitraries.longs().map(Double::longBitsToDouble));
  }

  private static Arbitrary<Double> nonNegative() {
    return value().map(Math::abs);
  }

  private static Arbitrary<Long> timestamp() {
    return Arbitraries.oneOf(
        Arbitraries.just(0L),
        Arbitraries.longs().between(1, 4_102_444_800_000L),
        Arbitraries.of(1L, 10L, 999L, 1000L, 1001L, Long.MAX_VALUE));
  }

  /** A created and a scrape timestamp (0: none), the scrape never before the creation. */
  private static Arbitrary<long[]> timestamps() {
    return Combinators.combine(timestamp(), timestamp())
        .as(
            (a, b) ->
                a == 0 || b == 0 ? new long[] {a, b} : new long[] {Math.min(a, b), Math.max(a, b)});
  }

  private static Arbitrary<Exemplar> exemplar() {
    return Combinators.combine(value(), labels(), timestamp())
        .as((v, l, t) -> build(() -> new Exemplar(v, l, t)))
        .filter(Objects::nonNull);
  }

  private static Arbitrary<Exemplars> exemplars() {
    return exemplar().list().ofMaxSize(3).map(Exemplars::of);
  }

  /** What the model refuses (a negative counter, a reserved label...) is discarded: null. */
  private static <T> T build(Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
