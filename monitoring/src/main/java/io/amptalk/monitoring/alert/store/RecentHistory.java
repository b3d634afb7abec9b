package io.amptalk.monitoring.alert.store;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The history a {@link SqliteAlertStore} was written since it opened, as its rows (the columns the
 * queries filter on, and the JSON), so that a read of a file damaged while open still lists every
 * alert saved, and so acknowledged, meanwhile. Bounded like the table (the newest {@code
 * maxHistorySize} by {@code seq}) and by {@link #MAX_CHARS} characters of JSON, oldest dropped
 * first. Not thread-safe: the store calls it under its lock.
 */
final class RecentHistory {
  /** At most this many characters of JSON are kept (16 MiB of the usual one-byte ones). */
  static final long MAX_CHARS = 16L << 20;

  /** One saved alert as its row. */
  record Row(String id, long seq, long timeNs, int severity, String source, String json) {}

  private final int maxHistorySize;
  private final long maxChars;
  private final TreeMap<Long, Row> bySeq = new TreeMap<>();
  private final Map<String, Row> byId = new HashMap<>();
  private long chars;

  RecentHistory(int maxHistorySize, long maxChars) {
    this.maxHistorySize = maxHistorySize;
    this.maxChars = maxChars;
  }

  /** {@code row} was saved; the table's highest seq is then {@code maxSeq}. */
  void saved(Row row, long maxSeq) {
    remove(byId.get(row.id()));
    bySeq.put(row.seq(), row);
    byId.put(row.id(), row);
    chars += row.json().length();
    // As the table forgets: what is older than the newest maxHistorySize seqs.
    while (!bySeq.isEmpty() && bySeq.firstKey() <= maxSeq - maxHistorySize) {
      remove(bySeq.firstEntry().getValue());
    }
    while (chars > maxChars && bySeq.size() > 1) {
      remove(bySeq.firstEntry().getValue());
    }
  }

  /** A history read completed: the alerts, and how many of them came from here. */
  record Completed(List<Alert> alerts, long fromMemory) {}

  /**
   * {@code stored} (what the file listed for {@code query}) with the rows kept here that it lacks,
   * read by {@code read} (null: unreadable), newest first by seq, at most the query's limit. A
   * healthy file lists every row kept here that is within the limit, so {@code fromMemory} is 0.
   */
  Completed complete(AlertQuery query, List<SqliteRows.Stored> stored, Function<Row, Alert> read) {
    Set<String> ids = new HashSet<>();
    stored.forEach(s -> ids.add(s.alert().id()));
    List<SqliteRows.Stored> merged = new ArrayList<>(stored);
    Set<Long> fromMemory = new HashSet<>();
    for (Row row : matching(query)) {
      Alert alert = ids.contains(row.id()) ? null : read.apply(row);
      if (alert != null) {
        merged.add(new SqliteRows.Stored(row.seq(), alert));
        fromMemory.add(row.seq());
      }
    }
    if (!fromMemory.isEmpty()) {
      merged.sort(Comparator.comparingLong(SqliteRows.Stored::seq).reversed());
    }
    List<SqliteRows.Stored> limited = merged.subList(0, Math.min(query.limit(), merged.size()));
    return new Completed(
        limited.stream().map(SqliteRows.Stored::alert).toList(),
        limited.stream().filter(s -> fromMemory.contains(s.seq())).count());
  }

  void cleared() {
    bySeq.clear();
    byId.clear();
    chars = 0;
  }

  /** The rows {@code query} matches, newest first, at most its limit. */
  List<Row> matching(AlertQuery query) {
    List<Row> rows = new ArrayList<>();
    for (Iterator<Row> it = bySeq.descendingMap().values().iterator();
        it.hasNext() && rows.size() < query.limit(); ) {
      Row row = it.next();
      if (matches(query, row)) {
        rows.add(row);
      }
    }
    return rows;
  }

  /** As {@link SqliteRows#history} filters, on the same columns. */
  private static boolean matches(AlertQuery query, Row row) {
    return (query.minSeverity() == null || row.severity() >= query.minSeverity().ordinal())
        && (query.source() == null || row.source().equals(query.source()))
        && (query.from() == null || row.timeNs() >= SqliteRows.epochNanos(query.from()))
        && (query.to() == null || row.timeNs() < SqliteRows.epochNanos(query.to()));
  }

  private void remove(Row row) {
    if (row != null) {
      bySeq.remove(row.seq());
      byId.remove(row.id());
      chars -= row.json().length();
    }
  }
}
