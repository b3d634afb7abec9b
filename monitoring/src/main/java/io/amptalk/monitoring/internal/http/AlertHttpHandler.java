package io.amptalk.monitoring.internal.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertQuery;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.alert.AlertLabels;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET /alerts}: history as JSON, filtered by {@code limit}, {@code min_severity}, {@code
 * source} and {@code since}; {@code POST /alerts}: raise an alert from outside, with a JSON body
 * {@code {"title", "message", "severity", "source", "details", "labels"}}. When a token is set,
 * both require {@code Authorization: Bearer <token>}; without one, POST is refused (403), since
 * anyone could raise alerts.
 */
public final class AlertHttpHandler implements HttpHandler {
  static final String PATH = "/alerts";
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  static final int MAX_BODY_BYTES = 64 * 1024;
  private static final Pattern JACKSON_LOCATION =
      Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

  private final AlertSystem system;
  private final byte[] token;

  /** Serves {@code system}'s alerts; with a token, only to its bearers. */
  public AlertHttpHandler(AlertSystem system, String token) {
    this.system = system;
    this.token = token == null ? null : Exchanges.bearer(token);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!PATH.equals(exchange.getRequestURI().getPath())) {
        Exchanges.notFound(exchange);
        return;
      }
      switch (exchange.getRequestMethod()) {
        case "GET", "HEAD" -> {
          if (token != null && !authorized(exchange)) {
            Exchanges.sendUnauthorized(exchange);
            return;
          }
          list(exchange);
        }
        case "POST" -> {
          if (token == null) {
            send(
                exchange, 403, error("raising alerts over HTTP needs a token; none is configured"));
          } else if (!authorized(exchange)) {
            Exchanges.sendUnauthorized(exchange);
          } else {
            raise(exchange);
          }
        }
        default -> {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD, POST");
          send(exchange, 405, error("method not allowed: " + exchange.getRequestMethod()));
        }
      }
    }
  }

  private void list(HttpExchange exchange) throws IOException {
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    int limit;
    AlertSeverity minSeverity;
    Instant since;
    try {
      limit = query.containsKey("limit") ? Integer.parseInt(query.get("limit")) : DEFAULT_LIMIT;
      if (limit < 0 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException(
            "limit must be 0.." + MAX_LIMIT + ", was " + query.get("limit"));
      }
      minSeverity =
          query.containsKey("min_severity") ? AlertSeverity.parse(query.get("min_severity")) : null;
      since = query.containsKey("since") ? Instant.parse(query.get("since")) : null;
    } catch (NumberFormatException e) {
      send(exchange, 400, error("limit must be a number, was '" + query.get("limit") + "'"));
      return;
    } catch (DateTimeParseException e) {
      send(
          exchange,
          400,
          error("since must be an ISO-8601 instant, was '" + query.get("since") + "'"));
      return;
    } catch (IllegalArgumentException e) {
      send(exchange, 400, error(e.getMessage()));
      return;
    }
    List<Alert> alerts =
        system.getHistory(new AlertQuery(limit, minSeverity, query.get("source"), since, null));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("alerts", alerts.stream().map(AlertJson::toMap).toList());
    json.put("dead_letters", system.getDeadLetters().size());
    json.put("queues", system.getQueueSizes());
    send(exchange, 200, AlertJson.write(json));
  }

  private void raise(HttpExchange exchange) throws IOException {
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null && !isJson(contentType)) {
      send(
          exchange, 415, error("Content-Type must be application/json, was '" + contentType + "'"));
      return;
    }
    // A declared length over the bound is refused before a byte of the body is read: a client
    // announcing a gigabyte gets its answer at once rather than after sending it (or never, if it
    // then stalls).
    if (Exchanges.declaredLength(exchange) > MAX_BODY_BYTES) {
      send(exchange, 413, error("the body must be at most " + MAX_BODY_BYTES + " bytes"));
      return;
    }
    // Not closed here: closing drains what is left of the body, which would wait on a client
    // that sent too much before it has its answer. The exchange closes it after responding.
    byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      send(exchange, 413, error("the body must be at most " + MAX_BODY_BYTES + " bytes"));
      return;
    }
    JsonNode json;
    try {
      json = parse(body);
    } catch (JsonProcessingException e) {
      send(exchange, 400, error("the body is not valid JSON: " + describe(e)));
      return;
    }
    if (json == null || json.isMissingNode()) {
      send(exchange, 400, error("the body is empty; it must be a JSON object"));
      return;
    }
    if (!(json instanceof ObjectNode object)) {
      send(exchange, 400, error("the body must be a JSON object, was " + kind(json)));
      return;
    }
    for (String field : List.of("title", "message", "severity", "source")) {
      JsonNode value = object.get(field);
      if (value != null && !value.isNull() && !value.isTextual()) {
        send(exchange, 400, error(field + " must be a string, was " + kind(value)));
        return;
      }
    }
    String title = text(object, "title");
    if (title == null || title.isBlank()) {
      send(exchange, 400, error("title is required and must be a non-empty string"));
      return;
    }
    AlertSeverity severity;
    try {
      String given = text(object, "severity");
      severity = given == null ? AlertSeverity.WARNING : AlertSeverity.parse(given);
    } catch (IllegalArgumentException e) {
      send(exchange, 400, error(e.getMessage()));
      return;
    }
    JsonNode details = object.get("details");
    if (details != null && !details.isNull() && !details.isObject()) {
      send(exchange, 400, error("details must be a JSON object, was " + kind(details)));
      return;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> detailMap =
        details == null || details.isNull()
            ? Map.of()
            : AlertJson.MAPPER.convertValue(details, Map.class);
    Map<String, String> labels = new LinkedHashMap<>();
    String refused = labels(object.get("labels"), labels);
    if (refused != null) {
      send(exchange, 400, error(refused));
      return;
    }
    String source = text(object, "source");
    Alert alert =
        system.alert(
            title,
            text(object, "message"),
            severity,
            source == null ? "http" : source,
            detailMap,
            labels);
    send(exchange, 201, AlertJson.toJson(alert));
  }

  /**
   * Reads {@code "labels"} into {@code into}; returns why they are refused (naming the label), or
   * null. Unlike {@code alert()}, which drops a bad label with a note, a request is refused whole:
   * its sender is there to be told.
   */
  private static String labels(JsonNode node, Map<String, String> into) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      return "labels must be a JSON object of strings, was " + kind(node);
    }
    if (node.size() > AlertLabels.MAX_LABELS) {
      return "labels has " + node.size() + " entries, more than " + AlertLabels.MAX_LABELS;
    }
    for (Map.Entry<String, JsonNode> label : node.properties()) {
      JsonNode value = label.getValue();
      if (!value.isTextual()) {
        return "labels." + label.getKey() + " must be a string, was " + kind(value);
      }
      String problem = AlertLabels.problem(label.getKey(), value.asText());
      if (problem != null) {
        return problem;
      }
      into.put(label.getKey(), value.asText());
    }
    return null;
  }

  /** One JSON value and nothing after it (Jackson alone would ignore trailing content). */
  private static JsonNode parse(byte[] body) throws IOException {
    try (JsonParser parser = AlertJson.MAPPER.createParser(body)) {
      // A repeated key is refused, not resolved last-wins: the sender meant one of the two.
      parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      JsonNode json = AlertJson.MAPPER.readTree(parser);
      if (json != null && parser.nextToken() != null) {
        throw new JsonParseException(
            parser, "trailing content after the object", parser.currentTokenLocation());
      }
      return json;
    }
  }

  /** Jackson's own words for what is wrong, and where (a token it quotes is cut at 256 chars). */
  private static String describe(JsonProcessingException e) {
    // Some messages embed a location of their own, "[Source: REDACTED (...); line: 1, column: 1]".
    String message =
        JACKSON_LOCATION.matcher(e.getOriginalMessage()).replaceAll("line $1, column $2");
    JsonLocation where = e.getLocation();
    return where == null
        ? message
        : message + " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
  }

  private static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT, POJO -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case BINARY -> "binary data";
      case NULL, MISSING -> "null";
    };
  }

  private static boolean isJson(String contentType) {
    int semicolon = contentType.indexOf(';');
    String mediaType = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return "application/json".equalsIgnoreCase(mediaType.trim());
  }

  private static String text(ObjectNode object, String field) {
    JsonNode node = object.get(field);
    return node == null || node.isNull()
        ? null
        : node.isTextual() ? node.asText() : node.toString();
  }

  private boolean authorized(HttpExchange exchange) {
    return Exchanges.bears(exchange, token);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.putIfAbsent(key, value);
    }
    return params;
  }

  private static String error(String message) {
    return AlertJson.write(Map.of("error", message));
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    Exchanges.send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }
}
