package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The child JVM of {@link AlertMemoryIT}, run with a 256 MiB heap: serves a monitoring on an
 * ephemeral port, raises {@link #ALERTS} alerts of {@link #DETAIL_CHARS} characters of details
 * each, every one from its own source (so none is deduplicated) and with strings of its own (so no
 * two share memory), prints {@code PORT <port>} and {@code READY}, and waits to be killed.
 */
public final class MemoryChild {
  static final int ALERTS = 10_000;
  static final int STRINGS = 7;
  static final int STRING_CHARS = 8000;
  static final int DETAIL_CHARS = STRINGS * STRING_CHARS;
  static final String TOKEN = "memory-test-token";

  private MemoryChild() {}

  /** Alert {@code i}'s title, source and details: the same sizes for every {@code i}. */
  static String title(int i) {
    return String.format("Alert %05d", i);
  }

  static String source(int i) {
    return String.format("source-%05d", i);
  }

  static Map<String, Object> details(int i) {
    Map<String, Object> details = new LinkedHashMap<>();
    String filler = "x".repeat(STRING_CHARS - 8);
    for (int s = 0; s < STRINGS; s++) {
      details.put("d" + s, filler + String.format("%d-%05d", s, i)); // a new string each time
    }
    return details;
  }

  public static void main(String[] args) throws Exception {
    Monitoring monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .serviceName("memory")
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0))
            .apiToken(TOKEN)
            .build();
    System.out.println("PORT " + monitoring.systemMonitor().getPrometheusPort());
    AlertSystem alerts = monitoring.alertSystem();
    for (int i = 0; i < ALERTS; i++) {
      alerts.alert(title(i), "memory test", AlertSeverity.ERROR, source(i), details(i));
    }
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
