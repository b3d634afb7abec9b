package io.amptalk.monitoring.internal.http;

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
import java.util.Optional;

/**
 * {@code GET /alerts}: history as JSON, filtered by {@code limit}, {@code min_severity}, {@code
 * source} and {@code since}; {@code POST /alerts}: raise an alert from outside, with a JSON body
 * {@code {"title", "message", "severity", "source", "details", "labels"}}. When a token is set,
 * both require {@code Authorization: Bearer <token>}; without one, POST is refused (403), since
 * anyone could raise alerts. {@code POST /alerts/{id}/resolve} resolves a firing alert by hand, a
 * write like raising one.
 */
public final class AlertHttpHandler implements HttpHandler {
  static final String PATH = "/alerts";
  private static final String RESOLVE = "/resolve";
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;
  static final int MAX_BODY_BYTES = 64 * 1024;

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
      String path = exchange.getRequestURI().getPath();
      if (path.startsWith(PATH + "/")
          && path.endsWith(RESOLVE)
          && path.length() > PATH.length() + RESOLVE.length() + 1) {
        String id = path.substring(PATH.length() + 1, path.length() - RESOLVE.length());
        if (id.indexOf('/') < 0) {
          resolve(exchange, id);
          return;
        }
      }
      if (!PATH.equals(path)) {
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

  /**
   * {@code POST /alerts/{id}/resolve}: resolves the firing alert of that id or fingerprint, as a
   * write, under the same token rules as {@code POST /alerts}; 404 when none such is firing.
   */
  private void resolve(HttpExchange exchange, String id) throws IOException {
    if (!"POST".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("Allow", "POST");
      send(exchange, 405, error("method not allowed: " + exchange.getRequestMethod()));
    } else if (token == null) {
      send(exchange, 403, error("resolving alerts over HTTP needs a token; none is configured"));
    } else if (!authorized(exchange)) {
      Exchanges.sendUnauthorized(exchange);
    } else {
      Optional<Alert> resolved = system.resolveById(id);
      if (resolved.isPresent()) {
        send(exchange, 200, AlertJson.toJson(resolved.get()));
      } else {
        send(exchange, 404, error("no firing alert has the id or fingerprint '" + id + "'"));
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
    ObjectNode object;
    try {
      object = JsonRequests.object(exchange, MAX_BODY_BYTES);
    } catch (JsonRequests.Refused refused) {
      send(exchange, refused.status(), error(refused.getMessage()));
      return;
    }
    for (String field : List.of("title", "message", "severity", "source")) {
      JsonNode value = object.get(field);
      if (value != null && !value.isNull() && !value.isTextual()) {
        send(exchange, 400, error(field + " must be a string, was " + JsonRequests.kind(value)));
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
      send(
          exchange, 400, error("details must be a JSON object, was " + JsonRequests.kind(details)));
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
      return "labels must be a JSON object of strings, was " + JsonRequests.kind(node);
    }
    if (node.size() > AlertLabels.MAX_LABELS) {
      return "labels has " + node.size() + " entries, more than " + AlertLabels.MAX_LABELS;
    }
    for (Map.Entry<String, JsonNode> label : node.properties()) {
      JsonNode value = label.getValue();
      if (!value.isTextual()) {
        return "labels." + label.getKey() + " must be a string, was " + JsonRequests.kind(value);
      }
      String problem = AlertLabels.problem(label.getKey(), value.asText());
      if (problem != null) {
        return problem;
      }
      into.put(label.getKey(), value.asText());
    }
    return null;
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
