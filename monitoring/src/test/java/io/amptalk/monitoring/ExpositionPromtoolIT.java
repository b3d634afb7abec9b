package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.SystemMonitorPropertyTest.Call;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.testing.Exposition;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.Hostile;
import io.amptalk.monitoring.testing.Promtool;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

/**
 * The {@code /metrics} body after hostile calls to every recording method, fetched over real HTTP
 * and checked by {@code promtool check metrics} (Debian's {@code prometheus} package; CI installs
 * it), as Prometheus' own tooling sees it. The same body also goes through the in-process strict
 * reader, which catches what promtool does not (promtool passes duplicate series). Skipped where
 * promtool is absent (not on {@code PATH}, or not at {@code -Dpromtool=}), except under CI, where
 * that is a failure ({@link io.amptalk.monitoring.testing.ExternalProgram}).
 */
class ExpositionPromtoolIT {
  private static final int ROUNDS = 30;

  record Raise(String title, String source, AlertSeverity severity, Hostile.Details details) {}

  @Test
  void hostileCalls_leaveAnExpositionPromtoolPassesClean() throws Exception {
    String promtool = Promtool.path();
    Iterator<List<Call>> calls = new SystemMonitorPropertyTest().calls().sampleStream().iterator();
    Arbitrary<Raise> raises =
        Combinators.combine(
                Hostile.strings(),
                Hostile.strings(),
                Arbitraries.of(AlertSeverity.class).injectNull(0.2),
                Hostile.details())
            .as(Raise::new);
    Iterator<List<Raise>> alerts = raises.list().ofMaxSize(20).sampleStream().iterator();
    Iterator<String> messages = Hostile.strings().sampleStream().iterator();

    for (int round = 0; round < ROUNDS; round++) {
      List<Call> theseCalls = calls.next();
      List<Raise> theseAlerts = alerts.next();
      byte[] body;
      try (SystemMonitor monitor =
              SystemMonitor.builder()
                  .prometheusHost("127.0.0.1")
                  .prometheusPort(0)
                  .enableJvmMetrics(round % 10 == 0) // the JVM's series too, now and then
                  .collectInterval(Duration.ofHours(1))
                  .hostProbe(new FakeHostProbe())
                  .maxRoutes(8)
                  .maxErrorTypes(8)
                  .build();
          HealthCheck health =
              HealthCheck.builder().meter(monitor.getMeter()).autoCheck(false).build();
          AlertSystem alertSystem =
              AlertSystem.builder()
                  .meter(monitor.getMeter())
                  .noRateLimit()
                  .defaultNotifiers(List.of((AlertNotifier) alert -> {}))
                  .build()) {
        for (Call call : theseCalls) {
          if (call instanceof SystemMonitorPropertyTest.Request r) {
            monitor.recordRequest(r.route(), r.method(), r.status(), r.durationMs());
          } else if (call instanceof SystemMonitorPropertyTest.Failure f) {
            monitor.recordError(f.type(), f.details().map());
          } else if (call instanceof SystemMonitorPropertyTest.Health h) {
            monitor.setHealthStatus(h.healthy(), h.reason());
          }
        }
        for (Raise raise : theseAlerts) {
          alertSystem.alert(
              raise.title(), "m", raise.severity(), raise.source(), raise.details().map());
        }
        String message = messages.next();
        health.registerCheck("db", () -> CheckResult.unhealthy(message), "Database");
        health.runAllChecks();

        body = SystemMonitorPropertyTest.scrape(monitor);
      }

      String context = "round " + round + ": " + theseCalls + " / " + theseAlerts;
      Exposition.parse(body); // fails naming the line
      Promtool.Check check = Promtool.check(promtool, body);
      assertThat(check.output()).as(context).isEmpty();
      assertThat(check.exitCode()).as(context).isZero();
    }
  }
}
