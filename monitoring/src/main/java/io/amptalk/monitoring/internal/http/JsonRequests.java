package io.amptalk.monitoring.internal.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.amptalk.monitoring.internal.alert.AlertJson;
import java.io.IOException;
import java.util.regex.Pattern;

/** The JSON object a write request ({@code POST /alerts}, {@code POST /silences}) carries. */
final class JsonRequests {
  private static final Pattern JACKSON_LOCATION =
      Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

  private JsonRequests() {}

  /** Why a request is refused: the status to answer and the message to give. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }

    int status() {
      return status;
    }
  }

  /**
   * The body, which must be one JSON object of at most {@code maxBytes}, of type {@code
   * application/json} when a type is given.
   *
   * @throws Refused with 415, 413 or 400 and the reason
   */
  static ObjectNode object(HttpExchange exchange, int maxBytes) throws IOException, Refused {
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null && !isJson(contentType)) {
      throw new Refused(415, "Content-Type must be application/json, was '" + contentType + "'");
    }
    // A declared length over the bound is refused before a byte of the body is read: a client
    // announcing a gigabyte gets its answer at once rather than after sending it (or never, if it
    // then stalls).
    if (Exchanges.declaredLength(exchange) > maxBytes) {
      throw new Refused(413, "the body must be at most " + maxBytes + " bytes");
    }
    // Not closed here: closing drains what is left of the body, which would wait on a client
    // that sent too much before it has its answer. The exchange closes it after responding.
    byte[] body = exchange.getRequestBody().readNBytes(maxBytes + 1);
    if (body.length > maxBytes) {
      throw new Refused(413, "the body must be at most " + maxBytes + " bytes");
    }
    JsonNode json;
    try {
      json = parse(body);
    } catch (JsonProcessingException e) {
      throw new Refused(400, "the body is not valid JSON: " + describe(e));
    }
    if (json == null || json.isMissingNode()) {
      throw new Refused(400, "the body is empty; it must be a JSON object");
    }
    if (!(json instanceof ObjectNode object)) {
      throw new Refused(400, "the body must be a JSON object, was " + kind(json));
    }
    return object;
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

  /** What a value is, for a message: {@code a string}, {@code an array}. */
  static String kind(JsonNode node) {
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
}
