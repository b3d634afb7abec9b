package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.Silence;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import io.amptalk.monitoring.health.HealthCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acting on alerts over real HTTP: {@code POST /alerts/{id}/resolve}, {@code GET/POST/DELETE
 * /silences}, each write guarded by the API token, each refusal naming the field; and silences kept
 * across a restart in the SQLite store.
 */
class ActingOnAlertsIT {
  private static final String TOKEN = "s3cret-T0ken";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Instant NOW = Instant.parse("2026-12-03T08:00:00Z");

  @TempDir Path dir;
  private Monitoring monitoring;

  @AfterEach
  void stop() {
    if (monitoring != null) {
      monitoring.close();
    }
  }

  private Monitoring start(UnaryOperator<Monitoring.Builder> options, AlertSystem.Builder alerts) {
    monitoring =
        options
            .apply(
                Monitoring.builder()
                    .systemMonitor(
                        SystemMonitor.builder()
                            .prometheusHost("127.0.0.1")
                            .prometheusPort(0)
                            .enableJvmMetrics(false)
                            .build())
                    .healthCheck(
                        m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build())
                    .alertSystem(m -> alerts.meter(m.getMeter()).build()))
            .build();
    return monitoring;
  }

  private static AlertSystem.Builder alerts() {
    return AlertSystem.builder().noRateLimit().clock(Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private HttpResponse<String> send(String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
            URI.create(
                "http://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort() + path));
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String error(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body()).get("error").asText();
  }

  @Test
  void resolve_byIdOrFingerprint_resolvesTheFiringAlert_onceAndWithTheToken() throws Exception {
    start(b -> b.apiToken(TOKEN), alerts());
    Alert disk =
        monitoring.alertSystem().alert("Disk full", "95 %", AlertSeverity.ERROR, "disk", Map.of());
    Alert db =
        monitoring
            .alertSystem()
            .alert("DB down", "refused", AlertSeverity.CRITICAL, "db", Map.of());

    HttpResponse<String> anonymous = send("POST", "/alerts/" + disk.id() + "/resolve", null, null);
    HttpResponse<String> get = send("GET", "/alerts/" + disk.id() + "/resolve", null, TOKEN);
    HttpResponse<String> byId = send("POST", "/alerts/" + disk.id() + "/resolve", null, TOKEN);
    HttpResponse<String> again = send("POST", "/alerts/" + disk.id() + "/resolve", null, TOKEN);
    HttpResponse<String> byFingerprint =
        send("POST", "/alerts/" + db.fingerprint() + "/resolve", null, TOKEN);

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    assertThat(byId.statusCode()).isEqualTo(200);
    JsonNode resolved = JSON.readTree(byId.body());
    assertThat(resolved.get("id").asText()).isEqualTo(disk.id());
    assertThat(resolved.get("state").asText()).isEqualTo("resolved");
    assertThat(again.statusCode()).isEqualTo(404);
    assertThat(error(again))
        .isEqualTo("no firing alert has the id or fingerprint '" + disk.id() + "'");
    assertThat(byFingerprint.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(byFingerprint.body()).get("title").asText()).isEqualTo("DB down");
    assertThat(monitoring.alertSystem().getHistory(10, null, null))
        .extracting(Alert::title, Alert::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("DB down", Alert.State.RESOLVED),
            org.assertj.core.groups.Tuple.tuple("Disk full", Alert.State.RESOLVED));
  }

  @Test
  void writes_withoutATokenConfigured_areRefused() throws Exception {
    start(b -> b, alerts());
    Alert disk =
        monitoring.alertSystem().alert("Disk full", "95 %", AlertSeverity.ERROR, "disk", Map.of());

    HttpResponse<String> resolve = send("POST", "/alerts/" + disk.id() + "/resolve", null, null);
    HttpResponse<String> add =
        send("POST", "/silences", "{\"matchers\":[\"source=disk\"],\"duration\":\"1h\"}", null);
    HttpResponse<String> remove = send("DELETE", "/silences/x", null, null);
    HttpResponse<String> list = send("GET", "/silences", null, null);

    assertThat(resolve.statusCode()).isEqualTo(403);
    assertThat(error(resolve))
        .isEqualTo("resolving alerts over HTTP needs a token; none is configured");
    assertThat(add.statusCode()).isEqualTo(403);
    assertThat(error(add)).isEqualTo("adding silences over HTTP needs a token; none is configured");
    assertThat(remove.statusCode()).isEqualTo(403);
    assertThat(error(remove))
        .isEqualTo("removing silences over HTTP needs a token; none is configured");
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(list.body()).isEqualTo("{\"silences\":[]}");
    assertThat(monitoring.alertSystem().getSilences()).isEmpty();
  }

  @Test
  void silences_addedListedMutingAndRemoved_overHttp() throws Exception {
    start(b -> b.apiToken(TOKEN), alerts());

    HttpResponse<String> added =
        send(
            "POST",
            "/silences",
            "{\"matchers\":[\"source=disk\",\"severity=~error|critical\"],"
                + "\"ends_at\":\"2026-12-03T12:00:00Z\",\"created_by\":\"ops@example.com\","
                + "\"comment\":\"disk swap\"}",
            TOKEN);

    assertThat(added.statusCode()).isEqualTo(201);
    JsonNode silence = JSON.readTree(added.body());
    String id = silence.get("id").asText();
    assertThat(silence.toString())
        .isEqualTo(
            "{\"id\":\""
                + id
                + "\",\"matchers\":[\"source=disk\",\"severity=~error|critical\"],"
                + "\"source\":null,\"title_pattern\":null,\"severities\":[],"
                + "\"ends_at\":\"2026-12-03T12:00:00Z\",\"created_by\":\"ops@example.com\","
                + "\"comment\":\"disk swap\"}");
    assertThat(send("GET", "/silences", null, TOKEN).body())
        .isEqualTo("{\"silences\":[" + silence + "]}");
    assertThat(send("GET", "/silences", null, null).statusCode()).isEqualTo(401);

    Alert muted =
        monitoring.alertSystem().alert("Disk full", "95 %", AlertSeverity.ERROR, "disk", Map.of());
    Alert warning =
        monitoring.alertSystem().alert("Disk slow", "", AlertSeverity.WARNING, "disk", Map.of());
    assertThat(muted.silenced()).isTrue();
    assertThat(warning.silenced()).isFalse();

    HttpResponse<String> removed = send("DELETE", "/silences/" + id, null, TOKEN);
    HttpResponse<String> removedAgain = send("DELETE", "/silences/" + id, null, TOKEN);

    assertThat(removed.statusCode()).isEqualTo(204);
    assertThat(removed.body()).isEmpty();
    assertThat(removedAgain.statusCode()).isEqualTo(404);
    assertThat(error(removedAgain)).isEqualTo("no silence in force has the id '" + id + "'");
    assertThat(send("GET", "/silences", null, TOKEN).body()).isEqualTo("{\"silences\":[]}");
    assertThat(
            monitoring
                .alertSystem()
                .alert("Disk gone", "", AlertSeverity.ERROR, "disk", Map.of())
                .silenced())
        .isFalse();
  }

  @Test
  void silences_badRequests_nameTheFieldAndTheValue() throws Exception {
    start(b -> b.apiToken(TOKEN), alerts());
    Map<String, String> refusals =
        Map.ofEntries(
            Map.entry(
                "{\"duration\":\"1h\"}", "matchers is required: a list such as [\"team=db\"]"),
            Map.entry(
                "{\"matchers\":[],\"duration\":\"1h\"}",
                "matchers must not be empty; an empty list would mute every alert"),
            Map.entry(
                "{\"matchers\":\"team=db\",\"duration\":\"1h\"}",
                "matchers must be a list of strings, was a string"),
            Map.entry(
                "{\"matchers\":[\"team=db\",7],\"duration\":\"1h\"}",
                "matchers[1] must be a string, was a number"),
            Map.entry(
                "{\"matchers\":[\"team=~(\"],\"duration\":\"1h\"}",
                "matchers[0]: label matcher 'team=~(' has an invalid regular expression:"
                    + " Unclosed group near index 1"),
            Map.entry(
                "{\"matchers\":[\"team\"],\"duration\":\"1h\"}",
                "matchers[0]: label matcher 'team' must be name=value, name!=value, name=~regex"
                    + " or name!~regex"),
            Map.entry(
                "{\"matchers\":[\"team=db\"]}",
                "give ends_at (an ISO-8601 instant) or duration (such as 4h), one of the two"),
            Map.entry(
                "{\"matchers\":[\"team=db\"],\"duration\":\"1h\",\"ends_at\":\"2026-12-04T00:00:00Z\"}",
                "give ends_at (an ISO-8601 instant) or duration (such as 4h), one of the two"),
            Map.entry(
                "{\"matchers\":[\"team=db\"],\"ends_at\":\"2026-12-03T07:00:00Z\"}",
                "ends_at must be in the future, was 2026-12-03T07:00:00Z (now 2026-12-03T08:00:00Z)"),
            Map.entry(
                "{\"matchers\":[\"team=db\"],\"ends_at\":\"tomorrow\"}",
                "ends_at must be an ISO-8601 instant such as 2026-12-03T12:00:00Z, was 'tomorrow'"),
            Map.entry(
                "{\"matchers\":[\"team=db\"],\"duration\":\"soon\"}",
                "duration must be a positive duration such as 90m, 4h or 2d, was 'soon'"),
            Map.entry(
                "{\"matchers\":[\"team=db\"],\"duration\":\"0m\"}",
                "duration must be a positive duration such as 90m, 4h or 2d, was '0m'"),
            Map.entry(
                "{\"matchers\":[\"team=db\"],\"duration\":\"1h\",\"author\":\"me\"}",
                "unknown field 'author'; the fields are [comment, created_by, duration, ends_at,"
                    + " matchers]"),
            Map.entry(
                "{\"matchers\":[\"team=db\"],\"duration\":\"1h\",\"comment\":5}",
                "comment must be a string, was a number"),
            Map.entry("[]", "the body must be a JSON object, was an array"));

    for (Map.Entry<String, String> refusal : refusals.entrySet()) {
      HttpResponse<String> response = send("POST", "/silences", refusal.getKey(), TOKEN);

      assertThat(response.statusCode()).as(refusal.getKey()).isEqualTo(400);
      assertThat(error(response)).as(refusal.getKey()).isEqualTo(refusal.getValue());
    }
    HttpResponse<String> tooFar =
        send("POST", "/silences", "{\"matchers\":[\"team=db\"],\"duration\":\"400d\"}", TOKEN);
    assertThat(tooFar.statusCode()).isEqualTo(400);
    assertThat(error(tooFar)).startsWith("duration must be");
    assertThat(monitoring.alertSystem().getSilences()).isEmpty();
  }

  @Test
  void silences_keptInTheStore_outliveARestart_untilTheyEnd() throws Exception {
    Path file = dir.resolve("alerts.db");
    Silence kept;
    Silence removed;
    try (AlertSystem first = alerts().store(SqliteAlertStore.open(file, 100)).build()) {
      kept =
          first.addSilence(
              List.of("team=db", "alertname!~Test.*"),
              NOW.plus(Duration.ofHours(4)),
              "ops@example.com",
              "migration");
      first.addSilence(List.of("team=web"), Duration.ofMinutes(30), "short one");
      removed = first.addSilence(List.of("team=cache"), Duration.ofHours(1), "removed");
      assertThat(first.removeSilence(removed.id())).isTrue();
    }

    // An hour later: the 30-minute silence has ended, the 4-hour one goes on.
    Clock later = Clock.fixed(NOW.plus(Duration.ofHours(1)), ZoneOffset.UTC);
    try (AlertSystem second =
        AlertSystem.builder()
            .noRateLimit()
            .clock(later)
            .store(SqliteAlertStore.open(file, 100))
            .build()) {
      assertThat(second.getSilences()).containsExactly(kept);
      assertThat(second.getSilences().get(0).createdBy()).isEqualTo("ops@example.com");
      assertThat(
              second
                  .alert("Pool full", "", AlertSeverity.ERROR, "db", Map.of(), Map.of("team", "db"))
                  .silenced())
          .isTrue();
      assertThat(
              second
                  .alert(
                      "Web slow", "", AlertSeverity.ERROR, "web", Map.of(), Map.of("team", "web"))
                  .silenced())
          .isFalse();
    }
  }
}
