package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import io.amptalk.monitoring.alert.store.StoreLockedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The child JVM of {@link AlertDurabilityIT}: {@code raise <db> <url> <count>} raises alerts toward
 * a webhook that is down and then waits to be killed; {@code resume <db> <url>} opens the same
 * store, which re-delivers what is pending, and waits; {@code open <db>} (for {@link
 * AlertStoreLockIT}) opens the store, prints {@code OPENED} or {@code REFUSED <message>}, and
 * exits.
 */
public final class DurabilityChild {
  private DurabilityChild() {}

  /** Starts this class in a child JVM with {@code args}; its stderr is discarded. */
  static Process start(String... args) throws java.io.IOException {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DurabilityChild.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    if (mode.equals("open")) {
      try (SqliteAlertStore store = SqliteAlertStore.open(Path.of(args[1]), 1000)) {
        System.out.println("OPENED " + store.pending().size());
      } catch (StoreLockedException e) {
        System.out.println("REFUSED " + e.getMessage());
      }
      return;
    }
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
