package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.alert.notify.AlertmanagerNotifier;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For {@code .ci/e2e-alertmanager.sh}: sends one alert to a real Alertmanager through {@link
 * AlertmanagerNotifier#send}, firing or resolved. The alert is the same in both runs (title {@value
 * #TITLE}, severity error, source {@value #SOURCE}, service {@value #SERVICE}, started at the given
 * time), so the resolution ends the alert that fired.
 *
 * <pre>{@code
 * java -cp ... io.amptalk.monitoring.alert.E2eAlertmanagerDriver <alertmanager url>[,<url>...] fire|resolve <startsAt>
 * }</pre>
 *
 * With several URLs (every member of a cluster, for {@code .ci/e2e-alertmanager-cluster.sh}) the
 * notifier is built with {@code urls}: the alert goes to each member. Exits 0 when Alertmanager (a
 * member, for a cluster) accepted the alert, 1 with the notifier's message when none did.
 */
final class E2eAlertmanagerDriver {
  static final String TITLE = "AmptalkE2eAlert";
  static final String SOURCE = "e2e_driver";
  static final String SERVICE = "amptalk-e2e";

  private E2eAlertmanagerDriver() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 3 || !(args[1].equals("fire") || args[1].equals("resolve"))) {
      System.err.println(
          "usage: E2eAlertmanagerDriver <alertmanager url>[,<url>...] fire|resolve <startsAt>");
      System.exit(2);
    }
    Instant startsAt = Instant.parse(args[2]);
    boolean resolve = args[1].equals("resolve");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("run", args[2]);
    details.put("cpu_usage", 83.5);
    Alert alert =
        new Alert(
            "e2e-" + startsAt.getEpochSecond(),
            TITLE,
            "CPU usage has exceeded 80%",
            AlertSeverity.ERROR,
            SOURCE,
            SERVICE,
            startsAt,
            details,
            Alert.fingerprint(SERVICE, SOURCE, TITLE),
            resolve ? Alert.State.RESOLVED : Alert.State.FIRING,
            1,
            resolve ? Instant.now() : startsAt,
            false,
            List.of());
    List<String> urls = List.of(args[0].split(","));
    AlertmanagerNotifier.Builder builder =
        AlertmanagerNotifier.builder().timeout(Duration.ofSeconds(5));
    AlertmanagerNotifier notifier =
        (urls.size() == 1 ? builder.url(urls.get(0)) : builder.urls(urls)).build();
    try {
      notifier.send(alert);
    } catch (DeliveryException e) {
      System.err.println(
          "e2e-alertmanager-driver: "
              + args[1]
              + " failed: "
              + e.getMessage()
              + (e.isRetryable() ? " (retryable)" : " (permanent)"));
      System.exit(1);
    }
    System.out.println(
        "e2e-alertmanager-driver: "
            + (resolve ? "resolved" : "fired")
            + " '"
            + TITLE
            + "' (fingerprint "
            + alert.fingerprint()
            + ") at "
            + args[0]);
  }
}
