package io.amptalk.monitoring.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.Silence;
import io.amptalk.monitoring.alert.store.SqliteAlertStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code silence}: adds, lists or ends the silences of a running agent through its {@code
 * /silences}; or, with {@code --data-dir}, adds one to a stopped agent's store, in force from its
 * next start.
 */
@Command(
    name = "silence",
    mixinStandardHelpOptions = true,
    version = Agent.VERSION,
    description = {
      "Silences alerts whose labels match, as Alertmanager's silences do: they are kept in the"
          + " history, marked silenced, and not notified. Adds one (--matcher with --duration or"
          + " --until; prints its id), lists them (--list) or ends one (--expire <id>), on the"
          + " agent at --url, or adds one to a stopped agent's --data-dir."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:Done.",
      "1:--expire: no silence in force has that id.",
      "2:Bad options, or the agent could not be asked or refused (no or a wrong API token), or"
          + " the data directory is in use by a running agent."
    })
final class AgentSilence implements Callable<Integer> {
  @Option(
      names = "--matcher",
      paramLabel = "<m>",
      description =
          "A label matcher: name=value, name!=value, name=~regex or name!~regex (the expression"
              + " matching the whole value), on alertname, service, instance, source, severity or"
              + " the alert's own labels; repeatable, all must match.")
  List<String> matchers = List.of();

  @Option(
      names = "--duration",
      paramLabel = "<d>",
      description = "How long the silence lasts: 90m, 4h, 2d (at most 365d).")
  String duration;

  @Option(
      names = "--until",
      paramLabel = "<instant>",
      description = "When the silence ends, ISO-8601, e.g. 2026-12-03T18:00:00Z.")
  String until;

  @Option(names = "--comment", paramLabel = "<text>", description = "Why, for whoever reads it.")
  String comment;

  @Option(
      names = "--created-by",
      paramLabel = "<who>",
      defaultValue = "${sys:user.name}",
      description = "Who silences (default: ${DEFAULT-VALUE}).")
  String createdBy;

  @Option(names = "--list", description = "List the silences in force, one JSON object a line.")
  boolean list;

  @Option(names = "--expire", paramLabel = "<id>", description = "End the silence with this id.")
  String expire;

  @Option(
      names = "--data-dir",
      paramLabel = "<dir>",
      description =
          "Add the silence to the store in <dir>/alerts.db of a stopped agent instead of asking"
              + " a running one.")
  Path dataDir;

  @Mixin AgentApi api;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int modes = (matchers.isEmpty() ? 0 : 1) + (list ? 1 : 0) + (expire != null ? 1 : 0);
    String problem =
        modes != 1
            ? "give --matcher (with --duration or --until) to add a silence, --list, or --expire"
                + " <id>: one of the three"
            : !matchers.isEmpty() && (duration == null) == (until == null)
                ? "a silence needs --duration or --until, one of the two"
                : dataDir != null && matchers.isEmpty()
                    ? "--data-dir adds a silence only; --list and --expire ask a running agent"
                    : null;
    try {
      if (problem != null) {
        return fail(err, problem, 2);
      }
      if (dataDir != null) {
        return addToStore(out, err);
      }
      if (list) {
        AgentApi.Answer answer = api.send("GET", "/silences", null);
        if (answer.status() != 200) {
          return fail(err, AgentApi.refusal(answer), 2);
        }
        for (JsonNode silence : AgentApi.JSON.readTree(answer.body()).path("silences")) {
          out.println(silence);
        }
        out.flush();
        return 0;
      }
      if (expire != null) {
        AgentApi.Answer answer =
            api.send(
                "DELETE",
                "/silences/"
                    + URLEncoder.encode(expire, StandardCharsets.UTF_8).replace("+", "%20"),
                null);
        if (answer.status() == 204) {
          out.println("expired " + expire);
          out.flush();
          return 0;
        }
        return answer.status() == 404
            ? fail(err, answer.error(), 1)
            : fail(err, AgentApi.refusal(answer), 2);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("matchers", matchers);
      if (duration != null) {
        body.put("duration", duration);
      } else {
        body.put("ends_at", until);
      }
      body.put("created_by", createdBy);
      if (comment != null) {
        body.put("comment", comment);
      }
      AgentApi.Answer answer =
          api.send("POST", "/silences", AgentApi.JSON.writeValueAsString(body));
      if (answer.status() != 201) {
        return fail(err, answer.status() == 400 ? answer.error() : AgentApi.refusal(answer), 2);
      }
      out.println(AgentApi.JSON.readTree(answer.body()).path("id").asText());
      out.flush();
      return 0;
    } catch (AgentApi.Unreachable | IOException e) {
      return fail(err, e.getMessage(), 2);
    }
  }

  /** Adds the silence to a stopped agent's store, where its next start finds it. */
  private int addToStore(PrintWriter out, PrintWriter err) {
    SqliteAlertStore store;
    try {
      AgentConfig defaults = AgentOptions.ConfigFile.load(null);
      store =
          AgentAlert.openStore(
              defaults,
              dataDir.resolve(AgentOptions.DataDir.ALERTS_DB),
              "silence through that agent's /silences (--url)");
    } catch (ConfigException | IllegalStateException e) {
      return fail(err, e.getMessage(), 2);
    }
    try (AlertSystem alerts = AlertSystem.builder().store(store).build()) {
      Silence silence =
          duration != null
              ? alerts.addSilence(matchers, parseDuration(duration), createdBy, comment)
              : alerts.addSilence(matchers, parseInstant(until), createdBy, comment);
      out.println(silence.id());
      out.flush();
      return 0;
    } catch (IllegalArgumentException e) {
      return fail(err, e.getMessage(), 2);
    }
  }

  private static Duration parseDuration(String text) {
    return ConfigReader.parseDuration(text)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "--duration must be a duration such as 90m, 4h or 2d, was '" + text + "'"));
  }

  private static Instant parseInstant(String text) {
    try {
      return Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--until must be an ISO-8601 instant such as 2026-12-03T18:00:00Z, was '" + text + "'");
    }
  }

  private static int fail(PrintWriter err, String message, int code) {
    err.println("amptalk-monitor: " + message);
    err.flush();
    return code;
  }
}
