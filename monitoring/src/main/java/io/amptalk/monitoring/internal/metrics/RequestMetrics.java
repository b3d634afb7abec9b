package io.amptalk.monitoring.internal.metrics;

import io.amptalk.monitoring.internal.exposition.PromtoolCleanCollector;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramBuckets;
import io.opentelemetry.sdk.metrics.data.ExponentialHistogramPointData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Exemplar;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.NativeHistogramBuckets;
import io.prometheus.metrics.model.snapshots.Unit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import java.util.stream.DoubleStream;

/**
 * The {@code http.server.request.duration} histogram, recorded into our own lock-free cells and
 * handed to the OpenTelemetry SDK at collection time.
 *
 * <p>Why not the SDK's own histogram: a caller passes strings and an int, so the SDK would need an
 * {@code Attributes} built (and allocated) on every call, then hashed into its own map. Here the
 * route is looked up by its cached {@code String} hash, the method by a switch and the status by
 * array index, and each (route, method, status) cell keeps its {@code Attributes} from creation. A
 * record is then two atomic adds into the cell's one {@code long[]} (the bucket, and the sum in
 * whole nanoseconds), without allocation: measured against a bare {@code LongAdder} per counter and
 * bucket, and against {@code LongAdder}s per cell, this was the fastest at one and at two threads
 * (see BENCHMARKS.md). The count is the sum of the buckets, so {@code _count} always equals the
 * {@code +Inf} bucket.
 *
 * <p>The cells are read two ways: as OpenTelemetry points for the SDK's readers (OTLP, console),
 * and as a Prometheus {@link HistogramSnapshot} for {@code /metrics} (see {@link
 * PromtoolCleanCollector}), which skips the exporter's conversion of hundreds of series to
 * Prometheus labels and buckets on every scrape. Both give the same series.
 *
 * <p>Exemplars: when the recording thread has a current OpenTelemetry span that is valid and
 * sampled, the observation's bucket keeps it as an exemplar (trace and span id, the value, the
 * monitor's clock's time), as client_java's histograms do: at most one per bucket, replaced by a
 * newer sampled observation only once it is {@link #EXEMPLAR_MIN_AGE_NANOS} old, so a busy bucket
 * does not churn, and no longer shown once it is {@link #EXEMPLAR_MAX_AGE_NANOS} old, so an idle
 * one does not point at a trace long gone. Without a current span the cost is a thread-local read
 * and no allocation; with one, a clock read, and an exemplar (two objects) at most once per bucket
 * per minimum age.
 *
 * <p>Native histograms ({@link HistogramLayout}): each cell also keeps its durations in a {@link
 * NativeBuckets}, recorded before the classic bucket, and exported as Prometheus' native histogram
 * and OpenTelemetry's exponential histogram. The classic buckets are kept all the same (the
 * windows, checks and objectives read them). client_java refuses a point whose classic and native
 * counts differ, so a point with both is read classic, native, classic again, until the two classic
 * reads agree with the native count (see {@link Cell#consistentRead}).
 *
 * <p>Over 400 lines as one concept on purpose: the cell layout, the lock-free recording path and
 * the two ways the cells are read (SDK points, Prometheus snapshot) must change together.
 */
public final class RequestMetrics {
  public static final String NAME = "http.server.request.duration";
  public static final String DESCRIPTION = "Duration of HTTP server requests.";
  public static final String UNIT = "s";

  /**
   * {@link #NAME} in seconds as the OpenTelemetry Prometheus exporter names it: dots to
   * underscores, the unit appended (PromtoolCleanCollectorTest compares it with the exporter's).
   */
  public static final MetricMetadata PROMETHEUS_METADATA =
      MetricMetadata.builder()
          .name("http_server_request_duration_seconds")
          .help(DESCRIPTION)
          .unit(Unit.SECONDS)
          .build();

  private static final long NANOS_PER_MILLI = 1_000_000L;

  /** A bucket's exemplar is replaced by a newer one only once it is this old: 7 s. */
  public static final long EXEMPLAR_MIN_AGE_NANOS = 7_000_000_000L;

