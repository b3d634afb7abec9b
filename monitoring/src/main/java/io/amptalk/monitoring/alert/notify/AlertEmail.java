package io.amptalk.monitoring.alert.notify;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.util.ControlCharacters;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.net.URLEncoder;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The email an {@link EmailNotifier} sends for an alert: the headers (subject, {@code
 * X-Amptalk-Alert-Id}, a Message-ID that a retry repeats) and the {@code multipart/alternative}
 * body of a plain-text and an HTML part with the same content. See {@link EmailNotifier}'s class
 * comment for what receivers see.
 */
final class AlertEmail {
  /** The header carrying the alert's id, the key receivers can drop duplicates by. */
  static final String ALERT_ID_HEADER = "X-Amptalk-Alert-Id";

  private static final String MESSAGE_ID_DOMAIN = "amptalk-monitoring";
  private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}+");
  private static final String CRLF = "\r\n";

  /**
   * The message's lines are indented, so that only the lines written here start at the margin: a
   * message cannot forge a {@code Source:} or {@code Alert ID:} line of its own.
   */
  private static final String MESSAGE_INDENT = "  ";

  private AlertEmail() {}

  /** The message of {@code alert}, from {@code sender} to {@code recipients}, ready to send. */
  static MimeMessage message(
      Session session, InternetAddress sender, InternetAddress[] recipients, Alert alert)
      throws MessagingException {
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

  // ---------------------------------------------------------------- the two parts

  /**
   * The text/plain part, lines ending in CRLF:
   *
   * <pre>
   * [WARNING] High CPU Usage
   *
   *   CPU usage has exceeded 80%
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
   * values are indented, and the message's lines all are. Control characters other than line breaks
   * (and line breaks in the one-line fields and detail keys) are written as escapes such as {@code
   * \n} and {@code \}{@code u001b}.
   */
  static String plainText(Alert alert) {
    StringBuilder text = new StringBuilder();
    line(text, "", subject(alert));
    line(text, "", "");
    if (!alert.message().isBlank()) {
      line(text, MESSAGE_INDENT, lines(alert.message()));
      line(text, "", "");
    }
    fields(alert)
        .forEach(
            (label, value) -> line(text, pad(label + ":", 13), ControlCharacters.escape(value)));
    if (!alert.details().isEmpty()) {
      line(text, "", "");
      line(text, "", "Details:");
      alert
          .details()
          .forEach(
              (key, value) ->
                  line(text, "  " + ControlCharacters.escape(key) + ": ", lines(render(value))));
    }
    if (!alert.notes().isEmpty()) {
      line(text, "", "");
      line(text, "", "Notes:");
      alert.notes().forEach(note -> line(text, "  - ", ControlCharacters.escape(note)));
    }
    return text.toString();
  }

  /**
   * Multi-line text with its line breaks kept as {@code \n} and every other control character
   * escaped, for {@link #line} to indent.
   */
  private static String lines(String text) {
    String[] lines = LINE_BREAK.split(text, -1);
    StringBuilder joined = new StringBuilder(text.length());
    for (int i = 0; i < lines.length; i++) {
      joined.append(i == 0 ? "" : "\n").append(ControlCharacters.escape(lines[i]));
    }
    return joined.toString();
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
}
