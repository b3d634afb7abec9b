package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.internal.alert.AlertJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The body a {@link WebhookNotifier} posts in {@link WebhookNotifier.Format#SLACK}: what Slack (and
 * Mattermost, Rocket.Chat) incoming webhooks take, a {@code text} line and one attachment with a
 * colour and fields.
 */
final class SlackFormat {
  private SlackFormat() {}

  /** The Slack message; see {@link WebhookNotifier}'s class comment for its shape. */
  static String body(Alert alert) {
    String label = alert.isFiring() ? alert.severity().name() : "RESOLVED";
    String text =
        emoji(alert) + " [" + label + "] " + escape(alert.title()) + ": " + escape(alert.message());
    List<Map<String, Object>> fields = new ArrayList<>();
    fields.add(field("Source", alert.source(), true));
    fields.add(field("Service", alert.service(), true));
    fields.add(field("Time", alert.time().toString(), true));
    if (!alert.isFiring()) {
      fields.add(field("Resolved", alert.lastSeen().toString(), true));
    }
    if (alert.occurrences() > 1) {
      fields.add(field("Occurrences", Integer.toString(alert.occurrences()), true));
    }
    if (!alert.details().isEmpty()) {
      fields.add(field("Details", AlertJson.write(alert.details()), false));
    }
    Map<String, Object> attachment = new LinkedHashMap<>();
    attachment.put("color", color(alert));
    attachment.put("fields", fields);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("text", text);
    message.put("attachments", List.of(attachment));
    return AlertJson.write(message);
  }

  private static String emoji(Alert alert) {
    if (!alert.isFiring()) {
      return ":white_check_mark:";
    }
    return switch (alert.severity()) {
      case INFO -> ":information_source:";
      case WARNING -> ":warning:";
      case ERROR -> ":x:";
      case CRITICAL -> ":rotating_light:";
    };
  }

  private static String color(Alert alert) {
    if (!alert.isFiring()) {
      return "#2EB886";
    }
    return switch (alert.severity()) {
      case INFO -> "#439FE0";
      case WARNING -> "#DAA038";
      case ERROR -> "#E8590C";
      case CRITICAL -> "#A30200";
    };
  }

  private static Map<String, Object> field(String title, String value, boolean isShort) {
    Map<String, Object> field = new LinkedHashMap<>();
    field.put("title", title);
    field.put("value", escape(value));
    field.put("short", isShort);
    return field;
  }

  /** Slack reads {@code <...>} as links and mentions; it asks for exactly these three escapes. */
  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