  /** A bucket's exemplar is no longer exposed (nor exported) once it is this old: 70 s. */
  public static final long EXEMPLAR_MAX_AGE_NANOS = 70_000_000_000L;

  public static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  public static final AttributeKey<String> HTTP_REQUEST_METHOD =
      AttributeKey.stringKey("http.request.method");
  public static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
      AttributeKey.longKey("http.response.status_code");

  /** The OpenTelemetry semantic conventions' advice for HTTP durations, in seconds. */
  public static final List<Double> BOUNDARIES =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  private static final double[] BOUNDS = BOUNDARIES.stream().mapToDouble(d -> d).toArray();

  /** {@link #BOUNDS} and {@code +Inf}: the Prometheus buckets' upper bounds. */
  private static final double[] UPPER_BOUNDS =
      DoubleStream.concat(Arrays.stream(BOUNDS), DoubleStream.of(Double.POSITIVE_INFINITY))
          .toArray();

  /** Index order of {@link #methodIndex}; the last two are for non-standard and missing methods. */
  public static final List<String> METHODS =
      List.of(
          "GET",
          "HEAD",
          "POST",
          "PUT",
          "DELETE",
          "CONNECT",
          "OPTIONS",
          "TRACE",
          "PATCH",
          "_OTHER",
          Labels.UNKNOWN);

  private static final int OTHER_METHOD = 9;
  private static final int UNKNOWN_METHOD = 10;
  private static final int MIN_STATUS = 100;
  private static final int STATUS_SLOTS = 500;

  /** The method indexes in the order of their label values, as client_java sorts labels. */
  private static final int[] METHODS_BY_NAME =
      java.util.stream.IntStream.range(0, METHODS.size())
          .boxed()
          .sorted(java.util.Comparator.comparing(METHODS::get))
          .mapToInt(i -> i)
          .toArray();

  /** Words of a bit set over the status slots of one method. */
  private static final int STATUS_WORDS = (STATUS_SLOTS + 63) / 64;

  private final int maxRoutes;
  private final HistogramLayout layout;
  private final LongSupplier epochNanos;
  private final Runnable onRouteOverflow;
  private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
  private final Object routeCreationLock = new Object();
  private final Route otherRoute;

  /**
   * Every route, {@link #otherRoute} too, sorted by name; replaced whole when a route is added
   * (under {@link #routeCreationLock}, at most {@code maxRoutes} times).
   */
  private volatile Route[] routesByName;

  /**
   * For each method, the status slots some route has a cell for (bit per slot): with {@link
   * #routesByName}, the Prometheus points are visited in their labels' order.
   */
  private final AtomicLongArray statusesInUse = new AtomicLongArray(METHODS.size() * STATUS_WORDS);

  public RequestMetrics(int maxRoutes, LongSupplier epochNanos, Runnable onRouteOverflow) {
    this(maxRoutes, HistogramLayout.CLASSIC, epochNanos, onRouteOverflow);
  }

  public RequestMetrics(
      int maxRoutes, HistogramLayout layout, LongSupplier epochNanos, Runnable onRouteOverflow) {
    this.maxRoutes = maxRoutes;
    this.layout = layout;
    this.epochNanos = epochNanos;
    this.onRouteOverflow = onRouteOverflow;
    this.otherRoute = new Route(Labels.OTHER);
    this.routesByName = new Route[] {otherRoute};
  }

  /** For tests: distinct routes with their own series (the overflow route not counted). */
  public int routeCount() {
    return routes.size();
  }

  /** Whether a duration can be recorded: finite and not negative. */
  public static boolean isValidDuration(double durationMs) {
    // NaN fails the first comparison, infinity the second.
    return durationMs >= 0 && durationMs < Double.POSITIVE_INFINITY;
  }

  /** Whether a status code can be recorded: 100..599. */
  public static boolean isValidStatus(int statusCode) {
    return statusCode >= MIN_STATUS && statusCode < MIN_STATUS + STATUS_SLOTS;
  }

