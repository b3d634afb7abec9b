package io.amptalk.monitoring.alert.notify;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.util.DaemonThreads;
import io.amptalk.monitoring.internal.util.Throwables;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * One JSON POST and what its answer means for retries, with the option checks the HTTP notifiers
 * share ({@link WebhookNotifier}, {@link AlertmanagerNotifier} and {@link PagerDutyNotifier}): one
 * place decides what is retried.
 */
final class HttpPoster {
  static final String USER_AGENT = "amptalk-monitoring";

  private static final Pattern DELTA_SECONDS = Pattern.compile("\\d{1,18}");
  private static final int REASON_BYTES = 512;
  private static final int REASON_CHARS = 200;

  private final String receiver;
  private final HttpClient client;
  private final Duration timeout;
  private final Clock clock;
  private final boolean explainErrors;
  private final String hidden;

  /**
   * @param receiver starts every failure message: "webhook answered 500"
   * @param threadPrefix names the client's threads, numbered by {@code threads}
   * @param explainErrors whether a failure message quotes the start of the answer's body (for a
   *     receiver known to explain itself there, such as Alertmanager)
   * @param hidden a secret the body carries (PagerDuty's routing key), replaced by "…" wherever an
   *     answer quoted in a failure message repeats it; null for none
   */
  HttpPoster(
      String receiver,
      String threadPrefix,
      AtomicInteger threads,
      Duration timeout,
      Clock clock,
      boolean explainErrors,
      String hidden) {
    this.receiver = receiver;
    this.hidden = hidden == null || hidden.isEmpty() ? null : hidden;
    this.timeout = timeout;
    this.clock = clock;
    this.explainErrors = explainErrors;
    // HTTP/1.1: one POST now and then gains nothing from HTTP/2, and on http:// URLs the h2c
    // upgrade attempt is a thing some receivers mishandle. The executor's threads are daemons,
    // so a notifier never keeps a JVM alive (the client's selector thread is a daemon too);
    // idle ones end after a minute.
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .executor(
                Executors.newCachedThreadPool(
                    runnable ->
                        DaemonThreads.newThread(
                            runnable, threadPrefix + threads.incrementAndGet())))
            .build();
  }

  /** A request with the timeout, User-Agent, the configured headers and Content-Type. */
  HttpRequest.Builder request(URI uri, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(timeout).setHeader("User-Agent", USER_AGENT);
    headers.forEach(request::setHeader);
    return request.setHeader("Content-Type", "application/json");
  }

  /** POSTs {@code body}; returns on a 2xx, otherwise throws what the answer means. */
  void post(HttpRequest.Builder request, String body)
      throws DeliveryException, InterruptedException {
    HttpResponse<InputStream> response;
    try {
      response = client.send(postOf(request, body), this::answer);
    } catch (IOException e) {
      throw failure(e);
    }
    DeliveryException refusal = refusal(response);
    if (refusal != null) {
      throw refusal;
    }
  }

  /**
   * POSTs {@code body} without waiting: completes with null on a 2xx, otherwise with what the
   * answer (or its absence) means; never exceptionally, bar cancellation.
   */
  CompletableFuture<DeliveryException> postAsync(HttpRequest.Builder request, String body) {
    return client
        .sendAsync(postOf(request, body), this::answer)
        .handle(
            (response, error) -> {
              if (error == null) {
                return refusal(response);
              }
              Throwable cause =
                  error instanceof CompletionException && error.getCause() != null
                      ? error.getCause()
                      : error;
              return cause instanceof IOException io
                  ? failure(io)
                  : DeliveryException.retryable(
                      receiver + " failed: " + Throwables.describe(cause), cause);
            });
  }

  private static HttpRequest postOf(HttpRequest.Builder request, String body) {
    return request.POST(HttpRequest.BodyPublishers.ofString(body, UTF_8)).build();
  }

  /** The body is read only to quote a refusal, when this receiver explains itself there. */
  private HttpResponse.BodySubscriber<InputStream> answer(HttpResponse.ResponseInfo info) {
    return info.statusCode() / 100 == 2 || !explainErrors
        ? HttpResponse.BodySubscribers.replacing(InputStream.nullInputStream())
        : HttpResponse.BodySubscribers.ofInputStream();
  }

  private DeliveryException failure(IOException e) {
    if (e instanceof HttpTimeoutException) { // connect timeouts too: a subclass
      return DeliveryException.retryable(
          receiver + " timed out after " + timeout.toMillis() + " ms", e);
    }
    return DeliveryException.retryable(receiver + " unreachable: " + Throwables.describe(e), e);
  }

