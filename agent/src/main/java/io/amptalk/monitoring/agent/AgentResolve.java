package io.amptalk.monitoring.agent;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code resolve <id>}: resolves a firing alert of a running agent by hand, through its {@code POST
 * /alerts/{id}/resolve}. A stopped agent has no firing alerts to resolve, so there is no
 * data-directory form.
 */
@Command(
    name = "resolve",
    mixinStandardHelpOptions = true,
    version = Agent.VERSION,
    description = {
      "Resolves a firing alert of a running agent, by the id 'alert' printed and /alerts lists,"
          + " or by its fingerprint. Its notifiers are told. Prints the alert's title."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:The alert was resolved.",
      "1:No firing alert has that id or fingerprint.",
      "2:Bad options, or the agent could not be asked or refused (no or a wrong API token)."
    })
final class AgentResolve implements Callable<Integer> {
  @Parameters(paramLabel = "<id>", description = "The alert's id or fingerprint.")
  String id;

  @Mixin AgentApi api;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      AgentApi.Answer answer =
          api.send(
              "POST",
              "/alerts/"
                  + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20")
                  + "/resolve",
              null);
      if (answer.status() == 200) {
        JsonNode alert = AgentApi.JSON.readTree(answer.body());
        out.println("resolved " + alert.path("id").asText() + ": " + alert.path("title").asText());
        out.flush();
        return 0;
      }
      err.println(
          "amptalk-monitor: "
              + (answer.status() == 404 ? answer.error() : AgentApi.refusal(answer)));
      err.flush();
      return answer.status() == 404 ? 1 : 2;
    } catch (AgentApi.Unreachable | IOException e) {
      err.println("amptalk-monitor: " + e.getMessage());
      err.flush();
      return 2;
    }
  }
}
