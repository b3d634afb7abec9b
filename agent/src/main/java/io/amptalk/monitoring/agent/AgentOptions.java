package io.amptalk.monitoring.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options several subcommands share, as picocli mixins, and their converters. */
final class AgentOptions {
  private AgentOptions() {}

  /** {@code --service-name}, defaulting to this host's name. */
  static final class Service {
    @Option(
        names = "--service-name",
        paramLabel = "<name>",
        description = "service.name of the metrics and alerts (default: this host's name).")
    String serviceName;

    String serviceName() {
      return serviceName != null ? serviceName : localHostName();
    }
  }

  /** This host's name, the default service name. */
  static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "amptalk";
    }
  }

  /** {@code --data-dir}: where the SQLite alert history lives. */
  static final class DataDir {
    static final String ALERTS_DB = "alerts.db";

    @Option(
        names = "--data-dir",
        paramLabel = "<dir>",
        defaultValue = "data",
        description =
            "Where the alert history is kept, in " + ALERTS_DB + " (default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    Path alertsDb() {
      return dataDir.resolve(ALERTS_DB);
    }
  }

  /** What the serving commands take: the default command, {@code run} and {@code demo}. */
  static final class Serve {
    @Mixin Service service;

    @Mixin DataDir dataDir;

    @Option(
        names = "--host",
        paramLabel = "<address>",
        defaultValue = "0.0.0.0",
        description = "Address to serve on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(
        names = "--port",
        paramLabel = "<port>",
        defaultValue = "8000",
        description = "Port to serve on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--api-token",
        paramLabel = "<token>",
        defaultValue = "${env:AMPTALK_API_TOKEN}",
        description =
            "Bearer token that GET and POST /alerts then require; without one, POST /alerts is"
                + " refused (default: the AMPTALK_API_TOKEN environment variable; blank is none).")
    String apiToken;

    @Option(
        names = "--collect-interval",
        paramLabel = "<duration>",
        defaultValue = "PT1S",
        description = "Host sampling period, ISO-8601 (default: ${DEFAULT-VALUE}).",
        converter = DurationConverter.class)
    Duration collectInterval;

    @Option(
        names = "--check-interval",
        paramLabel = "<duration>",
        defaultValue = "PT15S",
        description =
            "How often the CPU, memory and disk checks run, ISO-8601 (default: ${DEFAULT-VALUE}).",
        converter = DurationConverter.class)
    Duration checkInterval;

    @Option(names = "--console", description = "Also log every metric each --export-interval.")
    boolean console;

    @Option(
        names = "--otlp-endpoint",
        paramLabel = "<url>",
        description =
            "Also push metrics over OTLP/HTTP to this collector, e.g. http://localhost:4318.")
    String otlpEndpoint;

    @Option(
        names = "--export-interval",
        paramLabel = "<duration>",
        defaultValue = "PT60S",
        description = "Period of console and OTLP exports, ISO-8601 (default: ${DEFAULT-VALUE}).",
        converter = DurationConverter.class)
    Duration exportInterval;

    /** The token, or null when none was given or it is blank. */
    String apiToken() {
      return apiToken == null || apiToken.isBlank() ? null : apiToken;
    }
  }

  /** Parses ISO-8601 durations such as PT1S or PT500MS. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Duration.parse(value);
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not an ISO-8601 duration such as PT1S, PT500MS or PT15M");
      }
    }
  }
}