  /** Records one request; the caller has checked {@link #isValidDuration} and the status. */
  public void record(String route, String method, int statusCode, double durationMs) {
    Cell cell = route(route).cell(methodIndex(method), statusCode - MIN_STATUS);
    double seconds = durationMs / 1000.0;
    int bucket = bucketIndex(seconds);
    if (cell.nativeBuckets != null) {
      cell.nativeBuckets.record(seconds);
    }
    cell.add(bucket, (long) Math.min(durationMs * 1e6, MAX_NANOS));
    offerExemplar(cell, bucket, seconds);
  }

  /**
   * Records one request measured in nanoseconds, as the request filters time it; the caller has
   * checked the status. A negative duration (a ticker that went backwards) counts as 0.
   */
  public void recordNanos(String route, String method, int statusCode, long durationNanos) {
    Cell cell = route(route).cell(methodIndex(method), statusCode - MIN_STATUS);
    long nanos = Math.max(0, durationNanos);
    double seconds = nanos / 1e9;
    int bucket = bucketIndex(seconds);
    if (cell.nativeBuckets != null) {
      cell.nativeBuckets.record(seconds);
    }
    cell.add(bucket, Math.min(nanos, (long) MAX_NANOS));
    offerExemplar(cell, bucket, seconds);
  }

  /**
   * Keeps the current span as the bucket's exemplar, when there is one that is sampled. Without a
   * span, {@code Span.current()} is a thread-local read that returns the invalid span, whose
   * context is not sampled: no clock read, no allocation.
   */
  private void offerExemplar(Cell cell, int bucket, double seconds) {
    SpanContext span = Span.current().getSpanContext();
    if (span.isSampled() && span.isValid()) {
      cell.offerExemplar(bucket, seconds, span, epochNanos.getAsLong());
    }
  }

  private Route route(String route) {
    Route r = route == null ? null : routes.get(route);
    return r != null ? r : routeSlowPath(route);
  }

  private Route routeSlowPath(String rawRoute) {
    String name = Labels.normalize(rawRoute);
    if (Labels.OTHER.equals(name)) {
      // A route the caller named "other" shares the overflow route: two routes of one name were
      // duplicate series, and the exporter then dropped the whole histogram from /metrics.
      return otherRoute;
    }
    Route route = routes.get(name);
    if (route != null) {
      return route;
    }
    synchronized (routeCreationLock) {
      route = routes.get(name);
      if (route == null) {
        if (routes.size() >= maxRoutes) {
          onRouteOverflow.run();
          return otherRoute;
        }
        route = new Route(name);
        routes.put(name, route);
        routesByName = withRoute(routesByName, route);
      }
      return route;
    }
  }

  /** {@code sorted} with {@code route} inserted at its place by name. */
  private static Route[] withRoute(Route[] sorted, Route route) {
    int at = -Arrays.binarySearch(sorted, route, (a, b) -> a.name.compareTo(b.name)) - 1;
    Route[] grown = new Route[sorted.length + 1];
    System.arraycopy(sorted, 0, grown, 0, at);
    grown[at] = route;
    System.arraycopy(sorted, at, grown, at + 1, sorted.length - at);
    return grown;
  }

  /**
   * The standard methods of RFC 9110 and RFC 5789, matched case-insensitively; anything else is
   * {@code _OTHER} as the semantic conventions require, and a missing method is {@code unknown}.
   */
  public static int methodIndex(String method) {
    if (method == null) {
      return UNKNOWN_METHOD;
    }
    switch (method) {
      case "GET":
        return 0;
      case "HEAD":
        return 1;
      case "POST":
        return 2;
      case "PUT":
        return 3;
      case "DELETE":
        return 4;
      case "CONNECT":
        return 5;
      case "OPTIONS":
        return 6;
      case "TRACE":
        return 7;
      case "PATCH":
        return 8;
      default:
        return methodIndexSlowPath(method);
    }
  }

  private static int methodIndexSlowPath(String method) {
    if (method.isBlank()) {
      return UNKNOWN_METHOD;
    }
    for (int i = 0; i < OTHER_METHOD; i++) {
      if (METHODS.get(i).equalsIgnoreCase(method)) {
        return i;
      }
    }
    return OTHER_METHOD;
  }

