package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.testing.AlertNotifierContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingNotifierTest extends AlertNotifierContract {
  private final Logger logger = (Logger) LoggerFactory.getLogger(LoggingNotifier.LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private Level previousLevel;

  @BeforeEach
  void attach() {
    previousLevel = logger.getLevel();
    logger.setLevel(Level.INFO);
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
  }

  @Override
  protected AlertNotifier notifier() {
    return new LoggingNotifier();
  }

  @Override
  protected void assertReceived(Alert alert) {
    assertThat(appender.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .contains(LoggingNotifier.format(alert));
  }

  @Override
  protected AlertNotifier notifierWithReceiverDown() {
    return null; // a log cannot be down
  }

  @Test
  void send_logsAtTheSeverityLevelInOneLine() {
    LoggingNotifier notifier = new LoggingNotifier();

    notifier.send(alert(AlertSeverity.INFO, Alert.State.FIRING));
    notifier.send(alert(AlertSeverity.WARNING, Alert.State.FIRING));
    notifier.send(alert(AlertSeverity.ERROR, Alert.State.FIRING));
    notifier.send(alert(AlertSeverity.CRITICAL, Alert.State.FIRING));
    notifier.send(alert(AlertSeverity.CRITICAL, Alert.State.RESOLVED));

    assertThat(appender.list)
        .extracting(ILoggingEvent::getLevel)
        .containsExactly(Level.INFO, Level.WARN, Level.ERROR, Level.ERROR, Level.ERROR);
    assertThat(appender.list.get(1).getFormattedMessage())
        .isEqualTo(
            "[WARNING] High CPU Usage: CPU usage has exceeded 80% (source=system_monitor,"
                + " service=amptalk, details={cpu_usage=83.5})");
    assertThat(appender.list.get(4).getFormattedMessage()).startsWith("[RESOLVED] High CPU Usage:");
  }

  @Test
  void minSeverity_filters() {
    LoggingNotifier notifier = new LoggingNotifier(AlertSeverity.ERROR);

    assertThat(notifier.accepts(alert(AlertSeverity.WARNING, Alert.State.FIRING))).isFalse();
    assertThat(notifier.accepts(alert(AlertSeverity.ERROR, Alert.State.FIRING))).isTrue();
    assertThat(notifier.toString()).isEqualTo("LoggingNotifier{minSeverity=ERROR}");
  }

  @Test
  void sources_filter() {
    LoggingNotifier notifier =
        new LoggingNotifier(AlertSeverity.INFO, java.util.Set.of("database"));

    assertThat(notifier.accepts(alert(AlertSeverity.CRITICAL, Alert.State.FIRING))).isFalse();
    assertThat(notifier.toString())
        .isEqualTo("LoggingNotifier{minSeverity=INFO, sources=[database]}");
  }

  @Test
  void format_controlCharactersAreEscaped_soAnAlertCannotForgeALogLine() {
    Alert alert =
        new Alert(
            "id-1",
            "Disk\r\n12:00:00.000 ERROR forged",
            "ok\nSource: x\u001b[2J\u2028end",
            AlertSeverity.ERROR,
            "db\rAlert ID: fake",
            "amptalk",
            java.time.Instant.parse("2026-01-01T12:00:00Z"),
            java.util.Map.of("k\nSource: forged", "v\u001b[31m\u0085"),
            "f",
            Alert.State.FIRING,
            1,
            java.time.Instant.parse("2026-01-01T12:00:00Z"),
            false,
            java.util.List.of());

    new LoggingNotifier().send(alert);

    assertThat(appender.list).hasSize(1);
    assertThat(appender.list.get(0).getFormattedMessage())
        .isEqualTo(
            "[ERROR] Disk\\r\\n12:00:00.000 ERROR forged: ok\\nSource: x\\u001b[2J\\u2028end"
                + " (source=db\\rAlert ID: fake, service=amptalk,"
                + " details={k\\nSource: forged=v\\u001b[31m\\u0085})");
  }
}
