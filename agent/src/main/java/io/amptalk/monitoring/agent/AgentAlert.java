package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import io.amptalk.monitoring.alert.store.StoreLockedException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code alert}: raises one alert through the agent's notifiers and into its alert history, to test
 * the alerting path end to end, then prints the alert's id.
 */
@Command(
    name = "alert",
    mixinStandardHelpOptions = true,
    version = Agent.VERSION,
    description = {
      "Raises one alert through the configured notifiers (without --config, the log) and"
          + " records it in the alert history, to test them. Prints the alert's id on standard"
          + " output."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:The alert was raised and handed to the notifiers; its id is printed.",
      "1:The alert could not be raised (see the log).",
      "2:Bad options or configuration, or the alert history cannot be opened (another agent"
          + " holds its data directory)."
    })
final class AgentAlert implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(AgentAlert.class);

  @Option(
      names = "--title",
      paramLabel = "<text>",
      required = true,
      description = "Short summary, e.g. \"Disk almost full\".")
  String title;

  @Option(
      names = "--message",
      paramLabel = "<text>",
      defaultValue = "Test alert raised with amptalk-monitor alert",
      description = "What happened (default: ${DEFAULT-VALUE}).")
  String message;

  @Option(
      names = "--severity",
      paramLabel = "<severity>",
      defaultValue = "warning",
      converter = SeverityConverter.class,
      description = "info, warning, error or critical (default: ${DEFAULT-VALUE}).")
  AlertSeverity severity;

  @Option(
      names = "--source",
      paramLabel = "<source>",
      defaultValue = "cli",
      description = "What raised it (default: ${DEFAULT-VALUE}).")
  String source;

  @Option(
      names = "--label",
      // Short: a wider option column made the help break the paths in its other descriptions.
      paramLabel = "<k=v>",
      description =
          "A label name=value of the alert beside the built-in ones (alertname, service, instance, source,"
              + " severity); repeatable. Names match [a-zA-Z_][a-zA-Z0-9_]* and do not start with"
              + " __; at most 32, values of 1 to 1024 characters.")
  List<String> labels = List.of();

  // Not the serving commands' mixin: what a configuration gives an alert is not what it gives a
  // run.
  @Option(
      names = {"-c", "--config"},
      paramLabel = "<file>",
      description =
          "YAML configuration whose notifiers, alerting settings and alert history the alert goes"
              + " through (see monitor.example.yml). Default: none: the log, and the history in"
              + " ./data/alerts.db.")
  Path configFile;

  @Mixin AgentOptions.Service service;

  @Mixin AgentOptions.DataDir dataDir;

  @Spec CommandSpec spec;

  /**
   * Opens the alert history at {@code file} (null: none, history in memory) before anything else
   * starts, so that a data directory another agent holds is refused before a port is bound.
   *
   * @param hint what the operator can do instead, after "stop it, or "
   * @throws IllegalStateException when the store cannot be opened, or another process holds it:
   *     {@code data directory /x is in use by process 1234 (it holds /x/alerts.db.lock); stop it,
   *     or <hint>}
   */
  static SqliteAlertStore openStore(AgentConfig config, Path file, String hint) {
    if (file == null) {
      return null;
    }
    try {
      return SqliteAlertStore.open(file, config.historySize());
    } catch (StoreLockedException e) {
      throw new IllegalStateException(
          "data directory "
              + e.file().getParent()
              + " is in use by "
              + (e.holderPid().isPresent()
                  ? "process " + e.holderPid().getAsLong()
                  : "another process")
              + " (it holds "
              + e.lockFile()
              + "); stop it, or "
              + hint,
          e);
    }
  }

  /**
   * The agent's alerting as configured: its notifiers, its settings, its silences, and its history
   * in {@code store} (in memory when null), which it closes when closed.
   *
   * @param monitor where its own metrics go; null for none
   */
  static AlertSystem alertSystem(
      AgentConfig config, String serviceName, SystemMonitor monitor, SqliteAlertStore store) {
    AlertSystem.Builder builder =
        AlertSystem.builder().serviceName(serviceName).defaultNotifiers(config.notifiers());
    if (monitor != null) {
      // The same instance on the metrics and the alerts, when the configuration names none.
      builder.serviceInstanceId(monitor.getServiceInstanceId());
    }
    config.alerting().forEach(step -> step.accept(builder));
    if (store != null) {
      builder.store(store);
    }
    if (monitor != null) {
      builder.meter(monitor.getMeter());
    }
    AlertSystem alerts = builder.build();
    Instant now = Instant.now();
    for (AgentConfig.SilenceSpec s : config.silences()) {
      Duration duration = s.duration() != null ? s.duration() : Duration.between(now, s.until());
      if (duration.isNegative() || duration.isZero()) {
        // A maintenance window that has passed: the file is stale, not wrong, and the agent must
        // still start after it.
        LOG.warn("Silence '{}' ended at {}; not applied", s.comment(), s.until());
        continue;
      }
      alerts.addSilence(s.source(), s.titlePattern(), s.severities(), duration, s.comment());
    }
    return alerts;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> given = new LinkedHashMap<>();
    for (String label : labels) {
      String problem = null;
      int at = label.indexOf('=');
      if (at <= 0) {
        problem = "--label must be name=value, was '" + label + "'";
      } else if (given.size() == Alert.MAX_LABELS) {
        problem = "--label is given more than " + Alert.MAX_LABELS + " times";
      } else if (given.containsKey(label.substring(0, at))) {
        problem = "--label " + label.substring(0, at) + " is given twice";
      } else {
        try {
          Alert.requireValidLabel(label.substring(0, at), label.substring(at + 1));
        } catch (IllegalArgumentException e) {
          problem = "--label " + e.getMessage();
        }
      }
      if (problem != null) {
        err.println("amptalk-monitor: " + problem);
        err.flush();
        return 2;
      }
      given.put(label.substring(0, at), label.substring(at + 1));
    }
    AlertSystem alerts;
    SqliteAlertStore store = null;
    try {
      AgentConfig loaded = AgentOptions.ConfigFile.load(configFile);
      // Never beside a running agent on its store: opening it would deliver its outbox again.
      store =
          openStore(
              loaded,
              dataDir.alertsDb(loaded),
              "raise the alert through that agent's POST /alerts, or give alert another"
                  + " --data-dir");
      alerts = alertSystem(loaded, service.serviceName(loaded), null, store);
    } catch (ConfigException | IllegalArgumentException | IllegalStateException e) {
      if (store != null) {
        store.close();
      }
      err.println("amptalk-monitor: " + e.getMessage());
      err.flush();
      return 2;
    }
    Alert alert;
    try {
      alert = alerts.alert(title, message, severity, source, Map.of(), given);
    } finally {
      alerts.close(); // delivers what is queued, within the close timeout
    }
    if (alert == null) {
      err.println("amptalk-monitor: the alert could not be raised; see the log above");
      err.flush();
      return 1;
    }
    out.println(alert.id());
    out.flush();
    return 0;
  }

  /** Parses a severity with the library's rules and message. */
  static final class SeverityConverter implements CommandLine.ITypeConverter<AlertSeverity> {
    @Override
    public AlertSeverity convert(String value) {
      try {
        return AlertSeverity.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
