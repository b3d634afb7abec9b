package io.amptalk.monitoring.agent;

import static io.amptalk.monitoring.agent.Bindings.apply;
import static io.amptalk.monitoring.agent.Bindings.required;

import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.notify.AlertmanagerNotifier;
import io.amptalk.monitoring.alert.notify.EmailNotifier;
import io.amptalk.monitoring.alert.notify.LoggingNotifier;
import io.amptalk.monitoring.alert.notify.PagerDutyNotifier;
import io.amptalk.monitoring.alert.notify.WebhookNotifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Binds the {@code notifiers:} list to the library's notifier builders: each entry's keys are set
 * on the builder of its type, and the notifier is built while the file is read, so what the library
 * refuses is reported at its key. Notifiers must have distinct names.
 */
final class NotifierBinding {
  static final List<String> NOTIFIER_TYPES =
      List.of("logging", "email", "webhook", "slack", "teams", "alertmanager", "pagerduty");

  private NotifierBinding() {}

  /**
   * The keys every notifier takes, read before those of its type.
   *
   * @param section the entry
   * @param type its {@code type} key, where a notifier the library refuses to build is reported
   */
  private record Entry(
      ConfigReader.Section section,
      ConfigReader.Value type,
      Optional<ConfigReader.Value> name,
      AlertSeverity minSeverity,
      List<String> sources) {}

