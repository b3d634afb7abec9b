package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The child JVM of {@link AlertDurabilityIT}: {@code raise <db> <url> <count>} raises alerts toward
 * a webhook that is down and then waits to be killed; {@code resume <db> <url>} opens the same
 * store, which re-delivers what is pending, and waits.
 */
public final class DurabilityChild {
  private DurabilityChild() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    AlertSystem system =
        AlertSystem.builder()
            .serviceName("durability")
            .store(SqliteAlertStore.open(Path.of(args[1]), 1000))
            .defaultNotifiers(
                List.of(
                    WebhookNotifier.builder()
                        .webhookUrl(args[2])
                        .timeout(Duration.ofSeconds(2))
                        .build()))
            .backoff(Duration.ofMillis(100), Duration.ofMillis(500))
            .maxAttempts(1000)
            .noRateLimit()
            .build();
    if (mode.equals("raise")) {
      int count = Integer.parseInt(args[3]);
      for (int i = 0; i < count; i++) {
        Alert alert =
            system.alert("Alert " + i, "durability test", AlertSeverity.ERROR, "child", Map.of());
        System.out.println("RAISED " + alert.id());
      }
    }
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