  /** Null for a 2xx, else what the answer means for retries. */
  private DeliveryException refusal(HttpResponse<InputStream> response) {
    int status = response.statusCode();
    if (status / 100 == 2) {
      return null;
    }
    String message = receiver + " answered " + status + reason(response.body());
    if (status == 429 || status == 503) {
      Duration retryAfter =
          retryAfter(response.headers().firstValue("Retry-After").orElse(null), clock);
      return retryAfter == null
          ? DeliveryException.retryable(message, null)
          : DeliveryException.retryAfter(message, retryAfter);
    }
    if (status >= 500 || status == 408) {
      return DeliveryException.retryable(message, null);
    }
    return DeliveryException.permanent(message, null);
  }

  /**
   * ": " and the start of the body, on one line and without the hidden secret, or "" when there is
   * none or it is unreadable.
   */
  private String reason(InputStream body) {
    String text;
    try (body) {
      text = new String(body.readNBytes(REASON_BYTES), UTF_8);
    } catch (IOException e) {
      return "";
    }
    if (hidden != null) {
      text = text.replace(hidden, "…"); // before cutting, so no part of it is left
    }
    text = text.replaceAll("\\s+", " ").strip();
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      text = text.substring(1, text.length() - 1).strip(); // a JSON string, as Alertmanager's
    }
    if (text.length() > REASON_CHARS) {
      text = text.substring(0, REASON_CHARS) + "…";
    }
    return text.isEmpty() ? "" : ": " + text;
  }

  /**
   * A {@code Retry-After} value: delta-seconds, or an HTTP date (RFC 1123) taken relative to {@code
   * clock} (zero when past); null when absent or neither.
   */
  static Duration retryAfter(String value, Clock clock) {
    if (value == null) {
      return null;
    }
    String text = value.strip();
    if (DELTA_SECONDS.matcher(text).matches()) {
      return Duration.ofSeconds(Long.parseLong(text));
    }
    try {
      Instant when = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(clock.instant(), when);
      return wait.isNegative() ? Duration.ZERO : wait;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- option checks

  /**
   * The URL, checked. A refused one is described without its user info, path or query, or not at
   * all when it has no host, since a URL may carry a secret there; nor is the parser's message,
   * which quotes the input, passed on.
   */
  static URI httpUri(String option, String url) {
    String rule = option + " must be an http(s) URL, was ";
    if (url == null) {
      throw new IllegalArgumentException(rule + "null");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(rule + unshown(url));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(rule + (url.isEmpty() ? "''" : unshown(url)));
    }
    if (!(scheme.equals("http") || scheme.equals("https"))) {
      throw new IllegalArgumentException(rule + "'" + redacted(uri) + "'");
    }
    return uri;
  }

  private static String unshown(String url) {
    return "not one (" + url.length() + " characters, not shown since a URL may hold a secret)";
  }

  /**
   * The configured headers, checked now so that sending cannot fail on them: no null, nothing the
   * notifier sets itself ({@code reserved}, lowercase), nothing the JDK client refuses. Messages
   * name the header, never its value.
   */
  static Map<String, String> headers(Map<String, String> headers, Set<String> reserved) {
    Map<String, String> copy = new LinkedHashMap<>();
    headers.forEach(
        (header, value) -> {
          if (header == null) {
            throw new IllegalArgumentException("headers must not hold a null name");
          }
          if (value == null) {
            throw new IllegalArgumentException("header '" + header + "' must have a value");
          }
          if (reserved.contains(header.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                "header '" + header + "' is set by the notifier and cannot be configured");
          }
          try {
            HttpRequest.newBuilder().header(header, value);
          } catch (IllegalArgumentException e) {
            // Not chained: the JDK's message may quote the value.
            throw new IllegalArgumentException(
                "header '"
                    + header
                    + "' is refused by the HTTP client (a restricted or invalid name, or an"
                    + " invalid value)");
          }
          copy.put(header, value);
        });
    return Collections.unmodifiableMap(copy);
  }

  /**
   * The URL without user info, path or query: Slack, Teams and Discord webhook URLs carry their
   * secret in the path, so only the scheme, host and port may reach a log.
   */
  static String redacted(URI uri) {
    boolean hasPath =
        (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
            || uri.getRawQuery() != null
            || uri.getRawFragment() != null;
    return uri.getScheme()
        + "://"
        + uri.getHost()
        + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
        + (hasPath ? "/…" : "");
  }
}