  public static int bucketIndex(double seconds) {
    // A linear scan beats binary search here: web latencies sit in the first few buckets, and
    // the branches predict well.
    for (int i = 0; i < BOUNDS.length; i++) {
      if (seconds <= BOUNDS[i]) {
        return i;
      }
    }
    return BOUNDS.length;
  }

  /** Cumulative totals over every series, for {@link RequestWindows}. */
  public record Totals(long[] buckets, long serverErrors) {}

  public Totals totals() {
    long[] buckets = new long[BOUNDS.length + 1];
    long[] serverErrors = new long[1];
    for (Route route : routes.values()) {
      route.addTotals(buckets, serverErrors);
    }
    otherRoute.addTotals(buckets, serverErrors);
    return new Totals(buckets, serverErrors[0]);
  }

  /** Receives one series: its route, its status and its count per bucket (not cumulative). */
  @FunctionalInterface
  public interface SeriesVisitor {
    void visit(String route, int status, long[] buckets);
  }

  /**
   * Visits every (route, method, status) series with its bucket counts, cumulative since the cell
   * was created, read into one array reused from series to series: the objectives fold them at
   * their own pace, without a point per series.
   */
  public void forEachSeries(SeriesVisitor visitor) {
    long[] buckets = new long[BOUNDS.length + 1];
    for (Route route : routes.values()) {
      route.visitSeries(visitor, buckets);
    }
    otherRoute.visitSeries(visitor, buckets);
  }

  /** One point per (route, method, status) seen so far, cumulative since the cell was created. */
  public List<HistogramPointData> points() {
    long now = epochNanos.getAsLong();
    List<HistogramPointData> points = new ArrayList<>();
    for (Route route : routes.values()) {
      route.addPoints(points, now);
    }
    otherRoute.addPoints(points, now);
    return points;
  }

  /** Whether {@link #exponentialPoints()} is what the SDK's exporters get. */
  public boolean exportsExponential() {
    return layout.nativeBuckets();
  }

  /** With native histograms: one exponential point per series, as {@link #points()}. */
  public List<ExponentialHistogramPointData> exponentialPoints() {
    long now = epochNanos.getAsLong();
    List<ExponentialHistogramPointData> points = new ArrayList<>();
    for (Route route : routes.values()) {
      route.forEachCell((status, cell) -> points.add(cell.exponentialPoint(now)));
    }
    otherRoute.forEachCell((status, cell) -> points.add(cell.exponentialPoint(now)));
    return points;
  }

  /**
   * The same series as {@link #points()}, as the Prometheus snapshot the OpenTelemetry exporter
   * would have converted them to (labels, buckets, sum, created timestamp, exemplars with {@code
   * trace_id} and {@code span_id}), built from the cells directly.
   */
  public HistogramSnapshot prometheusSnapshot() {
    return new HistogramSnapshot(PROMETHEUS_METADATA, prometheusPoints());
  }

  /**
   * The points of {@link #prometheusSnapshot()}, in the order client_java sorts them (by method,
   * status code, then route: its labels' values in the order of their names). {@code
   * HistogramSnapshot} sorts its points with {@code List.sort}, which on a sorted list makes one
   * comparison per point; on points in hash order it made O(n log n) comparisons of three strings
   * each, most of a 100,000-series scrape's time.
   */
  List<HistogramDataPointSnapshot> prometheusPoints() {
    long now = epochNanos.getAsLong();
    Route[] sorted = routesByName;
    List<HistogramDataPointSnapshot> points = new ArrayList<>();
    for (int method : METHODS_BY_NAME) {
      for (int word = 0; word < STATUS_WORDS; word++) {
        // Slots ascending are status codes ascending, and as text too: all have three digits.
        for (long bits = statusesInUse.get(method * STATUS_WORDS + word);
            bits != 0;
            bits &= bits - 1) {
          int slot = word * 64 + Long.numberOfTrailingZeros(bits);
          for (Route route : sorted) {
            Cell cell = route.existingCell(method, slot);
            if (cell != null) {
              points.add(cell.prometheusPoint(now, layout));
            }
          }
        }
      }
    }
    return points;
  }

