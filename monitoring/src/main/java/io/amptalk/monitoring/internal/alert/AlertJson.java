package io.amptalk.monitoring.internal.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one JSON shape of an alert, used by webhooks, {@code /alerts} and the durable store: {@link
 * #toMap} writes it and {@link #fromJson} reads it back, field for field, so that the two change
 * together.
 */
public final class AlertJson {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private static final TypeReference<LinkedHashMap<String, Object>> JSON_OBJECT =
      new TypeReference<>() {};

  private AlertJson() {}

  /**
   * {@code {"id", "title", "message", "severity", "source", "service", "time", "details", "labels",
   * "fingerprint", "state", "occurrences", "last_seen", "silenced", "inhibited", "notes"}},
   * severity and state lowercase, times ISO-8601 UTC, labels an object of strings sorted by name.
   */
  public static Map<String, Object> toMap(Alert alert) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", alert.id());
    json.put("title", alert.title());
    json.put("message", alert.message());
    json.put("severity", alert.severity().jsonName());
    json.put("source", alert.source());
    json.put("service", alert.service());
    json.put("time", alert.time().toString());
    json.put("details", alert.details());
    json.put("labels", alert.labels());
    json.put("fingerprint", alert.fingerprint());
    json.put("state", alert.state().name().toLowerCase(Locale.ROOT));
    json.put("occurrences", alert.occurrences());
    json.put("last_seen", alert.lastSeen().toString());
    json.put("silenced", alert.silenced());
    json.put("inhibited", alert.inhibited());
    json.put("notes", alert.notes());
    return json;
  }

  /**
   * Reads what {@link #toJson} writes back into the same alert. Details come back as JSON reads
   * them: whole numbers as {@code Integer} (or {@code Long} past its range), other numbers as
   * {@code Double}, objects in their order. Absent or null details, labels and notes read as empty
   * (the alert still gets its built-in labels: JSON written before there were labels reads as an
   * alert with only those).
   *
   * @throws IllegalArgumentException if it is not JSON of that shape: {@code "not JSON: ..."},
   *     {@code "not a JSON object"}, {@code "field 'title' is missing"}, {@code "notes must be an
   *     array"}, {@code "labels must be an object of strings"}, a label the rules refuse, or a
   *     severity or state it does not know
   * @throws java.time.format.DateTimeParseException if a time is not ISO-8601
   */
  public static Alert fromJson(String json) {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode details = node.get("details");
    List<String> notes = new ArrayList<>();
    JsonNode notesNode = node.get("notes");
    if (notesNode != null && !notesNode.isNull()) {
      if (!notesNode.isArray()) {
        throw new IllegalArgumentException("notes must be an array");
      }
      notesNode.forEach(note -> notes.add(note.asText()));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    JsonNode labelsNode = node.get("labels");
    if (labelsNode != null && !labelsNode.isNull()) {
      if (!labelsNode.isObject()) {
        throw new IllegalArgumentException("labels must be an object of strings");
      }
      for (Map.Entry<String, JsonNode> label : labelsNode.properties()) {
        if (!label.getValue().isTextual()) {
          throw new IllegalArgumentException("labels must be an object of strings");
        }
        labels.put(label.getKey(), label.getValue().asText());
      }
    }
    return new Alert(
        text(node, "id"),
        text(node, "title"),
        text(node, "message"),
        AlertSeverity.parse(text(node, "severity")),
        text(node, "source"),
        text(node, "service"),
        Instant.parse(text(node, "time")),
        details == null || details.isNull() ? Map.of() : MAPPER.convertValue(details, JSON_OBJECT),
        labels,
        text(node, "fingerprint"),
        Alert.State.valueOf(text(node, "state").toUpperCase(Locale.ROOT)),
        field(node, "occurrences").asInt(),
        Instant.parse(text(node, "last_seen")),
        field(node, "silenced").asBoolean(),
        // Absent from what was written before inhibit rules: nothing held those back.
        node.path("inhibited").asBoolean(false),
        notes);
  }

  public static String toJson(Alert alert) {
    return write(toMap(alert));
  }

  public static String write(Object json) {
    try {
      return MAPPER.writeValueAsString(json);
    } catch (JsonProcessingException e) {
      // Alerts hold only maps, lists, strings, numbers, booleans and nulls (Alert copies details
      // into those), so this cannot happen.
      throw new IllegalStateException("alert could not be written as JSON", e);
    }
  }

  private static JsonNode field(JsonNode node, String name) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("field '" + name + "' is missing");
    }
    return value;
  }

  private static String text(JsonNode node, String name) {
    return field(node, name).asText();
  }
}
