package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.internal.alert.AlertLabels;
import io.amptalk.monitoring.internal.util.Details;
import java.time.Instant;
import java.util.HexFormat;
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
 * @param labels what identifies, routes and silences the alert, sorted by name: the built-in {@code
 *     alertname} (the title), {@code service}, {@code source}, {@code severity} (its lowercase
 *     name) and, when the alert system knows it, {@code instance}, then the caller's own (see
 *     {@link AlertSystem#alert(String, String, AlertSeverity, String, Map, Map)} for the rules)
 * @param fingerprint identifies "the same alert" for deduplication and resolution: by default
 *     derived from the labels but {@code severity} and {@code instance} ({@link #fingerprint(Map)})
 * @param state firing, or resolved
 * @param occurrences how many times it was raised (repeats within the dedup window count here)
 * @param lastSeen when it was last raised (or resolved)
 * @param silenced whether a silence muted it: kept in history, not notified
 * @param inhibited whether an {@link InhibitRule} holds it back: a firing alert whose notifiers
 *     have not been told of it because a root cause fires; cleared when that resolves and it is
 *     notified
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
    Map<String, String> labels,
    String fingerprint,
    State state,
    int occurrences,
    Instant lastSeen,
    boolean silenced,
    boolean inhibited,
    List<String> notes) {

  /** Whether the condition an alert reports is still going on. */
  public enum State {
    /** It is going on: repeats are deduplicated on it, and it can be resolved. */
    FIRING,
    /** It is over, as {@link AlertSystem#resolve} said. */
    RESOLVED
  }

  /**
   * Copies {@code details} (bounded as {@link AlertSystem#alert} bounds them; null keys are left
   * out, a null map is empty), {@code labels} (sorted; a null map is empty; {@code alertname},
   * {@code service}, {@code source} and {@code severity} are set from the fields, whatever the map
   * says of them) and {@code notes}.
   *
   * @throws NullPointerException when a component other than {@code details} or {@code labels} is
   *     null, or {@code notes} holds a null
   * @throws IllegalArgumentException when a label breaks the rules {@link AlertSystem#alert} keeps
   *     them by (which drops such a label instead, with a note)
   */
  public Alert {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(time, "time");
    details = jsonMap(details);
    labels = AlertLabels.of(labels, title, severity.jsonName(), source, service);
    Objects.requireNonNull(fingerprint, "fingerprint");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(lastSeen, "lastSeen");
    notes = notes.isEmpty() ? List.of() : List.copyOf(notes); // copyOf makes an empty array
  }

  /** An alert no inhibit rule holds back: the constructor of the releases before inhibition. */
  public Alert(
      String id,
      String title,
      String message,
      AlertSeverity severity,
      String source,
      String service,
      Instant time,
      Map<String, Object> details,
      Map<String, String> labels,
      String fingerprint,
      State state,
      int occurrences,
      Instant lastSeen,
      boolean silenced,
      List<String> notes) {
    this(
        id,
        title,
        message,
        severity,
        source,
        service,
        time,
        details,
        labels,
        fingerprint,
        state,
        occurrences,
        lastSeen,
        silenced,
        false,
        notes);
  }

  /**
   * An alert with only the built-in labels of its fields (no {@code instance}, none of the
   * caller's): the constructor of the releases before labels, kept for the code that builds alerts
   * itself (a notifier's tests).
   */
  public Alert(
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
    this(
        id,
        title,
        message,
        severity,
        source,
        service,
        time,
        details,
        Map.of(),
        fingerprint,
        state,
        occurrences,
        lastSeen,
        silenced,
        notes);
  }

  /** Labels of the caller's an alert keeps at most, beside the built-in ones. */
  public static final int MAX_LABELS = AlertLabels.MAX_LABELS;

  /**
   * Checks a label of the caller's by the rules {@link AlertSystem#alert(String, String,
   * AlertSeverity, String, Map, Map)} keeps them by, for code that takes labels from people (a
   * command line) and would rather refuse than drop.
   *
   * @throws IllegalArgumentException naming the label and the rule it breaks, e.g. {@code label
   *     name '9lives' must match [a-zA-Z_][a-zA-Z0-9_]*}
   */
  public static void requireValidLabel(String name, String value) {
    String problem = AlertLabels.problem(name, value);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Whether {@link #state()} is {@code FIRING}. */
  public boolean isFiring() {
    return state == State.FIRING;
  }

  /** This alert raised once more at {@code when}. */
  Alert repeated(Instant when) {
    return copy(state, occurrences + 1, when, inhibited);
  }

  /** This alert, held back by an inhibit rule or released from it. */
  Alert withInhibited(boolean inhibited) {
    return copy(state, occurrences, lastSeen, inhibited);
  }

  /** This alert resolved at {@code when}. */
  Alert resolved(Instant when) {
    return copy(State.RESOLVED, occurrences, when, inhibited);
  }

  /** This alert with what changes over its life replaced; the rest is its identity. */
  private Alert copy(State state, int occurrences, Instant lastSeen, boolean inhibited) {
    return new Alert(
        id,
        title,
        message,
        severity,
        source,
        service,
        time,
        details,
        labels,
        fingerprint,
        state,
        occurrences,
        lastSeen,
        silenced,
        inhibited,
        notes);
  }

  /**
   * The default fingerprint without labels of the caller's: the same service, source and title are
   * the same alert. {@code fingerprint(Map.of("service", service, "source", source, "alertname",
   * title))}.
   */
  public static String fingerprint(String service, String source, String title) {
    return fingerprint(service, source, title, Map.of());
  }

  /**
   * The default fingerprint: a hash of the labels, as Alertmanager's is, but for {@code severity}
   * (raised again at another severity, an alert is the same one, counted as a repeat) and {@code
   * instance} (the fingerprint is an alert's identity within its alert system, where the instance
   * is always the same; by default a new one at each start, it would give a condition that goes on
   * a new identity after each restart). A 64-bit FNV-1a hash in hex: identity, not security, and
   * cheap enough for the raising path. Over {@code service}, {@code source} and {@code alertname}
   * first and then the other labels by name, so that an alert without labels of the caller's has
   * the fingerprint of the releases before labels, and stored ones still match.
   */
  public static String fingerprint(Map<String, String> labels) {
    return fingerprint(
        labels.getOrDefault(AlertLabels.SERVICE, ""),
        labels.getOrDefault(AlertLabels.SOURCE, ""),
        labels.getOrDefault(AlertLabels.ALERTNAME, ""),
        labels);
  }

  /** Over the three, then {@code labels} but the built-in ones, by name. */
  static String fingerprint(
      String service, String source, String title, Map<String, String> labels) {
    long hash = 0xcbf29ce484222325L;
    hash = mix(hash, service);
    hash = mix(hash, source);
    hash = mix(hash, title);
    if (!labels.isEmpty()) {
      for (Map.Entry<String, String> label : AlertLabels.inOrder(labels).entrySet()) {
        if (!AlertLabels.BUILT_IN.contains(label.getKey())) {
          hash = mix(hash, label.getKey());
          hash = mix(hash, label.getValue());
        }
      }
    }
    // Not String.format: it builds a Formatter per call, which dominated the cost of alert().
    return HEX.toHexDigits(hash);
  }

  private static final HexFormat HEX = HexFormat.of();

  private static long mix(long hash, String text) {
    // The length first, so that ("ab", "c") and ("a", "bc") differ.
    hash = (hash ^ text.length()) * 0x100000001b3L;
    for (int i = 0; i < text.length(); i++) {
      hash = (hash ^ text.charAt(i)) * 0x100000001b3L;
    }
    return hash;
  }

  /** Details nested deeper are cut: JSON writers refuse deep nesting (Jackson past 1000). */
  static final int MAX_DETAIL_DEPTH = Details.MAX_DEPTH;

  /** Values copied per alert at most, so one list shared many times over is not unfolded. */
  static final int MAX_DETAIL_VALUES = Details.MAX_VALUES;

  /** Longer detail keys are cut (Jackson refuses to read a name past 50,000 characters). */
  static final int MAX_DETAIL_KEY_LENGTH = Details.MAX_KEY_LENGTH;

  /** Longer detail strings are cut, like the message. */
  static final int MAX_DETAIL_STRING_LENGTH = Details.MAX_STRING_LENGTH;

  static final String DETAILS_CUT_NOTE = Details.CUT_NOTE;

  static Map<String, Object> jsonMap(Map<String, ?> map) {
    return Details.copy(map).details();
  }

  /** The details as kept (see {@link Details}), noting in {@code notes} when they were bounded. */
  static Map<String, Object> jsonMap(Map<String, ?> map, List<String> notes) {
    Details.Copy copy = Details.copy(map);
    if (copy.cut()) {
      notes.add(DETAILS_CUT_NOTE);
    }
    return copy.details();
  }
}
