package io.amptalk.monitoring.internal.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amptalk.monitoring.alert.Alert;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one JSON shape of an alert, used by webhooks, {@code /alerts} and the durable store. */
public final class AlertJson {
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private AlertJson() {}

  /**
   * {@code {"id", "title", "message", "severity", "source", "service", "time", "details",
   * "fingerprint", "state", "occurrences", "last_seen", "silenced", "notes"}}, severity and state
   * lowercase, times ISO-8601 UTC.
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
    json.put("fingerprint", alert.fingerprint());
    json.put("state", alert.state().name().toLowerCase(java.util.Locale.ROOT));
    json.put("occurrences", alert.occurrences());
    json.put("last_seen", alert.lastSeen().toString());
    json.put("silenced", alert.silenced());
    json.put("notes", alert.notes());
    return json;
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
}
