package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.internal.alert.AlertLabels;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Mutes matching alerts until {@link #until()}: they are kept in history, marked silenced, and not
 * notified. A silence mutes an alert that all of its conditions match; a null source or title
 * pattern, an empty severity set or an empty matcher list matches anything.
 *
 * @param id assigned by {@link AlertSystem#addSilence}
 * @param source only alerts from this source
 * @param titlePattern only alerts whose whole title matches this regular expression
 * @param severities only alerts of these severities
 * @param matchers only alerts whose labels every one of these matches
 * @param until when the silence ends
 * @param comment why, for whoever reads it later
 * @param createdBy who made it, as they gave it; empty when unknown
 */
public record Silence(
    String id,
    String source,
    Pattern titlePattern,
    Set<AlertSeverity> severities,
    List<Matcher> matchers,
    Instant until,
    String comment,
    String createdBy) {

  /**
   * Copies {@code severities} and {@code matchers} (a null list is empty); a null comment or
   * creator becomes empty.
   *
   * @throws NullPointerException when {@code id}, {@code severities} or {@code until} is null, or
   *     {@code severities} or {@code matchers} holds a null
   */
  public Silence {
    Objects.requireNonNull(id, "id");
    severities = Set.copyOf(severities);
    matchers = matchers == null ? List.of() : List.copyOf(matchers);
    Objects.requireNonNull(until, "until");
    comment = comment == null ? "" : comment;
    createdBy = createdBy == null ? "" : createdBy;
  }

  /** A silence whose creator is not known. */
  public Silence(
      String id,
      String source,
      Pattern titlePattern,
      Set<AlertSeverity> severities,
      List<Matcher> matchers,
      Instant until,
      String comment) {
    this(id, source, titlePattern, severities, matchers, until, comment, "");
  }

  /** A silence without label matchers, as before there were labels. */
  public Silence(
      String id,
      String source,
      Pattern titlePattern,
      Set<AlertSeverity> severities,
      Instant until,
      String comment) {
    this(id, source, titlePattern, severities, List.of(), until, comment, "");
  }

  /** Whether this silence mutes {@code alert} at {@code now}. */
  public boolean mutes(Alert alert, Instant now) {
    if (!now.isBefore(until)
        || (source != null && !source.equals(alert.source()))
        || (titlePattern != null && !titlePattern.matcher(alert.title()).matches())
        || (!severities.isEmpty() && !severities.contains(alert.severity()))) {
      return false;
    }
    return Matcher.all(matchers, alert.labels());
  }

  /**
   * One condition on one label, as Alertmanager's matchers: {@code name=value}, {@code
   * name!=value}, {@code name=~regex} and {@code name!~regex}, the expression matching the whole
   * value. An alert without the label is matched as if its value were empty, so {@code team!=db}
   * matches an alert with no {@code team}.
   */
  public static final class Matcher {
    /** How a matcher compares. */
    public enum Operator {
      /** {@code =}: the value is this one. */
      EQUAL("="),
      /** {@code !=}: the value is not this one. */
      NOT_EQUAL("!="),
      /** {@code =~}: the whole value matches this regular expression. */
      REGEX("=~"),
      /** {@code !~}: the whole value does not match this regular expression. */
      NOT_REGEX("!~");

      private final String symbol;

      Operator(String symbol) {
        this.symbol = symbol;
      }

      /** As written in a matcher: {@code =}, {@code !=}, {@code =~} or {@code !~}. */
      public String symbol() {
        return symbol;
      }
    }

    private final String name;
    private final Operator operator;
    private final String value;
    private final Pattern pattern;

    private Matcher(String name, Operator operator, String value) {
      String bad = AlertLabels.nameProblem(name);
      if (bad != null) {
        throw new IllegalArgumentException(
            "label matcher '" + name + operator.symbol + value + "': " + bad);
      }
      this.name = name;
      this.operator = operator;
      this.value = Objects.requireNonNull(value, "value");
      Pattern compiled = null;
      if (operator == Operator.REGEX || operator == Operator.NOT_REGEX) {
        try {
          compiled = Pattern.compile(value);
        } catch (PatternSyntaxException e) {
          throw new IllegalArgumentException(
              "label matcher '"
                  + this
                  + "' has an invalid regular expression: "
                  + e.getDescription()
                  + " near index "
                  + e.getIndex(),
              e);
        }
      }
      this.pattern = compiled;
    }

    /**
     * A matcher of {@code name}, comparing by {@code operator} with {@code value}.
     *
     * @throws IllegalArgumentException when {@code name} is not a label name, or a regular
     *     expression is invalid: {@code label matcher 'team=~(' has an invalid regular expression:
     *     Unclosed group near index 1}
     * @throws NullPointerException when an argument is null
     */
    public static Matcher of(String name, Operator operator, String value) {
      return new Matcher(name, Objects.requireNonNull(operator, "operator"), value);
    }

    /** Reads each of {@code texts} as {@link #parse} does; silences, routes and rules share it. */
    static List<Matcher> parseAll(List<String> texts) {
      return texts.stream().map(Matcher::parse).toList();
    }

    /** Whether {@code labels} satisfy every one of {@code matchers} (none: any labels do). */
    static boolean all(List<Matcher> matchers, Map<String, String> labels) {
      for (Matcher matcher : matchers) {
        if (!matcher.matches(labels)) {
          return false;
        }
      }
      return true;
    }

    /**
     * Reads {@code name=value}, {@code name!=value}, {@code name=~regex} or {@code name!~regex};
     * the value may be quoted ({@code team="a b"}).
     *
     * @throws IllegalArgumentException naming the text when it is none of these, or as {@link #of}
     */
    public static Matcher parse(String text) {
      Objects.requireNonNull(text, "matcher");
      int at = text.indexOf('=');
      int bang = text.indexOf('!');
      Operator operator;
      int index;
      if (bang >= 0 && (at < 0 || bang < at) && bang + 1 < text.length()) {
        char next = text.charAt(bang + 1);
        operator = next == '=' ? Operator.NOT_EQUAL : next == '~' ? Operator.NOT_REGEX : null;
        index = bang;
      } else if (at >= 0) {
        operator =
            at + 1 < text.length() && text.charAt(at + 1) == '~' ? Operator.REGEX : Operator.EQUAL;
        index = at;
      } else {
        operator = null;
        index = -1;
      }
      if (operator == null || index == 0) {
        throw new IllegalArgumentException(
            "label matcher '"
                + text
                + "' must be name=value, name!=value, name=~regex or name!~regex");
      }
      String value = text.substring(index + operator.symbol.length());
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      return new Matcher(text.substring(0, index).strip(), operator, value);
    }

    /** The label compared. */
    public String name() {
      return name;
    }

    /** How it is compared. */
    public Operator operator() {
      return operator;
    }

    /** The value, or the regular expression, compared with. */
    public String value() {
      return value;
    }

    /** Whether {@code labels} satisfy this matcher (an absent label reads as empty). */
    public boolean matches(Map<String, String> labels) {
      String actual = labels.getOrDefault(name, "");
      return switch (operator) {
        case EQUAL -> actual.equals(value);
        case NOT_EQUAL -> !actual.equals(value);
        case REGEX -> pattern.matcher(actual).matches();
        case NOT_REGEX -> !pattern.matcher(actual).matches();
      };
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Matcher m
          && m.name.equals(name)
          && m.operator == operator
          && m.value.equals(value);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, operator, value);
    }

    /** As parsed: {@code name=value}, {@code name=~regex}, and so on. */
    @Override
    public String toString() {
      return name + operator.symbol + value;
    }
  }
}
