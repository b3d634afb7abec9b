package io.amptalk.monitoring.alert.notify;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.util.Details;
import io.amptalk.monitoring.internal.util.Options;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Pages through PagerDuty's Events API v2: each firing alert triggers a PagerDuty alert, and its
 * resolution resolves it, matched by the alert's fingerprint as {@code dedup_key}.
 *
 * <pre>{@code
 * PagerDutyNotifier pagerDuty = PagerDutyNotifier.builder()
 *     .routingKey(System.getenv("PAGERDUTY_ROUTING_KEY"))
 *     .minSeverity(AlertSeverity.ERROR)
 *     .build();
 * }</pre>
 *
 * <p>Each notification is one {@code POST https://events.pagerduty.com/v2/enqueue} (the URL can be
 * changed, for PagerDuty's EU service region or a test receiver), as PagerDuty's Events API v2
 * reference gives it (developer.pagerduty.com/docs/events-api-v2/trigger-events/, and its OpenAPI
 * description, github.com/PagerDuty/api-schema, reference/events-v2/openapiv3.json). A firing
 * alert:
 *
 * <pre>{@code
 * {"routing_key": <the routing key>, "event_action": "trigger", "dedup_key": <fingerprint>,
 *  "payload": {"summary": "<title>: <message>", "source": <service>,
 *              "severity": "info" | "warning" | "error" | "critical", "timestamp": <time, ISO-8601>,
 *              "component": <source>, "class": <title>,
 *              "custom_details": {"message": <message>, "details": {...}, "labels": {...}}},
 *  "client": "amptalk-monitoring", "client_url": <when configured>}
 * }</pre>
 *
 * <p>and a resolved one {@code {"routing_key": …, "event_action": "resolve", "dedup_key":
 * <fingerprint>}}. Our severities have PagerDuty's names (info, warning, error, critical). The
 * summary is cut to PagerDuty's 1024 characters; a fingerprint longer than its 255 is sent as
 * {@code sha256:<hex of it>}, the same for the trigger and the resolve. An alert raised again while
 * it fires is triggered again with the same key, which PagerDuty folds into the open alert.
 *
 * <p>Outcomes, as PagerDuty documents them: 202 (any 2xx) is delivered; 429, 5xx and network errors
 * are retried with backoff (after a {@code Retry-After} when one is given), and so is 408, as for
 * every HTTP notifier; 400 (an event PagerDuty refuses) and any other answer are permanent: the
 * delivery is a dead letter whose error quotes PagerDuty's reason. The routing key is the
 * integration's secret: it is never shown in {@code toString()}, failure messages or logs.
 */
public final class PagerDutyNotifier extends RoutedNotifier {
  /** PagerDuty's Events API v2 endpoint, the default {@link Builder#url}. */
  public static final String EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

  static final String CLIENT = "amptalk-monitoring";
  static final int SUMMARY_CHARS = 1024;
  static final int DEDUP_KEY_CHARS = 255;
  private static final Pattern ROUTING_KEY = Pattern.compile("[A-Za-z0-9]{32}");
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final String name;
  private final URI uri;
  private final String routingKey;
  private final String clientUrl;
  private final HttpPoster poster;

  private PagerDutyNotifier(Builder builder) {
    super(builder.routing.build());
    this.name = Options.requireNonBlank("name", builder.name);
    this.uri = HttpPoster.httpUri("url", builder.url);
    this.routingKey = routingKey(builder.routingKey);
    Duration timeout = Options.requirePositive("timeout", builder.timeout);
    this.clientUrl =
        builder.clientUrl == null
            ? null
            : HttpPoster.httpUri("clientUrl", builder.clientUrl).toString();
    this.poster =
        new HttpPoster(
            "pagerduty",
            "amptalk-pagerduty-",
            THREADS,
            timeout,
            Clock.systemUTC(),
            true,
            routingKey);
  }

  /**
   * The routing key, checked. Described by its length only: it is the integration's secret.
   * PagerDuty refuses (400) any key but its integration keys' 32 letters and digits, so a wrong one
   * fails here rather than at the first page.
   */
  private static String routingKey(String key) {
    String rule =
        "routingKey must be the 32 letters and digits of a PagerDuty integration key, was ";
    if (key == null) {
      throw new IllegalArgumentException(rule + "null");
    }
    if (!ROUTING_KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          rule + key.length() + " characters (not shown: the key is a secret)");
    }
    return key;
  }

  /** A builder; {@link Builder#routingKey} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Makes one POST; throws {@link DeliveryException} saying whether and when to retry. */
  @Override
  public void send(Alert alert) throws DeliveryException, InterruptedException {
    poster.post(poster.request(uri, Map.of()), event(alert, routingKey, clientUrl));
  }

  /** The event posted for {@code alert}; see the class comment. */
  static String event(Alert alert, String routingKey, String clientUrl) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("routing_key", routingKey);
    event.put("event_action", alert.isFiring() ? "trigger" : "resolve");
    event.put("dedup_key", dedupKey(alert.fingerprint()));
    if (alert.isFiring()) {
      Map<String, Object> customDetails = new LinkedHashMap<>();
      customDetails.put("message", alert.message());
      customDetails.put("details", alert.details());
      customDetails.put("labels", alert.labels());
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("summary", summary(alert));
      payload.put("source", alert.service());
      payload.put("severity", severity(alert.severity()));
      payload.put("timestamp", alert.time().toString());
      payload.put("component", alert.source());
      payload.put("class", alert.title());
      payload.put("custom_details", customDetails);
      event.put("payload", payload);
      event.put("client", CLIENT);
      if (clientUrl != null) {
        event.put("client_url", clientUrl);
      }
    }
    return AlertJson.write(event);
  }

  /** PagerDuty's name of a severity: ours are its four. */
  static String severity(AlertSeverity severity) {
    return switch (severity) {
      case INFO -> "info";
      case WARNING -> "warning";
      case ERROR -> "error";
      case CRITICAL -> "critical";
    };
  }

  /** "title: message", cut to PagerDuty's limit, with "…" when cut. */
  private static String summary(Alert alert) {
    String summary = alert.title() + ": " + alert.message();
    return summary.length() <= SUMMARY_CHARS
        ? summary
        : Details.cut(summary, SUMMARY_CHARS - 1) + "…";
  }

  /** The fingerprint, or a digest of it when it is longer than PagerDuty takes. */
  static String dedupKey(String fingerprint) {
    if (fingerprint.length() <= DEDUP_KEY_CHARS) {
      return fingerprint;
    }
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return "sha256:" + HexFormat.of().formatHex(sha256.digest(fingerprint.getBytes(UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      // Every JDK must provide SHA-256.
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  /** Name, URL without user info, path or query, and minimum severity: never the routing key. */
  @Override
  public String toString() {
    return "PagerDutyNotifier{name="
        + name
        + ", url="
        + HttpPoster.redacted(uri)
        + ", minSeverity="
        + routing.minSeverity()
        + "}";
  }

  /** Configures a {@link PagerDutyNotifier}; everything is checked in {@link #build()}. */
  public static final class Builder {
    private String name = "pagerduty";
    private String url = EVENTS_URL;
    private String routingKey;
    private Duration timeout = Duration.ofSeconds(10);
    private String clientUrl;
    private final Routing.Builder routing = new Routing.Builder();

    private Builder() {}

    /** Names the notifier in metrics, logs and dead letters. Default "pagerduty". */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * The integration key of the PagerDuty service's Events API v2 integration (32 letters and
     * digits), read from the environment rather than written in code. Required; a secret, never
     * shown.
     */
    public Builder routingKey(String routingKey) {
      this.routingKey = routingKey;
      return this;
    }

    /**
     * Where events go. Default {@link PagerDutyNotifier#EVENTS_URL}; {@code
     * https://events.eu.pagerduty.com/v2/enqueue} for PagerDuty's EU service region.
     */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /** Bounds connecting and waiting for the answer, each. Default 10 s; at most a day. */
    public Builder timeout(Duration timeout) {
      this.timeout = Options.requirePositive("timeout", timeout, Options.MAX_PERIOD);
      return this;
    }

    /** A link from PagerDuty back to what raised the alert (a status page), sent as client_url. */
    public Builder clientUrl(String clientUrl) {
      this.clientUrl = clientUrl;
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

    /**
     * Whether resolutions are sent, resolving the PagerDuty alert. Default true; without them
     * PagerDuty's alerts stay open until someone resolves them there.
     */
    public Builder sendsResolved(boolean sendsResolved) {
      routing.sendsResolved(sendsResolved);
      return this;
    }

    /**
     * The notifier, with its own HTTP client on daemon threads.
     *
     * @throws IllegalArgumentException naming the option and the rule, for a bad option
     */
    public PagerDutyNotifier build() {
      return new PagerDutyNotifier(this);
    }
  }
}
