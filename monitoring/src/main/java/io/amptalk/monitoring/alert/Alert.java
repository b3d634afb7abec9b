package io.amptalk.monitoring.alert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One alert, as raised and as kept in history. Immutable: a repeat, a resolution or a silence
 * produces a new value with the same {@link #id()}.
 *
 * @param id unique per raised alert (a UUID); with a notifier's name, the idempotency key of its
 *     delivery
 * @param title short summary, e.g. "High CPU Usage"
 * @param message what happened, for humans
 * @param severity how bad it is
 * @param source what raised it, e.g. "system_monitor"
 * @param service the service it concerns
 * @param time when it was first raised
 * @param details context for machines; values are strings, numbers, booleans, lists or maps
 * @param fingerprint identifies "the same alert" for deduplication and resolution: by default
 *     derived from service, source and title
 * @param state firing, or resolved
 * @param occurrences how many times it was raised (repeats within the dedup window count here)
 * @param lastSeen when it was last raised (or resolved)
 * @param silenced whether a silence muted it: kept in history, not notified
 * @param notes what the system changed in the caller's input (e.g. "title was null")
 */
public record Alert(
    String id,
    String title,
    String message,
    AlertSeverity severity,
    String source,
    String service,
    Instant time,
    Map<String, Object> details,
    String fingerprint,
    State state,
    int occurrences,
    Instant lastSeen,
    boolean silenced,
    List<String> notes) {

  /** Whether the condition an alert reports is still going on. */
  public enum State {
    FIRING,
    RESOLVED
  }

  public Alert {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(time, "time");
    details = jsonMap(details);
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(lastSeen, "lastSeen");
    notes = List.copyOf(notes);
  }

  public boolean isFiring() {
    return state == State.FIRING;
  }

  /** This alert raised once more at {@code when}. */
  Alert repeated(Instant when) {
    return new Alert(
        id,
        title,
        message,
        severity,
        source,
        service,
        time,
        details,
        fingerprint,
        state,
        occurrences + 1,
        when,
        silenced,
        notes);
  }

  /** This alert resolved at {@code when}. */
  Alert resolved(Instant when) {
    return new Alert(
        id,
        title,
        message,
        severity,
        source,
        service,
        time,
        details,
        fingerprint,
        State.RESOLVED,
        occurrences,
        when,
        silenced,
        notes);
  }

  /**
   * The default fingerprint: the same service, source and title are the same alert. A 64-bit FNV-1a
   * hash in hex: identity, not security, and cheap enough for the raising path.
   */
  public static String fingerprint(String service, String source, String title) {
    long hash = 0xcbf29ce484222325L;
    hash = mix(hash, service);
    hash = mix(hash, source);
    hash = mix(hash, title);
    // Not String.format: it builds a Formatter per call, which dominated the cost of alert().
    String hex = Long.toHexString(hash);
    return "0000000000000000".substring(hex.length()) + hex;
  }

  private static long mix(long hash, String text) {
    // The length first, so that ("ab", "c") and ("a", "bc") differ.
    hash = (hash ^ text.length()) * 0x100000001b3L;
    for (int i = 0; i < text.length(); i++) {
      hash = (hash ^ text.charAt(i)) * 0x100000001b3L;
    }
    return hash;
  }

  /** Details nested deeper are cut: JSON writers refuse deep nesting (Jackson past 1000). */
  static final int MAX_DETAIL_DEPTH = 32;

  /** Values copied per alert at most, so one list shared many times over is not unfolded. */
  static final int MAX_DETAIL_VALUES = 1000;

  /** Longer detail keys are cut (Jackson refuses to read a name past 50,000 characters). */
  static final int MAX_DETAIL_KEY_LENGTH = 256;

  /** Longer detail strings are cut, like the message. */
  static final int MAX_DETAIL_STRING_LENGTH = 8192;

  static final String DETAILS_CUT_NOTE =
      "details were bounded: cycles, nesting past "
          + MAX_DETAIL_DEPTH
          + " levels, values past "
          + MAX_DETAIL_VALUES
          + ", keys past "
          + MAX_DETAIL_KEY_LENGTH
          + " and strings past "
          + MAX_DETAIL_STRING_LENGTH
          + " characters were cut";

  static Map<String, Object> jsonMap(Map<String, ?> map) {
    return jsonMap(map, new ArrayList<>(0));
  }

  /** The details as kept, noting in {@code notes} when they had to be bounded. */
  static Map<String, Object> jsonMap(Map<String, ?> map, List<String> notes) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    if (map instanceof FrozenMap<?> frozen) {
      @SuppressWarnings("unchecked") // a FrozenMap is only ever built from a Map<String, Object>
      Map<String, Object> same = (Map<String, Object>) frozen;
      return same; // already our immutable copy: repeats and resolutions share it
    }
    Copier copier = new Copier();
    copier.onPath.add(map);
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, ?> entry : map.entrySet()) {
      if (copier.exhausted()) {
        break;
      }
      if (entry.getKey() != null) {
        copy.put(
            copier.cut(entry.getKey(), MAX_DETAIL_KEY_LENGTH), copier.copy(entry.getValue(), 1));
      }
    }
    if (copier.cut) {
      notes.add(DETAILS_CUT_NOTE);
    }
    return new FrozenMap<>(copy);
  }

  /** An unmodifiable view of a map no one else holds, so it is immutable; keeps its order. */
  private static final class FrozenMap<V> extends java.util.AbstractMap<String, V> {
    private final Map<String, V> map;

    FrozenMap(Map<String, V> map) {
      this.map = map;
    }

    @Override
    public java.util.Set<Map.Entry<String, V>> entrySet() {
      return Collections.unmodifiableMap(map).entrySet();
    }

    @Override
    public V get(Object key) {
      return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
      return map.containsKey(key);
    }

    @Override
    public int size() {
      return map.size();
    }
  }

  /**
   * Keeps JSON-shaped values (copied, so the alert stays immutable) and renders the rest. A map or
   * collection that holds itself becomes {@code "(cycle)"}, one nested past {@link
   * #MAX_DETAIL_DEPTH} {@code "(nested too deep)"}, values past {@link #MAX_DETAIL_VALUES} are left
   * out (a list ends with {@code "(truncated)"}), and a value whose {@code toString} throws says
   * so: copying a caller's details once recursed without bound, so a cyclic map threw
   * StackOverflowError out of {@code alert()}.
   */
  private static final class Copier {
    final Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
    private int values;
    boolean cut;

    /** Whether the budget of values is spent; if so, what follows is left out (and noted). */
    boolean exhausted() {
      if (values < MAX_DETAIL_VALUES) {
        return false;
      }
      cut = true;
      return true;
    }

    Object copy(Object value, int depth) {
      values++;
      if ((value instanceof Double d && !Double.isFinite(d))
          || (value instanceof Float f && !Float.isFinite(f))) {
        return value.toString(); // JSON has no NaN or Infinity
      }
      if (value instanceof String text) {
        return cut(text, MAX_DETAIL_STRING_LENGTH);
      }
      if (value == null || value instanceof Number || value instanceof Boolean) {
        return value;
      }
      if (value instanceof Map<?, ?> || value instanceof Collection<?>) {
        if (depth > MAX_DETAIL_DEPTH) {
          cut = true;
          return "(nested too deep)";
        }
        if (!onPath.add(value)) {
          cut = true;
          return "(cycle)";
        }
        try {
          if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
              if (exhausted()) {
                break;
              }
              copy.put(
                  cut(render(entry.getKey()), MAX_DETAIL_KEY_LENGTH),
                  copy(entry.getValue(), depth + 1));
            }
            return Collections.unmodifiableMap(copy);
          }
          List<Object> copy = new ArrayList<>();
          for (Object element : (Collection<?>) value) {
            if (exhausted()) {
              copy.add("(truncated)");
              break;
            }
            copy.add(copy(element, depth + 1));
          }
          return Collections.unmodifiableList(copy);
        } finally {
          onPath.remove(value);
        }
      }
      return cut(render(value), MAX_DETAIL_STRING_LENGTH);
    }

    /** Cut to {@code max} characters without splitting a surrogate pair. */
    String cut(String text, int max) {
      if (text.length() <= max) {
        return text;
      }
      cut = true;
      return text.substring(0, Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max);
    }

    private static String render(Object value) {
      try {
        return String.valueOf(value);
      } catch (RuntimeException e) {
        return "(toString threw " + e.getClass().getSimpleName() + ")";
      }
    }
  }
}
