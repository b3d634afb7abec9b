package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.LoggingNotifier;
import io.amptalk.monitoring.alert.SqliteAlertStore;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.HealthCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The standalone agent: monitors the host it runs on and serves the metrics until stopped (SIGINT
 * or SIGTERM). Needs no configuration.
 */
@Command(
    name = "amptalk-monitor",
    mixinStandardHelpOptions = true,
    version = "amptalk-monitor 0.1.0",
    description = "Monitors this host and serves its metrics to Prometheus.")
public final class Agent implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  @Option(
      names = "--service-name",
      description = "service.name of the metrics (default: this host's name).")
  String serviceName;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      description = "Address to serve on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8000",
      description = "Port to serve on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--collect-interval",
      defaultValue = "PT1S",
      description = "Host sampling period, ISO-8601 (default: ${DEFAULT-VALUE}).",
      converter = DurationConverter.class)
  Duration collectInterval;

  @Option(names = "--console", description = "Also log every metric each --export-interval.")
  boolean console;

  @Option(
      names = "--otlp-endpoint",
      description =
          "Also push metrics over OTLP/HTTP to this collector, e.g. http://localhost:4318.")
  String otlpEndpoint;

  @Option(
      names = "--export-interval",
      defaultValue = "PT60S",
      description = "Period of console and OTLP exports, ISO-8601 (default: ${DEFAULT-VALUE}).",
      converter = DurationConverter.class)
  Duration exportInterval;

  @Option(
      names = "--check-interval",
      defaultValue = "PT15S",
      description =
          "How often the CPU, memory and disk checks run, ISO-8601 (default: ${DEFAULT-VALUE}).",
      converter = DurationConverter.class)
  Duration checkInterval;

  @Option(
      names = "--data-dir",
      defaultValue = "data",
      description = "Where the alert history is kept (default: ./${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--demo",
      description = "Record synthetic requests and errors, to see every series move.")
  boolean demo;

  static final String ALERTS_DB = "alerts.db";

  private final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(new CommandLine(new Agent()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    Monitoring monitoring;
    try {
      monitoring =
          Monitoring.builder()
              .systemMonitor(buildMonitor())
              .healthCheck(this::buildHealth)
              .alertSystem(this::buildAlerts)
              .build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      // Bad options, a taken port, an unwritable data directory: the operator's to fix, so one
      // line and no stack trace.
      System.err.println("amptalk-monitor: " + e.getMessage());
      return 2;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  monitoring.close();
                  stopped.countDown();
                },
                "amptalk-shutdown"));
    SystemMonitor monitor = monitoring.systemMonitor();
    String base =
        "http://"
            + ("0.0.0.0".equals(host) ? "localhost" : host)
            + ":"
            + monitor.getPrometheusPort();
    System.out.printf(
        "amptalk-monitor: serving metrics at %s/metrics for service '%s'%n",
        base, monitor.getServiceName());
    System.out.printf(
        "amptalk-monitor: status page at %s/ ; health at %s/health; alerts at %s/alerts%n",
        base, base, base);
    System.out.printf(
        "amptalk-monitor: checking %s every %s; alert history in %s%n",
        monitoring.healthCheck().getCheckNames(), checkInterval, dataDir.resolve(ALERTS_DB));
    System.out.flush();
    if (demo) {
      LOG.info("Demo mode: recording synthetic requests and errors");
      runDemo(monitor);
    }
    stopped.await();
    return 0;
  }

  /** A logging notifier, history and undelivered notifications in SQLite under the data dir. */
  private AlertSystem buildAlerts(SystemMonitor monitor) {
    return AlertSystem.builder()
        .serviceName(monitor.getServiceName())
        .systemMonitor(monitor)
        .store(SqliteAlertStore.open(dataDir.resolve(ALERTS_DB), 1000))
        .defaultNotifiers(List.of(new LoggingNotifier()))
        .build();
  }

  private SystemMonitor buildMonitor() {
    SystemMonitor.Builder builder =
        SystemMonitor.builder()
            .serviceName(serviceName != null ? serviceName : localHostName())
            .prometheusHost(host)
            .prometheusPort(port)
            .collectInterval(collectInterval)
            .metricsExportInterval(exportInterval)
            .enableConsole(console);
    if (otlpEndpoint != null) {
      builder.otlpEndpoint(otlpEndpoint);
    }
    return builder.build();
  }

  /** The seed's host checks, with its thresholds, reading the monitor's snapshot. */
  private HealthCheck buildHealth(SystemMonitor monitor) {
    HealthCheck health =
        HealthCheck.builder()
            .serviceName(monitor.getServiceName())
            .systemMonitor(monitor)
            .checkInterval(checkInterval)
            .build();
    // Three bad results in a row (45 s at the default interval) before a check turns: host
    // figures spike, and a spike is not an incident.
    CheckOptions readiness =
        CheckOptions.builder().groups(CheckOptions.READINESS).failureThreshold(3).build();
    health.registerCheck(
        "cpu", HealthCheck.createCpuHealthCheck(monitor, 75.0, 90.0), "CPU usage", readiness);
    health.registerCheck(
        "memory",
        HealthCheck.createMemoryHealthCheck(monitor, 75.0, 90.0),
        "Memory usage",
        readiness);
    String root = java.io.File.listRoots()[0].getPath();
    health.registerCheck(
        "disk",
        HealthCheck.createDiskHealthCheck(monitor, root, 75.0, 90.0),
        "Disk usage of " + root,
        readiness);
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

  private static String localHostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "amptalk";
    }
  }

  /** Parses ISO-8601 durations such as PT1S or PT500MS. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Duration.parse(value);
    }
  }
}
