package io.amptalk.monitoring.internal.metrics;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonic counter with one attribute, recorded into lock-free cells and read at collection
 * time. The number of distinct values is capped; values past the cap are counted under {@link
 * Labels#OTHER}, so a caller that puts an id into the label cannot grow memory without bound.
 */
public final class LabeledCounter {
  private final AttributeKey<String> key;
  private final int maxValues;
  private final long startEpochNanos;
  private final ConcurrentHashMap<String, Cell> cells = new ConcurrentHashMap<>();
  private final Cell other;
  private final Object creationLock = new Object();
  private final Runnable onOverflow;

  public LabeledCounter(
      AttributeKey<String> key, int maxValues, long startEpochNanos, Runnable onOverflow) {
    this.key = key;
    this.maxValues = maxValues;
    this.startEpochNanos = startEpochNanos;
    this.onOverflow = onOverflow;
    this.other = new Cell(Attributes.of(key, Labels.OTHER));
  }

  /** Registers a value ahead of use, so its series is exported as 0 before the first increment. */
  public void preRegister(String value) {
    cell(value);
  }

  /** Adds one under {@code value}, which must already be normalised. */
  public void increment(String value) {
    cell(value).count.increment();
  }

  /** Distinct values with their own series (the overflow value not counted). */
  public int size() {
    return cells.size();
  }

  public long count(String value) {
    Cell cell = cells.get(value);
    return cell == null ? 0 : cell.count.sum();
  }

  private Cell cell(String value) {
    if (Labels.OTHER.equals(value)) {
      // The caller's own "other" shares the overflow cell: two cells with one label value were
      // two points with equal attributes, and the exporter then dropped the whole metric.
      return other;
    }
    Cell cell = cells.get(value);
    if (cell != null) {
      return cell;
    }
    synchronized (creationLock) {
      cell = cells.get(value);
      if (cell == null) {
        if (cells.size() >= maxValues) {
          onOverflow.run();
          return other;
        }
        cell = new Cell(Attributes.of(key, value));
        cells.put(value, cell);
      }
      return cell;
    }
  }

  public List<LongPointData> points(long epochNanos) {
    List<LongPointData> points = new ArrayList<>(cells.size() + 1);
    for (Cell cell : cells.values()) {
      points.add(
          LongPointData.create(startEpochNanos, epochNanos, cell.attributes, cell.count.sum()));
    }
    long overflow = other.count.sum();
    if (overflow > 0) {
      points.add(LongPointData.create(startEpochNanos, epochNanos, other.attributes, overflow));
    }
    return points;
  }

  private static final class Cell {
    final Attributes attributes;
    final LongAdder count = new LongAdder();

    Cell(Attributes attributes) {
      this.attributes = attributes;
    }
  }
}
