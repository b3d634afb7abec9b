package io.amptalk.monitoring;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The {@code http.server.request.duration} histogram, recorded into our own lock-free cells and
 * handed to the OpenTelemetry SDK at collection time.
 *
 * <p>Why not the SDK's own histogram: a caller passes strings and an int, so the SDK would need an
 * {@code Attributes} built (and allocated) on every call, then hashed into its own map. Here the
 * route is looked up by its cached {@code String} hash, the method by a switch and the status by
 * array index, and each (route, method, status) cell keeps its {@code Attributes} from creation. A
 * record is then one {@link LongAdder} increment for the bucket and one {@link DoubleAdder} add for
 * the sum, without allocation. The count is the sum of the buckets, so {@code _count} always equals
 * the {@code +Inf} bucket.
 */
final class RequestMetrics {
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<String> HTTP_REQUEST_METHOD =
      AttributeKey.stringKey("http.request.method");
  static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE =
      AttributeKey.longKey("http.response.status_code");

  /** The OpenTelemetry semantic conventions' advice for HTTP durations, in seconds. */
  static final List<Double> BOUNDARIES =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  private static final double[] BOUNDS = BOUNDARIES.stream().mapToDouble(d -> d).toArray();

  /** Index order of {@link #methodIndex}; the last two are for non-standard and missing methods. */
  static final List<String> METHODS =
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

  private final int maxRoutes;
  private final LongSupplier epochNanos;
  private final Runnable onRouteOverflow;
  private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();
  private final Object routeCreationLock = new Object();
  private final Route otherRoute;

  RequestMetrics(int maxRoutes, LongSupplier epochNanos, Runnable onRouteOverflow) {
    this.maxRoutes = maxRoutes;
    this.epochNanos = epochNanos;
    this.onRouteOverflow = onRouteOverflow;
    this.otherRoute = new Route(Labels.OTHER);
  }

  /** Whether a duration can be recorded: finite and not negative. */
  static boolean isValidDuration(double durationMs) {
    // NaN fails the first comparison, infinity the second.
    return durationMs >= 0 && durationMs < Double.POSITIVE_INFINITY;
  }

  /** Whether a status code can be recorded: 100..599. */
  static boolean isValidStatus(int statusCode) {
    return statusCode >= MIN_STATUS && statusCode < MIN_STATUS + STATUS_SLOTS;
  }

  /** Records one request; the caller has checked {@link #isValidDuration} and the status. */
  void record(String route, String method, int statusCode, double durationMs) {
    Route r = route == null ? null : routes.get(route);
    if (r == null) {
      r = routeSlowPath(route);
    }
    r.cell(methodIndex(method), statusCode - MIN_STATUS).record(durationMs / 1000.0);
  }

  private Route routeSlowPath(String rawRoute) {
    String name = Labels.normalize(rawRoute);
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
      }
      return route;
    }
  }

  /**
   * The standard methods of RFC 9110 and RFC 5789, matched case-insensitively; anything else is
   * {@code _OTHER} as the semantic conventions require, and a missing method is {@code unknown}.
   */
  static int methodIndex(String method) {
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

  static int bucketIndex(double seconds) {
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
  record Totals(long[] buckets, long serverErrors) {}

  Totals totals() {
    long[] buckets = new long[BOUNDS.length + 1];
    long[] serverErrors = new long[1];
    for (Route route : routes.values()) {
      route.addTotals(buckets, serverErrors);
    }
    otherRoute.addTotals(buckets, serverErrors);
    return new Totals(buckets, serverErrors[0]);
  }

  /** One point per (route, method, status) seen so far, cumulative since the cell was created. */
  List<HistogramPointData> points() {
    long now = epochNanos.getAsLong();
    List<HistogramPointData> points = new ArrayList<>();
    for (Route route : routes.values()) {
      route.addPoints(points, now);
    }
    otherRoute.addPoints(points, now);
    return points;
  }

  /** The cells of one route, created lazily per method and per status code. */
  private final class Route {
    private final String name;
    private final AtomicReferenceArray<AtomicReferenceArray<Cell>> byMethod =
        new AtomicReferenceArray<>(METHODS.size());

    Route(String name) {
      this.name = name;
    }

    Cell cell(int method, int statusSlot) {
      AtomicReferenceArray<Cell> byStatus = byMethod.get(method);
      if (byStatus == null) {
        byMethod.compareAndSet(method, null, new AtomicReferenceArray<>(STATUS_SLOTS));
        byStatus = byMethod.get(method);
      }
      Cell cell = byStatus.get(statusSlot);
      if (cell == null) {
        Attributes attributes =
            Attributes.of(
                HTTP_ROUTE,
                name,
                HTTP_REQUEST_METHOD,
                METHODS.get(method),
                HTTP_RESPONSE_STATUS_CODE,
                (long) (statusSlot + MIN_STATUS));
        byStatus.compareAndSet(statusSlot, null, new Cell(attributes, epochNanos.getAsLong()));
        cell = byStatus.get(statusSlot);
      }
      return cell;
    }

    void addTotals(long[] buckets, long[] serverErrors) {
      for (int m = 0; m < byMethod.length(); m++) {
        AtomicReferenceArray<Cell> byStatus = byMethod.get(m);
        if (byStatus == null) {
          continue;
        }
        for (int s = 0; s < STATUS_SLOTS; s++) {
          Cell cell = byStatus.get(s);
          if (cell == null) {
            continue;
          }
          for (int b = 0; b < buckets.length; b++) {
            long n = cell.buckets[b].sum();
            buckets[b] += n;
            if (s + MIN_STATUS >= 500) {
              serverErrors[0] += n;
            }
          }
        }
      }
    }

    void addPoints(List<HistogramPointData> points, long now) {
      for (int m = 0; m < byMethod.length(); m++) {
        AtomicReferenceArray<Cell> byStatus = byMethod.get(m);
        if (byStatus == null) {
          continue;
        }
        for (int s = 0; s < STATUS_SLOTS; s++) {
          Cell cell = byStatus.get(s);
          if (cell != null) {
            points.add(cell.point(now));
          }
        }
      }
    }
  }

  private static final class Cell {
    final Attributes attributes;
    final long startEpochNanos;
    final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    final DoubleAdder sum = new DoubleAdder();

    Cell(Attributes attributes, long startEpochNanos) {
      this.attributes = attributes;
      this.startEpochNanos = startEpochNanos;
      Arrays.setAll(buckets, i -> new LongAdder());
    }

    void record(double seconds) {
      buckets[bucketIndex(seconds)].increment();
      sum.add(seconds);
    }

    HistogramPointData point(long now) {
      Long[] counts = new Long[buckets.length];
      long total = 0;
      for (int i = 0; i < buckets.length; i++) {
        long n = buckets[i].sum();
        counts[i] = n;
        total += n;
      }
      // The sum is read after the buckets; a record racing with this read may be in one and not
      // the other, which the exposition formats tolerate (the count stays exact).
      double s = total == 0 ? 0 : sum.sum();
      return HistogramPointData.create(
          startEpochNanos,
          now,
          attributes,
          s,
          false,
          0,
          false,
          0,
          BOUNDARIES,
          Collections.unmodifiableList(Arrays.asList(counts)));
    }
  }
}
