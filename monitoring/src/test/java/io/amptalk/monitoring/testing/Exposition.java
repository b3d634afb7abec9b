package io.amptalk.monitoring.testing;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), so that a property can
 * fail on a corrupted {@code /metrics} body without {@code promtool}: every line must be a comment
 * ({@code # HELP}, {@code # TYPE}) or a sample matching the grammar, label values may only use the
 * three escapes, the body must be valid UTF-8, each family's {@code # TYPE} comes once and before
 * its samples, a family's samples are contiguous, no series appears twice, and histograms are
 * cumulative with {@code _count} equal to the {@code +Inf} bucket.
 */
public final class Exposition {
  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern FLOAT =
      Pattern.compile("[+-]?(Inf|NaN|(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?)");
  private static final Set<String> TYPES =
      Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample line, its label values unescaped. */
  public record Sample(String name, Map<String, String> labels, double value) {
    public String label(String name) {
      return labels.get(name);
    }
  }

  private final List<Sample> samples;

  private Exposition(List<Sample> samples) {
    this.samples = samples;
  }

  public List<Sample> samples() {
    return samples;
  }

  public List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /**
   * Parses the body, failing with an {@link AssertionError} naming the line on the first breach of
   * the format.
   */
  public static Exposition parse(byte[] body) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw new AssertionError("the exposition is not valid UTF-8: " + e);
    }
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new AssertionError("the exposition does not end with a newline");
    }
    Map<String, String> types = new HashMap<>();
    Set<String> finished = new HashSet<>();
    Set<String> seriesSeen = new HashSet<>();
    List<Sample> samples = new ArrayList<>();
    String currentFamily = null;
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length - 1; n++) {
      String line = lines[n];
      String where = "line " + (n + 1) + " '" + abbreviate(line) + "': ";
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 2 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
          if (parts.length < 3 || !METRIC_NAME.matcher(parts[2]).matches()) {
            throw new AssertionError(where + "bad metric name in " + parts[1]);
          }
          String family = parts[2];
          if (!family.equals(currentFamily)) {
            if (finished.contains(family)) {
              throw new AssertionError(where + "family " + family + " is not contiguous");
            }
            if (currentFamily != null) {
              finished.add(currentFamily);
            }
            currentFamily = family;
          }
          if (parts[1].equals("TYPE")) {
            if (parts.length != 4 || !TYPES.contains(parts[3])) {
              throw new AssertionError(where + "bad type");
            }
            if (types.putIfAbsent(family, parts[3]) != null) {
              throw new AssertionError(where + "second TYPE for " + family);
            }
          } else if (parts.length == 4) {
            checkHelpEscapes(parts[3], where);
          }
        }
        continue;
      }
      Sample sample = sample(line, where);
      String family = family(sample.name(), types);
      if (family == null) {
        throw new AssertionError(where + "sample without a TYPE for its family");
      }
      if (!family.equals(currentFamily)) {
        throw new AssertionError(where + "sample outside its family's block (" + family + ")");
      }
      String series = sample.name() + new TreeMap<>(sample.labels());
      if (!seriesSeen.add(series)) {
        throw new AssertionError(where + "duplicate series " + abbreviate(series));
      }
      samples.add(sample);
    }
    Exposition exposition = new Exposition(List.copyOf(samples));
    exposition.checkHistograms(types);
    return exposition;
  }

  /** The family a sample belongs to, or null when none was declared. */
  private static String family(String name, Map<String, String> types) {
    if (types.containsKey(name)) {
      return name;
    }
    for (String suffix : List.of("_bucket", "_count", "_sum")) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String type = types.get(base);
        if ("histogram".equals(type) || ("summary".equals(type) && !suffix.equals("_bucket"))) {
          return base;
        }
      }
    }
    return null;
  }

  private void checkHistograms(Map<String, String> types) {
    types.forEach(
        (family, type) -> {
          if (!type.equals("histogram")) {
            return;
          }
          Map<Map<String, String>, List<Sample>> buckets = new HashMap<>();
          Map<Map<String, String>, Double> counts = new HashMap<>();
          for (Sample s : samples) {
            if (s.name().equals(family + "_bucket")) {
              Map<String, String> series = new TreeMap<>(s.labels());
              if (series.remove("le") == null) {
                throw new AssertionError(family + "_bucket without le: " + s);
              }
              buckets.computeIfAbsent(series, k -> new ArrayList<>()).add(s);
            } else if (s.name().equals(family + "_count")) {
              counts.put(new TreeMap<>(s.labels()), s.value());
            } else if (s.name().equals(family + "_sum") && !(s.value() >= 0)) {
              // Durations are never negative: a negative or NaN sum is a corrupted series.
              throw new AssertionError(family + "_sum is " + s.value() + ": " + s);
            }
          }
          buckets.forEach(
              (series, list) -> {
                double previousLe = Double.NEGATIVE_INFINITY;
                double previousCount = 0;
                for (Sample bucket : list) {
                  double le = parseFloat(bucket.label("le"));
                  if (!(le > previousLe) || bucket.value() < previousCount) {
                    throw new AssertionError(family + " buckets not cumulative: " + series);
                  }
                  previousLe = le;
                  previousCount = bucket.value();
                }
                if (previousLe != Double.POSITIVE_INFINITY) {
                  throw new AssertionError(family + " has no +Inf bucket: " + series);
                }
                Double count = counts.get(series);
                if (count == null || count != previousCount) {
                  throw new AssertionError(family + "_count is not the +Inf bucket: " + series);
                }
              });
        });
  }

  private static Sample sample(String line, String where) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new AssertionError(where + "bad metric name '" + abbreviate(name) + "'");
    }
    Map<String, String> labels = new HashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (true) {
        if (i < line.length() && line.charAt(i) == '}') {
          i++;
          break;
        }
        int eq = line.indexOf('=', i);
        if (eq < 0) {
          throw new AssertionError(where + "label without '='");
        }
        String labelName = line.substring(i, eq);
        if (!LABEL_NAME.matcher(labelName).matches()) {
          throw new AssertionError(where + "bad label name '" + abbreviate(labelName) + "'");
        }
        i = eq + 1;
        if (i >= line.length() || line.charAt(i) != '"') {
          throw new AssertionError(where + "label value not quoted");
        }
        i++;
        StringBuilder value = new StringBuilder();
        while (true) {
          if (i >= line.length()) {
            throw new AssertionError(where + "unterminated label value");
          }
          char c = line.charAt(i++);
          if (c == '"') {
            break;
          }
          if (c == '\\') {
            if (i >= line.length()) {
              throw new AssertionError(where + "dangling backslash");
            }
            char e = line.charAt(i++);
            switch (e) {
              case '\\' -> value.append('\\');
              case '"' -> value.append('"');
              case 'n' -> value.append('\n');
              default -> throw new AssertionError(where + "bad escape \\" + e);
            }
          } else {
            value.append(c);
          }
        }
        if (labels.put(labelName, value.toString()) != null) {
          throw new AssertionError(where + "label " + labelName + " twice");
        }
        if (i < line.length() && line.charAt(i) == ',') {
          i++;
        } else if (i >= line.length() || line.charAt(i) != '}') {
          throw new AssertionError(where + "expected ',' or '}' after a label");
        }
      }
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw new AssertionError(where + "no space before the value");
    }
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length < 1 || rest.length > 2 || !FLOAT.matcher(rest[0]).matches()) {
      throw new AssertionError(where + "bad value");
    }
    if (rest.length == 2 && !rest[1].matches("-?\\d+")) {
      throw new AssertionError(where + "bad timestamp");
    }
    return new Sample(name, Map.copyOf(labels), parseFloat(rest[0]));
  }

  private static void checkHelpEscapes(String help, String where) {
    for (int i = 0; i < help.length(); i++) {
      if (help.charAt(i) == '\\') {
        if (i + 1 >= help.length() || (help.charAt(i + 1) != '\\' && help.charAt(i + 1) != 'n')) {
          throw new AssertionError(where + "bad escape in HELP");
        }
        i++;
      }
    }
  }

  private static double parseFloat(String text) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(text);
    };
  }

  private static String abbreviate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200) + "…(" + text.length() + ")";
  }
}
