package io.amptalk.monitoring.alert.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.testing.AlertNotifierContract;
import io.amptalk.monitoring.testing.Keystores;
import io.amptalk.monitoring.testing.StartTlsSmtpServer;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link EmailNotifier} against a real SMTP server (GreenMail), plain, SMTPS and with AUTH. */
class EmailNotifierIT {
  private static final String HOST = "127.0.0.1";
  private static final String ADMIN = "admin@example.com";
  private static final String ONCALL = "oncall@example.com";
  private static final String SENDER = "alerts@example.com";
  private static final String USER = "alerts";
  private static final String PASSWORD = "s3cret-Pa55";
  private static final String ID = "7d1e1a0e-0000-4000-8000-000000000001";
  private static final Instant TIME = Instant.parse("2026-01-01T12:00:00Z");
  private static final Instant LAST_SEEN = Instant.parse("2026-01-01T12:05:00Z");

  /** A fresh SMTP and SMTPS server per test, each on an ephemeral port of the loopback address. */
  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(
          new ServerSetup[] {
            new ServerSetup(0, HOST, ServerSetup.PROTOCOL_SMTP),
            new ServerSetup(0, HOST, ServerSetup.PROTOCOL_SMTPS)
          });

  private static int smtpPort() {
    return greenMail.getSmtp().getPort();
  }

  private static EmailNotifier.Builder toGreenMail() {
    return EmailNotifier.builder()
        .smtpServer(HOST)
        .smtpPort(smtpPort())
        .sender(SENDER)
        .recipients(List.of(ADMIN, ONCALL));
  }

  private static Alert alert(
      String title, String message, Alert.State state, Map<String, Object> details) {
    return new Alert(
        ID,
        title,
        message,
        AlertSeverity.WARNING,
        "system_monitor",
        "amptalk",
        TIME,
        details,
        Alert.fingerprint("amptalk", "system_monitor", title),
        state,
        3,
        LAST_SEEN,
        false,
        List.of());
  }

