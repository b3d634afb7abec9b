package io.amptalk.monitoring.alert;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
  static String fingerprint(String service, String source, String title) {
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

  static Map<String, Object> jsonMap(Map<String, ?> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    if (map instanceof FrozenMap<?> frozen) {
      @SuppressWarnings("unchecked") // a FrozenMap is only ever built from a Map<String, Object>
      Map<String, Object> same = (Map<String, Object>) frozen;
      return same; // already our immutable copy: repeats and resolutions share it
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    map.forEach(
        (key, value) -> {
          if (key != null) {
            copy.put(key, jsonValue(value));
          }
        });
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

  /** Keeps JSON-shaped values (copied, so the alert stays immutable); renders the rest. */
  private static Object jsonValue(Object value) {
    if ((value instanceof Double d && !Double.isFinite(d))
        || (value instanceof Float f && !Float.isFinite(f))) {
      return value.toString(); // JSON has no NaN or Infinity
    }
    if (value == null
        || value instanceof String
        || value instanceof Number
        || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), jsonValue(v)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof Collection<?> collection) {
      return Collections.unmodifiableList(collection.stream().map(Alert::jsonValue).toList());
    }
    return value.toString();
  }
}
