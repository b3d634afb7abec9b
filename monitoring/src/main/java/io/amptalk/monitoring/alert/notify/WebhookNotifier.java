package io.amptalk.monitoring.alert.notify;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.util.Options;
import java.net.URI;
import java.net.http.HttpRequest;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Posts each alert to an HTTP endpoint as JSON, or as a Slack or Microsoft Teams message,
 * optionally signed with a shared secret so the receiver can check where it came from.
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
 *       silenced, inhibited, notes});
 *   <li>{@code SLACK}: what Slack (and Mattermost, Rocket.Chat) incoming webhooks take: {@code
 *       {"text": ":warning: [WARNING] title: message", "attachments": [{"color": "#DAA038",
 *       "fields": [{"title": "Source", "value": …, "short": true}, …]}]}}. The fields are Source,
 *       Service and Time, then Resolved (when resolved), Occurrences (when more than one) and
 *       Details (the details as JSON, when there are any). {@code &}, {@code <} and {@code >} are
 *       escaped as Slack asks, so an alert's text cannot mention {@code <!channel>}.
 *   <li>{@code TEAMS}: what Microsoft Teams' Workflows and incoming webhooks take, a message with
 *       one Adaptive Card 1.4: {@code {"type": "message", "attachments": [{"contentType":
 *       "application/vnd.microsoft.card.adaptive", "contentUrl": null, "content": {"type":
 *       "AdaptiveCard", "version": "1.4", "body": […]}}]}}. The card's body is the title as {@code
 *       [CRITICAL] title} (or {@code [RESOLVED] title}) in the severity's colour, the message, a
 *       FactSet of State, Severity, Source, Service, Time, Resolved and Occurrences (as for Slack)
 *       and the labels not already shown, then a FactSet of the details. The URL of a Teams webhook
 *       is its secret, and is never shown.
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
public final class WebhookNotifier extends RoutedNotifier {
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
    SLACK,
    /** A Microsoft Teams message: one Adaptive Card with the alert's facts. */
    TEAMS
  }

  private final String name;
  private final URI uri;
  private final Map<String, String> headers;
  private final SecretKeySpec key;
  private final Format format;
  private final Clock clock;
  private final HttpPoster poster;

  private WebhookNotifier(Builder builder) {
    super(builder.routing.build());
    this.name = Options.requireNonBlank("name", builder.name);
    this.uri = HttpPoster.httpUri("webhookUrl", builder.webhookUrl);
    this.headers =
        HttpPoster.headers(
            builder.headers,
            Set.of(
                "content-type", "idempotency-key", "x-amptalk-timestamp", "x-amptalk-signature"));
    Duration timeout = Options.requirePositive("timeout", builder.timeout);
    if (builder.secret != null && builder.secret.isEmpty()) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    this.key = builder.secret == null ? null : key(builder.secret);
    this.format = builder.format;
    this.clock = builder.clock;
    this.poster =
        new HttpPoster("webhook", "amptalk-webhook-", THREADS, timeout, clock, false, null);
  }

  /** A builder; {@link Builder#webhookUrl} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Makes one POST; throws {@link DeliveryException} saying whether and when to retry. */
  @Override
  public void send(Alert alert) throws DeliveryException, InterruptedException {
    String body =
        switch (format) {
          case JSON -> AlertJson.toJson(alert);
          case SLACK -> SlackFormat.body(alert);
          case TEAMS -> TeamsFormat.body(alert);
        };
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

  // ---------------------------------------------------------------- AlertNotifier

  @Override
  public String name() {
    return name;
  }

  /** Name, URL without user info or query, format and minimum severity: never secrets. */
  @Override
  public String toString() {
    return "WebhookNotifier{name="
        + name
        + ", url="
        + HttpPoster.redacted(uri)
        + ", format="
        + format
        + ", minSeverity="
        + routing.minSeverity()
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
    private final Routing.Builder routing = new Routing.Builder();
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

    /** Bounds connecting and waiting for the answer, each. Default 10 s; at most a day. */
    public Builder timeout(Duration timeout) {
      this.timeout = Options.requirePositive("timeout", timeout, Options.MAX_PERIOD);
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
      routing.minSeverity(minSeverity);
      return this;
    }

    /** When not empty, only alerts from these sources are sent here. Default empty (all). */
    public Builder sources(Collection<String> sources) {
      routing.sources(sources);
      return this;
    }

    /** Whether resolutions are sent too. Default true. */
    public Builder sendsResolved(boolean sendsResolved) {
      routing.sendsResolved(sendsResolved);
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
}
