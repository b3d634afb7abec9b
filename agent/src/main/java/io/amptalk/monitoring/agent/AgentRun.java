package io.amptalk.monitoring.agent;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code run}, the default command: monitors this host and serves until stopped. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    version = Agent.VERSION,
    description = {
      "Monitors this host and serves /metrics, /health, /alerts, /api/system and the status page"
          + " until stopped. The default command: 'amptalk-monitor [OPTIONS]' is the same."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      AgentServer.EXIT_BAD_OPTIONS,
      AgentServer.EXIT_SIGINT,
      AgentServer.EXIT_SIGTERM,
      AgentServer.EXIT_FATAL
    })
final class AgentRun implements Callable<Integer> {
  @Mixin AgentOptions.Serve options;

  @Option(
      names = "--demo",
      description = "Record synthetic requests and errors, to see every series move.")
  boolean demo;

  /**
   * For the build: a whole start, until {@code /health/ready} answers 200 and each page has been
   * served once, then a clean exit (0). The build runs it to record the classes the agent loads in
   * its class-data sharing archive; hidden, as it serves nobody else.
   */
  @Option(names = "--exit-when-ready", hidden = true)
  boolean exitWhenReady;

  @Override
  public Integer call() throws InterruptedException {
    return AgentServer.serve(options, demo, exitWhenReady);
  }
}