  /**
   * The cells of one route, created lazily per method and per status code. The fast path reads the
   * arrays plainly: a stale null only sends a caller to the slow path, which creates with a CAS,
   * and a {@link Cell} seen at all is complete (its fields are final).
   */
  private final class Route {
    private final String name;
    private final Cell[][] byMethod = new Cell[METHODS.size()][];

    Route(String name) {
      this.name = name;
    }

    Cell cell(int method, int statusSlot) {
      Cell[] row = byMethod[method];
      if (row != null) {
        Cell cell = row[statusSlot];
        if (cell != null) {
          return cell;
        }
      }
      return cellSlowPath(method, statusSlot);
    }

    /** The cell, or null when none was created yet; read with volatile semantics. */
    Cell existingCell(int method, int statusSlot) {
      Cell[] row = (Cell[]) ROWS.getVolatile(byMethod, method);
      return row == null ? null : (Cell) CELLS.getVolatile(row, statusSlot);
    }

    private Cell cellSlowPath(int method, int statusSlot) {
      Cell[] row = (Cell[]) ROWS.getVolatile(byMethod, method);
      if (row == null) {
        ROWS.compareAndSet(byMethod, method, null, new Cell[STATUS_SLOTS]);
        row = (Cell[]) ROWS.getVolatile(byMethod, method);
      }
      Cell cell = (Cell) CELLS.getVolatile(row, statusSlot);
      if (cell == null) {
        // Marked before the cell is published: no scrape after that misses the cell.
        long bit = 1L << (statusSlot & 63);
        statusesInUse.accumulateAndGet(
            method * STATUS_WORDS + (statusSlot >> 6), bit, (word, b) -> word | b);
        Attributes attributes =
            Attributes.of(
                HTTP_ROUTE,
                name,
                HTTP_REQUEST_METHOD,
                METHODS.get(method),
                HTTP_RESPONSE_STATUS_CODE,
                (long) (statusSlot + MIN_STATUS));
        CELLS.compareAndSet(
            row,
            statusSlot,
            null,
            new Cell(
                attributes,
                prometheusLabels(attributes),
                epochNanos.getAsLong(),
                layout.nativeBuckets()
                    ? new NativeBuckets(layout.nativeSchema(), layout.nativeMaxBuckets())
                    : null));
        cell = (Cell) CELLS.getVolatile(row, statusSlot);
      }
      return cell;
    }

    /** Every cell, read with volatile semantics (collection runs on another thread). */
    void forEachCell(CellVisitor visitor) {
      for (int m = 0; m < byMethod.length; m++) {
        Cell[] row = (Cell[]) ROWS.getVolatile(byMethod, m);
        if (row == null) {
          continue;
        }
        for (int s = 0; s < STATUS_SLOTS; s++) {
          Cell cell = (Cell) CELLS.getVolatile(row, s);
          if (cell != null) {
            visitor.visit(s + MIN_STATUS, cell);
          }
        }
      }
    }

    void addTotals(long[] buckets, long[] serverErrors) {
      forEachCell(
          (status, cell) -> {
            for (int b = 0; b < buckets.length; b++) {
              long n = cell.bucket(b);
              buckets[b] += n;
              if (status >= 500) {
                serverErrors[0] += n;
              }
            }
          });
    }

    void visitSeries(SeriesVisitor visitor, long[] buckets) {
      forEachCell(
          (status, cell) -> {
            for (int b = 0; b < buckets.length; b++) {
              buckets[b] = cell.bucket(b);
            }
            visitor.visit(name, status, buckets);
          });
    }

    void addPoints(List<HistogramPointData> points, long now) {
      forEachCell((status, cell) -> points.add(cell.point(now)));
    }
  }

