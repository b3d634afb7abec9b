package io.amptalk.monitoring.alert.notify;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.alert.AlertJson;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each alert as an email through an SMTP server (Jakarta Mail, implemented by Angus Mail).
 *
 * <pre>{@code
 * EmailNotifier email = EmailNotifier.builder()
 *     .smtpServer("smtp.example.com")
 *     .smtpPort(587)
 *     .startTls(true)
 *     .username("alerts")
 *     .password(System.getenv("SMTP_PASSWORD"))
 *     .sender("alerts@example.com")
 *     .recipients(List.of("admin@example.com", "oncall@example.com"))
 *     .minSeverity(AlertSeverity.WARNING)
 *     .build();
 * }</pre>
 *
 * <p>Each alert is one message to all recipients, with the subject {@code [SEVERITY] title} ({@code
 * [RESOLVED] title} for a resolution) and a {@code multipart/alternative} body: a {@code
 * text/plain} part and a {@code text/html} part with the same content (message, source, service,
 * severity, state, time, last seen, occurrences, alert id, details and notes). The HTML part
 * escapes all alert text and loads nothing remote: no images, style sheets or scripts. Two headers
 * let receivers recognise a re-delivery: {@code X-Amptalk-Alert-Id} (the alert's id) and a {@code
 * Message-ID} made of the alert id, its state and its occurrences, so a retried attempt repeats it,
 * while a reminder or a resolution gets a new one.
 *
 * <p>Connection security: plain SMTP by default (port 25, for a relay on this host or network);
 * {@link Builder#startTls} requires the upgrade to TLS (submission, usually port 587) and never
 * falls back to clear text; {@link Builder#useSsl} speaks TLS from the start (SMTPS, usually port
 * 465). With either, the server's certificate is checked against the JDK's trust store and must
 * name the host given as {@code smtpServer}, unless {@link Builder#trustAllHosts} (default false)
 * is set; a server that fails the check gets nothing, and the failure says so and is not retried.
 * Logging in without TLS to a host other than this one logs a warning when the notifier is built.
 *
 * <p>Outcomes, for the alert system's retries: refused credentials, addresses the server rejects
 * for good (5xx) and other 5xx answers are permanent; an unreachable server, a timeout, a broken
 * connection and 4xx answers are retried. Failure messages and {@link #toString()} never contain
 * the password.
 */
public final class EmailNotifier implements AlertNotifier {
  private static final Logger LOG = LoggerFactory.getLogger(EmailNotifier.class);

  /** The header carrying the alert's id, the key receivers can drop duplicates by. */
  static final String ALERT_ID_HEADER = "X-Amptalk-Alert-Id";

  private static final String MESSAGE_ID_DOMAIN = "amptalk-monitoring";
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}+");
  private static final String CRLF = "\r\n";

  private final String name;
  private final String smtpServer;
  private final int smtpPort;
  private final InternetAddress sender;
  private final InternetAddress[] recipients;
  private final boolean useSsl;
  private final boolean startTls;
  private final boolean trustAllHosts;
  private final String username;
  private final String password;
  private final AlertSeverity minSeverity;
  private final Set<String> sources;
  private final boolean sendsResolved;
  private final Session session;

  private EmailNotifier(Builder builder) {
    if (builder.recipients.isEmpty()) {
      throw new IllegalArgumentException("recipients must not be empty");
    }
    if (builder.username != null && builder.password == null) {
      throw new IllegalArgumentException(
          "username '" + builder.username + "' needs a password, none was given");
    }
    if (builder.password != null && builder.username == null) {
      throw new IllegalArgumentException("password needs a username, none was given");
    }
    if (builder.useSsl && builder.startTls) {
      throw new IllegalArgumentException(
          "useSsl and startTls are exclusive: useSsl speaks TLS from the start (SMTPS, usually"
              + " port 465), startTls upgrades a plain connection (usually port 587)");
    }
    if (builder.trustAllHosts && !(builder.useSsl || builder.startTls)) {
      throw new IllegalArgumentException("trustAllHosts needs useSsl or startTls");
    }
    this.name = builder.name;
    this.smtpServer = builder.smtpServer;
    this.smtpPort = builder.smtpPort;
    String localHost = localHostName();
    this.sender = builder.sender != null ? builder.sender : defaultSender(localHost);
    this.recipients = builder.recipients.toArray(new InternetAddress[0]);
    this.useSsl = builder.useSsl;
    this.startTls = builder.startTls;
    this.trustAllHosts = builder.trustAllHosts;
    this.username = builder.username;
    this.password = builder.password;
    this.minSeverity = builder.minSeverity;
    this.sources = Set.copyOf(builder.sources);
    this.sendsResolved = builder.sendsResolved;
    this.session = Session.getInstance(properties(builder, localHost));
    if (username != null && !useSsl && !startTls && !isLoopback(smtpServer)) {
      LOG.warn(
          "EmailNotifier '{}' logs in to {}:{} without TLS, so the SMTP password crosses the"
              + " network in clear text: set startTls(true) or useSsl(true)",
          name,
          smtpServer,
          smtpPort);
    }
  }

  /** Whether the name is this host's by its spelling alone (no lookup when building). */
  private static boolean isLoopback(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  /** A builder; {@link Builder#recipients} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The session's properties. Always the "smtp" protocol, with {@code mail.smtp.ssl.enable} for
   * SMTPS, so one set of property names applies to every mode.
   */
  private Properties properties(Builder builder, String localHost) {
    Properties props = new Properties();
    props.put("mail.transport.protocol", "smtp");
    props.put("mail.smtp.host", smtpServer);
    props.put("mail.smtp.port", Integer.toString(smtpPort));
    props.put("mail.smtp.connectiontimeout", Long.toString(builder.connectTimeout.toMillis()));
    props.put("mail.smtp.timeout", Long.toString(builder.readTimeout.toMillis()));
    props.put("mail.smtp.writetimeout", Long.toString(builder.readTimeout.toMillis()));
    // Without this, Angus makes an executor (and an unnamed, non-daemon thread) per connection.
    props.put("mail.smtp.executor.writetimeout", WriteTimeouts.EXECUTOR);
    // The alert reaches the recipients the server takes even when it refuses one of them; the
    // refusal still fails the attempt (see send).
    props.put("mail.smtp.sendpartial", "true");
    // Named here, since Angus refuses to send when it cannot find a name to greet with.
    props.put("mail.smtp.localhost", localHost);
    if (username != null) {
      props.put("mail.smtp.auth", "true");
    }
    if (useSsl) {
      props.put("mail.smtp.ssl.enable", "true");
    }
    if (startTls) {
      props.put("mail.smtp.starttls.enable", "true");
      props.put("mail.smtp.starttls.required", "true");
    }
    props.put("mail.smtp.ssl.checkserveridentity", Boolean.toString(!builder.trustAllHosts));
    if (builder.trustAllHosts) {
      props.put("mail.smtp.ssl.trust", "*");
    }
    return props;
  }

  /**
   * Makes one attempt to hand the alert to the SMTP server; throws {@link DeliveryException} saying
   * whether to retry.
   */
  @Override
  public void send(Alert alert) throws DeliveryException {
    try {
      MimeMessage message = message(alert);
      if (username == null) {
        Transport.send(message);
      } else {
        Transport.send(message, username, password);
      }
    } catch (MessagingException e) {
      throw failure(e);
    }
  }

  MimeMessage message(Alert alert) throws MessagingException {
    MimeMessage message = new AlertMessage(session, messageId(alert));
    message.setFrom(sender);
    message.setRecipients(Message.RecipientType.TO, recipients);
    message.setSubject(subject(alert), UTF_8.name());
    message.setSentDate(new Date());
    message.setHeader(ALERT_ID_HEADER, headerText(alert.id()));
    MimeBodyPart plain = new MimeBodyPart();
    plain.setText(plainText(alert), UTF_8.name(), "plain");
    MimeBodyPart html = new MimeBodyPart();
    html.setText(html(alert), UTF_8.name(), "html");
    // Simplest first: clients show the last alternative they can render.
    MimeMultipart body = new MimeMultipart("alternative", plain, html);
    message.setContent(body);
    return message;
  }

  /** A message whose Message-ID is ours, not one Jakarta Mail makes up when saving. */
  private static final class AlertMessage extends MimeMessage {
    private final String messageId;

    AlertMessage(Session session, String messageId) {
      super(session);
      this.messageId = messageId;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", messageId);
    }
  }

  /**
   * {@code <id.state.occurrences@amptalk-monitoring>}, the parts of the delivery key a message can
   * carry: retries of one delivery repeat it, a reminder or a resolution does not (some providers
   * drop a message whose Message-ID they have seen).
   */
  static String messageId(Alert alert) {
    // URL encoding leaves only characters allowed in a Message-ID's left part; dots are encoded
    // too, since that part may not start or end with one or hold two in a row.
    String id = URLEncoder.encode(alert.id(), UTF_8).replace(".", "%2E");
    return "<"
        + id
        + "."
        + alert.state().name().toLowerCase(Locale.ROOT)
        + "."
        + alert.occurrences()
        + "@"
        + MESSAGE_ID_DOMAIN
        + ">";
  }

  /** Text fit for a header: one line, non-ASCII encoded (RFC 2047). */
  private static String headerText(String text) {
    try {
      return MimeUtility.encodeText(oneLine(text), UTF_8.name(), null);
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is not supported", e); // every JDK supports it
    }
  }

  /** {@code [WARNING] High CPU Usage}, or {@code [RESOLVED] High CPU Usage}, on one line. */
  static String subject(Alert alert) {
    return "[" + label(alert) + "] " + oneLine(alert.title());
  }

  private static String label(Alert alert) {
    return alert.isFiring() ? alert.severity().name() : "RESOLVED";
  }

  private static String oneLine(String text) {
    return CONTROL.matcher(text).replaceAll(" ").strip();
  }

  // ---------------------------------------------------------------- the two bodies

  /**
   * The text/plain part, lines ending in CRLF:
   *
   * <pre>
   * [WARNING] High CPU Usage
   *
   * CPU usage has exceeded 80%
   *
   * Source:      system_monitor
   * Service:     amptalk
   * Severity:    WARNING
   * State:       FIRING
   * Time:        2026-01-01T12:00:00Z
   * Last seen:   2026-01-01T12:05:00Z
   * Occurrences: 3
   * Alert ID:    7d1e1a0e-0000-4000-8000-000000000001
   *
   * Details:
   *   cpu_usage: 83.5
   *   host: db-1
   * </pre>
   *
   * The message is left out when empty, and the details section when there are none; a "Notes:"
   * section (what the alert system changed in the input) follows the same way when there are any.
   * Detail values are written as is, maps and lists as JSON; continuation lines of multi-line
   * values are indented.
   */
  static String plainText(Alert alert) {
    StringBuilder text = new StringBuilder();
    line(text, "", subject(alert));
    line(text, "", "");
    if (!alert.message().isBlank()) {
      line(text, "", alert.message());
      line(text, "", "");
    }
    fields(alert).forEach((label, value) -> line(text, pad(label + ":", 13), value));
    if (!alert.details().isEmpty()) {
      line(text, "", "");
      line(text, "", "Details:");
      alert.details().forEach((key, value) -> line(text, "  " + key + ": ", render(value)));
    }
    if (!alert.notes().isEmpty()) {
      line(text, "", "");
      line(text, "", "Notes:");
      alert.notes().forEach(note -> line(text, "  - ", note));
    }
    return text.toString();
  }

  /**
   * Appends {@code prefix}, {@code value} and CRLF; line breaks in the value become CRLF followed
   * by spaces as wide as the prefix, so continuation lines stay under the value.
   */
  private static void line(StringBuilder text, String prefix, String value) {
    String continuation = CRLF + " ".repeat(prefix.length());
    text.append(prefix).append(LINE_BREAK.matcher(value).replaceAll(continuation)).append(CRLF);
  }

  private static String pad(String label, int width) {
    return label + " ".repeat(Math.max(1, width - label.length()));
  }

  /** The labelled fields, in display order; the same in both parts. */
  private static Map<String, String> fields(Alert alert) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("Source", alert.source());
    fields.put("Service", alert.service());
    fields.put("Severity", alert.severity().name());
    fields.put("State", alert.state().name());
    fields.put("Time", alert.time().toString());
    fields.put("Last seen", alert.lastSeen().toString());
    fields.put("Occurrences", Integer.toString(alert.occurrences()));
    fields.put("Alert ID", alert.id());
    return fields;
  }

  private static String render(Object value) {
    if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
      return AlertJson.write(value);
    }
    return String.valueOf(value);
  }

  /**
   * The text/html part: the same content as the plain part, all alert text escaped, styles inline,
   * nothing loaded from elsewhere.
   */
  static String html(Alert alert) {
    String cell = "padding:2px 12px 2px 0;vertical-align:top;text-align:left";
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\r\n<html><head><meta charset=\"UTF-8\"><title>")
        .append(escape(subject(alert)))
        .append("</title></head>\r\n<body style=\"font-family:sans-serif\">\r\n<h2>")
        .append(escape(subject(alert)))
        .append("</h2>\r\n");
    if (!alert.message().isBlank()) {
      html.append("<p style=\"white-space:pre-wrap\">")
          .append(escape(alert.message()))
          .append("</p>\r\n");
    }
    html.append("<table>\r\n");
    fields(alert)
        .forEach(
            (label, value) ->
                html.append("<tr><th style=\"")
                    .append(cell)
                    .append("\">")
                    .append(label)
                    .append("</th><td style=\"")
                    .append(cell)
                    .append("\">")
                    .append(escape(value))
                    .append("</td></tr>\r\n"));
    html.append("</table>\r\n");
    if (!alert.details().isEmpty()) {
      html.append("<h3>Details</h3>\r\n<table>\r\n");
      alert
          .details()
          .forEach(
              (key, value) ->
                  html.append("<tr><th style=\"")
                      .append(cell)
                      .append("\">")
                      .append(escape(key))
                      .append("</th><td style=\"")
                      .append(cell)
                      .append(";white-space:pre-wrap\">")
                      .append(escape(render(value)))
                      .append("</td></tr>\r\n"));
      html.append("</table>\r\n");
    }
    if (!alert.notes().isEmpty()) {
      html.append("<h3>Notes</h3>\r\n<ul>\r\n");
      alert.notes().forEach(note -> html.append("<li>").append(escape(note)).append("</li>\r\n"));
      html.append("</ul>\r\n");
    }
    return html.append("</body></html>\r\n").toString();
  }

  /** Escapes text for HTML element content and quoted attribute values. */
  static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> escaped.append("&amp;");
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&#39;");
        default -> escaped.append(c);
      }
    }
    return escaped.toString();
  }

  // ---------------------------------------------------------------- failures

  /** What a failed attempt means for retries; never mentions the password. */
  private DeliveryException failure(MessagingException e) {
    String server = smtpServer + ":" + smtpPort;
    if (e instanceof AuthenticationFailedException) {
      return DeliveryException.permanent(
          "SMTP authentication failed for user '" + username + "' at " + server, e);
    }
    if (e instanceof AddressException) {
      return DeliveryException.permanent("invalid email address: " + e.getMessage(), e);
    }
    if (e instanceof SendFailedException refused) {
      List<String> unsent = addresses(refused.getValidUnsentAddresses());
      List<String> invalid = addresses(refused.getInvalidAddresses());
      List<String> sent = addresses(refused.getValidSentAddresses());
      String delivered = sent.isEmpty() ? "" : " (delivered to " + String.join(", ", sent) + ")";
      if (!unsent.isEmpty()) {
        // A 4xx for some recipients: worth another try, though it repeats the message to those
        // that got it (the Message-ID tells them it is the same).
        return DeliveryException.retryable(
            "SMTP server "
                + server
                + " did not take "
                + String.join(", ", unsent)
                + " for now"
                + delivered
                + ": "
                + e.getMessage(),
            e);
      }
      if (!invalid.isEmpty()) {
        return DeliveryException.permanent(
            "SMTP server "
                + server
                + " rejected "
                + String.join(", ", invalid)
                + delivered
                + ": "
                + e.getMessage(),
            e);
      }
      if (e instanceof SMTPSendFailedException smtp && smtp.getReturnCode() / 100 == 5) {
        return DeliveryException.permanent(
            "SMTP server " + server + " refused the message: " + e.getMessage(), e);
      }
      return DeliveryException.retryable(
          "SMTP server " + server + " did not take the message: " + e.getMessage(), e);
    }
    SSLHandshakeException handshake = cause(e, SSLHandshakeException.class);
    if (handshake != null) {
      // Retrying cannot help until someone changes the trust store or the server's certificate.
      CertificateException certificate = cause(handshake, CertificateException.class);
      return DeliveryException.permanent(
          certificate != null
              ? "SMTP server "
                  + server
                  + " was refused: its certificate is not trusted or does not name "
                  + smtpServer
                  + " ("
                  + certificate.getMessage()
                  + "). Add its certificate authority to the JDK trust store (trustAllHosts(true)"
                  + " is for test servers only)"
              : "SMTP server "
                  + server
                  + " was refused: the TLS handshake failed: "
                  + describe(handshake),
          e);
    }
    IOException io = ioCause(e);
    if (io != null) {
      return DeliveryException.retryable(
          "SMTP server " + server + " unreachable: " + describe(io), e);
    }
    return DeliveryException.retryable(
        "sending via SMTP server " + server + " failed: " + describe(e), e);
  }

  private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  private static IOException ioCause(Throwable e) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException io) {
        return io;
      }
    }
    return null;
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static List<String> addresses(Address[] addresses) {
    return addresses == null ? List.of() : Arrays.stream(addresses).map(Address::toString).toList();
  }

  // ---------------------------------------------------------------- defaults

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** {@code amptalk-monitoring@<local host name>}, or {@code @localhost} if that is no domain. */
  private static InternetAddress defaultSender(String localHost) {
    try {
      return new InternetAddress("amptalk-monitoring@" + localHost, true);
    } catch (AddressException e) {
      try {
        return new InternetAddress("amptalk-monitoring@localhost", true);
      } catch (AddressException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
  }

  /**
   * One named daemon thread shared by every connection's write timeout, ending when idle, rather
   * than the executor and thread Angus would start per connection.
   */
  private static final class WriteTimeouts {
    private static final AtomicInteger THREADS = new AtomicInteger();
    static final ScheduledThreadPoolExecutor EXECUTOR = executor();

    private static ScheduledThreadPoolExecutor executor() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread =
                    new Thread(runnable, "amptalk-smtp-write-timeout-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      executor.setRemoveOnCancelPolicy(true);
      executor.setKeepAliveTime(1, TimeUnit.MINUTES);
      executor.allowCoreThreadTimeOut(true);
      return executor;
    }
  }

  // ---------------------------------------------------------------- AlertNotifier

  @Override
  public String name() {
    return name;
  }

  @Override
  public AlertSeverity minSeverity() {
    return minSeverity;
  }

  @Override
  public Set<String> sources() {
    return sources;
  }

  @Override
  public boolean sendsResolved() {
    return sendsResolved;
  }

  /**
   * Server, port, security (and trustAllHosts when set), sender, recipients and user;
   * "password=***" when one is set.
   */
  @Override
  public String toString() {
    return "EmailNotifier{name="
        + name
        + ", server="
        + smtpServer
        + ":"
        + smtpPort
        + (useSsl ? ", ssl" : startTls ? ", starttls" : "")
        + (trustAllHosts ? ", trustAllHosts" : "")
        + ", sender="
        + sender
        + ", recipients="
        + addresses(recipients)
        + (username == null ? "" : ", username=" + username)
        + (password == null ? "" : ", password=***")
        + ", minSeverity="
        + minSeverity
        + "}";
  }

  /**
   * Configures an {@link EmailNotifier}. Each option is checked as it is set; {@link #build()}
   * checks how they combine.
   */
  public static final class Builder {
    private String name = "email";
    private String smtpServer = "localhost";
    private int smtpPort = 25;
    private InternetAddress sender;
    private List<InternetAddress> recipients = List.of();
    private boolean useSsl;
    private boolean startTls;
    private boolean trustAllHosts;
    private String username;
    private String password;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(10);
    private AlertSeverity minSeverity = AlertSeverity.INFO;
    private Collection<String> sources = List.of();
    private boolean sendsResolved = true;

    private Builder() {}

    /** Names the notifier in metrics, logs and dead letters. Default "email". */
    public Builder name(String name) {
      this.name = requireNonBlank("name", name);
      return this;
    }

    /** The SMTP server's host name or address. Default "localhost". */
    public Builder smtpServer(String smtpServer) {
      requireNonBlank("smtpServer", smtpServer);
      if (!smtpServer.equals(smtpServer.strip())
          || smtpServer.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException(
            "smtpServer must be a host name or address, was '" + smtpServer + "'");
      }
      this.smtpServer = smtpServer;
      return this;
    }

    /**
     * The SMTP server's port, 1..65535. Default 25, plain SMTP between servers; submission with
     * {@link #startTls} is usually 587 and SMTPS ({@link #useSsl}) 465.
     */
    public Builder smtpPort(int smtpPort) {
      if (smtpPort < 1 || smtpPort > 65535) {
        throw new IllegalArgumentException("smtpPort must be 1..65535, was " + smtpPort);
      }
      this.smtpPort = smtpPort;
      return this;
    }

    /**
     * The From address. Default {@code amptalk-monitoring@<local host name>}; many servers only
     * relay for a sender of their own domain, so set it.
     */
    public Builder sender(String sender) {
      this.sender = address("sender", sender);
      return this;
    }

    /** Who gets the alerts: at least one address, each valid. Required. */
    public Builder recipients(Collection<String> recipients) {
      Objects.requireNonNull(recipients, "recipients");
      if (recipients.isEmpty()) {
        throw new IllegalArgumentException("recipients must not be empty");
      }
      Set<InternetAddress> addresses = new LinkedHashSet<>();
      for (String recipient : recipients) {
        addresses.add(address("recipient", recipient));
      }
      this.recipients = List.copyOf(addresses);
      return this;
    }

    /**
     * Speaks TLS from the first byte (SMTPS, usually port 465). Default false. Exclusive with
     * {@link #startTls}.
     */
    public Builder useSsl(boolean useSsl) {
      this.useSsl = useSsl;
      return this;
    }

    /**
     * Requires upgrading the connection with STARTTLS before anything else is said (submission,
     * usually port 587); a server that does not offer it gets nothing, not even in clear text.
     * Default false. Exclusive with {@link #useSsl}.
     */
    public Builder startTls(boolean startTls) {
      this.startTls = startTls;
      return this;
    }

    /**
     * Trusts any certificate the server shows and skips the host name check: for tests and servers
     * with a self-signed certificate on a network you control. Production should not set it; add
     * the server's certificate authority to the JDK trust store instead. Default false; needs
     * {@link #useSsl} or {@link #startTls}.
     */
    public Builder trustAllHosts(boolean trustAllHosts) {
      this.trustAllHosts = trustAllHosts;
      return this;
    }

    /** Logs in as this user (SMTP AUTH); needs a {@link #password}. Default none (no login). */
    public Builder username(String username) {
      this.username = requireNonBlank("username", username);
      return this;
    }

    /** The user's password: never logged, never in {@code toString()} or failure messages. */
    public Builder password(String password) {
      Objects.requireNonNull(password, "password");
      if (password.isEmpty()) {
        throw new IllegalArgumentException("password must not be empty");
      }
      this.password = password;
      return this;
    }

    /** Bounds connecting to the server (and the TLS handshake's socket connect). Default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = requireMillis("connectTimeout", connectTimeout);
      return this;
    }

    /** Bounds each read of a server reply and each write to the server. Default 10 s. */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = requireMillis("readTimeout", readTimeout);
      return this;
    }

    /** Alerts below this severity are not sent here. Default INFO (all). */
    public Builder minSeverity(AlertSeverity minSeverity) {
      this.minSeverity = Objects.requireNonNull(minSeverity, "minSeverity");
      return this;
    }

    /** When not empty, only alerts from these sources are sent here. Default empty (all). */
    public Builder sources(Collection<String> sources) {
      Objects.requireNonNull(sources, "sources");
      List<String> copy = new ArrayList<>(sources);
      if (copy.contains(null)) {
        throw new IllegalArgumentException("sources must not hold null");
      }
      this.sources = copy;
      return this;
    }

    /** Whether resolutions are sent too, as "[RESOLVED] title". Default true. */
    public Builder sendsResolved(boolean sendsResolved) {
      this.sendsResolved = sendsResolved;
      return this;
    }

    /**
     * The notifier, with its mail session made once.
     *
     * @throws IllegalArgumentException naming the options, when they do not go together or no
     *     recipient was given
     */
    public EmailNotifier build() {
      return new EmailNotifier(this);
    }

    private static String requireNonBlank(String option, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(
            option + " must not be blank, was " + (value == null ? "null" : "'" + value + "'"));
      }
      return value;
    }

    private static Duration requireMillis(String option, Duration value) {
      if (value == null
          || value.toMillis() < 1
          || value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0) {
        throw new IllegalArgumentException(option + " must be 1 ms..24 days, was " + value);
      }
      return value;
    }

    /** A single address, strictly checked (RFC 822 syntax, with a domain). */
    private static InternetAddress address(String option, String address) {
      String rule =
          option
              + " "
              + (address == null ? "null" : "'" + address + "'")
              + " is not a valid email address";
      if (address == null) {
        throw new IllegalArgumentException(rule);
      }
      try {
        InternetAddress parsed = new InternetAddress(address, true);
        if (parsed.isGroup() || parsed.getAddress().indexOf('@') < 1) {
          throw new IllegalArgumentException(rule);
        }
        return parsed;
      } catch (AddressException e) {
        throw new IllegalArgumentException(rule, e);
      }
    }
  }
}
