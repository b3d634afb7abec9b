package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.amptalk.monitoring.SystemMonitorPropertyTest.Call;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.testing.Exposition;
import io.amptalk.monitoring.testing.Hostile;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;

/**
 * The {@code /metrics} body after hostile calls to every recording method, fetched over real HTTP
 * and checked by {@code promtool check metrics} (Debian's {@code prometheus} package; CI installs
 * it), as Prometheus' own tooling sees it. The same body also goes through the in-process strict
 * reader, which catches what promtool does not (promtool passes duplicate series). Skipped where
 * promtool is absent, except under CI, where that is a failure.
 */
class ExpositionPromtoolIT {
  private static final int ROUNDS = 30;

  record Raise(String title, String source, AlertSeverity severity, Hostile.Details details) {}

  @Test
  void hostileCalls_leaveAnExpositionPromtoolPassesClean() throws Exception {
    String promtool = promtool();
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
              HealthCheck.builder().systemMonitor(monitor).autoCheck(false).build();
          AlertSystem alertSystem =
              AlertSystem.builder()
                  .systemMonitor(monitor)
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
      Check check = check(promtool, body);
      assertThat(check.output()).as(context).isEmpty();
      assertThat(check.exitCode()).as(context).isZero();
    }
  }

  record Check(int exitCode, String output) {}

  private static Check check(String promtool, byte[] body) throws Exception {
    Process process =
        new ProcessBuilder(promtool, "check", "metrics").redirectErrorStream(true).start();
    try (OutputStream in = process.getOutputStream()) {
      in.write(body);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Check(process.exitValue(), output.strip());
  }

  /** Where promtool is; the test is skipped without it, unless CI asked for it. */
  private static String promtool() throws IOException {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin");
    String found =
        Stream.of(path.split(File.pathSeparator))
            .map(dir -> new File(dir, "promtool"))
            .filter(File::canExecute)
            .map(File::getPath)
            .findFirst()
            .orElse(null);
    if (System.getenv("CI") != null) {
      assertThat(found)
          .as("promtool on PATH (CI installs Debian's prometheus package)")
          .isNotNull();
    }
    assumeTrue(found != null, "promtool is not installed (apt-get install prometheus)");
    return found;
  }
}
