package io.amptalk.monitoring.internal.metrics;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@code http.server.active_requests} up-down counter the request filters keep: one lock-free
 * cell per method × scheme, created on first use with its {@code Attributes}, so a request that
 * starts or ends is one {@link LongAdder} add and allocates nothing. Only cells used so far are
 * exported, so a monitor without a filter exports no such series.
 */
public final class ActiveRequests {
  public static final String NAME = "http.server.active_requests";
  public static final String DESCRIPTION = "Number of active HTTP server requests.";
  public static final String UNIT = "{request}";
  public static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");

  private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(Cell[].class);

  private final long startEpochNanos;

  /** Index: method index × 2 + (1 when https). */
  private final Cell[] cells = new Cell[RequestMetrics.METHODS.size() * 2];

  public ActiveRequests(long startEpochNanos) {
    this.startEpochNanos = startEpochNanos;
  }

  /** Adds {@code delta} (1 when a request starts, -1 when it ends) under its method and scheme. */
  public void add(String method, boolean secure, long delta) {
    int index = RequestMetrics.methodIndex(method) * 2 + (secure ? 1 : 0);
    Cell cell = cells[index];
    if (cell == null) {
      cell = cellSlowPath(index);
    }
    cell.value.add(delta);
  }

  private Cell cellSlowPath(int index) {
    Cell cell = (Cell) CELLS.getVolatile(cells, index);
    if (cell == null) {
      Attributes attributes =
          Attributes.of(
              RequestMetrics.HTTP_REQUEST_METHOD,
              RequestMetrics.METHODS.get(index / 2),
              URL_SCHEME,
              index % 2 == 1 ? "https" : "http");
      CELLS.compareAndSet(cells, index, null, new Cell(attributes));
      cell = (Cell) CELLS.getVolatile(cells, index);
    }
    return cell;
  }

  /** The current value of every cell used so far. */
  public List<LongPointData> points(long epochNanos) {
    List<LongPointData> points = new ArrayList<>();
    for (int i = 0; i < cells.length; i++) {
      Cell cell = (Cell) CELLS.getVolatile(cells, i);
      if (cell != null) {
        points.add(
            LongPointData.create(startEpochNanos, epochNanos, cell.attributes, cell.value.sum()));
      }
    }
    return points;
  }

  private static final class Cell {
    final Attributes attributes;
    final LongAdder value = new LongAdder();

    Cell(Attributes attributes) {
      this.attributes = attributes;
    }
  }
}
