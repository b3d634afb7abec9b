package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.HealthCheck;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
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
      "2:Bad options, the port is taken, or the data directory is unusable or held by another"
          + " agent; nothing was started.";

  static final String EXIT_SIGINT = "130:Stopped by SIGINT (Ctrl-C), after a graceful shutdown.";
  static final String EXIT_SIGTERM = "143:Stopped by SIGTERM, after a graceful shutdown.";
  static final String EXIT_FATAL =
      "70:A fatal error (out of memory) reached one of its threads: logged, then halted at once.";

  /**
   * The exit status after a fatal error. Halted, not exited: the shutdown hook would close the
   * monitoring, which, out of memory, may hang for good; what the store holds is delivered after a
   * restart.
   */
  static final int FATAL = 70;

  private final AgentOptions.Serve options;
  private final PrintStream out;
  private final PrintStream err;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private AgentServer(AgentOptions.Serve options) {
    this.options = options;
    this.out = System.out;
    this.err = System.err;
  }

  /**
   * Serves until the JVM stops, or with {@code exitWhenReady} until it is ready; returns 2 at once
   * when the options are bad.
   */
  static int serve(AgentOptions.Serve options, boolean demo, boolean exitWhenReady)
      throws InterruptedException {
    return new AgentServer(options).serve(demo, exitWhenReady);
  }

  /** The agent does not live on half-dead: the error was logged; the process ends now. */
  private static void halt(VirtualMachineError error) {
    try {
      System.err.println("amptalk-monitor: fatal error, halting: " + error);
      System.err.flush();
    } finally {
      Runtime.getRuntime().halt(FATAL);
    }
  }

  private int serve(boolean demo, boolean exitWhenReady) throws InterruptedException {
    AgentConfig config;
    SqliteAlertStore store;
    try {
      config = options.config.load();
      refuseSelfProbes(config);
      // Locked first, before the port is bound: a second agent on one data directory would
      // deliver every pending notification again.
      store =
          AgentAlert.openStore(
              config, options.dataDir.alertsDb(config), "give this one another --data-dir");
    } catch (ConfigException | IllegalArgumentException | IllegalStateException e) {
      return refused(e.getMessage());
    }
    Monitoring monitoring;
    try {
      Monitoring.Builder builder =
          Monitoring.builder()
              .systemMonitor(buildMonitor(config))
              .healthCheck(monitor -> buildHealth(config, monitor))
              .alertSystem(
                  monitor ->
                      AgentAlert.alertSystem(config, monitor.getServiceName(), monitor, store))
              .onFatalError(AgentServer::halt)
              .degradedSeverity(config.degradedSeverity())
              .unhealthySeverity(config.unhealthySeverity())
              .slos(config.slos());
      config.statusPage().forEach(step -> step.accept(builder));
      String token = options.apiToken() != null ? options.apiToken() : config.apiToken();
      if (token != null) {
        builder.apiToken(token);
      }
      monitoring = builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      if (store != null) {
        store.close(); // closed with the alert system if that was built; closing again is a no-op
      }
      return refused(e.getCause() instanceof BindException ? portInUse(config) : e.getMessage());
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("amptalk-monitor: stopping");
                  try {
                    monitoring.close();
                  } catch (RuntimeException | Error e) {
                    // Monitoring.close closes every part even when one throws; whatever still
                    // escapes is reported, and the hook goes on to say it stopped.
                    err.println("amptalk-monitor: closing failed: " + e);
                  }
                  out.println("amptalk-monitor: stopped");
                  out.flush();
                  stopped.countDown();
                },
                "amptalk-shutdown"));
    printStarted(monitoring, config);
    if (exitWhenReady) {
      return WarmUp.untilReady(config.tls(), monitoring.systemMonitor().getPrometheusPort(), err);
    }
    if (demo) {
      LOG.info("Demo mode: recording synthetic requests and errors");
      runDemo(monitoring.systemMonitor());
    }
    stopped.await();
    return 0;
  }

  /**
   * A bad file or option, a taken port, an unwritable data directory: the operator's to fix, so one
   * line and no stack trace, and exit 2 with nothing started.
   */
  private int refused(String problem) {
    err.println("amptalk-monitor: " + problem);
    return 2;
  }

  /** The library's message speaks of its builder; the operator set the port here. */
  private String portInUse(AgentConfig config) {
    int port = options.port != null ? options.port : config.port();
    String host = options.host != null ? options.host : config.host();
    String option = options.port != null || options.config.file == null ? "--port" : "http.port";
    return "port "
        + port
        + " is already in use on "
        + host
        + ": stop what holds it, or choose another with "
        + option
        + " (0 picks a free port)";
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
            ConfigReader.shortForm(
                options.checkInterval != null ? options.checkInterval : config.checkInterval()),
            config.notifiers().stream().map(AlertNotifier::name).toList(),
            store == null ? "memory" : store));
    out.flush();
  }

  /**
   * Exits 2 (with {@link ConfigException}'s one line) on an http check that GETs this agent's own
   * health endpoint of a group the check is in, {@code /health} itself for a critical check, or its
   * own {@code /health/<name>}: such a check sees the 503 of start-up, turns UNHEALTHY, and then
   * keeps the endpoint it probes at 503 for good. Probe {@code /metrics}, or put it in no group.
   */
  private void refuseSelfProbes(AgentConfig config) {
    if (options.config.file == null) {
      return;
    }
    ConfigReader.Section root = ConfigReader.read(options.config.file, System.getenv());
    int port = options.port != null ? options.port : config.port();
    String host = options.host != null ? options.host : config.host();
    if (!root.has("checks")) {
      return;
    }
    Map<String, ConfigReader.Value> checks = root.section("checks").entries("name");
    for (AgentConfig.CheckSpec spec : config.checks()) {
      ConfigReader.Value value = checks.get(spec.name());
      if (!"http".equals(spec.type()) || value == null) {
        continue;
      }
      ConfigReader.Value url = value.section().get("url").orElse(null);
      if (url == null) {
        continue;
      }
      String probed = selfProbed(url.text(), port, host, spec);
      if (probed != null) {
        throw url.error(
            "the check GETs this agent's own "
                + probed
                + ", which the check itself is part of: it would see the 503 of start-up and keep"
                + " the endpoint at 503 for good; probe /metrics instead, or take the check out of"
                + " that group");
      }
    }
  }

  /** What of the agent's health {@code url} probes that {@code spec} is part of, or null. */
  static String selfProbed(String url, int port, String host, AgentConfig.CheckSpec spec) {
    URI uri;
    try {
      uri = URI.create(url.strip());
    } catch (IllegalArgumentException e) {
      return null;
    }
    String target = uri.getHost();
    int targetPort =
        uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    if (target == null || port == 0 || targetPort != port || !isThisHost(target, host)) {
      return null;
    }
    String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
    Set<String> groups = spec.options().groups();
    String group =
        switch (path) {
          case "/health/live" -> CheckOptions.LIVENESS;
          case "/health/ready" -> CheckOptions.READINESS;
          case "/health/started" -> CheckOptions.STARTUP;
          default ->
              path.startsWith("/health/group/") ? path.substring("/health/group/".length()) : null;
        };
    if (group != null && groups.contains(group)) {
      return "group endpoint " + path + " (group '" + group + "')";
    }
    if (path.equals("/health") && spec.options().critical()) {
      return "overall /health (the check is critical)";
    }
    if (path.equals("/health/" + spec.name())) {
      return "endpoint " + path;
    }
    return null;
  }

  private static boolean isThisHost(String target, String host) {
    String t = target.toLowerCase(Locale.ROOT).replaceAll("^\\[|]$", "");
    return t.equals("localhost")
        || t.startsWith("127.")
        || t.equals("::1")
        || t.equals("0.0.0.0")
        || t.equalsIgnoreCase(host)
        || t.equalsIgnoreCase(AgentOptions.localHostName());
  }

  private SystemMonitor.Builder buildMonitor(AgentConfig config) {
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
    if (options.allowedHosts != null) {
      try {
        builder.allowedHosts(options.allowedHosts);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--allowed-host: " + e.getMessage(), e);
      }
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
    // Built by Monitoring: from the port's first connection, /metrics is whole and every other
    // path answers 503 "starting" until the checks and alerts are mounted.
    return builder;
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