  /**
   * The cell's labels as the OpenTelemetry Prometheus exporter writes them (names with dots as
   * underscores, the status as its decimal text), made once per cell rather than on every scrape.
   */
  private static io.prometheus.metrics.model.snapshots.Labels prometheusLabels(
      Attributes attributes) {
    return io.prometheus.metrics.model.snapshots.Labels.of(
        "http_request_method",
        attributes.get(HTTP_REQUEST_METHOD),
        "http_response_status_code",
        String.valueOf(attributes.get(HTTP_RESPONSE_STATUS_CODE)),
        "http_route",
        attributes.get(HTTP_ROUTE));
  }

  @FunctionalInterface
  private interface CellVisitor {
    void visit(int status, Cell cell);
  }

  private static final VarHandle ROWS = MethodHandles.arrayElementVarHandle(Cell[][].class);
  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(Cell[].class);

  /**
   * Longest single observation kept in the sum (about 11.5 days); the sum itself saturates at
   * Long.MAX_VALUE nanoseconds (292 years) rather than wrap.
   */
  private static final double MAX_NANOS = 1e15;

  private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int SUM = BOUNDS.length + 1;

  private static final VarHandle SAMPLES = MethodHandles.arrayElementVarHandle(Sample[].class);
  private static final VarHandle CELL_SAMPLES;

