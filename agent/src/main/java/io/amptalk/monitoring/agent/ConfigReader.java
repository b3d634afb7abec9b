package io.amptalk.monitoring.agent;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads a YAML configuration as typed values that know where they came from, so that every error
 * names the file, the line and the key.
 *
 * <p>The YAML is only composed into a node tree (no objects are constructed from tags, so a file
 * cannot make the agent instantiate anything), and every scalar is read as text and converted here:
 * one set of rules for numbers, booleans and durations, whatever YAML's own resolver thinks. {@code
 * ${NAME}} and {@code ${NAME:-default}} in a value are replaced from the environment (after
 * parsing, so a secret with YAML's special characters needs no quoting); {@code $$} is a dollar
 * sign. Messages quote a value as written, before substitution, so a secret from the environment
 * never reaches a log.
 *
 * <p>Each {@link Section} remembers the keys that were asked for; {@link Section#end()} rejects any
 * other key, so a misspelt key is an error rather than a setting silently ignored.
 *
 * <p>Just over 400 lines as one concept: the parse, the environment substitution and the typed,
 * line-numbered reads share the node positions every message quotes.
 */
final class ConfigReader {
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Pattern DURATION =
      Pattern.compile("(?:(\\d+(?:\\.\\d+)?)(ms|s|m|h|d))+", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  /** What a duration looks like, for messages. */
  static final String DURATION_FORMS = "a duration such as 500ms, 15s, 5m, 4h, 1d or PT15S";

  private final String file;
  private final Map<String, String> env;
  private final Set<String> asked = new LinkedHashSet<>();
  private final Set<String> given = new LinkedHashSet<>();

  private ConfigReader(String file, Map<String, String> env) {
    this.file = file;
    this.env = env;
  }

  /**
   * Reads {@code path}; its name in messages is the path as given.
   *
   * @throws ConfigException when the file cannot be read or is not a YAML mapping
   */
  static Section read(Path path, Map<String, String> env) {
    String name = path.toString();
    String text;
    try {
      text = Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new ConfigException(name, 0, "", "no such file");
    } catch (CharacterCodingException e) {
      throw new ConfigException(name, 0, "", "not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException(name, 0, "", "cannot be read: " + e);
    }
    return parse(name, text, env);
  }

  /** Parses {@code text} as the file {@code name}. */
  static Section parse(String name, String text, Map<String, String> env) {
    ConfigReader reader = new ConfigReader(name, env);
    Optional<Node> root;
    try (Reader in = new StringReader(text)) {
      root = new Compose(LoadSettings.builder().setLabel(name).build()).composeReader(in);
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
      String problem = e.getProblem() == null ? e.getContext() : e.getProblem();
      throw new ConfigException(
          name, mark.map(m -> m.getLine() + 1).orElse(0), "", "not valid YAML: " + problem);
    } catch (YamlEngineException e) {
      throw new ConfigException(name, 0, "", "not valid YAML: " + e.getMessage());
    } catch (IOException e) {
      throw new IllegalStateException("a StringReader does not fail", e);
    }
    if (root.isEmpty() || isNull(root.get())) {
      return reader.new Section("", "", null, Map.of());
    }
    return reader.new Value(root.get(), "", "").section();
  }

  /** A mapping: keys to values, with the keys asked for so far. */
  final class Section {
    private final String path;
    private final String schemaPath;
    private final Value self;
    private final Map<String, Value> entries;
    private final Set<String> known = new LinkedHashSet<>();

    private Section(String path, String schemaPath, Value self, Map<String, Value> entries) {
      this.path = path;
      this.schemaPath = schemaPath;
      this.self = self;
      this.entries = entries;
    }

    /**
     * The value of {@code key}, when present and not null: {@code key:} with nothing after it means
     * the default, as an absent key does.
     */
    Optional<Value> get(String key) {
      known.add(key);
      asked.add(child(schemaPath, key));
      return Optional.ofNullable(entries.get(key)).filter(value -> !value.isNull());
    }

    boolean has(String key) {
      return get(key).isPresent();
    }

    Optional<String> string(String key) {
      return get(key).map(Value::text);
    }

    Optional<Boolean> bool(String key) {
      return get(key).map(Value::bool);
    }

    Optional<Integer> integer(String key, int min, int max) {
      return get(key).map(value -> value.integer(min, max));
    }

    Optional<Double> number(String key, double min, double max) {
      return get(key).map(value -> value.number(min, max));
    }

    Optional<Duration> duration(String key) {
      return get(key).map(Value::duration);
    }

    Optional<List<String>> strings(String key) {
      return get(key).map(Value::strings);
    }

    /** The mapping under {@code key}; an empty one when the key is absent. */
    Section section(String key) {
      return get(key)
          .map(Value::section)
          .orElseGet(() -> new Section(child(path, key), child(schemaPath, key), null, Map.of()));
    }

    /**
     * Every entry, for a mapping whose keys the user names (check names, header names): all count
     * as known. {@code placeholder} stands for the key in {@link Value#schemaPath()}.
     */
    Map<String, Value> entries(String placeholder) {
      known.addAll(entries.keySet());
      String named = child(schemaPath, "<" + placeholder + ">");
      asked.add(named);
      Map<String, Value> renamed = new LinkedHashMap<>();
      entries.forEach(
          (key, value) -> {
            given.remove(value.schemaPath);
            given.add(named);
            renamed.put(key, new Value(value.node, value.key, value.path, named));
          });
      return renamed;
    }

    /** The entries as text, e.g. HTTP headers. */
    Map<String, String> stringMap() {
      Map<String, String> map = new LinkedHashMap<>();
      entries("name").forEach((key, value) -> map.put(key, value.text()));
      return map;
    }

    /**
     * Rejects any key that was not asked for.
     *
     * @throws ConfigException naming the first unknown key and the keys this section knows
     */
    void end() {
      for (Map.Entry<String, Value> entry : entries.entrySet()) {
        if (!known.contains(entry.getKey())) {
          throw entry
              .getValue()
              .error(
                  "unknown key"
                      + (known.isEmpty()
                          ? " (this section takes no keys)"
                          : "; expected one of: " + String.join(", ", known)));
        }
      }
    }

    /** An error about this section as a whole, at its line. */
    ConfigException error(String problem) {
      return self == null ? new ConfigException(file, 0, path, problem) : self.error(problem);
    }

    String path() {
      return path;
    }

    /** Every key asked for so far in this file, as schema paths ({@code checks.<name>.url}). */
    Set<String> askedKeys() {
      return Set.copyOf(asked);
    }

    /** Every key given in this file, as schema paths. */
    Set<String> givenKeys() {
      return Set.copyOf(given);
    }
  }

  /** One value in the file: its node, its path ({@code checks.api.url}) and its line. */
  final class Value {
    private final Node node;
    private final Node key;
    private final String path;
    private final String schemaPath;

    private Value(Node node, String path, String schemaPath) {
      this(node, null, path, schemaPath);
    }

    /** A value under {@code key}, whose line is the key's: a mapping's own starts below it. */
    private Value(Node node, Node key, String path, String schemaPath) {
      this.node = node;
      this.key = key;
      this.path = path;
      this.schemaPath = schemaPath;
    }

    /** The key path with user-chosen names as placeholders, e.g. {@code checks.<name>.url}. */
    String schemaPath() {
      return schemaPath;
    }

    String path() {
      return path;
    }

    int line() {
      return (key != null ? key : node).getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }

    ConfigException error(String problem) {
      return new ConfigException(file, line(), path, problem);
    }

    /** An error that quotes the value as written. */
    ConfigException expected(String what) {
      String got =
          node instanceof ScalarNode scalar
              ? "'" + scalar.getValue() + "'"
              : node instanceof MappingNode ? "a mapping" : "a list";
      return error("expected " + what + ", got " + got);
    }

    /** The text of a scalar, with {@code ${NAME}} substituted. */
    String text() {
      if (!(node instanceof ScalarNode scalar)) {
        throw expected("a single value");
      }
      return substitute(scalar.getValue());
    }

    boolean bool() {
      return switch (text().toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on" -> true;
        case "false", "no", "off" -> false;
        default -> throw expected("true or false");
      };
    }

    int integer(int min, int max) {
      String range = "an integer from " + min + " to " + max;
      try {
        int value = Integer.parseInt(text().replace("_", ""));
        if (value < min || value > max) {
          throw expected(range);
        }
        return value;
      } catch (NumberFormatException e) {
        throw expected(range);
      }
    }

    double number(double min, double max) {
      String range = "a number from " + plain(min) + " to " + plain(max);
      try {
        double value = Double.parseDouble(text().replace("_", ""));
        if (!(value >= min && value <= max)) {
          throw expected(range);
        }
        return value;
      } catch (NumberFormatException e) {
        throw expected(range);
      }
    }

    /** A positive duration. */
    Duration duration() {
      Duration duration = parseDuration(text()).orElseThrow(() -> expected(DURATION_FORMS));
      if (duration.isNegative() || duration.isZero()) {
        throw expected("a positive duration");
      }
      return duration;
    }

    /** A list of values as text; a single value is a list of one. */
    List<String> strings() {
      return list().stream().map(Value::text).toList();
    }

    /** The items of a list; a single value is a list of one. */
    List<Value> list() {
      if (node instanceof SequenceNode sequence) {
        List<Value> items = new ArrayList<>();
        List<Node> nodes = sequence.getValue();
        for (int i = 0; i < nodes.size(); i++) {
          items.add(new Value(nodes.get(i), path + "[" + i + "]", schemaPath + "[]"));
        }
        return items;
      }
      return List.of(this);
    }

    /** The mapping this value is; an empty one for null ({@code cpu:} with nothing after it). */
    Section section() {
      if (isNull()) {
        return new Section(path, schemaPath, this, Map.of());
      }
      if (!(node instanceof MappingNode mapping)) {
        throw expected("a mapping of keys to values");
      }
      Map<String, Value> entries = new LinkedHashMap<>();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
          throw new Value(tuple.getKeyNode(), path, schemaPath).error("keys must be plain text");
        }
        String name = key.getValue();
        given.add(child(schemaPath, name));
        Value previous =
            entries.put(
                name,
                new Value(tuple.getValueNode(), key, child(path, name), child(schemaPath, name)));
        if (previous != null) {
          throw entries
              .get(name)
              .error("duplicate key (first given on line " + previous.line() + ")");
        }
      }
      return new Section(path, schemaPath, this, entries);
    }

    /** Whether the value is YAML's null: {@code key:} with nothing after it, {@code ~}. */
    boolean isNull() {
      return ConfigReader.isNull(node);
    }

    private String substitute(String raw) {
      if (raw.indexOf('$') < 0) {
        return raw;
      }
      Matcher matcher = VARIABLE.matcher(raw);
      StringBuilder result = new StringBuilder();
      while (matcher.find()) {
        String replacement;
        if (matcher.group().equals("$$")) {
          replacement = "$";
        } else {
          String name = matcher.group(1);
          String value = env.get(name);
          if (value == null) {
            if (matcher.group(2) == null) {
              throw error(
                  "environment variable "
                      + name
                      + " is not set (write ${"
                      + name
                      + ":-default} to give a default)");
            }
            value = matcher.group(2);
          }
          replacement = value;
        }
        matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
      }
      matcher.appendTail(result);
      return result.toString();
    }
  }

  /**
   * Parses {@code 500ms}, {@code 15s}, {@code 5m}, {@code 4h}, {@code 1d}, sums of them ({@code
   * 1m30s}), or ISO-8601 ({@code PT15S}); empty when the text is none of these.
   */
  static Optional<Duration> parseDuration(String text) {
    String trimmed = text.strip();
    if (trimmed.toUpperCase(Locale.ROOT).startsWith("P")) {
      try {
        return Optional.of(Duration.parse(trimmed));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    if (!DURATION.matcher(trimmed).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher part = DURATION_PART.matcher(trimmed);
    while (part.find()) {
      double amount = Double.parseDouble(part.group(1));
      long nanosPerUnit =
          switch (part.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
          };
      double nanos = amount * nanosPerUnit;
      if (nanos > Long.MAX_VALUE / 2) {
        return Optional.empty();
      }
      total = total.plusNanos(Math.round(nanos));
    }
    return Optional.of(total);
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar
        && scalar.isPlain()
        && (scalar.getValue().isEmpty()
            || scalar.getValue().equals("~")
            || scalar.getValue().equalsIgnoreCase("null"));
  }

  private static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private static String plain(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }
}
