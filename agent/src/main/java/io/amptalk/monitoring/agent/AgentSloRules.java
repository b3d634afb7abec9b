package io.amptalk.monitoring.agent;

import io.amptalk.monitoring.slo.PrometheusRules;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code slo-rules}: the Prometheus recording and alerting rules of the configuration's service
 * level objectives, for a fleet's Prometheus to evaluate across all instances.
 */
@Command(
    name = "slo-rules",
    mixinStandardHelpOptions = true,
    version = Agent.VERSION,
    description = {
      "Writes the Prometheus recording and alerting rules of the configuration's service level"
          + " objectives (slos:): the error ratio over each window, and the SRE Workbook's"
          + " multi-window, multi-burn-rate alerts. Check them with 'promtool check rules'."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:The rules were written.",
      "1:The configuration is not valid, or the output cannot be written; the problem is printed.",
      "2:Bad options."
    })
final class AgentSloRules implements Callable<Integer> {
  @Option(
      names = "--config",
      paramLabel = "<file>",
      required = true,
      description = "The YAML configuration whose slos: to write rules for.")
  Path config;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "<file>",
      description = "Where to write the rules. Default: standard output.")
  Path output;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    String rules;
    try {
      rules = PrometheusRules.yaml(AgentConfig.load(config).slos());
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("amptalk-monitor: " + e.getMessage());
      err.flush();
      return 1;
    }
    if (output == null) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(rules);
      out.flush();
      return 0;
    }
    try {
      Files.writeString(output, rules, StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("amptalk-monitor: cannot write " + output + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    return 0;
  }
}
