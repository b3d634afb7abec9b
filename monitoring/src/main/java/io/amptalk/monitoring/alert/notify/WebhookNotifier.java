package io.amptalk.monitoring.alert.notify;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import io.amptalk.monitoring.internal.alert.AlertJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts each alert to an HTTP endpoint as JSON, or as a Slack-compatible message, optionally signed
 * with a shared secret so the receiver can check where it came from.
 *
 * <pre>{@code
 * WebhookNotifier webhook = WebhookNotifier.builder()
 *     .webhookUrl("https://example.com/webhook")
 *     .secret(System.getenv("WEBHOOK_SECRET"))
 *     .minSeverity(AlertSeverity.ERROR)
 *     .build();
 * }</pre>
 *
 * <p>Each alert is one {@code POST} with {@code Content-Type: application/json}, {@code User-Agent:
 * amptalk-monitoring}, the configured headers and {@code Idempotency-Key} (the delivery's key,
 * {@code <alert id>/<notifier name>/<state>/<occurrences>}: a retry repeats it, so receivers can
 * drop duplicates). The body is, by {@link Format}:
 *
 * <ul>
 *   <li>{@code JSON}: the alert as the library writes it everywhere ({@code id, title, message,
 *       severity, source, service, time, details, fingerprint, state, occurrences, last_seen,
 *       silenced, notes});
 *   <li>{@code SLACK}: what Slack (and Mattermost, Rocket.Chat) incoming webhooks take: {@code
 *       {"text": ":warning: [WARNING] title: message", "attachments": [{"color": "#DAA038",
 *       "fields": [{"title": "Source", "value": …, "short": true}, …]}]}}. The fields are Source,
 *       Service and Time, then Resolved (when resolved), Occurrences (when more than one) and
 *       Details (the details as JSON, when there are any). {@code &}, {@code <} and {@code >} are
 *       escaped as Slack asks, so an alert's text cannot mention {@code <!channel>}.
 * </ul>
 *
 * <p>With a {@link Builder#secret secret}, two more headers: {@code X-Amptalk-Timestamp} (epoch
 * seconds) and {@code X-Amptalk-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">}.
 * Receivers check them with {@link #verifySignature}, which also refuses a timestamp further from
 * the receiver's clock than a tolerance, so a captured request cannot be replayed later; within the
 * tolerance, the {@code Idempotency-Key} tells a replay from a new alert. SECURITY.md has the
 * recipe for receivers in other languages.
 *
 * <p>Outcomes, for the alert system's retries: a 2xx is delivered; 429 and 503 are retried after
 * the receiver's {@code Retry-After} (seconds or an HTTP date) when it gave one; other 5xx, 408, a
 * timeout and an unreachable receiver are retried with backoff; any other answer (400, 401, 404, a
 * redirect) is permanent. Failure messages never contain the secret or header values.
 */
public final class WebhookNotifier implements AlertNotifier {
  static final String USER_AGENT = "amptalk-monitoring";
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String TIMESTAMP_HEADER = "X-Amptalk-Timestamp";
  static final String SIGNATURE_HEADER = "X-Amptalk-Signature";
  private static final String SIGNATURE_PREFIX = "sha256=";
  private static final String HMAC_SHA256 = "HmacSHA256";
  private static final Pattern EPOCH_SECONDS = Pattern.compile("\\d{1,12}");
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** What a webhook's body looks like. */
  public enum Format {
    /** The alert as JSON, the library's one shape of an alert. */
    JSON,
    /** A Slack incoming-webhook message: {@code text} and one attachment with fields. */
    SLACK
  }

  private final String name;
  private final URI uri;
  private final Map<String, String> headers;
  private final SecretKeySpec key;
  private final Format format;
  private final AlertSeverity minSeverity;
  private final Set<String> sources;
  private final boolean sendsResolved;
  private final Clock clock;
  private final Poster poster;

  private WebhookNotifier(Builder builder) {
    this.name = Poster.requireNonBlank("name", builder.name);
    this.uri = Poster.httpUri("webhookUrl", builder.webhookUrl);
    this.headers =
        Poster.headers(
            builder.headers,
            Set.of(
                "content-type", "idempotency-key", "x-amptalk-timestamp", "x-amptalk-signature"));
    Duration timeout = Poster.requirePositive("timeout", builder.timeout);
    if (builder.secret != null && builder.secret.isEmpty()) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    this.key = builder.secret == null ? null : key(builder.secret);
    this.format = builder.format;
    this.minSeverity = builder.minSeverity;
    this.sources = Poster.sources(builder.sources);
    this.sendsResolved = builder.sendsResolved;
    this.clock = builder.clock;
    this.poster = new Poster("webhook", "amptalk-webhook-", THREADS, timeout, clock, false);
  }

  /** A builder; {@link Builder#webhookUrl} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Makes one POST; throws {@link DeliveryException} saying whether and when to retry. */
  @Override
  public void send(Alert alert) throws DeliveryException, InterruptedException {
    String body = format == Format.SLACK ? slackBody(alert) : AlertJson.toJson(alert);
    HttpRequest.Builder request =
        poster.request(uri, headers).setHeader(IDEMPOTENCY_KEY, Delivery.of(name, alert).key());
    if (key != null) {
      String timestamp = Long.toString(clock.instant().getEpochSecond());
      request
          .setHeader(TIMESTAMP_HEADER, timestamp)
          .setHeader(
              SIGNATURE_HEADER,
              SIGNATURE_PREFIX + HexFormat.of().formatHex(hmac(key, timestamp, body)));
    }
    poster.post(request, body);
  }

  /**
   * Checks a request's signature, for receivers: true when {@code signatureHeader} (the {@code
   * X-Amptalk-Signature} header, {@code sha256=<hex>}) is the HMAC-SHA256 of {@code timestamp + "."
   * + body} with {@code secret}, and {@code timestamp} (epoch seconds) is at most {@code tolerance}
   * before or after {@code now}. A timestamp further away is refused however good the signature, so
   * a captured request cannot be replayed later (nor one signed ahead of time be used). The
   * signature is compared in constant time; false for any missing or malformed input.
   *
   * <pre>{@code
   * boolean genuine = WebhookNotifier.verifySignature(
   *     secret,
   *     request.header("X-Amptalk-Timestamp"),
   *     new String(request.bodyBytes(), StandardCharsets.UTF_8),
   *     request.header("X-Amptalk-Signature"),
   *     Duration.ofMinutes(5),
   *     Instant.now());
   * }</pre>
   *
   * @param secret the shared secret the notifier was built with
   * @param timestamp the {@code X-Amptalk-Timestamp} header, as received
   * @param body the request body, exactly as received (decoded as UTF-8)
   * @param signatureHeader the {@code X-Amptalk-Signature} header, as received
   * @param tolerance how far the timestamp may be from {@code now}, either way: the clocks' skew
   *     plus the delivery's delay; 5 minutes suits most
   * @param now the receiver's current time
   * @throws IllegalArgumentException when {@code tolerance} is negative or {@code now} is null:
   *     those are the caller's mistakes, not the request's
   */
  public static boolean verifySignature(
      String secret,
      String timestamp,
      String body,
      String signatureHeader,
      Duration tolerance,
      Instant now) {
    if (tolerance == null || tolerance.isNegative()) {
      throw new IllegalArgumentException("tolerance must be zero or positive, was " + tolerance);
    }
    if (now == null) {
      throw new IllegalArgumentException("now must not be null");
    }
    if (secret == null
        || secret.isEmpty()
        || timestamp == null
        || !EPOCH_SECONDS.matcher(timestamp).matches()
        || body == null
        || signatureHeader == null
        || !signatureHeader.startsWith(SIGNATURE_PREFIX)) {
      return false;
    }
    Instant signedAt = Instant.ofEpochSecond(Long.parseLong(timestamp));
    Duration skew = Duration.between(signedAt, now).abs();
    if (skew.compareTo(tolerance) > 0) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(signatureHeader.substring(SIGNATURE_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(hmac(key(secret), timestamp, body), given);
  }

  private static SecretKeySpec key(String secret) {
    return new SecretKeySpec(secret.getBytes(UTF_8), HMAC_SHA256);
  }

  private static byte[] hmac(SecretKeySpec key, String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance(HMAC_SHA256); // not thread-safe, and cheap: one per signature
      mac.init(key);
      mac.update(timestamp.getBytes(UTF_8));
      mac.update((byte) '.');
      return mac.doFinal(body.getBytes(UTF_8));
    } catch (GeneralSecurityException e) {
      // Every JDK must provide HmacSHA256, and any non-empty key suits it.
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  // ---------------------------------------------------------------- Slack

  /** The Slack message; see the class comment for its shape. */
  static String slackBody(Alert alert) {
    String label = alert.isFiring() ? alert.severity().name() : "RESOLVED";
    String text =
        emoji(alert)
            + " ["
            + label
            + "] "
            + slackEscape(alert.title())
            + ": "
            + slackEscape(alert.message());
    List<Map<String, Object>> fields = new ArrayList<>();
    fields.add(slackField("Source", alert.source(), true));
    fields.add(slackField("Service", alert.service(), true));
    fields.add(slackField("Time", alert.time().toString(), true));
    if (!alert.isFiring()) {
      fields.add(slackField("Resolved", alert.lastSeen().toString(), true));
    }
    if (alert.occurrences() > 1) {
      fields.add(slackField("Occurrences", Integer.toString(alert.occurrences()), true));
    }
    if (!alert.details().isEmpty()) {
      fields.add(slackField("Details", AlertJson.write(alert.details()), false));
    }
    Map<String, Object> attachment = new LinkedHashMap<>();
    attachment.put("color", color(alert));
    attachment.put("fields", fields);
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("text", text);
    message.put("attachments", List.of(attachment));
    return AlertJson.write(message);
  }

  private static String emoji(Alert alert) {
    if (!alert.isFiring()) {
      return ":white_check_mark:";
    }
    return switch (alert.severity()) {
      case INFO -> ":information_source:";
      case WARNING -> ":warning:";
      case ERROR -> ":x:";
      case CRITICAL -> ":rotating_light:";
    };
  }

  private static String color(Alert alert) {
    if (!alert.isFiring()) {
      return "#2EB886";
    }
    return switch (alert.severity()) {
      case INFO -> "#439FE0";
      case WARNING -> "#DAA038";
      case ERROR -> "#E8590C";
      case CRITICAL -> "#A30200";
    };
  }

  private static Map<String, Object> slackField(String title, String value, boolean isShort) {
    Map<String, Object> field = new LinkedHashMap<>();
    field.put("title", title);
    field.put("value", slackEscape(value));
    field.put("short", isShort);
    return field;
  }

  /** Slack reads {@code <...>} as links and mentions; it asks for exactly these three escapes. */
  private static String slackEscape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  // ---------------------------------------------------------------- AlertNotifier

  @Override
  public String name() {
    return name;
  }

  @Override
  public AlertSeverity minSeverity() {
    return minSeverity;
  }

  @Override
  public Set<String> sources() {
    return sources;
  }

  @Override
  public boolean sendsResolved() {
    return sendsResolved;
  }

  /** Name, URL without user info or query, format and minimum severity: never secrets. */
  @Override
  public String toString() {
    return "WebhookNotifier{name="
        + name
        + ", url="
        + Poster.redacted(uri)
        + ", format="
        + format
        + ", minSeverity="
        + minSeverity
        + ", signed="
        + (key != null)
        + "}";
  }

  /** Configures a {@link WebhookNotifier}; everything is checked in {@link #build()}. */
  public static final class Builder {
    private String name = "webhook";
    private String webhookUrl;
    private Map<String, String> headers = Map.of();
    private Duration timeout = Duration.ofSeconds(10);
    private String secret;
    private Format format = Format.JSON;
    private AlertSeverity minSeverity = AlertSeverity.INFO;
    private Collection<String> sources = List.of();
    private boolean sendsResolved = true;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Names the notifier in metrics, logs, dead letters and idempotency keys. Default "webhook".
     */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Where to POST: an http or https URL with a host. Required. */
    public Builder webhookUrl(String webhookUrl) {
      this.webhookUrl = webhookUrl;
      return this;
    }

    /**
     * Headers added to every request, e.g. {@code Authorization}. Their values are treated as
     * secrets: never shown in {@code toString()} or in failure messages.
     */
    public Builder headers(Map<String, String> headers) {
      this.headers = new LinkedHashMap<>(Objects.requireNonNull(headers, "headers"));
      return this;
    }

    /** Bounds connecting and waiting for the answer, each. Default 10 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Signs every request with HMAC-SHA256 and this shared secret. Default none (unsigned). */
    public Builder secret(String secret) {
      this.secret = secret;
      return this;
    }

    /** The body's shape. Default {@link Format#JSON}. */
    public Builder format(Format format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    /** Alerts below this severity are not sent here. Default INFO (all). */
    public Builder minSeverity(AlertSeverity minSeverity) {
      this.minSeverity = Objects.requireNonNull(minSeverity, "minSeverity");
      return this;
    }

    /** When not empty, only alerts from these sources are sent here. Default empty (all). */
    public Builder sources(Collection<String> sources) {
      this.sources = new ArrayList<>(Objects.requireNonNull(sources, "sources"));
      return this;
    }

    /** Whether resolutions are sent too. Default true. */
    public Builder sendsResolved(boolean sendsResolved) {
      this.sendsResolved = sendsResolved;
      return this;
    }

    /** The clock of the signature's timestamp and of Retry-After dates. Default system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The notifier, with its own HTTP client on daemon threads.
     *
     * @throws IllegalArgumentException naming the option and the rule, for a bad option
     */
    public WebhookNotifier build() {
      return new WebhookNotifier(this);
    }
  }

  // ---------------------------------------------------------------- HTTP, shared

  /**
   * One JSON POST and what its answer means for retries, with the option checks both HTTP notifiers
   * share ({@link AlertmanagerNotifier} too): one place decides what is retried.
   */
  static final class Poster {
    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d{1,18}");
    private static final int REASON_BYTES = 512;
    private static final int REASON_CHARS = 200;

    private final String receiver;
    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;
    private final boolean explainErrors;

    /**
     * @param receiver starts every failure message: "webhook answered 500"
     * @param threadPrefix names the client's threads, numbered by {@code threads}
     * @param explainErrors whether a failure message quotes the start of the answer's body (for a
     *     receiver known to explain itself there, such as Alertmanager)
     */
    Poster(
        String receiver,
        String threadPrefix,
        AtomicInteger threads,
        Duration timeout,
        Clock clock,
        boolean explainErrors) {
      this.receiver = receiver;
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
                      runnable -> {
                        Thread thread =
                            new Thread(runnable, threadPrefix + threads.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                      }))
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
        response =
            client.send(
                request.POST(HttpRequest.BodyPublishers.ofString(body, UTF_8)).build(),
                info ->
                    info.statusCode() / 100 == 2 || !explainErrors
                        ? HttpResponse.BodySubscribers.replacing(InputStream.nullInputStream())
                        : HttpResponse.BodySubscribers.ofInputStream());
      } catch (HttpTimeoutException e) { // connect timeouts too: a subclass
        throw DeliveryException.retryable(
            receiver + " timed out after " + timeout.toMillis() + " ms", e);
      } catch (IOException e) {
        throw DeliveryException.retryable(receiver + " unreachable: " + describe(e), e);
      }
      int status = response.statusCode();
      if (status / 100 == 2) {
        return;
      }
      String message = receiver + " answered " + status + reason(response.body());
      if (status == 429 || status == 503) {
        Duration retryAfter =
            retryAfter(response.headers().firstValue("Retry-After").orElse(null), clock);
        throw retryAfter == null
            ? DeliveryException.retryable(message, null)
            : DeliveryException.retryAfter(message, retryAfter);
      }
      if (status >= 500 || status == 408) {
        throw DeliveryException.retryable(message, null);
      }
      throw DeliveryException.permanent(message, null);
    }

    /** ": <the start of the body>", on one line, or "" when there is none or it is unreadable. */
    private static String reason(InputStream body) {
      String text;
      try (body) {
        text = new String(body.readNBytes(REASON_BYTES), UTF_8);
      } catch (IOException e) {
        return "";
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
     * A {@code Retry-After} value: delta-seconds, or an HTTP date (RFC 1123) taken relative to
     * {@code clock} (zero when past); null when absent or neither.
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

    private static String describe(Throwable e) {
      String message = e.getMessage();
      return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    // ---------------------------------------------------------------- option checks

    static String requireNonBlank(String option, String value) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(
            option + " must not be blank, was " + (value == null ? "null" : "'" + value + "'"));
      }
      return value;
    }

    static Duration requirePositive(String option, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(option + " must be a positive duration, was " + value);
      }
      return value;
    }

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

    static Set<String> sources(Collection<String> sources) {
      if (sources.stream().anyMatch(Objects::isNull)) {
        throw new IllegalArgumentException("sources must not hold null");
      }
      return Set.copyOf(sources);
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
}
