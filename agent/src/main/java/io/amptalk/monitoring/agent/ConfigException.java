package io.amptalk.monitoring.agent;

/**
 * A configuration file the agent cannot use, with where and why: {@code monitor.yml:12: http.port:
 * expected an integer from 0 to 65535, got 'eighty'}. The line is left out when the parser does not
 * know it (the file cannot be read, say).
 */
final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConfigException(String file, int line, String key, String problem) {
    super(
        file
            + (line > 0 ? ":" + line : "")
            + ": "
            + (key == null || key.isEmpty() ? "" : key + ": ")
            + problem);
  }
}
