package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.internal.util.DaemonThreads;
import jakarta.mail.Session;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The Jakarta Mail session of an {@link EmailNotifier}: the properties that set its connection
 * security, timeouts and greeting, and the one daemon thread that every connection's write timeout
 * shares.
 */
final class SmtpSession {
  private SmtpSession() {}

  /**
   * A session for {@code host:port}. Always the "smtp" protocol, with {@code mail.smtp.ssl.enable}
   * for SMTPS, so one set of property names applies to every mode.
   *
   * @param localHost the name to greet the server with
   * @param auth whether to log in (SMTP AUTH)
   * @param useSsl TLS from the first byte (SMTPS)
   * @param startTls the upgrade to TLS required before anything else is said
   * @param trustAllHosts any certificate trusted and the host name not checked
   */
  static Session open(
      String host,
      int port,
      String localHost,
      boolean auth,
      boolean useSsl,
      boolean startTls,
      boolean trustAllHosts,
      Duration connectTimeout,
      Duration readTimeout) {
    Properties props = new Properties();
    props.put("mail.transport.protocol", "smtp");
    props.put("mail.smtp.host", host);
    props.put("mail.smtp.port", Integer.toString(port));
    props.put("mail.smtp.connectiontimeout", Long.toString(connectTimeout.toMillis()));
    props.put("mail.smtp.timeout", Long.toString(readTimeout.toMillis()));
    props.put("mail.smtp.writetimeout", Long.toString(readTimeout.toMillis()));
    // Without this, Angus makes an executor (and an unnamed, non-daemon thread) per connection.
    props.put("mail.smtp.executor.writetimeout", WriteTimeouts.EXECUTOR);
    // The alert reaches the recipients the server takes even when it refuses one of them; the
    // refusal still fails the attempt (see SmtpFailures).
    props.put("mail.smtp.sendpartial", "true");
    // Named here, since Angus refuses to send when it cannot find a name to greet with.
    props.put("mail.smtp.localhost", localHost);
    if (auth) {
      props.put("mail.smtp.auth", "true");
    }
    if (useSsl) {
      props.put("mail.smtp.ssl.enable", "true");
    }
    if (startTls) {
      props.put("mail.smtp.starttls.enable", "true");
      props.put("mail.smtp.starttls.required", "true");
    }
    props.put("mail.smtp.ssl.checkserveridentity", Boolean.toString(!trustAllHosts));
    if (trustAllHosts) {
      props.put("mail.smtp.ssl.trust", "*");
    }
    return Session.getInstance(props);
  }

  /** This host's name, to greet the server with; "localhost" when it cannot be found. */
  static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /**
   * One named daemon thread shared by every connection's write timeout, ending when idle, rather
   * than the executor and thread Angus would start per connection.
   */
  private static final class WriteTimeouts {
    static final ScheduledThreadPoolExecutor EXECUTOR = executor();

    private static ScheduledThreadPoolExecutor executor() {
      ScheduledThreadPoolExecutor executor =
          new ScheduledThreadPoolExecutor(1, DaemonThreads.factory("amptalk-smtp-write-timeout-"));
      executor.setRemoveOnCancelPolicy(true);
      executor.setKeepAliveTime(1, TimeUnit.MINUTES);
      executor.allowCoreThreadTimeOut(true);
      return executor;
    }
  }
}
