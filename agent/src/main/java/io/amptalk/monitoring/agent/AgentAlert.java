package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.LoggingNotifier;
import io.amptalk.monitoring.alert.SqliteAlertStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
      "Raises one alert through the agent's notifiers (the log) and records it in the alert"
          + " history, to test them. Prints the alert's id on standard output."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:The alert was raised and handed to the notifiers; its id is printed.",
      "1:The alert could not be raised (see the log).",
      "2:Bad options, or the alert history cannot be opened."
    })
final class AgentAlert implements Callable<Integer> {
  /** Alerts kept in the history; the oldest are forgotten past it. */
  static final int HISTORY_SIZE = 1000;

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

  @Mixin AgentOptions.Service service;

  @Mixin AgentOptions.DataDir dataDir;

  @Spec CommandSpec spec;

  /**
   * The agent's alerting: the logging notifier, with history and undelivered notifications in
   * SQLite under the data directory.
   *
   * @throws IllegalStateException when the store cannot be opened
   */
  static AlertSystem.Builder alertSystem(String serviceName, AgentOptions.DataDir dataDir) {
    return AlertSystem.builder()
        .serviceName(serviceName)
        .store(SqliteAlertStore.open(dataDir.alertsDb(), HISTORY_SIZE))
        .defaultNotifiers(List.of(new LoggingNotifier()));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AlertSystem alerts;
    try {
      alerts = alertSystem(service.serviceName(), dataDir).build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("amptalk-monitor: " + e.getMessage());
      err.flush();
      return 2;
    }
    Alert alert;
    try {
      alert = alerts.alert(title, message, severity, source, Map.of());
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
