package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.util.Options;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
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
public final class EmailNotifier extends RoutedNotifier {
  private static final Logger LOG = LoggerFactory.getLogger(EmailNotifier.class);

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
  private final Session session;
  private final SmtpFailures failures;

  private EmailNotifier(Builder builder) {
    super(builder.routing.build());
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
    String localHost = SmtpSession.localHostName();
    this.sender = builder.sender != null ? builder.sender : defaultSender(localHost);
    this.recipients = builder.recipients.toArray(new InternetAddress[0]);
    this.useSsl = builder.useSsl;
    this.startTls = builder.startTls;
    this.trustAllHosts = builder.trustAllHosts;
    this.username = builder.username;
    this.password = builder.password;
    this.session =
        SmtpSession.open(
            smtpServer,
            smtpPort,
            localHost,
            username != null,
            useSsl,
            startTls,
            trustAllHosts,
            builder.connectTimeout,
            builder.readTimeout);
    this.failures = new SmtpFailures(smtpServer, smtpPort, username);
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
   * Makes one attempt to hand the alert to the SMTP server; throws {@link DeliveryException} saying
   * whether to retry.
   */
  @Override
  public void send(Alert alert) throws DeliveryException {
    try {
      MimeMessage message = AlertEmail.message(session, sender, recipients, alert);
      if (username == null) {
        Transport.send(message);
      } else {
        Transport.send(message, username, password);
      }
    } catch (MessagingException e) {
      throw failures.of(e);
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

  // ---------------------------------------------------------------- AlertNotifier

  @Override
  public String name() {
    return name;
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
        + Arrays.asList(recipients)
        + (username == null ? "" : ", username=" + username)
        + (password == null ? "" : ", password=***")
        + ", minSeverity="
        + routing.minSeverity()
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
    private final Routing.Builder routing = new Routing.Builder();

    private Builder() {}

    /** Names the notifier in metrics, logs and dead letters. Default "email". */
    public Builder name(String name) {
      this.name = Options.requireNonBlank("name", name);
      return this;
    }

    /** The SMTP server's host name or address. Default "localhost". */
    public Builder smtpServer(String smtpServer) {
      Options.requireNonBlank("smtpServer", smtpServer);
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
      this.username = Options.requireNonBlank("username", username);
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
      routing.minSeverity(minSeverity);
      return this;
    }

    /** When not empty, only alerts from these sources are sent here. Default empty (all). */
    public Builder sources(Collection<String> sources) {
      routing.sources(sources);
      return this;
    }

    /** Whether resolutions are sent too, as "[RESOLVED] title". Default true. */
    public Builder sendsResolved(boolean sendsResolved) {
      routing.sendsResolved(sendsResolved);
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

    private static Duration requireMillis(String option, Duration value) {
      // Compared before toMillis(), which overflows for a duration of 300 million years.
      if (value == null
          || value.compareTo(Duration.ofMillis(Integer.MAX_VALUE)) > 0
          || value.toMillis() < 1) {
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