  private static Alert highCpu() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("cpu_usage", 83.5);
    details.put("host", "db-1");
    details.put("cores", List.of(0, 3));
    return alert("High CPU Usage", "CPU usage has exceeded 80%", Alert.State.FIRING, details);
  }

  private static MimeMessage onlyMessageTo(String recipient) {
    List<MimeMessage> messages =
        greenMail
            .findReceivedMessages(user -> user.getEmail().equals(recipient), message -> true)
            .toList();
    assertThat(messages).hasSize(1);
    return messages.get(0);
  }

  private static MimeMultipart body(MimeMessage message) throws Exception {
    assertThat(message.getContentType()).startsWith("multipart/alternative;");
    MimeMultipart multipart = (MimeMultipart) message.getContent();
    assertThat(multipart.getCount()).isEqualTo(2);
    return multipart;
  }

  private static String part(MimeMessage message, int index, String type) throws Exception {
    BodyPart part = body(message).getBodyPart(index);
    assertThat(part.getContentType()).isEqualToIgnoringCase(type + "; charset=UTF-8");
    return (String) part.getContent();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }

  // ---------------------------------------------------------------- the message

  @Test
  void send_firingAlert_reachesEveryRecipientWithSubjectFromAndAlertId() throws Exception {
    toGreenMail().build().send(highCpu());

    assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
    assertThat(greenMail.getReceivedMessages()).hasSize(2);
    for (String recipient : List.of(ADMIN, ONCALL)) {
      MimeMessage message = onlyMessageTo(recipient);
      assertThat(message.getSubject()).isEqualTo("[WARNING] High CPU Usage");
      assertThat(message.getFrom()).containsExactly(new InternetAddress(SENDER));
      assertThat(message.getRecipients(Message.RecipientType.TO))
          .containsExactly(new InternetAddress(ADMIN), new InternetAddress(ONCALL));
      assertThat(message.getHeader("X-Amptalk-Alert-Id")).containsExactly(ID);
      assertThat(message.getMessageID()).isEqualTo("<" + ID + ".firing.3@amptalk-monitoring>");
      assertThat(message.getSentDate()).isNotNull();
    }
  }

  @Test
  void send_plainPart_hasTheExactLayout() throws Exception {
    toGreenMail().build().send(highCpu());

    assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
    String plain = part(onlyMessageTo(ADMIN), 0, "text/plain");
    assertThat(plain.split("\r\n", -1))
        .containsExactly(
            "[WARNING] High CPU Usage",
            "",
            "  CPU usage has exceeded 80%",
            "",
            "Source:      system_monitor",
            "Service:     amptalk",
            "Severity:    WARNING",
            "State:       FIRING",
            "Time:        2026-01-01T12:00:00Z",
            "Last seen:   2026-01-01T12:05:00Z",
            "Occurrences: 3",
            "Alert ID:    " + ID,
            "",
            "Details:",
            "  cpu_usage: 83.5",
            "  host: db-1",
            "  cores: [0,3]",
            "");
  }

  @Test
  void send_plainPart_controlCharactersCannotForgeItsLines() throws Exception {
    Alert alert =
        new Alert(
            ID,
            "Disk\r\nSource:      forged",
            "ok\nSource:      forged\rAlert ID:    0000\u001b[2J",
            AlertSeverity.ERROR,
            "db\nAlert ID:    fake",
            "amptalk",
            TIME,
            Map.of("k\nSource: forged", "v\u001b[31m"),
            "f",
            Alert.State.FIRING,
            1,
            TIME,
            false,
            List.of());

    toGreenMail().build().send(alert);

    assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
    // Only the lines we write start at the margin: the alert's own text is escaped or indented.
    assertThat(part(onlyMessageTo(ONCALL), 0, "text/plain").split("\r\n", -1))
        .containsExactly(
            "[ERROR] Disk Source:      forged",
            "",
            "  ok",
            "  Source:      forged",
            "  Alert ID:    0000\\u001b[2J",
            "",
            "Source:      db\\nAlert ID:    fake",
            "Service:     amptalk",
            "Severity:    ERROR",
            "State:       FIRING",
            "Time:        2026-01-01T12:00:00Z",
            "Last seen:   2026-01-01T12:00:00Z",
            "Occurrences: 1",
            "Alert ID:    " + ID,
            "",
            "Details:",
            "  k\\nSource: forged: v\\u001b[31m",
            "");
  }

  @Test
  void send_plainPart_indentsContinuationLinesAndListsNotes() throws Exception {
    Alert alert =
        new Alert(
            ID,
            "(untitled)",
            "first line\nsecond line",
            AlertSeverity.ERROR,
            "unknown",
            "amptalk",
            TIME,
            Map.of("trace", "at a\nat b"),
            "f",
            Alert.State.FIRING,
            1,
            TIME,
            false,
            List.of("title was null", "source was null"));

    toGreenMail().build().send(alert);

    assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
    assertThat(part(onlyMessageTo(ONCALL), 0, "text/plain").split("\r\n", -1))
        .containsExactly(
            "[ERROR] (untitled)",
            "",
            "  first line",
            "  second line",
            "",
            "Source:      unknown",
            "Service:     amptalk",
            "Severity:    ERROR",
            "State:       FIRING",
            "Time:        2026-01-01T12:00:00Z",
            "Last seen:   2026-01-01T12:00:00Z",
            "Occurrences: 1",
            "Alert ID:    " + ID,
            "",
            "Details:",
            "  trace: at a",
            "         at b",
            "",
            "Notes:",
            "  - title was null",
            "  - source was null",
            "");
  }

  @Test
  void send_htmlPart_holdsTheSameContentEscapedAndLoadsNothingRemote() throws Exception {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("cpu_usage", 83.5);
    details.put("<b>key</b>", "it's \"quoted\" & <i>tagged</i>");
    Alert alert =
        alert(
            "<script>alert(1)</script> High CPU",
            "CPU > 80% & rising",
            Alert.State.FIRING,
            details);

    toGreenMail().build().send(alert);

    assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
    MimeMessage message = onlyMessageTo(ADMIN);
    assertThat(message.getSubject()).isEqualTo("[WARNING] <script>alert(1)</script> High CPU");
    assertThat(part(message, 0, "text/plain"))
        .contains("[WARNING] <script>alert(1)</script> High CPU\r\n")
        .contains("\r\n  CPU > 80% & rising\r\n")
        .contains("\r\n  <b>key</b>: it's \"quoted\" & <i>tagged</i>\r\n");
    String html = part(message, 1, "text/html");
    assertThat(html)
        .startsWith("<!DOCTYPE html>")
        .contains("<h2>[WARNING] &lt;script&gt;alert(1)&lt;/script&gt; High CPU</h2>")
        .contains(">CPU &gt; 80% &amp; rising</p>")
        .contains(">&lt;b&gt;key&lt;/b&gt;</th>")
        .contains(">it&#39;s &quot;quoted&quot; &amp; &lt;i&gt;tagged&lt;/i&gt;</td>")
        .contains(">cpu_usage</th>", ">83.5</td>")
        .contains(">Source</th>", ">system_monitor</td>")
        .contains(">Service</th>", ">amptalk</td>")
        .contains(">Severity</th>", ">WARNING</td>")
        .contains(">State</th>", ">FIRING</td>")
        .contains(">Time</th>", ">2026-01-01T12:00:00Z</td>")
        .contains(">Occurrences</th>", ">3</td>")
        .doesNotContain("<script")
        .doesNotContain("<i>")
        .doesNotContainIgnoringCase("src=")
        .doesNotContainIgnoringCase("href=")
        .doesNotContainIgnoringCase("url(")
        .doesNotContainIgnoringCase("<link")
        .doesNotContainIgnoringCase("<img");
  }

  @Test
  void send_resolvedAlert_saysResolvedWithItsOwnMessageId() throws Exception {
    EmailNotifier notifier = toGreenMail().recipients(List.of(ADMIN)).build();
    Alert firing = highCpu();
    Alert resolved = alert(firing.title(), firing.message(), Alert.State.RESOLVED, Map.of());

    notifier.send(firing);
    notifier.send(resolved);

    assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
    MimeMessage[] messages = greenMail.getReceivedMessages();
    assertThat(messages).hasSize(2);
    assertThat(messages[1].getSubject()).isEqualTo("[RESOLVED] High CPU Usage");
    assertThat(messages[1].getHeader("X-Amptalk-Alert-Id")).containsExactly(ID);
    assertThat(messages[1].getMessageID()).isEqualTo("<" + ID + ".resolved.3@amptalk-monitoring>");
    assertThat(part(messages[1], 0, "text/plain"))
        .startsWith("[RESOLVED] High CPU Usage\r\n")
        .contains("\r\nState:       RESOLVED\r\n")
        .doesNotContain("Details:");
  }

  @Test
  void send_sameAlertTwice_repeatsTheMessageIdSoReceiversSeeTheDuplicate() throws Exception {
    EmailNotifier notifier = toGreenMail().recipients(List.of(ADMIN)).build();

    notifier.send(highCpu());
    notifier.send(highCpu());

    assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
    assertThat(Arrays.stream(greenMail.getReceivedMessages()).map(EmailNotifierIT::messageId))
        .containsExactly(
            "<" + ID + ".firing.3@amptalk-monitoring>", "<" + ID + ".firing.3@amptalk-monitoring>");
  }

  private static String messageId(MimeMessage message) {
    try {
      return message.getMessageID();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- auth and TLS

  @Test
  void send_withTheRightPassword_logsInAndDelivers() throws Exception {
    greenMail.setUser(SENDER, USER, PASSWORD);

    toGreenMail().username(USER).password(PASSWORD).build().send(highCpu());

    assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
    assertThat(onlyMessageTo(ADMIN).getSubject()).isEqualTo("[WARNING] High CPU Usage");
  }

  @Test
  void send_withAWrongPassword_failsPermanentlyWithoutShowingIt() {
    greenMail.setUser(SENDER, USER, PASSWORD);
    String wrong = "wrong-Pa55word";
    EmailNotifier notifier = toGreenMail().username(USER).password(wrong).build();

    DeliveryException failure =
        catchThrowableOfType(DeliveryException.class, () -> notifier.send(highCpu()));

    assertThat(failure.isRetryable()).isFalse();
    assertThat(failure)
        .hasMessage("SMTP authentication failed for user 'alerts' at " + HOST + ":" + smtpPort())
        .hasCauseInstanceOf(jakarta.mail.AuthenticationFailedException.class);
    for (Throwable t = failure; t != null; t = t.getCause()) {
      assertThat(String.valueOf(t.getMessage())).doesNotContain(wrong).doesNotContain(PASSWORD);
    }
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Test
  void send_overSmtpsTrustingGreenMailsSelfSignedCertificate_delivers() throws Exception {
    greenMail.setUser(SENDER, USER, PASSWORD);
    EmailNotifier notifier =
        toGreenMail()
            .smtpPort(greenMail.getSmtps().getPort())
            .useSsl(true)
            .trustAllHosts(true)
            .username(USER)
            .password(PASSWORD)
            .build();

    notifier.send(highCpu());

    assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
    assertThat(onlyMessageTo(ONCALL).getSubject()).isEqualTo("[WARNING] High CPU Usage");
  }

  @Test
  void send_overSmtpsByDefault_refusesGreenMailsSelfSignedCertificateForGood() {
    greenMail.setUser(SENDER, USER, PASSWORD);
    int port = greenMail.getSmtps().getPort();
    // Certificate checks are on unless trustAllHosts(true) is asked for.
    EmailNotifier notifier =
        toGreenMail().smtpPort(port).useSsl(true).username(USER).password(PASSWORD).build();

    DeliveryException failure =
        catchThrowableOfType(DeliveryException.class, () -> notifier.send(highCpu()));

    assertThat(failure.isRetryable()).isFalse();
    assertThat(failure)
        .hasMessage(
            "SMTP server "
                + HOST
                + ":"
                + port
                + " was refused: its certificate is not trusted or does not name "
                + HOST
                + " (PKIX path building failed:"
                + " sun.security.provider.certpath.SunCertPathBuilderException: unable to find"
                + " valid certification path to requested target). Add its certificate authority"
                + " to the JDK trust store (trustAllHosts(true) is for test servers only)");
    assertThat(notifier.toString()).doesNotContain("trustAllHosts");
    // Nothing was said to a server that could not prove who it is: no login, no message.
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  @Nested
  class StartTls {
    private static final String STORE_PASSWORD = "smtp-Pa55word";
    @TempDir Path dir;

    private StartTlsSmtpServer server() throws IOException {
      Path keystore = Keystores.create(dir.resolve("smtp.p12"), "PKCS12", STORE_PASSWORD);
      try {
        KeyManagerFactory keys =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(
            KeyStore.getInstance(keystore.toFile(), STORE_PASSWORD.toCharArray()),
            STORE_PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return new StartTlsSmtpServer(context);
      } catch (GeneralSecurityException e) {
        throw new AssertionError(e);
      }
    }

    @Test
    void send_startTlsByDefault_refusesASelfSignedCertificateBeforeLoggingIn() throws Exception {
      try (StartTlsSmtpServer server = server()) {
        EmailNotifier notifier =
            toGreenMail()
                .smtpPort(server.port())
                .startTls(true)
                .username(USER)
                .password(PASSWORD)
                .build();

        DeliveryException failure =
            catchThrowableOfType(DeliveryException.class, () -> notifier.send(highCpu()));
        server.awaitDone();

        assertThat(failure.isRetryable()).isFalse();
        assertThat(failure)
            .hasMessage(
                "SMTP server "
                    + HOST
                    + ":"
                    + server.port()
                    + " was refused: its certificate is not trusted or does not name "
                    + HOST
                    + " (PKIX path building failed:"
                    + " sun.security.provider.certpath.SunCertPathBuilderException: unable to"
                    + " find valid certification path to requested target). Add its certificate"
                    + " authority to the JDK trust store (trustAllHosts(true) is for test servers"
                    + " only)");
        // The password never left: the client stopped at the handshake.
        assertThat(server.commands).containsExactly("EHLO", "STARTTLS");
        assertThat(server.handshakeFailure).isNotNull();
        assertThat(server.message).isNull();
      }
    }

    @Test
    void send_startTlsTrustingAllHosts_upgradesLogsInAndDelivers() throws Exception {
      try (StartTlsSmtpServer server = server()) {
        EmailNotifier notifier =
            toGreenMail()
                .smtpPort(server.port())
                .startTls(true)
                .trustAllHosts(true)
                .username(USER)
                .password(PASSWORD)
                .build();

        notifier.send(highCpu());
        server.awaitDone();

        assertThat(server.handshakeFailure).isNull();
        assertThat(server.commands)
            .containsExactly(
                "EHLO", "STARTTLS", "EHLO", "AUTH", "MAIL", "RCPT", "RCPT", "DATA", "QUIT");
        assertThat(server.message).contains("Subject: [WARNING] High CPU Usage\r\n");
      }
    }
  }

  @Test
  void toString_trustAllHosts_isShown() {
    EmailNotifier notifier =
        toGreenMail()
            .smtpPort(greenMail.getSmtps().getPort())
            .useSsl(true)
            .trustAllHosts(true)
            .build();

    assertThat(notifier.toString()).contains(", ssl, trustAllHosts, sender=");
  }

  @Test
  void build_loginWithoutTlsToAnotherHost_warnsThatThePasswordTravelsInClearText() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(EmailNotifier.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
        new ch.qos.logback.core.read.ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      EmailNotifier.Builder remote =
          EmailNotifier.builder()
              .smtpServer("smtp.example.com")
              .recipients(List.of(ADMIN))
              .username(USER)
              .password(PASSWORD);
      remote.build();
      remote.startTls(true).build();
      toGreenMail().username(USER).password(PASSWORD).build(); // 127.0.0.1: this host

      assertThat(appender.list)
          .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
          .containsExactly(
              "EmailNotifier 'email' logs in to smtp.example.com:25 without TLS, so the SMTP"
                  + " password crosses the network in clear text: set startTls(true) or"
                  + " useSsl(true)");
    } finally {
      logger.detachAppender(appender);
    }
  }

  // GreenMail 2.1.7's SMTP server has no STARTTLS command: against it, a required STARTTLS must
  // never fall back to clear text. The upgrade itself is tested in StartTls, below.
  @Test
  void send_startTlsToAServerWithoutIt_refusesToSendInClearText() {
    EmailNotifier notifier = toGreenMail().startTls(true).build();

    DeliveryException failure =
        catchThrowableOfType(DeliveryException.class, () -> notifier.send(highCpu()));

    assertThat(failure)
        .hasMessage(
            "sending via SMTP server "
                + HOST
                + ":"
                + smtpPort()
                + " failed: MessagingException:"
                + " STARTTLS is required but host does not support STARTTLS");
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }

  // ---------------------------------------------------------------- server down

  @Test
  void send_serverDownThenUp_failsRetryablyThenDelivers() throws Exception {
    int port = freePort();
    EmailNotifier notifier = toGreenMail().smtpPort(port).recipients(List.of(ADMIN)).build();

    DeliveryException failure =
        catchThrowableOfType(DeliveryException.class, () -> notifier.send(highCpu()));

    assertThat(failure.isRetryable()).isTrue();
    assertThat(failure)
        .hasMessage(
            "SMTP server "
                + HOST
                + ":"
                + port
                + " unreachable: ConnectException: Connection refused");

    GreenMail server = new GreenMail(new ServerSetup(port, HOST, ServerSetup.PROTOCOL_SMTP));
    server.start();
    try {
      notifier.send(highCpu());

      assertThat(server.waitForIncomingEmail(5_000, 1)).isTrue();
      assertThat(server.getReceivedMessages()[0].getSubject())
          .isEqualTo("[WARNING] High CPU Usage");
    } finally {
      server.stop();
    }
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void builder_seedExample_hasTheDocumentedDefaults() {
    EmailNotifier notifier =
        EmailNotifier.builder()
            .recipients(List.of("admin@example.com"))
            .minSeverity(AlertSeverity.WARNING)
            .build();

    assertThat(notifier.name()).isEqualTo("email");
    assertThat(notifier.minSeverity()).isEqualTo(AlertSeverity.WARNING);
    assertThat(notifier.sources()).isEmpty();
    assertThat(notifier.sendsResolved()).isTrue();
    assertThat(notifier.toString())
        .startsWith("EmailNotifier{name=email, server=localhost:25, sender=amptalk-monitoring@")
        .endsWith(", recipients=[admin@example.com], minSeverity=WARNING}");
  }

  @Test
  void builder_sources_filterWhatTheNotifierAccepts() {
    EmailNotifier notifier =
        toGreenMail().name("ops-mail").sources(Set.of("database")).sendsResolved(false).build();

    assertThat(notifier.name()).isEqualTo("ops-mail");
    assertThat(notifier.sendsResolved()).isFalse();
    assertThat(notifier.accepts(highCpu())).isFalse();
  }

  @Test
  void toString_showsServerSenderRecipientsAndUserButNeverThePassword() {
    EmailNotifier notifier =
        EmailNotifier.builder()
            .smtpServer("smtp.example.com")
            .smtpPort(587)
            .startTls(true)
            .sender(SENDER)
            .recipients(List.of(ADMIN, ONCALL))
            .username(USER)
            .password(PASSWORD)
            .build();

    assertThat(notifier.toString())
        .isEqualTo(
            "EmailNotifier{name=email, server=smtp.example.com:587, starttls,"
                + " sender=alerts@example.com,"
                + " recipients=[admin@example.com, oncall@example.com], username=alerts,"
                + " password=***, minSeverity=INFO}")
        .doesNotContain(PASSWORD);
  }

  @Test
  void builder_badOptions_failWithMessagesNamingOptionAndValue() {
    EmailNotifier.Builder builder = EmailNotifier.builder();

    assertThatThrownBy(() -> builder.smtpPort(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("smtpPort must be 1..65535, was 0");
    assertThatThrownBy(() -> builder.smtpPort(65536))
        .hasMessage("smtpPort must be 1..65535, was 65536");
    assertThatThrownBy(() -> builder.recipients(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recipients must not be empty");
    assertThatThrownBy(() -> builder.recipients(List.of(ADMIN, "not an address")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recipient 'not an address' is not a valid email address");
    assertThatThrownBy(() -> builder.recipients(List.of("admin")))
        .hasMessage("recipient 'admin' is not a valid email address");
    assertThatThrownBy(() -> builder.sender("alerts@"))
        .hasMessage("sender 'alerts@' is not a valid email address");
    assertThatThrownBy(() -> builder.smtpServer(" "))
        .hasMessage("smtpServer must not be blank, was ' '");
    assertThatThrownBy(() -> builder.smtpServer("smtp example.com"))
        .hasMessage("smtpServer must be a host name or address, was 'smtp example.com'");
    assertThatThrownBy(() -> builder.name("")).hasMessage("name must not be blank, was ''");
    assertThatThrownBy(() -> builder.username(" "))
        .hasMessage("username must not be blank, was ' '");
    assertThatThrownBy(() -> builder.password("")).hasMessage("password must not be empty");
    assertThatThrownBy(() -> builder.connectTimeout(Duration.ZERO))
        .hasMessage("connectTimeout must be 1 ms..24 days, was PT0S");
    assertThatThrownBy(() -> builder.readTimeout(Duration.ofDays(30)))
        .hasMessage("readTimeout must be 1 ms..24 days, was PT720H");
  }

  @Test
  void build_badCombinations_failWithMessagesNamingTheOptions() {
    assertThatThrownBy(() -> EmailNotifier.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recipients must not be empty");
    assertThatThrownBy(
            () -> EmailNotifier.builder().recipients(List.of(ADMIN)).username(USER).build())
        .hasMessage("username 'alerts' needs a password, none was given");
    assertThatThrownBy(
            () -> EmailNotifier.builder().recipients(List.of(ADMIN)).password(PASSWORD).build())
        .hasMessage("password needs a username, none was given");
    assertThatThrownBy(
            () ->
                EmailNotifier.builder()
                    .recipients(List.of(ADMIN))
                    .useSsl(true)
                    .startTls(true)
                    .build())
        .hasMessage(
            "useSsl and startTls are exclusive: useSsl speaks TLS from the start (SMTPS, usually"
                + " port 465), startTls upgrades a plain connection (usually port 587)");
    assertThatThrownBy(
            () -> EmailNotifier.builder().recipients(List.of(ADMIN)).trustAllHosts(true).build())
        .hasMessage("trustAllHosts needs useSsl or startTls");
  }

  // ---------------------------------------------------------------- the notifier contract

  /** What every notifier must do, for email. */
  @Nested
  class Contract extends AlertNotifierContract {
    @BeforeEach
    void addUser() {
      greenMail.setUser(SENDER, USER, PASSWORD);
    }

    @Override
    protected AlertNotifier notifier() {
      return toGreenMail().recipients(List.of(ADMIN)).username(USER).password(PASSWORD).build();
    }

    @Override
    protected void assertReceived(Alert alert) throws Exception {
      assertThat(greenMail.waitForIncomingEmail(5_000, 1)).isTrue();
      MimeMessage message = greenMail.getReceivedMessages()[0];
      assertThat(message.getHeader("X-Amptalk-Alert-Id")).containsExactly(alert.id());
      assertThat(message.getSubject())
          .isEqualTo(
              "["
                  + (alert.isFiring() ? alert.severity().name() : "RESOLVED")
                  + "] "
                  + alert.title());
    }

    @Override
    protected AlertNotifier notifierWithReceiverDown() {
      try {
        return EmailNotifier.builder()
            .smtpServer(HOST)
            .smtpPort(freePort())
            .recipients(List.of(ADMIN))
            .username(USER)
            .password(PASSWORD)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    protected String secret() {
      return PASSWORD;
    }
  }
}
