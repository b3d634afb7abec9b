package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.alert.AlertLabels;
import io.amptalk.monitoring.internal.util.Details;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The body a {@link WebhookNotifier} posts in {@link WebhookNotifier.Format#TEAMS}: a message with
 * one Adaptive Card (schema 1.4), which Microsoft Teams' Workflows webhooks ("When a Teams webhook
 * request is received") and its older incoming webhooks both take, as Microsoft documents them
 * (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using and
 * …/how-to/add-incoming-webhook, "Send Adaptive Cards using an Incoming Webhook").
 *
 * <p>The legacy MessageCard is not written: Workflows refuse it and the connectors that took it are
 * retired. The card is bounded well under Teams' 28 KB message limit: a fact's value is cut at
 * {@value #VALUE_CHARS} characters and at most {@value #MAX_FACTS} labels and details are listed,
 * then how many more there were.
 */
final class TeamsFormat {
  static final int VALUE_CHARS = 500;
  static final int MAX_FACTS = 40;

  /** Shown in the title or as their own fact, so not repeated among the labels. */
  private static final Set<String> SHOWN_LABELS =
      Set.of(AlertLabels.ALERTNAME, AlertLabels.SEVERITY, AlertLabels.SOURCE, AlertLabels.SERVICE);

  private TeamsFormat() {}

  /** The Teams message; see {@link WebhookNotifier}'s class comment for its shape. */
  static String body(Alert alert) {
    String state = alert.isFiring() ? "Firing" : "Resolved";
    List<Map<String, Object>> facts = new ArrayList<>();
    facts.add(fact("State", state));
    facts.add(fact("Severity", alert.severity().jsonName()));
    facts.add(fact("Source", alert.source()));
    facts.add(fact("Service", alert.service()));
    facts.add(fact("Time", alert.time().toString()));
    if (!alert.isFiring()) {
      facts.add(fact("Resolved", alert.lastSeen().toString()));
    }
    if (alert.occurrences() > 1) {
      facts.add(fact("Occurrences", Integer.toString(alert.occurrences())));
    }
    int listed = 0;
    int more = 0;
    for (Map.Entry<String, String> label : alert.labels().entrySet()) {
      if (SHOWN_LABELS.contains(label.getKey())) {
        continue;
      }
      if (listed++ < MAX_FACTS) {
        facts.add(fact(label.getKey(), label.getValue()));
      } else {
        more++;
      }
    }
    List<Map<String, Object>> body = new ArrayList<>();
    body.add(
        textBlock(
            "[" + (alert.isFiring() ? alert.severity().name() : "RESOLVED") + "] " + alert.title(),
            Map.of("size", "Large", "weight", "Bolder", "color", color(alert))));
    body.add(textBlock(alert.message(), Map.of()));
    body.add(factSet(facts, false));
    if (!alert.details().isEmpty()) {
      List<Map<String, Object>> details = new ArrayList<>();
      for (Map.Entry<String, Object> detail : alert.details().entrySet()) {
        if (listed++ < MAX_FACTS) {
          Object value = detail.getValue();
          details.add(
              fact(detail.getKey(), value instanceof String s ? s : AlertJson.write(value)));
        } else {
          more++;
        }
      }
      if (!details.isEmpty()) {
        body.add(factSet(details, true));
      }
    }
    if (more > 0) {
      body.add(textBlock(more + " more labels and details not shown", Map.of("isSubtle", true)));
    }
    Map<String, Object> card = new LinkedHashMap<>();
    card.put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    card.put("type", "AdaptiveCard");
    card.put("version", "1.4");
    card.put("msteams", Map.of("width", "Full"));
    card.put("body", body);
    Map<String, Object> attachment = new LinkedHashMap<>();
    attachment.put("contentType", "application/vnd.microsoft.card.adaptive");
    attachment.put("contentUrl", null);
    attachment.put("content", card);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", "message");
    message.put("attachments", List.of(attachment));
    return AlertJson.write(message);
  }

  /** Adaptive Cards' named colours: the host theme picks the shade. */
  private static String color(Alert alert) {
    if (!alert.isFiring()) {
      return "Good";
    }
    return switch (alert.severity()) {
      case INFO -> "Accent";
      case WARNING -> "Warning";
      case ERROR, CRITICAL -> "Attention";
    };
  }

  private static Map<String, Object> textBlock(String text, Map<String, Object> style) {
    Map<String, Object> block = new LinkedHashMap<>();
    block.put("type", "TextBlock");
    block.put("text", text);
    block.put("wrap", true);
    // Sorted, so the body is the same bytes every time.
    new TreeMap<>(style).forEach(block::put);
    return block;
  }

  private static Map<String, Object> factSet(List<Map<String, Object>> facts, boolean separator) {
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("type", "FactSet");
    if (separator) {
      set.put("separator", true);
    }
    set.put("facts", facts);
    return set;
  }

  private static Map<String, Object> fact(String title, String value) {
    Map<String, Object> fact = new LinkedHashMap<>();
    fact.put("title", title);
    fact.put("value", cut(value));
    return fact;
  }

  private static String cut(String value) {
    return value.length() <= VALUE_CHARS ? value : Details.cut(value, VALUE_CHARS - 1) + "…";
  }
}