  /** The notifiers of the {@code notifiers:} list, in the file's order. */
  static List<AlertNotifier> read(ConfigReader.Value value) {
    List<AlertNotifier> notifiers = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ConfigReader.Value item : value.list()) {
      AlertNotifier notifier = notifier(item);
      if (!names.add(notifier.name())) {
        throw item.error(
            "two notifiers are named '"
                + notifier.name()
                + "'; give each a distinct 'name' (it keys their deliveries)");
      }
      notifiers.add(notifier);
    }
    return List.copyOf(notifiers);
  }

  private static AlertNotifier notifier(ConfigReader.Value item) {
    ConfigReader.Section n = item.section();
    ConfigReader.Value typeValue = required(n, "type");
    String type = typeValue.text();
    if (!NOTIFIER_TYPES.contains(type)) {
      throw typeValue.expected("one of " + String.join(", ", NOTIFIER_TYPES));
    }
    AlertSeverity minSeverity =
        n.get("min_severity").map(Bindings::severity).orElse(AlertSeverity.INFO);
    List<String> sources = n.strings("sources").orElse(List.of());
    Entry entry = new Entry(n, typeValue, n.get("name"), minSeverity, sources);
    AlertNotifier notifier =
        switch (type) {
          case "logging" -> logging(entry);
          case "email" -> email(entry);
          case "webhook" -> webhook(entry, null);
          case "slack" -> webhook(entry, WebhookNotifier.Format.SLACK);
          case "teams" -> webhook(entry, WebhookNotifier.Format.TEAMS);
          case "pagerduty" -> pagerDuty(entry);
          default -> alertmanager(entry);
        };
    n.end();
    return notifier;
  }

  private static AlertNotifier logging(Entry e) {
    if (e.name().isPresent()) {
      throw e.name().get().error("the logging notifier is always named 'logging'");
    }
    return new LoggingNotifier(e.minSeverity(), Set.copyOf(e.sources()));
  }

  private static AlertNotifier email(Entry e) {
    ConfigReader.Section n = e.section();
    EmailNotifier.Builder b = EmailNotifier.builder();
    e.name().ifPresent(v -> apply(v, () -> b.name(v.text())));
    n.get("smtp_server").ifPresent(v -> apply(v, () -> b.smtpServer(v.text())));
    n.get("smtp_port").ifPresent(v -> b.smtpPort(v.integer(1, 65535)));
    boolean ssl = n.bool("ssl").orElse(false);
    boolean startTls = n.bool("starttls").orElse(false);
    if (ssl && startTls) {
      throw n.get("starttls")
          .get()
          .error(
              "ssl and starttls are exclusive: ssl speaks TLS from the first byte (SMTPS,"
                  + " usually port 465), starttls upgrades a plain connection (usually"
                  + " port 587)");
    }
    b.useSsl(ssl).startTls(startTls);
    n.bool("trust_all_hosts").ifPresent(b::trustAllHosts);
    n.string("username").filter(u -> !u.isBlank()).ifPresent(b::username);
    n.get("password")
        .filter(v -> !v.text().isEmpty())
        .ifPresent(v -> apply(v, () -> b.password(v.text())));
    n.get("from").ifPresent(v -> apply(v, () -> b.sender(v.text())));
    ConfigReader.Value to = required(n, "to");
    apply(to, () -> b.recipients(to.strings()));
    n.get("connect_timeout").ifPresent(v -> apply(v, () -> b.connectTimeout(v.duration())));
    n.get("read_timeout").ifPresent(v -> apply(v, () -> b.readTimeout(v.duration())));
    n.bool("send_resolved").ifPresent(b::sendsResolved);
    b.minSeverity(e.minSeverity()).sources(e.sources());
    return apply(e.type(), b::build);
  }

  /**
   * A webhook; {@code slack} and {@code teams} are webhooks of that format ({@code fixed}), named
   * after it unless named.
   */
  private static AlertNotifier webhook(Entry e, WebhookNotifier.Format fixed) {
    ConfigReader.Section n = e.section();
    WebhookNotifier.Builder b = WebhookNotifier.builder();
    if (fixed != null) {
      b.name(fixed.name().toLowerCase(Locale.ROOT)).format(fixed);
    } else {
      n.get("format")
          .ifPresent(
              v ->
                  b.format(
                      switch (v.text()) {
                        case "json" -> WebhookNotifier.Format.JSON;
                        case "slack" -> WebhookNotifier.Format.SLACK;
                        case "teams" -> WebhookNotifier.Format.TEAMS;
                        default -> throw v.expected("json, slack or teams");
                      }));
    }
    e.name().ifPresent(v -> apply(v, () -> b.name(v.text())));
    ConfigReader.Value url = required(n, "url");
    apply(url, () -> b.webhookUrl(url.text().strip()));
    n.get("secret")
        .filter(v -> !v.text().isEmpty())
        .ifPresent(v -> apply(v, () -> b.secret(v.text())));
    n.get("headers").ifPresent(v -> apply(v, () -> b.headers(v.section().stringMap())));
    n.get("timeout").ifPresent(v -> apply(v, () -> b.timeout(v.duration())));
    n.bool("send_resolved").ifPresent(b::sendsResolved);
    b.minSeverity(e.minSeverity()).sources(e.sources());
    return build(
        e,
        Map.of("name", e.name(), "webhookUrl", Optional.of(url), "headers", n.get("headers")),
        b::build);
  }

  /** PagerDuty's Events API v2; the routing key belongs in the environment. */
  private static AlertNotifier pagerDuty(Entry e) {
    ConfigReader.Section n = e.section();
    PagerDutyNotifier.Builder b = PagerDutyNotifier.builder();
    e.name().ifPresent(v -> apply(v, () -> b.name(v.text())));
    ConfigReader.Value key = required(n, "routing_key");
    b.routingKey(key.text().strip());
    Optional<ConfigReader.Value> url = n.get("url");
    url.ifPresent(v -> b.url(v.text().strip()));
    Optional<ConfigReader.Value> clientUrl = n.get("client_url");
    clientUrl.ifPresent(v -> b.clientUrl(v.text().strip()));
    n.get("timeout").ifPresent(v -> apply(v, () -> b.timeout(v.duration())));
    n.bool("send_resolved").ifPresent(b::sendsResolved);
    b.minSeverity(e.minSeverity()).sources(e.sources());
    return build(
        e,
        Map.of(
            "name", e.name(), "routingKey", Optional.of(key), "url", url, "clientUrl", clientUrl),
        b::build);
  }

  /**
   * Builds the notifier; what the library refuses is reported at the key of the option its message
   * starts with ("url must be ..."), so that it points at the line to fix, else at the type's.
   *
   * @param options the entry's value of each builder option, by the option's name
   */
  private static AlertNotifier build(
      Entry e, Map<String, Optional<ConfigReader.Value>> options, Supplier<AlertNotifier> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException refused) {
      String message = refused.getMessage();
      ConfigReader.Value at =
          options.entrySet().stream()
              .filter(o -> o.getValue().isPresent() && message.startsWith(o.getKey() + " "))
              .map(o -> o.getValue().get())
              .findFirst()
              .orElse(e.type());
      throw at.error(message);
    }
  }

  private static AlertNotifier alertmanager(Entry e) {
    ConfigReader.Section n = e.section();
    AlertmanagerNotifier.Builder b = AlertmanagerNotifier.builder();
    e.name().ifPresent(v -> apply(v, () -> b.name(v.text())));
    // url: one Alertmanager; urls: every member of a cluster, each alert sent to all of them.
    Optional<ConfigReader.Value> url = n.get("url");
    Optional<ConfigReader.Value> urls = n.get("urls");
    if (url.isEmpty() && urls.isEmpty()) {
      throw n.error("'url' (one Alertmanager) or 'urls' (every member of a cluster) is required");
    }
    url.ifPresent(v -> b.url(v.text().strip()));
    urls.ifPresent(
        v -> apply(v, () -> b.urls(v.list().stream().map(u -> u.text().strip()).toList())));
    n.get("headers").ifPresent(v -> apply(v, () -> b.headers(v.section().stringMap())));
    n.get("timeout").ifPresent(v -> apply(v, () -> b.timeout(v.duration())));
    n.get("resend_interval").ifPresent(v -> apply(v, () -> b.resendInterval(v.duration())));
    n.get("generator_url").ifPresent(v -> apply(v, () -> b.generatorUrl(v.text())));
    b.minSeverity(e.minSeverity()).sources(e.sources());
    // The library's "url and urls are exclusive" and "url must be ..." are reported at url.
    return build(e, Map.of("name", e.name(), "url", url, "urls", urls), b::build);
  }
}
