package io.amptalk.monitoring.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

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
 * <p>A file is read only up to {@value #MAX_BYTES} bytes (one more says it is larger: {@code
 * /dev/zero} ends there) and nested at most {@value #MAX_DEPTH} levels deep, checked as the parser
 * goes, before the composer's recursion can overflow the stack.
 *
 * <p>Each {@link Section} remembers the keys that were asked for; {@link Section#end()} rejects any
 * other key, so a misspelt key is an error rather than a setting silently ignored.
 *
 * <p>Just over 400 lines as one concept: the parse, the environment substitution and the typed,
 * line-numbered reads share the node positions every message quotes.
 */
final class ConfigReader {
  /** A reference to the environment, matched where a dollar and an opening brace start. */
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private static final Pattern DURATION =
      Pattern.compile("(?:(\\d+(?:\\.\\d+)?)(ms|s|m|h|d))+", Pattern.CASE_INSENSITIVE);
  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  /** The largest file read, in bytes: 1 MiB. */
  static final int MAX_BYTES = 1024 * 1024;

  /** The deepest nesting of mappings and lists, the top-level mapping being 1. */
  static final int MAX_DEPTH = 64;

  /** Aliases a collection may expand to, against a billion laughs. */
  private static final int MAX_ALIASES = 50;

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
    try (InputStream in = Files.newInputStream(path)) {
      // One byte past the limit tells a larger file, without reading the rest of it.
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new ConfigException(name, 0, "", "file is larger than 1 MiB");
      }
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
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
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(name)
            .setCodePointLimit(MAX_BYTES)
            .setMaxAliasesForCollections(MAX_ALIASES)
            // The whole text in one buffer: the reader's window grows by copying itself, so a
            // long line (one comment of a megabyte) in small buffers takes quadratic time.
            .setBufferSize(Math.max(1024, Math.min(text.length() + 1, MAX_BYTES + 1)))
            .build();
    try (Reader in = new StringReader(text)) {
      Parser parser =
          new DepthLimit(new ParserImpl(settings, new StreamReader(settings, in)), name);
      root = new Composer(settings, parser).getSingleNode();
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
    return reader.new Value(root.get(), "", "", 0).section();
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

    /** A positive duration of at most {@code max}. */
    Optional<Duration> duration(String key, Duration max) {
      return get(key).map(value -> value.duration(max));
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
            renamed.put(key, new Value(value.node, value.key, value.path, named, value.depth));
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

    /**
     * Mappings and lists above it. The parser bounds how deep the text nests, but an alias can name
     * a collection it is inside of ({@code routes: &a [{routes: *a}]}): reading it would never end.
     */
    private final int depth;

    private Value(Node node, String path, String schemaPath, int depth) {
      this(node, null, path, schemaPath, depth);
    }

    /** A value under {@code key}, whose line is the key's: a mapping's own starts below it. */
    private Value(Node node, Node key, String path, String schemaPath, int depth) {
      this.node = node;
      this.key = key;
      this.path = path;
      this.schemaPath = schemaPath;
      this.depth = depth;
    }

    /** The depth of what is under this value, refused past {@link #MAX_DEPTH}. */
    private int below() {
      if (depth + 1 > MAX_DEPTH) {
        // The path of such a value repeats itself for hundreds of characters: its ends say where.
        String at =
            path.length() <= 80
                ? path
                : path.substring(0, 40) + "…" + path.substring(path.length() - 30);
        throw new ConfigException(
            file,
            line(),
            at,
            "nested deeper than " + MAX_DEPTH + " levels: an alias inside itself?");
      }
      return depth + 1;
    }

    /** The key path with user-chosen names as placeholders, e.g. {@code checks.<name>.url}. */
    String schemaPath() {
      return schemaPath;
    }

    /**
     * This value read as if it stood at {@code like}'s place in the schema: a recursive structure
     * (routes under routes) has its keys documented once, not at every depth.
     */
    Value schemaAs(Value like) {
      return new Value(node, key, path, like.schemaPath, depth);
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

    /**
     * A positive duration. Its maximum is checked where it is used: by the library's builder when
     * the value goes to one (through {@link Bindings}), else by {@link #duration(Duration)}.
     */
    Duration duration() {
      Duration duration = parseDuration(text()).orElseThrow(() -> expected(DURATION_FORMS));
      if (duration.isNegative() || duration.isZero()) {
        throw expected("a positive duration");
      }
      return duration;
    }

    /** A positive duration of at most {@code max}. */
    Duration duration(Duration max) {
      Duration duration = duration();
      if (duration.compareTo(max) > 0) {
        throw expected("a duration of at most " + shortForm(max));
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
          items.add(new Value(nodes.get(i), path + "[" + i + "]", schemaPath + "[]", below()));
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
          throw new Value(tuple.getKeyNode(), path, schemaPath, depth)
              .error("keys must be plain text");
        }
        String name = key.getValue();
        given.add(child(schemaPath, name));
        Value previous =
            entries.put(
                name,
                new Value(
                    tuple.getValueNode(),
                    key,
                    child(path, name),
                    child(schemaPath, name),
                    below()));
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

    /**
     * {@code $$} is a dollar sign, {@code ${NAME}} and {@code ${NAME:-default}} are replaced; a
     * dollar and opening brace without the closing brace is an error, not text kept as written.
     */
    private String substitute(String raw) {
      if (raw.indexOf('$') < 0) {
        return raw;
      }
      Matcher matcher = VARIABLE.matcher(raw);
      StringBuilder result = new StringBuilder();
      int i = 0;
      while (i < raw.length()) {
        char c = raw.charAt(i);
        char next = i + 1 < raw.length() ? raw.charAt(i + 1) : 0;
        if (c == '$' && next == '$') {
          result.append('$');
          i += 2;
        } else if (c == '$' && next == '{') {
          int close = raw.indexOf('}', i);
          int nextOpen = raw.indexOf("${", i + 2);
          if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
            throw error(
                "unterminated ${ in '"
                    + raw
                    + "' (close it with }, or write $${ for a literal ${)");
          }
          if (!matcher.region(i, raw.length()).lookingAt()) {
            // Not a reference (${1X}, ${A B}): kept as written, as before.
            result.append(c);
            i++;
            continue;
          }
          result.append(lookup(matcher.group(1), matcher.group(2)));
          i = matcher.end();
        } else {
          result.append(c);
          i++;
        }
      }
      return result.toString();
    }

    private String lookup(String name, String fallback) {
      String value = env.get(name);
      if (value != null) {
        return value;
      }
      if (fallback == null) {
        throw error(
            "environment variable "
                + name
                + " is not set (write ${"
                + name
                + ":-default} to give a default)");
      }
      return fallback;
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
    // Exact, in seconds: 9999999999999h is a duration (one too long for any key), not garbage.
    BigDecimal seconds = BigDecimal.ZERO;
    Matcher part = DURATION_PART.matcher(trimmed);
    while (part.find()) {
      long secondsPerUnit =
          switch (part.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> 0;
            case "s" -> 1;
            case "m" -> 60;
            case "h" -> 3_600;
            default -> 86_400;
          };
      BigDecimal amount = new BigDecimal(part.group(1));
      seconds =
          seconds.add(
              secondsPerUnit == 0
                  ? amount.movePointLeft(3)
                  : amount.multiply(BigDecimal.valueOf(secondsPerUnit)));
    }
    BigDecimal nanos = seconds.setScale(9, RoundingMode.HALF_UP).movePointRight(9);
    BigDecimal[] split = nanos.divideAndRemainder(BigDecimal.valueOf(1_000_000_000L));
    if (split[0].compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(split[0].longValueExact(), split[1].longValueExact()));
  }

  /**
   * {@code 15s}, {@code 500ms}, {@code 1m30s}, {@code 1d12h}, {@code 1.5s}: the form operators
   * write in the file, which {@link #parseDuration} reads back to the same duration. For the
   * messages and the start-up lines; a non-negative duration.
   */
  static String shortForm(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    if (duration.toSeconds() == 0 && duration.toNanosPart() % 1_000_000 == 0) {
      return duration.toMillis() + "ms";
    }
    StringBuilder text = new StringBuilder();
    unit(text, duration.toDays(), "d");
    unit(text, duration.toHoursPart(), "h");
    unit(text, duration.toMinutesPart(), "m");
    if (duration.toNanosPart() != 0) {
      BigDecimal seconds =
          BigDecimal.valueOf(duration.toSecondsPart())
              .add(BigDecimal.valueOf(duration.toNanosPart(), 9))
              .stripTrailingZeros();
      text.append(seconds.toPlainString()).append('s');
    } else {
      unit(text, duration.toSecondsPart(), "s");
    }
    return text.toString();
  }

  private static void unit(StringBuilder text, long amount, String unit) {
    if (amount != 0) {
      text.append(amount).append(unit);
    }
  }

  /**
   * The parser, refusing a mapping or list nested deeper than {@link #MAX_DEPTH} when it starts:
   * the composer builds the tree recursively, and thousands of levels would overflow its stack.
   */
  private static final class DepthLimit implements Parser {
    private final Parser parser;
    private final String file;
    private int depth;

    DepthLimit(Parser parser, String file) {
      this.parser = parser;
      this.file = file;
    }

    @Override
    public boolean checkEvent(Event.ID id) {
      return parser.checkEvent(id);
    }

    @Override
    public Event peekEvent() {
      return parser.peekEvent();
    }

    @Override
    public boolean hasNext() {
      return parser.hasNext();
    }

    @Override
    public Event next() {
      Event event = parser.next();
      switch (event.getEventId()) {
        case MappingStart, SequenceStart -> {
          if (++depth > MAX_DEPTH) {
            throw new ConfigException(
                file,
                event.getStartMark().map(mark -> mark.getLine() + 1).orElse(0),
                "",
                "nesting deeper than " + MAX_DEPTH + " levels");
          }
        }
        case MappingEnd, SequenceEnd -> depth--;
        default -> {
          // Scalars, aliases, documents: no deeper.
        }
      }
      return event;
    }
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
