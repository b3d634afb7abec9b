package io.amptalk.monitoring.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The HTTP API of a running agent, for the commands that act on it ({@code resolve}, {@code
 * silence}): its base URL and its API token, which the writes need.
 */
final class AgentApi {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The answer of the agent: its status and its body, read as JSON (null when it is none). */
  record Answer(int status, String body) {
    /** The {@code error} the agent gave, or the body itself. */
    String error() {
      try {
        JsonNode json = JSON.readTree(body);
        return json != null && json.hasNonNull("error") ? json.get("error").asText() : body;
      } catch (IOException e) {
        return body;
      }
    }
  }

  /** Why the agent could not be asked at all: named so the operator can act on it. */
  static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Option(
      names = "--url",
      paramLabel = "<url>",
      defaultValue = "http://127.0.0.1:8000",
      description = "The running agent's base URL (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(
      names = "--api-token",
      paramLabel = "<token>",
      defaultValue = "${env:AMPTALK_API_TOKEN}",
      description =
          "The agent's API token, which acting on it needs (default: the AMPTALK_API_TOKEN"
              + " environment variable; prefer it: an option shows in the process list).")
  String apiToken;

  /** {@code method path} with {@code body} (JSON, or null for none). */
  Answer send(String method, String path, String body) throws Unreachable {
    URI uri;
    try {
      uri = URI.create(url.replaceAll("/+$", "") + path);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("not http or https");
      }
    } catch (IllegalArgumentException e) {
      throw new Unreachable("--url must be an http or https URL, was '" + url + "'", e);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (apiToken != null && !apiToken.isBlank()) {
      request.header("Authorization", "Bearer " + apiToken);
    }
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(response.statusCode(), response.body());
    } catch (ConnectException e) {
      throw new Unreachable("no agent answers at " + uri.resolve("/") + " (connection refused)", e);
    } catch (HttpTimeoutException e) {
      throw new Unreachable("the agent at " + uri.resolve("/") + " did not answer within 10 s", e);
    } catch (IOException e) {
      throw new Unreachable("asking the agent at " + uri.resolve("/") + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unreachable("interrupted", e);
    }
  }

  /** What to tell the operator when the agent refused the request for want of a token. */
  static String refusal(Answer answer) {
    return switch (answer.status()) {
      case 401 -> "the agent refused the API token (give it with AMPTALK_API_TOKEN or --api-token)";
      case 403 -> "the agent refused: " + answer.error();
      default -> "the agent answered " + answer.status() + ": " + answer.error();
    };
  }
}
