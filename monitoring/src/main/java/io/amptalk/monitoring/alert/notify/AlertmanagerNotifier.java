package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.internal.alert.AlertJson;
import io.amptalk.monitoring.internal.alert.AlertLabels;
import io.amptalk.monitoring.internal.alert.Backoff;
import io.amptalk.monitoring.internal.util.Options;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
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
 *
 * <p>A highly available cluster is given by all its members, {@code
 * .urls(List.of("http://am-0:9093", "http://am-1:9093", "http://am-2:9093"))}: each alert goes to
 * every member, as Prometheus sends it, and the cluster notifies once. See {@link Builder#urls}.
 */
public final class AlertmanagerNotifier extends RoutedNotifier {
  static final String ALERTS_PATH = "/api/v2/alerts";
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** The waits of a member's own retries: those of the alert system's queue, by default. */
  private static final Backoff MEMBER_BACKOFF =
      new Backoff(
          Duration.ofSeconds(1),
          Duration.ofMinutes(5),
          () -> ThreadLocalRandom.current().nextDouble());

  private final String name;
  private final List<MemberRetries.Member> members;
  private final Map<String, String> headers;
  private final Duration resendInterval;
  private final String generatorUrl;
  private final HttpPoster poster;
  private final MemberRetries retries;

  private AlertmanagerNotifier(Builder builder) {
    super(builder.routing.build());
    this.name = Options.requireNonBlank("name", builder.name);
    if (builder.url != null && builder.urls != null) {
      throw new IllegalArgumentException(
          "url and urls are exclusive: give one Alertmanager in url, or every member of a"
              + " cluster in urls");
    }
    List<URI> uris =
        builder.urls != null ? builder.urls : List.of(HttpPoster.httpUri("url", builder.url));
    List<MemberRetries.Member> list = new ArrayList<>();
    for (URI uri : uris) {
      list.add(new MemberRetries.Member(list.size(), alertsUri(uri), HttpPoster.redacted(uri)));
    }
    this.members = List.copyOf(list);
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
    this.retries =
        new MemberRetries(
            name,
            members,
            builder.memberLimits,
            (member, body) -> {
              try {
                poster.post(poster.request(member.alertsUri(), headers), body);
                return null;
              } catch (DeliveryException refused) {
                return refused;
              }
            });
  }

  /** {@code <url>/api/v2/alerts}: a route prefix (--web.route-prefix) is kept, a query is not. */
  private static URI alertsUri(URI base) {
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    return URI.create(
        base.getScheme()
            + "://"
            + base.getRawAuthority()
            + path.replaceAll("/+$", "")
            + ALERTS_PATH);
  }

  /** A builder; {@link Builder#url} or {@link Builder#urls} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Posts the alert to every member at once and returns when at least one accepted it; throws
   * {@link DeliveryException} saying whether and when to retry when none did.
   *
   * <p>Why the members' own retries live here rather than in the alert system's queue: an alert one
   * member took is in the cluster (members gossip alerts and who was notified), so the delivery is
   * done and its queue must not re-send it, to the members that accepted or to any other. The
   * members that refused it are still owed the alert, so that they hold it should the accepting one
   * fail: {@link MemberRetries} sends it to each of them alone, on its own backoff. When no member
   * accepts, nothing was delivered and the queue retries the whole, as for one Alertmanager.
   */
  @Override
  public void send(Alert alert) throws DeliveryException, InterruptedException {
    String body = payload(alert, generatorUrl);
    List<DeliveryException> refusals = ClusterPost.toEach(poster, members, headers, body);
    if (refusals.stream().noneMatch(Objects::isNull)) {
      throw ClusterPost.noneAccepted(members, refusals);
    }
    Map<String, String> labels = labels(alert);
    for (MemberRetries.Member member : members) {
      DeliveryException refusal = refusals.get(member.index());
      if (refusal == null) {
        retries.accepted(member, labels);
      } else {
        retries.refused(member, labels, alert.title(), body, 1, refusal);
      }
    }
  }

  /**
   * The alerts each member never accepted though another did (refused for good, out of retries, or
   * no room left to wait), by the member's URL without user info, path or query, in the order of
   * {@code urls}. An alert no member accepted is a dead letter of the alert system instead.
   */
  public Map<String, Long> memberFailures() {
    Map<String, Long> failures = new LinkedHashMap<>();
    List<Long> counts = retries.failures();
    for (MemberRetries.Member member : members) {
      failures.merge(member.shown(), counts.get(member.index()), Long::sum);
    }
    return Collections.unmodifiableMap(failures);
  }

  /** Tests: how many members' retries wait or are in flight. */
  int memberRetriesWaiting() {
    return retries.size();
  }

  /** The alert's labels as sent, its identity for Alertmanager. */
  private static Map<String, String> labels(Alert alert) {
    // A caller cannot set a label named fingerprint, so this adds one and replaces none.
    Map<String, String> labels = new TreeMap<>(alert.labels());
    labels.put(AlertLabels.FINGERPRINT, alert.fingerprint());
    return labels;
  }

  /** The JSON array posted for {@code alert}; see the class comment. */
  static String payload(Alert alert, String generatorUrl) {
    Map<String, String> labels = labels(alert);
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

  /**
   * Name, URLs without user info, path or query, minimum severity and resend interval: no secrets.
   */
  @Override
  public String toString() {
    return "AlertmanagerNotifier{name="
        + name
        + (members.size() == 1
            ? ", url=" + members.get(0).shown()
            : ", urls=" + members.stream().map(MemberRetries.Member::shown).toList())
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
    private List<URI> urls;
    private MemberRetries.Limits memberLimits =
        new MemberRetries.Limits(
            8, MEMBER_BACKOFF, Duration.ofMinutes(5), 10_000, 8L << 20, System::nanoTime);
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
     * The base URLs of every member of an Alertmanager cluster, each as for {@link #url}; in place
     * of {@code url}. Each alert goes to every member, as Prometheus sends it: Alertmanager's
     * members gossip it and which of them notified, so the cluster notifies once. The alert counts
     * as delivered once a member accepted it; each member that refused it is retried alone, on its
     * own backoff (1 s doubling to 5 min, 8 attempts, at most 10,000 retries or 8 MiB waiting), and
     * counted in {@link AlertmanagerNotifier#memberFailures()} if it never accepts.
     *
     * @throws IllegalArgumentException when the list is empty, a URL is not http(s) or one is given
     *     twice; the URL is named without what may be a secret
     */
    public Builder urls(List<String> urls) {
      Objects.requireNonNull(urls, "urls");
      if (urls.isEmpty()) {
        throw new IllegalArgumentException("urls must list at least one Alertmanager, was []");
      }
      List<URI> checked = new ArrayList<>();
      Set<URI> seen = new HashSet<>();
      for (int i = 0; i < urls.size(); i++) {
        URI uri = HttpPoster.httpUri("urls[" + i + "]", urls.get(i));
        if (!seen.add(alertsUri(uri))) {
          throw new IllegalArgumentException(
              "urls[" + i + "] repeats " + HttpPoster.redacted(uri) + "; list each member once");
        }
        checked.add(uri);
      }
      this.urls = List.copyOf(checked);
      return this;
    }

    /** Tests: the members' own retries with shorter waits, other bounds or a hand-moved ticker. */
    Builder memberRetries(MemberRetries.Limits limits) {
      this.memberLimits = Objects.requireNonNull(limits, "limits");
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
