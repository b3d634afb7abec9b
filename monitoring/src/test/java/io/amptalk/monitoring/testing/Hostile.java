package io.amptalk.monitoring.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Generators of the worst input a caller can pass (issue #7), for property tests: strings that are
 * empty, blank, huge, full of control characters, quotes, backslashes and newlines, lone
 * surrogates, non-BMP characters and cut boundaries; NaN, infinities, negative and huge numbers;
 * nulls; detail maps that are cyclic, deep, huge, or hold values whose {@code toString} throws.
 */
public final class Hostile {
  private Hostile() {}

  /** Strings of every kind, null included. */
  public static Arbitrary<String> strings() {
    return nonNullStrings().injectNull(0.05);
  }

  public static Arbitrary<String> nonNullStrings() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.strings().all().ofMaxLength(40)),
        Tuple.of(3, Arbitraries.strings().withChars("\n\r\t\0\u007f\"\\{}=,# aZ").ofMaxLength(24)),
        Tuple.of(2, loneSurrogates()),
        Tuple.of(2, nonBmp()),
        Tuple.of(2, aroundTheCut()),
        Tuple.of(1, huge()),
        Tuple.of(
            2,
            Arbitraries.of(
                "",
                " ",
                "\t\n ",
                "\u2003",
                "GET",
                "get",
                "Post",
                "_OTHER",
                "other",
                "unknown",
                "/users/{id}",
                "\uFFFD",
                "?",
                "\uD800",
                "\uDFFF",
                "\uD83D\uDE00",
                "\uDE00\uD83D",
                "a\"b\\c\nd",
                "\\n",
                "# HELP x y",
                "} 1\nfake_metric 2")));
  }

  /** Text with unpaired surrogates among ordinary characters. */
  public static Arbitrary<String> loneSurrogates() {
    return Arbitraries.strings()
        .withCharRange('\uD800', '\uDFFF')
        .withChars("ab/")
        .ofMinLength(1)
        .ofMaxLength(12);
  }

  /** Well-formed text outside the Basic Multilingual Plane. */
  public static Arbitrary<String> nonBmp() {
    return Arbitraries.integers()
        .between(0x10000, 0x10FFFF)
        .map(Character::toString)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .map(codePoints -> String.join("", codePoints));
  }

  /**
   * Strings whose length is around the label cut (128) and the alert title cut (256), with a
   * surrogate pair, a lone half, or an escape on the boundary.
   */
  public static Arbitrary<String> aroundTheCut() {
    return Arbitraries.integers()
        .between(120, 260)
        .flatMap(
            length ->
                Arbitraries.of("\uD83D\uDE00", "\uD83D", "\uDE00", "\\", "\"", "\n", "x")
                    .map(tail -> "r".repeat(length) + tail + "s"));
  }

  /** From twenty thousand to three hundred thousand characters: far past every cut. */
  public static Arbitrary<String> huge() {
    return Arbitraries.integers()
        .between(20_000, 300_000)
        .flatMap(n -> Arbitraries.of("x", "\uD83D\uDE00", "\n").map(unit -> unit.repeat(n)));
  }

  /** Every kind of double: NaN, both infinities, both zeros, negative, tiny and huge. */
  public static Arbitrary<Double> doubles() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.doubles().between(0, 20_000).ofScale(3)),
        Tuple.of(2, Arbitraries.doubles().between(-1e6, 1e6).withStandardSpecialValues()),
        Tuple.of(
            2,
            Arbitraries.of(
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                -0.0,
                Double.MIN_VALUE,
                -Double.MIN_VALUE,
                Double.MAX_VALUE,
                -Double.MAX_VALUE,
                1e15,
                1e300,
                -1.0)));
  }

  /** Every kind of int, with the edges of the HTTP status range. */
  public static Arbitrary<Integer> ints() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.integers().between(100, 599)),
        Tuple.of(2, Arbitraries.integers()),
        Tuple.of(
            2,
            Arbitraries.of(Integer.MIN_VALUE, -1, 0, 99, 100, 599, 600, 999, Integer.MAX_VALUE)));
  }

  /**
   * Detail maps: null, empty, ordinary, with null keys and values, nested, cyclic, deep, huge.
   * Wrapped, because a cyclic map's own {@code toString} and {@code hashCode} never return.
   */
  public static Arbitrary<Details> details() {
    Arbitrary<Object> leaf =
        Arbitraries.oneOf(
            strings().map(s -> (Object) s),
            doubles().map(d -> (Object) d),
            ints().map(i -> (Object) i),
            Arbitraries.of(true, false).map(b -> (Object) b),
            Arbitraries.just(new ThrowingToString()).map(o -> (Object) o));
    Arbitrary<Map<String, Object>> flat =
        Arbitraries.maps(strings(), leaf).ofMaxSize(6).map(HashMap::new);
    return Arbitraries.frequencyOf(
        Tuple.of(5, flat.map(m -> new Details("flat", m))),
        Tuple.of(1, Arbitraries.just(new Details("null", null))),
        Tuple.of(1, Arbitraries.just(new Details("empty", Map.of()))),
        Tuple.of(1, flat.map(m -> new Details("nested", nested(m)))),
        Tuple.of(1, flat.map(m -> new Details("cyclic", cyclic(m)))),
        Tuple.of(1, Arbitraries.integers().between(1, 3000).map(n -> new Details("deep", deep(n)))),
        Tuple.of(
            1, Arbitraries.integers().between(33, 2000).map(n -> new Details("many", many(n)))));
  }

  /** A generated detail map, printable even when the map itself is not. */
  public static final class Details {
    private final String kind;
    private final Map<String, Object> map;

    Details(String kind, Map<String, Object> map) {
      this.kind = kind;
      this.map = map;
    }

    /** The map itself (may be null, cyclic, or hold unprintable values). */
    public Map<String, Object> map() {
      return map;
    }

    @Override
    public String toString() {
      if (map == null) {
        return "null";
      }
      if (!"flat".equals(kind)) {
        return kind + " map of " + map.size() + " entries";
      }
      StringBuilder text = new StringBuilder("{");
      map.forEach(
          (key, value) -> {
            String printed;
            try {
              printed = String.valueOf(value);
            } catch (RuntimeException e) {
              printed = "<" + e.getMessage() + ">";
            }
            text.append(key).append('=').append(printed, 0, Math.min(80, printed.length()));
            text.append(", ");
          });
      return text.append('}').toString();
    }
  }

  private static Map<String, Object> nested(Map<String, Object> map) {
    Map<String, Object> outer = new HashMap<>();
    outer.put("inner", map);
    outer.put("list", new ArrayList<>(map.values()));
    return outer;
  }

  /** A map that holds itself, directly and through a list. */
  private static Map<String, Object> cyclic(Map<String, Object> map) {
    Map<String, Object> cyclic = new HashMap<>(map);
    List<Object> list = new ArrayList<>();
    list.add(cyclic);
    cyclic.put("self", cyclic);
    cyclic.put("list", list);
    return cyclic;
  }

  /** Maps nested {@code depth} deep. */
  private static Map<String, Object> deep(int depth) {
    Map<String, Object> map = new HashMap<>();
    map.put("leaf", 1);
    for (int i = 0; i < depth; i++) {
      Map<String, Object> outer = new HashMap<>();
      outer.put("d", map);
      map = outer;
    }
    return map;
  }

  private static Map<String, Object> many(int entries) {
    Map<String, Object> map = new HashMap<>();
    for (int i = 0; i < entries; i++) {
      map.put("key" + i, "value" + i);
    }
    return map;
  }

  /** A value no one can print. */
  public static final class ThrowingToString {
    @Override
    public String toString() {
      throw new IllegalStateException("no toString for you");
    }
  }
}
