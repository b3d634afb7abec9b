package io.amptalk.monitoring.internal.util;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.amptalk.monitoring.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledLoggerTest {
  private final Logger logger = (Logger) LoggerFactory.getLogger("throttle-test");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @BeforeEach
  void attach() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
  }

  @Test
  void warn_logsOncePerIntervalPerKey() {
    ThrottledLogger log = new ThrottledLogger(logger, clock, Duration.ofMinutes(1));

    log.warn("a", "first {}", 1);
    log.warn("a", "suppressed {}", 2);
    log.warn("b", "other key {}", 3);
    clock.advance(Duration.ofSeconds(59));
    log.warn("a", "still suppressed {}", 4);
    clock.advance(Duration.ofSeconds(1));
    log.warn("a", "again {}", 5);

    assertThat(appender.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("first 1", "other key 3", "again 5");
  }

  @Test
  void warnOnce_logsFirstTimeOnly() {
    ThrottledLogger log = new ThrottledLogger(logger, clock, Duration.ofMinutes(1));

    log.warnOnce("overflow", "over {}", 1);
    clock.advance(Duration.ofHours(1));
    log.warnOnce("overflow", "over {}", 2);

    assertThat(appender.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly("over 1");
  }
}
