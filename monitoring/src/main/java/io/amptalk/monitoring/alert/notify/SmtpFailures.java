package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.util.Throwables;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * What a failed attempt of an {@link EmailNotifier} means for the alert system's retries, and the
 * message that says so: refused credentials, addresses the server rejects for good (5xx), other 5xx
 * answers and a server whose certificate or TLS handshake fails are permanent; an unreachable
 * server, a timeout, a broken connection and 4xx answers are retried. Messages name the server and
 * the user, never the password.
 */
final class SmtpFailures {
  private final String smtpServer;
  private final String server;
  private final String username;

  /**
   * @param smtpServer the host the certificate must name
   * @param username the user that logs in, or null
   */
  SmtpFailures(String smtpServer, int smtpPort, String username) {
    this.smtpServer = smtpServer;
    this.server = smtpServer + ":" + smtpPort;
    this.username = username;
  }

  /** What a failed attempt means for retries; never mentions the password. */
  DeliveryException of(MessagingException e) {
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
                  + Throwables.describe(handshake),
          e);
    }
    IOException io = ioCause(e);
    if (io != null) {
      return DeliveryException.retryable(
          "SMTP server " + server + " unreachable: " + Throwables.describe(io), e);
    }
    return DeliveryException.retryable(
        "sending via SMTP server " + server + " failed: " + Throwables.describe(e), e);
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

  private static List<String> addresses(Address[] addresses) {
    return addresses == null ? List.of() : Arrays.stream(addresses).map(Address::toString).toList();
  }
}
