package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.ClassicConstants;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class LogConfiguratorTest {
  @Test
  void configure_infoAndUpToStderrInThePattern_securityErrorsOnly_noOtherConfigurator() {
    LoggerContext context = new LoggerContext();
    LogConfigurator configurator = new LogConfigurator();
    configurator.setContext(context);

    assertThat(configurator.configure(context))
        .isEqualTo(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.INFO);
    Appender<ILoggingEvent> appender = root.getAppender("STDERR");
    assertThat(appender).isInstanceOf(ConsoleAppender.class);
    ConsoleAppender<?> stderr = (ConsoleAppender<?>) appender;
    assertThat(stderr.isStarted()).isTrue();
    assertThat(stderr.getTarget()).isEqualTo("System.err");
    assertThat(((PatternLayoutEncoder) stderr.getEncoder()).getPattern())
        .isEqualTo("%d{HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n");
    assertThat(context.getLogger("io.amptalk.monitoring.security").getEffectiveLevel())
        .isEqualTo(Level.ERROR);
    assertThat(context.getLogger("io.amptalk.monitoring.alerts").getEffectiveLevel())
        .isEqualTo(Level.INFO);
  }

  @Test
  void configure_withLogbackConfigurationFileSet_leavesTheContextToLogback() {
    LoggerContext context = new LoggerContext();
    LogConfigurator configurator = new LogConfigurator();
    configurator.setContext(context);
    System.setProperty(ClassicConstants.CONFIG_FILE_PROPERTY, "custom-logback.xml");
    try {
      assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    } finally {
      System.clearProperty(ClassicConstants.CONFIG_FILE_PROPERTY);
    }
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.iteratorForAppenders().hasNext()).isFalse();
  }
}
