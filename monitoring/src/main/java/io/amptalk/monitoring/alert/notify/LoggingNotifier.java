package io.amptalk.monitoring.alert.notify;

import static io.amptalk.monitoring.internal.util.ControlCharacters.escape;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Writes alerts to the log through SLF4J, at a level that follows the severity: INFO at info,
 * WARNING at warn, ERROR and CRITICAL at error. The seed's default notifier.
 *
 * <pre>{@code
 * [WARNING] High CPU Usage: CPU usage has exceeded 80% (source=system_monitor, service=amptalk,
 * details={cpu_usage=83.5})
 * }</pre>
 */
public final class LoggingNotifier extends RoutedNotifier {
  static final String LOGGER_NAME = "io.amptalk.monitoring.alerts";

  private final Logger logger;

  /** Logs every alert to the {@code io.amptalk.monitoring.alerts} logger. */
  public LoggingNotifier() {
    this(AlertSeverity.INFO);
  }

  /** Logs alerts of {@code minSeverity} or worse. */
  public LoggingNotifier(AlertSeverity minSeverity) {
    this(minSeverity, Set.of());
  }

  /** Logs alerts of {@code minSeverity} or worse from {@code sources} (all when empty). */
  public LoggingNotifier(AlertSeverity minSeverity, Set<String> sources) {
    // Resolutions are always logged too, labelled RESOLVED.
    super(new Routing(minSeverity, sources, true));
    this.logger = LoggerFactory.getLogger(LOGGER_NAME);
  }

  @Override
  public void send(Alert alert) {
    Level level =
        switch (alert.severity()) {
          case INFO -> Level.INFO;
          case WARNING -> Level.WARN;
          case ERROR, CRITICAL -> Level.ERROR;
        };
    logger.atLevel(level).log(format(alert));
  }

  /** One line, whatever the alert holds: its control characters are escaped ({@code \n}). */
  static String format(Alert alert) {
    String label = alert.isFiring() ? alert.severity().name() : "RESOLVED";
    StringBuilder text =
        new StringBuilder()
            .append('[')
            .append(label)
            .append("] ")
            .append(escape(alert.title()))
            .append(": ")
            .append(escape(alert.message()))
            .append(" (source=")
            .append(escape(alert.source()))
            .append(", service=")
            .append(escape(alert.service()));
    if (!alert.details().isEmpty()) {
      text.append(", details=").append(escape(String.valueOf(alert.details())));
    }
    if (alert.occurrences() > 1) {
      text.append(", occurrences=").append(alert.occurrences());
    }
    return text.append(')').toString();
  }

  @Override
  public String name() {
    return "logging";
  }

  @Override
  public String toString() {
    return "LoggingNotifier{minSeverity="
        + routing.minSeverity()
        + (routing.sources().isEmpty() ? "" : ", sources=" + routing.sources())
        + "}";
  }
}
