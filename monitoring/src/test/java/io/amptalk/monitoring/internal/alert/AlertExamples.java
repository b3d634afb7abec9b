package io.amptalk.monitoring.internal.alert;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Alerts that exercise every corner of the JSON form, for the JSON and the store tests. */
public final class AlertExamples {
  private AlertExamples() {}

  /**
   * Resolved and silenced, with nested details of every JSON type (in an order that is not sorted),
   * quotes, backslashes, control characters, non-Latin text and emoji, times with nanoseconds, and
   * notes.
   */
  public static Alert richAlert() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("zeta", 1);
    inner.put("alpha", List.of(1, 2.5, "three", true));
    inner.put("nothing", null);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("cpu_usage", 83.5);
    details.put("count", 42);
    details.put("big", 12_345_678_901L);
    details.put("ok", false);
    details.put("none", null);
    details.put("nested", inner);
    details.put("list", List.of(Map.of("k", "v"), List.of(), "x"));
    details.put("text", "Grüße, \"quoted\" \\ back\nslash — 日本語 😀");
    return new Alert(
        "0b8f3a1e-1111-2222-3333-444455556666",
        "Database \"main\" down ✗",
        "Failed to connect:\n\ttimeout",
        AlertSeverity.CRITICAL,
        "database",
        "amptalk",
        Instant.parse("2026-03-01T12:00:00.123456789Z"),
        details,
        "00ff00ff00ff00ff",
        Alert.State.RESOLVED,
        7,
        Instant.parse("2026-03-01T12:05:00.000000001Z"),
        true,
        List.of("title was null", "source was ''"));
  }
}
