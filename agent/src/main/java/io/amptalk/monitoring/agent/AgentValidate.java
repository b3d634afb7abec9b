package io.amptalk.monitoring.agent;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code validate}: reads a configuration file as {@code run} would, without starting anything, and
 * says what it configures or where its first problem is.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    version = Agent.VERSION,
    description = {
      "Checks a configuration file without starting anything: every key known, every value of"
          + " the right type and range, every environment variable set. Prints what it"
          + " configures, or the first problem with its file, line and key."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:The file is valid.",
      "1:The file is not valid, or cannot be read; the problem is printed.",
      "2:Bad options."
    })
final class AgentValidate implements Callable<Integer> {
  @Parameters(paramLabel = "<file>", description = "The YAML configuration to check.")
  Path file;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AgentConfig config;
    try {
      config = AgentConfig.load(file);
    } catch (ConfigException e) {
      err.println("amptalk-monitor: " + e.getMessage());
      err.flush();
      return 1;
    }
    out.printf(
        "%s: valid; checks: %s; notifiers: %s; alert history: %s%n",
        file,
        config.checks().stream()
            .map(c -> c.name() + " (" + c.type() + ")")
            .collect(Collectors.joining(", ")),
        config.notifiers().stream().map(n -> n.name()).collect(Collectors.joining(", ")),
        config.store() == null ? "memory" : config.store());
    if (config.route() != null) {
      // The tree as the alerts walk it; each notifier's own filters still apply below it.
      out.print("alert routes:\n" + config.route().toString().indent(2));
    }
    out.flush();
    return 0;
  }
}