  static {
    try {
      CELL_SAMPLES = MethodHandles.lookup().findVarHandle(Cell.class, "samples", Sample[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A bucket's exemplar: the observation in seconds, when (the monitor's clock), and its span. */
  private record Sample(double seconds, long epochNanos, SpanContext span) {
    boolean shown(long now) {
      return now - epochNanos < EXEMPLAR_MAX_AGE_NANOS;
    }
  }

  private static final class Cell {
    final Attributes attributes;
    final io.prometheus.metrics.model.snapshots.Labels prometheusLabels;
    final long startEpochNanos;

    /** The native histogram, or null without one. */
    final NativeBuckets nativeBuckets;

    /** The last read whose classic and native counts agreed, for {@link #consistentRead}. */
    volatile ConsistentRead lastConsistent;

    /** Buckets, then the sum in whole nanoseconds, updated with atomic adds. */
    final long[] counts = new long[BOUNDS.length + 2];

    /**
     * Each bucket's exemplar, or null; the array itself is created on the first sampled span, so a
     * cell that never sees one costs a null reference.
     */
    volatile Sample[] samples; // read and set through CELL_SAMPLES

    Cell(
        Attributes attributes,
        io.prometheus.metrics.model.snapshots.Labels prometheusLabels,
        long startEpochNanos,
        NativeBuckets nativeBuckets) {
      this.attributes = attributes;
      this.prometheusLabels = prometheusLabels;
      this.startEpochNanos = startEpochNanos;
      this.nativeBuckets = nativeBuckets;
    }

    void add(int bucket, long nanos) {
      COUNTS.getAndAdd(counts, bucket, 1L);
      long before = (long) COUNTS.getAndAdd(counts, SUM, nanos);
      if (before > Long.MAX_VALUE - nanos) {
        // The sum would wrap negative (9,224 of the longest observations were enough): it stays
        // at its ceiling instead, so it never goes backwards. A racing add that wraps it again
        // sets it back the same way; a read in between sees it negative, which sumNanos clamps.
        COUNTS.setVolatile(counts, SUM, Long.MAX_VALUE);
      }
    }

    long bucket(int i) {
      return (long) COUNTS.getVolatile(counts, i);
    }

    /**
     * The bucket's exemplar becomes this span unless it holds one younger than the minimum age. Of
     * two threads replacing the same one at once, one wins and the other's is dropped: one per
     * bucket, never a lock. A clock that went back makes the kept one count as old.
     */
    void offerExemplar(int bucket, double seconds, SpanContext span, long now) {
      Sample[] kept = (Sample[]) CELL_SAMPLES.getAcquire(this);
      if (kept == null) {
        CELL_SAMPLES.compareAndSet(this, null, new Sample[BOUNDS.length + 1]);
        kept = (Sample[]) CELL_SAMPLES.getAcquire(this);
      }
      Sample old = (Sample) SAMPLES.getAcquire(kept, bucket);
      if (old != null) {
        long age = now - old.epochNanos();
        if (age >= 0 && age < EXEMPLAR_MIN_AGE_NANOS) {
          return;
        }
      }
      SAMPLES.compareAndSet(kept, bucket, old, new Sample(seconds, now, span));
    }

    /** The exemplars still shown at {@code now}, bucket by bucket; empty without a span. */
    private List<Sample> shownSamples(long now) {
      Sample[] kept = (Sample[]) CELL_SAMPLES.getAcquire(this);
      if (kept == null) {
        return List.of();
      }
      List<Sample> shown = new ArrayList<>(2);
      for (int i = 0; i < kept.length; i++) {
        Sample sample = (Sample) SAMPLES.getAcquire(kept, i);
        if (sample != null && sample.shown(now)) {
          shown.add(sample);
        }
      }
      return shown;
    }

    /** As OpenTelemetry exemplars: the span's context, no attributes beyond the point's. */
    private List<DoubleExemplarData> exemplarData(long now) {
      List<Sample> shown = shownSamples(now);
      if (shown.isEmpty()) {
        return List.of();
      }
      List<DoubleExemplarData> data = new ArrayList<>(shown.size());
      for (Sample sample : shown) {
        data.add(
            DoubleExemplarData.create(
                Attributes.empty(), sample.epochNanos(), sample.span(), sample.seconds()));
      }
      return List.copyOf(data);
    }

    /** As client_java's exemplars: {@code span_id} and {@code trace_id} labels, a timestamp. */
    private Exemplars exemplars(long now) {
      List<Sample> shown = shownSamples(now);
      if (shown.isEmpty()) {
        return Exemplars.EMPTY;
      }
      List<Exemplar> exemplars = new ArrayList<>(shown.size());
      for (Sample sample : shown) {
        exemplars.add(
            Exemplar.builder()
                .value(sample.seconds())
                .traceId(sample.span().getTraceId())
                .spanId(sample.span().getSpanId())
                .timestampMillis(sample.epochNanos() / NANOS_PER_MILLI)
                .build());
      }
      return Exemplars.of(exemplars);
    }

    long sumNanos() {
      long sum = (long) COUNTS.getVolatile(counts, SUM);
      return sum < 0 ? Long.MAX_VALUE : sum; // only ever a wrap about to be set to the ceiling
    }

    HistogramPointData point(long now) {
      Long[] counts = new Long[BOUNDS.length + 1];
      long total = 0;
      for (int i = 0; i < BOUNDS.length + 1; i++) {
        long n = bucket(i);
        counts[i] = n;
        total += n;
      }
      // The sum is read after the buckets; a record racing with this read may be in one and not
      // the other, which the exposition formats tolerate (the count stays exact).
      double seconds = total == 0 ? 0 : sumNanos() / 1e9;
      List<Long> countList = Collections.unmodifiableList(Arrays.asList(counts));
      List<DoubleExemplarData> exemplars = exemplarData(now);
      if (!exemplars.isEmpty()) {
        // The SDK's public factory takes no exemplars.
        return new ProducedHistogramPoint(
            startEpochNanos, now, attributes, seconds, total, BOUNDARIES, countList, exemplars);
      }
      return HistogramPointData.create(
          startEpochNanos, now, attributes, seconds, false, 0, false, 0, BOUNDARIES, countList);
    }

    /** {@link #point} as the exporter converts it, without boxing a count. */
    HistogramDataPointSnapshot prometheusPoint(long now, HistogramLayout layout) {
      if (nativeBuckets != null) {
        return nativePrometheusPoint(now, layout.classicBuckets());
      }
      long[] counts = new long[BOUNDS.length + 1];
      long total = 0;
      for (int i = 0; i < counts.length; i++) {
        long n = bucket(i);
        counts[i] = n;
        total += n;
      }
      double seconds = total == 0 ? 0 : sumNanos() / 1e9;
      return new HistogramDataPointSnapshot(
          ClassicHistogramBuckets.of(UPPER_BOUNDS, counts),
          seconds,
          prometheusLabels,
          exemplars(now),
          startEpochNanos / NANOS_PER_MILLI);
    }

    /** The classic buckets into {@code counts}; returns their total. */
    private long readClassic(long[] counts) {
      long total = 0;
      for (int i = 0; i < counts.length; i++) {
        long n = bucket(i);
        counts[i] = n;
        total += n;
      }
      return total;
    }

    /**
     * The classic and native buckets over the same observations, or the last such read when a
     * series recorded into without pause gives none in {@link #CONSISTENT_READ_ATTEMPTS}. Each
     * record adds its native bucket before its classic one, and counts only grow: when two classic
     * reads around a native read have the same total, no classic add fell between them, every
     * observation of the classic read is in the native one, and equal counts make them the same
     * observations. Null when no read has agreed yet: the point then goes out with its native
     * buckets alone, this once.
     */
    ConsistentRead consistentRead() {
      for (int attempt = 0; attempt < CONSISTENT_READ_ATTEMPTS; attempt++) {
        long[] before = new long[BOUNDS.length + 1];
        long total = readClassic(before);
        NativeBuckets.Snapshot nat = nativeBuckets.snapshot();
        long[] after = new long[BOUNDS.length + 1];
        if (nat.count() == total && readClassic(after) == total) {
          ConsistentRead read = new ConsistentRead(after, nat);
          lastConsistent = read;
          return read;
        }
      }
      return lastConsistent;
    }

    /** The native histogram, with the classic buckets when {@code classic}. */
    private HistogramDataPointSnapshot nativePrometheusPoint(long now, boolean classic) {
      ConsistentRead read = classic ? consistentRead() : null;
      NativeBuckets.Snapshot nat = read != null ? read.nativeBuckets() : nativeBuckets.snapshot();
      double seconds = nat.count() == 0 ? 0 : sumNanos() / 1e9;
      NativeHistogramBuckets positive = NativeHistogramBuckets.of(nat.indices(), nat.counts());
      // Without classic buckets, client_java counts the native ones.
      return new HistogramDataPointSnapshot(
          read != null
              ? ClassicHistogramBuckets.of(UPPER_BOUNDS, read.classic())
              : ClassicHistogramBuckets.EMPTY,
          nat.schema(),
          nat.zeroCount(),
          NativeBuckets.ZERO_THRESHOLD,
          positive,
          NativeHistogramBuckets.EMPTY,
          seconds,
          prometheusLabels,
          exemplars(now),
          startEpochNanos / NANOS_PER_MILLI);
    }

    /**
     * The native histogram as OpenTelemetry's exponential one: the scale is the schema, and its
     * bucket indices are one lower than Prometheus' ({@code (base^i, base^(i+1)]}), densely from
     * the lowest populated one.
     */
    ExponentialHistogramPointData exponentialPoint(long now) {
      NativeBuckets.Snapshot nat = nativeBuckets.snapshot();
      double seconds = nat.count() == 0 ? 0 : sumNanos() / 1e9;
      int[] indices = nat.indices();
      List<Long> counts;
      int offset;
      if (indices.length == 0) {
        offset = 0;
        counts = List.of();
      } else {
        offset = indices[0] - 1;
        Long[] dense = new Long[indices[indices.length - 1] - indices[0] + 1];
        Arrays.fill(dense, 0L);
        for (int i = 0; i < indices.length; i++) {
          dense[indices[i] - indices[0]] = nat.counts()[i];
        }
        counts = Collections.unmodifiableList(Arrays.asList(dense));
      }
      return ExponentialHistogramPointData.create(
          nat.schema(),
          seconds,
          nat.zeroCount(),
          false,
          0,
          false,
          0,
          ExponentialHistogramBuckets.create(nat.schema(), offset, counts),
          ExponentialHistogramBuckets.create(nat.schema(), 0, List.of()),
          startEpochNanos,
          now,
          attributes,
          exemplarData(now));
    }
  }

  /** How often a point with classic and native buckets is read before the last one is used. */
  private static final int CONSISTENT_READ_ATTEMPTS = 64;

  /** Classic and native buckets over the same observations. */
  private record ConsistentRead(long[] classic, NativeBuckets.Snapshot nativeBuckets) {}
}
