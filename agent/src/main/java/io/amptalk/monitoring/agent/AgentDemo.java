package io.amptalk.monitoring.agent;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code demo}: {@code run --demo}, so that dashboards have data to show. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    version = Agent.VERSION,
    description = {
      "Same as 'run --demo': monitors this host and also records synthetic requests and errors,"
          + " so that every series and dashboard panel has data."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      AgentServer.EXIT_BAD_OPTIONS,
      AgentServer.EXIT_SIGINT,
      AgentServer.EXIT_SIGTERM,
      AgentServer.EXIT_FATAL
    })
final class AgentDemo implements Callable<Integer> {
  @Mixin AgentOptions.Serve options;

  @Override
  public Integer call() throws InterruptedException {
    return AgentServer.serve(options, true, false);
  }
}
