package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.alert.AlertLabels;
import io.amptalk.monitoring.internal.util.Options;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends alerts to a Prometheus Alertmanager, which deduplicates, groups, silences and routes them
 * across every instance of a service: the way out when alerts must be handled beyond one process.
 *
 * <pre>{@code
 * AlertmanagerNotifier alertmanager = AlertmanagerNotifier.builder()
 *     .url("http://alertmanager.internal:9093")
 *     .minSeverity(AlertSeverity.WARNING)
 *     .build();
 * }</pre>
 *
 * <p>Each alert is one {@code POST <url>/api/v2/alerts} of a one-element array, as Prometheus sends
 * them:
 *
 * <pre>{@code
 * [{"labels": {"alertname": <title>, "fingerprint": <fingerprint>, "instance": <instance>,
 *              "service": <service>, "severity": "warning", "source": <source>,
 *              ...the alert's other labels},
 *   "annotations": {"summary": <title>, "description": <message>,
 *                   "details": <the details as a JSON string, when there are any>},
 *   "startsAt": <time, ISO-8601>,
 *   "endsAt": <when resolved: the resolution time>,
 *   "generatorURL": <when configured>}]
 * }</pre>
 *
 * <p>The labels are the alert's ({@link Alert#labels()}), sorted by name, with its {@code
 * fingerprint}. Alertmanager identifies an alert by its labels, so the resolution (the same labels
 * with {@code endsAt}) ends the alert it fired. It also forgets a firing alert that is not re-sent
 * within its {@code resolve_timeout} (5 min by default): the alert system re-sends firing alerts
 * every {@link #resendInterval()}, which must stay below that. Answers map to retries as for a
 * {@link WebhookNotifier}; a failure message quotes Alertmanager's reason ("alertmanager answered
 * 400: …").
 */
public final class AlertmanagerNotifier extends RoutedNotifier {
  static final String ALERTS_PATH = "/api/v2/alerts";
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final String name;
  private final URI baseUri;
  private final URI alertsUri;
  private final Map<String, String> headers;
  private final Duration resendInterval;
  private final String generatorUrl;
  private final HttpPoster poster;

  private AlertmanagerNotifier(Builder builder) {
    super(builder.routing.build());
    this.name = Options.requireNonBlank("name", builder.name);
    this.baseUri = HttpPoster.httpUri("url", builder.url);
    String path = baseUri.getRawPath() == null ? "" : baseUri.getRawPath();
    // A route prefix (--web.route-prefix) is kept; the query, if any, is not Alertmanager's.
    this.alertsUri =
        URI.create(
            baseUri.getScheme()
                + "://"
                + baseUri.getRawAuthority()
                + path.replaceAll("/+$", "")
                + ALERTS_PATH);
    this.headers = HttpPoster.headers(builder.headers, Set.of("content-type"));
    Duration timeout = Options.requirePositive("timeout", builder.timeout);
    this.resendInterval = Options.requirePositive("resendInterval", builder.resendInterval);
    this.generatorUrl =
        builder.generatorUrl == null
            ? null
            : HttpPoster.httpUri("generatorUrl", builder.generatorUrl).toString();
    this.poster =
        new HttpPoster(
            "alertmanager",
            "amptalk-alertmanager-",
            THREADS,
            timeout,
            Clock.systemUTC(),
            true,
            null);
  }

  /** A builder; {@link Builder#url} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Makes one POST; throws {@link DeliveryException} saying whether and when to retry. */
  @Override
  public void send(Alert alert) throws DeliveryException, InterruptedException {
    poster.post(poster.request(alertsUri, headers), payload(alert, generatorUrl));
  }

  /** The JSON array posted for {@code alert}; see the class comment. */
  static String payload(Alert alert, String generatorUrl) {
    // A caller cannot set a label named fingerprint, so this adds one and replaces none.
    Map<String, String> labels = new TreeMap<>(alert.labels());
    labels.put(AlertLabels.FINGERPRINT, alert.fingerprint());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("summary", alert.title());
    annotations.put("description", alert.message());
    if (!alert.details().isEmpty()) {
      annotations.put("details", AlertJson.write(alert.details()));
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("labels", labels);
    json.put("annotations", annotations);
    json.put("startsAt", alert.time().toString());
    if (!alert.isFiring()) {
      // Alertmanager refuses an end before the start (400); the clock may have stepped back.
      Instant end = alert.lastSeen().isBefore(alert.time()) ? alert.time() : alert.lastSeen();
      json.put("endsAt", end.toString());
    }
    if (generatorUrl != null) {
      json.put("generatorURL", generatorUrl);
    }
    return AlertJson.write(List.of(json));
  }

  /**
   * How often a still-firing alert is sent again, so Alertmanager keeps it active. Must be below
   * Alertmanager's {@code resolve_timeout} (5 min by default).
   */
  public Duration resendInterval() {
    return resendInterval;
  }

  /** {@link #resendInterval()}: Alertmanager forgets a firing alert it is not sent again. */
  @Override
  public Optional<Duration> firingResendInterval() {
    return Optional.of(resendInterval);
  }

  @Override
  public String name() {
    return name;
  }

  /** Name, URL without user info or query, minimum severity and resend interval: no secrets. */
  @Override
  public String toString() {
    return "AlertmanagerNotifier{name="
        + name
        + ", url="
        + HttpPoster.redacted(baseUri)
        + ", minSeverity="
        + routing.minSeverity()
        + ", resendInterval="
        + resendInterval
        + "}";
  }

  /** Configures an {@link AlertmanagerNotifier}; everything is checked in {@link #build()}. */
  public static final class Builder {
    private String name = "alertmanager";
    private String url;
    private Map<String, String> headers = Map.of();
    private Duration timeout = Duration.ofSeconds(10);
    // Resolutions are always sent (see sendsResolved()), so that option has no setter here.
    private final Routing.Builder routing = new Routing.Builder();
    private Duration resendInterval = Duration.ofMinutes(1);
    private String generatorUrl;

    private Builder() {}

    /** Names the notifier in metrics, logs and dead letters. Default "alertmanager". */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /**
     * Alertmanager's base URL, e.g. {@code http://127.0.0.1:9093} (with its route prefix, if it has
     * one); alerts go to {@code <url>/api/v2/alerts}. Required.
     */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /**
     * Headers added to every request, e.g. {@code Authorization} for a proxy in front of
     * Alertmanager. Their values are never shown in {@code toString()} or failure messages.
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
     * How often a still-firing alert is sent again. Default 1 min, at most a day; keep it below
     * Alertmanager's {@code resolve_timeout} (5 min by default) or Alertmanager resolves the alert
     * meanwhile.
     */
    public Builder resendInterval(Duration resendInterval) {
      this.resendInterval =
          Options.requirePositive("resendInterval", resendInterval, Options.MAX_PERIOD);
      return this;
    }

    /** A link back to what raised the alerts (a dashboard, say), sent as generatorURL. */
    public Builder generatorUrl(String generatorUrl) {
      this.generatorUrl = generatorUrl;
      return this;
    }

    /**
     * The notifier, with its own HTTP client on daemon threads.
     *
     * @throws IllegalArgumentException naming the option and the rule, for a bad option
     */
    public AlertmanagerNotifier build() {
      return new AlertmanagerNotifier(this);
    }
  }
}
