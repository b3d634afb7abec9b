package io.amptalk.monitoring.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.Silence;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.alert.SilenceJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /silences}: {@code GET} lists the silences in force, {@code POST} adds one from {@code
 * {"matchers": ["team=db", ...], "ends_at": "2026-12-03T12:00:00Z" | "duration": "4h",
 * "created_by": ..., "comment": ...}}, {@code DELETE /silences/{id}} ends one. Reading is guarded
 * by the token as {@code GET /alerts} is; writing needs the token, and without one configured is
 * refused (403), as raising alerts is.
 */
public final class SilenceHttpHandler implements HttpHandler {
  public static final String PATH = "/silences";
  static final int MAX_BODY_BYTES = 16 * 1024;
  static final int MAX_MATCHERS = 32;
  static final int MAX_TEXT = 1024;
  private static final Set<String> FIELDS =
      Set.of("matchers", "ends_at", "duration", "created_by", "comment");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,6})([smhd])");

  private final AlertSystem system;
  private final byte[] token;

  /** Serves {@code system}'s silences; with a token, only to its bearers. */
  public SilenceHttpHandler(AlertSystem system, String token) {
    this.system = system;
    this.token = token == null ? null : Exchanges.bearer(token);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (PATH.equals(path)) {
        switch (method) {
          case "GET", "HEAD" -> {
            if (token != null && !Exchanges.bears(exchange, token)) {
              Exchanges.sendUnauthorized(exchange);
            } else {
              list(exchange);
            }
          }
          case "POST" -> {
            if (writable(exchange, "adding silences")) {
              add(exchange);
            }
          }
          default -> notAllowed(exchange, "GET, HEAD, POST");
        }
      } else if (path.startsWith(PATH + "/") && path.indexOf('/', PATH.length() + 1) < 0) {
        String id = path.substring(PATH.length() + 1);
        if (!"DELETE".equals(method)) {
          notAllowed(exchange, "DELETE");
        } else if (writable(exchange, "removing silences")) {
          if (system.removeSilence(id)) {
            exchange.sendResponseHeaders(204, -1);
          } else {
            send(exchange, 404, error("no silence in force has the id '" + id + "'"));
          }
        }
      } else {
        Exchanges.notFound(exchange);
      }
    }
  }

  /** Whether a write may go on; if not, the refusal is sent. */
  private boolean writable(HttpExchange exchange, String what) throws IOException {
    if (token == null) {
      send(exchange, 403, error(what + " over HTTP needs a token; none is configured"));
      return false;
    }
    if (!Exchanges.bears(exchange, token)) {
      Exchanges.sendUnauthorized(exchange);
      return false;
    }
    return true;
  }

  private void list(HttpExchange exchange) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("silences", system.getSilences().stream().map(SilenceJson::toMap).toList());
    send(exchange, 200, AlertJson.write(json));
  }

  private void add(HttpExchange exchange) throws IOException {
    Silence silence;
    try {
      ObjectNode body = JsonRequests.object(exchange, MAX_BODY_BYTES);
      silence = silence(body);
    } catch (JsonRequests.Refused refused) {
      send(exchange, refused.status(), error(refused.getMessage()));
      return;
    }
    send(exchange, 201, AlertJson.write(SilenceJson.toMap(silence)));
  }

  /** The silence a body asks for, added; each refusal names the field and the value. */
  private Silence silence(ObjectNode body) throws JsonRequests.Refused {
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      if (!FIELDS.contains(field.getKey())) {
        throw refused("unknown field '" + field.getKey() + "'; the fields are " + sorted(FIELDS));
      }
    }
    JsonNode matchers = body.get("matchers");
    if (matchers == null || matchers.isNull()) {
      throw refused("matchers is required: a list such as [\"team=db\"]");
    }
    if (!matchers.isArray()) {
      throw refused("matchers must be a list of strings, was " + JsonRequests.kind(matchers));
    }
    if (matchers.isEmpty()) {
      throw refused("matchers must not be empty; an empty list would mute every alert");
    }
    if (matchers.size() > MAX_MATCHERS) {
      throw refused("matchers has " + matchers.size() + " entries, more than " + MAX_MATCHERS);
    }
    List<String> given = new ArrayList<>();
    for (int i = 0; i < matchers.size(); i++) {
      JsonNode matcher = matchers.get(i);
      if (!matcher.isTextual()) {
        throw refused("matchers[" + i + "] must be a string, was " + JsonRequests.kind(matcher));
      }
      try {
        Silence.Matcher.parse(matcher.asText());
      } catch (IllegalArgumentException e) {
        throw refused("matchers[" + i + "]: " + e.getMessage());
      }
      given.add(matcher.asText());
    }
    String createdBy = text(body, "created_by");
    String comment = text(body, "comment");
    String endsAt = text(body, "ends_at");
    String duration = text(body, "duration");
    if ((endsAt == null) == (duration == null)) {
      throw refused("give ends_at (an ISO-8601 instant) or duration (such as 4h), one of the two");
    }
    try {
      if (endsAt != null) {
        return system.addSilence(given, instant(endsAt), createdBy, comment);
      }
      return system.addSilence(given, duration(duration), createdBy, comment);
    } catch (IllegalArgumentException e) {
      throw refused(e.getMessage());
    }
  }

  private static Instant instant(String endsAt) throws JsonRequests.Refused {
    try {
      return Instant.parse(endsAt);
    } catch (DateTimeParseException e) {
      throw refused(
          "ends_at must be an ISO-8601 instant such as 2026-12-03T12:00:00Z, was '" + endsAt + "'");
    }
  }

  private static Duration duration(String text) throws JsonRequests.Refused {
    Duration parsed = parseDuration(text);
    if (parsed == null || parsed.isZero() || parsed.isNegative()) {
      throw refused(
          "duration must be a positive duration such as 90m, 4h or 2d, was '" + text + "'");
    }
    return parsed;
  }

  /** {@code 90s}, {@code 30m}, {@code 4h}, {@code 2d} or ISO-8601 ({@code PT4H}); null if none. */
  private static Duration parseDuration(String text) {
    Matcher m = SHORT_DURATION.matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A string field, at most {@link #MAX_TEXT} characters; null when absent. */
  private static String text(ObjectNode body, String field) throws JsonRequests.Refused {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw refused(field + " must be a string, was " + JsonRequests.kind(node));
    }
    if (node.asText().length() > MAX_TEXT) {
      throw refused(
          field + " must be at most " + MAX_TEXT + " characters, was " + node.asText().length());
    }
    return node.asText();
  }

  private static JsonRequests.Refused refused(String message) {
    return new JsonRequests.Refused(400, message);
  }

  private static List<String> sorted(Set<String> names) {
    return names.stream().sorted().toList();
  }

  private static void notAllowed(HttpExchange exchange, String allow) throws IOException {
    exchange.getResponseHeaders().set("Allow", allow);
    send(exchange, 405, error("method not allowed: " + exchange.getRequestMethod()));
  }

  private static String error(String message) {
    return AlertJson.write(Map.of("error", message));
  }

  private static void send(HttpExchange exchange, int status, String json) throws IOException {
    Exchanges.send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
  }
}
