package io.amptalk.monitoring.agent;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The standalone agent, {@code amptalk-monitor}: monitors the host it runs on and serves its
 * metrics, health, alerts and status page until stopped (SIGINT or SIGTERM). Needs no configuration
 * ({@code --config monitor.yml} gives one). Without a subcommand it runs ({@code run}); {@code
 * check}, {@code alert}, {@code resolve}, {@code silence}, {@code validate}, {@code slo-rules} and
 * {@code demo} are the others.
 *
 * <pre>{@code
 * java -jar amptalk-monitor.jar --port 8000
 * java -jar amptalk-monitor.jar --config monitor.yml
 * java -jar amptalk-monitor.jar validate monitor.yml
 * java -jar amptalk-monitor.jar check            # a Nagios plugin: exit 0, 1, 2 or 3
 * java -jar amptalk-monitor.jar alert --title "Test" --severity error
 * }</pre>
 */
@Command(
    name = "amptalk-monitor",
    mixinStandardHelpOptions = true,
    version = Agent.VERSION,
    description = {
      "Monitors this host and serves its metrics to Prometheus, its health, its alerts and a"
          + " status page on one port. Without a command, runs (see 'run')."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      AgentServer.EXIT_BAD_OPTIONS,
      AgentServer.EXIT_SIGINT,
      AgentServer.EXIT_SIGTERM,
      AgentServer.EXIT_FATAL
    })
public final class Agent implements Callable<Integer> {
  static final String VERSION = "amptalk-monitor 0.1.0";

  @Mixin AgentOptions.Serve options;

  @Option(
      names = "--demo",
      description = "Record synthetic requests and errors, to see every series move.")
  boolean demo;

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    System.exit(commandLine(args).execute(args));
  }

  /** The command line, with its subcommands and its checks on where options go. */
  static CommandLine commandLine() {
    CommandLine commandLine = alone();
    commandLine
        .addSubcommand(new AgentRun())
        .addSubcommand(new AgentCheck())
        .addSubcommand(new AgentAlert())
        .addSubcommand(new AgentResolve())
        .addSubcommand(new AgentSilence())
        .addSubcommand(new AgentValidate())
        .addSubcommand(new AgentSloRules())
        .addSubcommand(new AgentDemo())
        .addSubcommand(new CommandLine.HelpCommand());
    return commandLine;
  }

  /**
   * What runs {@code args}: for the default command's options alone (how the agent is started to
   * serve), the default command without its subcommands; for anything else, or options it refuses,
   * {@link #commandLine()}. Picocli builds each command by reflection; building the subcommands
   * cost a serving start about 75 ms of CPU (7 %) that it never used.
   */
  static CommandLine commandLine(String[] args) {
    CommandLine alone = alone();
    try {
      ParseResult parsed = alone.parseArgs(args);
      if (!parsed.isUsageHelpRequested()) {
        return alone;
      }
    } catch (ParameterException e) {
      // A subcommand's name, a typo or a bad value: the whole command line says so, as ever.
    }
    return commandLine();
  }

  private static CommandLine alone() {
    CommandLine commandLine = new CommandLine(new Agent());
    commandLine.setExecutionStrategy(Agent::execute);
    commandLine.setParameterExceptionHandler(Agent::refuse);
    return commandLine;
  }

  /**
   * A mistyped option: the problem on one line, picocli's suggestion of the nearest option if it
   * has one, and where the options are listed; not the whole usage, which buries the one line.
   */
  private static int refuse(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println(e.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help' for its options.");
    err.flush();
    return command.getCommandSpec().exitCodeOnInvalidInput();
  }

  /**
   * Refuses options given before a subcommand, then runs the last command. Picocli would parse
   * {@code --data-dir x alert ...} as the default command's option and run {@code alert} without
   * it: an alert recorded where the operator did not ask.
   */
  private static int execute(ParseResult parseResult) {
    if (parseResult.hasSubcommand()) {
      List<OptionSpec> misplaced =
          parseResult.matchedOptions().stream()
              .filter(option -> !option.usageHelp() && !option.versionHelp())
              .toList();
      if (!misplaced.isEmpty()) {
        CommandLine sub = parseResult.subcommand().commandSpec().commandLine();
        String subcommand = sub.getCommandName();
        // Reported by the subcommand: its usage, and its exit code (3 for check, as Nagios wants).
        throw new ParameterException(
            sub,
            "Options go after the command: "
                + misplaced.stream().map(OptionSpec::longestName).collect(Collectors.joining(", "))
                + " given before '"
                + subcommand
                + "'; see 'amptalk-monitor "
                + subcommand
                + " --help'");
      }
    }
    return new CommandLine.RunLast().execute(parseResult);
  }

  @Override
  public Integer call() throws InterruptedException {
    return AgentServer.serve(options, demo, false);
  }
}
