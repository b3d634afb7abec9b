package io.amptalk.monitoring.internal.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.Silence;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one JSON shape of a silence, for {@code /silences} and for the store, which keeps the list
 * under {@link #STATE_KEY}: {@code {"id", "matchers", "source", "title_pattern", "severities",
 * "ends_at", "created_by", "comment"}}, matchers as written ({@code team=db}), the end ISO-8601
 * UTC.
 */
public final class SilenceJson {
  /** The store's key for the silences in force. */
  public static final String STATE_KEY = "silences";

  private SilenceJson() {}

  public static Map<String, Object> toMap(Silence silence) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", silence.id());
    json.put("matchers", silence.matchers().stream().map(Silence.Matcher::toString).toList());
    json.put("source", silence.source());
    json.put(
        "title_pattern", silence.titlePattern() == null ? null : silence.titlePattern().pattern());
    json.put(
        "severities", silence.severities().stream().map(AlertSeverity::jsonName).sorted().toList());
    json.put("ends_at", silence.until().toString());
    json.put("created_by", silence.createdBy());
    json.put("comment", silence.comment());
    return json;
  }

  /** The silences as the store keeps them. */
  public static byte[] toBytes(List<Silence> silences) {
    List<Object> list = new ArrayList<>();
    for (Silence silence : silences) {
      Map<String, Object> json = toMap(silence);
      // Exact, where the written form would lose a value that starts and ends with a quote.
      json.put(
          "matchers",
          silence.matchers().stream()
              .map(
                  m ->
                      Map.of(
                          "name", m.name(), "operator", m.operator().symbol(), "value", m.value()))
              .toList());
      list.add(json);
    }
    return AlertJson.write(Map.of("silences", list)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The silences {@link #toBytes} wrote; those that no longer read (a damaged row, a matcher this
   * version refuses) are left out rather than failing the start.
   */
  public static List<Silence> fromBytes(byte[] bytes) {
    List<Silence> out = new ArrayList<>();
    JsonNode root;
    try {
      root = AlertJson.MAPPER.readTree(bytes);
    } catch (IOException e) {
      return out;
    }
    if (root == null || !root.path("silences").isArray()) {
      return out;
    }
    for (JsonNode node : root.path("silences")) {
      try {
        out.add(fromNode(node));
      } catch (RuntimeException e) {
        // Left out: one bad entry must not cost the others.
      }
    }
    return out;
  }

  private static Silence fromNode(JsonNode node) {
    List<Silence.Matcher> matchers = new ArrayList<>();
    for (JsonNode m : node.path("matchers")) {
      matchers.add(
          Silence.Matcher.of(
              m.path("name").asText(),
              operator(m.path("operator").asText()),
              m.path("value").asText()));
    }
    Set<AlertSeverity> severities = EnumSet.noneOf(AlertSeverity.class);
    for (JsonNode s : node.path("severities")) {
      severities.add(AlertSeverity.parse(s.asText()));
    }
    return new Silence(
        node.path("id").asText(),
        textOrNull(node.get("source")),
        node.hasNonNull("title_pattern")
            ? Pattern.compile(node.get("title_pattern").asText())
            : null,
        severities,
        matchers,
        Instant.parse(node.path("ends_at").asText()),
        node.path("comment").asText(""),
        node.path("created_by").asText(""));
  }

  private static Silence.Matcher.Operator operator(String symbol) {
    for (Silence.Matcher.Operator operator : Silence.Matcher.Operator.values()) {
      if (operator.symbol().equals(symbol)) {
        return operator;
      }
    }
    throw new IllegalArgumentException("no matcher operator '" + symbol + "'");
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
