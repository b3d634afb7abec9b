package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.health.HealthCheck;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the default command, {@code run} and {@code demo} do: build the monitoring, print where it
 * serves, and serve until the JVM is stopped.
 *
 * <p>A shutdown hook closes the monitoring (the checks stop, queued notifications are delivered or
 * kept in the store, the port is released) and prints {@code amptalk-monitor: stopped}. The exit
 * code is then the signal's, as for any JVM: 143 (128 + 15) after SIGTERM, 130 after SIGINT. The
 * main thread's own {@code System.exit(0)}, once the hook has let it go, blocks behind the shutdown
 * already under way, so it never races the signal's code.
 */
final class AgentServer {
  private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);

  /** The exit codes of the serving commands, for their {@code --help}. */
  static final String EXIT_BAD_OPTIONS =
      "2:Bad options, the port is taken, or the data directory is unusable; nothing was started.";

  static final String EXIT_SIGINT = "130:Stopped by SIGINT (Ctrl-C), after a graceful shutdown.";
  static final String EXIT_SIGTERM = "143:Stopped by SIGTERM, after a graceful shutdown.";

  private final AgentOptions.Serve options;
  private final PrintStream out;
  private final PrintStream err;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private AgentServer(AgentOptions.Serve options) {
    this.options = options;
    this.out = System.out;
    this.err = System.err;
  }

  /** Serves until the JVM stops; returns 2 at once when the options are bad. */
  static int serve(AgentOptions.Serve options, boolean demo) throws InterruptedException {
    return new AgentServer(options).serve(demo);
  }

  private int serve(boolean demo) throws InterruptedException {
    Monitoring monitoring;
    AgentConfig config;
    try {
      config = options.config.load();
      Monitoring.Builder builder =
          Monitoring.builder()
              .systemMonitor(buildMonitor(config))
              .healthCheck(monitor -> buildHealth(config, monitor))
              .alertSystem(
                  monitor ->
                      AgentAlert.alertSystem(
                          config,
                          monitor.getServiceName(),
                          monitor,
                          options.dataDir.alertsDb(config)))
              .degradedSeverity(config.degradedSeverity())
              .unhealthySeverity(config.unhealthySeverity());
      String token = options.apiToken() != null ? options.apiToken() : config.apiToken();
      if (token != null) {
        builder.apiToken(token);
      }
      monitoring = builder.build();
    } catch (ConfigException | IllegalArgumentException | IllegalStateException e) {
      // A bad file or option, a taken port, an unwritable data directory: the operator's to fix,
      // so one line and no stack trace.
      err.println("amptalk-monitor: " + e.getMessage());
      return 2;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("amptalk-monitor: stopping");
                  monitoring.close();
                  out.println("amptalk-monitor: stopped");
                  out.flush();
                  stopped.countDown();
                },
                "amptalk-shutdown"));
    printStarted(monitoring, config);
    if (demo) {
      LOG.info("Demo mode: recording synthetic requests and errors");
      runDemo(monitoring.systemMonitor());
    }
    stopped.await();
    return 0;
  }

  private void printStarted(Monitoring monitoring, AgentConfig config) {
    SystemMonitor monitor = monitoring.systemMonitor();
    String host = options.host != null ? options.host : config.host();
    String base =
        (config.tls() ? "https://" : "http://")
            + ("0.0.0.0".equals(host) ? "localhost" : host)
            + ":"
            + monitor.getPrometheusPort();
    Path store = options.dataDir.alertsDb(config);
    if (options.apiToken() == null && config.apiToken() == null) {
      err.println(
          "amptalk-monitor: warning: no API token (--api-token, AMPTALK_API_TOKEN or http.token),"
              + " so POST /alerts is disabled");
      err.flush();
    }
    // One write, after the warning: whoever reads the port from the first line (scripts, our
    // tests) finds the whole banner and the warning already out.
    out.print(
        String.format(
            "amptalk-monitor: serving metrics at %s/metrics for service '%s' (configuration: %s)%n"
                + "amptalk-monitor: status page at %s/ ; health at %s/health; alerts at %s/alerts%n"
                + "amptalk-monitor: checking %s every %s; alerts to %s; alert history in %s%n",
            base,
            monitor.getServiceName(),
            config.source(),
            base,
            base,
            base,
            monitoring.healthCheck().getCheckNames(),
            options.checkInterval != null ? options.checkInterval : config.checkInterval(),
            config.notifiers().stream().map(AlertNotifier::name).toList(),
            store == null ? "memory" : store));
    out.flush();
  }

  private SystemMonitor buildMonitor(AgentConfig config) {
    SystemMonitor.Builder builder =
        SystemMonitor.builder().serviceName(AgentOptions.localHostName());
    config.monitor().forEach(step -> step.accept(builder));
    // The command line overrides the file.
    if (options.service.serviceName != null) {
      builder.serviceName(options.service.serviceName);
    }
    if (options.host != null) {
      builder.prometheusHost(options.host);
    }
    if (options.port != null) {
      builder.prometheusPort(options.port);
    }
    if (options.collectInterval != null) {
      builder.collectInterval(options.collectInterval);
    }
    if (options.exportInterval != null) {
      builder.metricsExportInterval(options.exportInterval);
    }
    if (options.console) {
      builder.enableConsole(true);
    }
    if (options.otlpEndpoint != null) {
      builder.otlpEndpoint(options.otlpEndpoint);
    }
    return builder.build();
  }

  private HealthCheck buildHealth(AgentConfig config, SystemMonitor monitor) {
    HealthCheck.Builder builder =
        HealthCheck.builder().serviceName(monitor.getServiceName()).meter(monitor.getMeter());
    config.health().forEach(step -> step.accept(builder));
    if (options.checkInterval != null) {
      builder.checkInterval(options.checkInterval);
    }
    HealthCheck health = builder.build();
    config.registerChecks(health, monitor);
    return health;
  }

  /** Records a steady trickle of plausible traffic until the process stops. */
  private void runDemo(SystemMonitor monitor) throws InterruptedException {
    List<String> routes = List.of("/api/transcription", "/api/users/{id}", "/api/health");
    List<String> methods = List.of("GET", "POST");
    ThreadLocalRandom random = ThreadLocalRandom.current();
    while (stopped.getCount() > 0) {
      int status = random.nextInt(100) < 95 ? 200 : 500;
      monitor.recordRequest(
          routes.get(random.nextInt(routes.size())),
          methods.get(random.nextInt(methods.size())),
          status,
          5 + random.nextExponential() * 60);
      if (status == 500) {
        monitor.recordError("demo_failure", Map.of("note", "synthetic"));
      }
      Thread.sleep(50);
    }
  }
}
