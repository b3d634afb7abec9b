package io.amptalk.monitoring.agent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
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

    /** This option's, else the configuration's, else this host's name. */
    String serviceName(AgentConfig config) {
      if (serviceName != null) {
        return serviceName;
      }
      return config.serviceName() != null ? config.serviceName() : localHostName();
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
        description =
            "Keep the alert history in <dir>/"
                + ALERTS_DB
                + ", whatever the configuration says (default: ./data, or the configuration's"
                + " alerting.store_path).")
    Path dataDir;

    /** Where the alert history is kept: this option's, else the configuration's (null: memory). */
    Path alertsDb(AgentConfig config) {
      return dataDir != null ? dataDir.resolve(ALERTS_DB) : config.store();
    }
  }

  /** {@code --config}: the YAML configuration file. */
  static final class ConfigFile {
    @Option(
        names = {"-c", "--config"},
        paramLabel = "<file>",
        description =
            "YAML configuration (see monitor.example.yml); options given on the command line"
                + " override it. Default: none, which monitors this host's CPU, memory and disk.")
    Path file;

    /**
     * The configuration: the file's, or the defaults.
     *
     * @throws ConfigException naming the file, line and key of the first problem
     */
    AgentConfig load() {
      return load(file);
    }

    /** {@code file}'s configuration, or the defaults when null. */
    static AgentConfig load(Path file) {
      return file == null ? AgentConfig.defaults() : AgentConfig.load(file);
    }
  }

  /** What the serving commands take: the default command, {@code run} and {@code demo}. */
  static final class Serve {
    @Mixin ConfigFile config;

    @Mixin Service service;

    @Mixin DataDir dataDir;

    @Option(
        names = "--host",
        paramLabel = "<address>",
        description =
            "Address to serve on; 127.0.0.1 serves this host only (default: 0.0.0.0, or the"
                + " configuration's http.host).")
    String host;

    @Option(
        names = "--allowed-host",
        paramLabel = "<name>",
        description =
            "A host name the port answers to besides localhost and 127.x.y.z, against DNS"
                + " rebinding; repeatable; *.domain for every name under a domain, * for every"
                + " name (default: the configuration's http.allowed_hosts; bound to loopback the"
                + " port answers loopback names only, bound elsewhere every name).")
    java.util.List<String> allowedHosts;

    @Option(
        names = "--port",
        paramLabel = "<port>",
        description =
            "Port to serve on; 0 picks a free one (default: 8000, or the configuration's"
                + " http.port).",
        converter = PortConverter.class)
    Integer port;

    @Option(
        names = "--api-token",
        paramLabel = "<token>",
        defaultValue = "${env:AMPTALK_API_TOKEN}",
        description =
            "Bearer token that GET and POST /alerts then require; without one, POST /alerts is"
                + " refused (default: the AMPTALK_API_TOKEN environment variable, else the"
                + " configuration's http.token; blank is none).")
    String apiToken;

    @Option(
        names = "--collect-interval",
        paramLabel = "<duration>",
        description = "Host sampling period, e.g. 1s or PT1S (default: 1s).",
        converter = DurationConverter.class)
    Duration collectInterval;

    @Option(
        names = "--check-interval",
        paramLabel = "<duration>",
        description =
            "How often the checks run unless configured otherwise, e.g. 15s (default: 15s).",
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
        description = "Period of console and OTLP exports, e.g. 60s (default: 60s).",
        converter = DurationConverter.class)
    Duration exportInterval;

    /** The token given on the command line or in the environment; null when none or blank. */
    String apiToken() {
      return apiToken == null || apiToken.isBlank() ? null : apiToken;
    }
  }

  /** A port number, refused in the option's own words rather than the library builder's. */
  static final class PortConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      String digits = value.strip();
      if (digits.matches("[0-9]{1,5}") && Integer.parseInt(digits) <= 65_535) {
        return Integer.parseInt(digits);
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a port number from 0 to 65535");
    }
  }

  /** Parses durations as the configuration file does: 500ms, 15s, 5m, 1h, or ISO-8601. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      // A zero duration parses; the component it is for says why it cannot take it.
      return ConfigReader.parseDuration(value)
          .orElseThrow(
              () ->
                  new CommandLine.TypeConversionException(
                      "'" + value + "' is not " + ConfigReader.DURATION_FORMS));
    }
  }
}
