package io.amptalk.monitoring.internal.alert;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The rules of an alert's labels, in one place for {@code alert()}, {@code POST /alerts} and the
 * {@code Alert} record: names as Prometheus and Alertmanager allow them ({@code
 * [a-zA-Z_][a-zA-Z0-9_]*}, those starting with {@code __} reserved), at most {@link #MAX_LABELS} of
 * the caller's, names of at most {@link #MAX_NAME_LENGTH} and values of 1 to {@link
 * #MAX_VALUE_LENGTH} characters (an empty value is no label in Prometheus, so it is refused rather
 * than kept as something Alertmanager would drop). The {@link #BUILT_IN} names are the alert
 * system's, as is {@code fingerprint} (Alertmanager gets the fingerprint in it): a caller cannot
 * set them, so {@code alertname} is always the title and {@code severity} the severity.
 */
public final class AlertLabels {
  /** Labels of the caller's kept per alert at most; the built-in ones do not count. */
  public static final int MAX_LABELS = 32;

  /** Longer label names are refused. */
  public static final int MAX_NAME_LENGTH = 128;

  /** Longer label values are refused (not cut: a cut value would be another alert's identity). */
  public static final int MAX_VALUE_LENGTH = 1024;

  public static final String ALERTNAME = "alertname";
  public static final String SERVICE = "service";
  public static final String INSTANCE = "instance";
  public static final String SOURCE = "source";
  public static final String SEVERITY = "severity";

  /** The labels every alert carries, set by the alert system from its fields and options. */
  public static final Set<String> BUILT_IN = Set.of(ALERTNAME, SERVICE, INSTANCE, SOURCE, SEVERITY);

  /** The label Alertmanager gets the fingerprint in: a caller cannot set it either. */
  public static final String FINGERPRINT = "fingerprint";

  /** Notes about dropped labels kept per alert at most; past it one note counts the rest. */
  static final int MAX_NOTES = 8;

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private AlertLabels() {}

  /** Why a label name is refused, or null when it is a valid name. */
  public static String nameProblem(String name) {
    if (name == null) {
      return "label name is null";
    }
    if (name.length() > MAX_NAME_LENGTH) {
      return "label name '"
          + name.substring(0, 32)
          + "…' is "
          + name.length()
          + " characters long, more than "
          + MAX_NAME_LENGTH;
    }
    if (!NAME.matcher(name).matches()) {
      return "label name '" + name + "' must match [a-zA-Z_][a-zA-Z0-9_]*";
    }
    if (name.startsWith("__")) {
      return "label name '" + name + "' is reserved (names starting with __ are)";
    }
    return null;
  }

  /** Why a label of the caller's is refused, or null when it is kept. */
  public static String problem(String name, Object value) {
    String bad = nameProblem(name);
    if (bad != null) {
      return bad;
    }
    if (BUILT_IN.contains(name) || name.equals(FINGERPRINT)) {
      return "label '" + name + "' is built in and cannot be set";
    }
    return valueProblem(name, value);
  }

  private static String valueProblem(String name, Object value) {
    if (!(value instanceof String text)) {
      return "label '"
          + name
          + "' must have a string value, was "
          + (value == null ? "null" : value.getClass().getSimpleName());
    }
    if (text.isEmpty()) {
      return "label '" + name + "' has an empty value";
    }
    if (text.length() > MAX_VALUE_LENGTH) {
      return "label '"
          + name
          + "' has a value of "
          + text.length()
          + " characters, more than "
          + MAX_VALUE_LENGTH;
    }
    return null;
  }

  /**
   * The caller's labels as kept, sorted by name: a refused one is left out with a note saying why
   * (at most {@link #MAX_NOTES} such notes, then one counting the rest), and past {@link
   * #MAX_LABELS} the names last in order are left out, noted. Never throws.
   */
  public static SortedMap<String, String> clean(Map<?, ?> labels, List<String> notes) {
    SortedMap<String, String> kept = new TreeMap<>();
    if (labels == null || labels.isEmpty()) {
      return kept;
    }
    int dropped = 0;
    for (Map.Entry<?, ?> entry : labels.entrySet()) {
      Object key = entry.getKey();
      String problem =
          key == null || key instanceof String
              ? problem((String) key, entry.getValue())
              : "label name must be a string, was " + key.getClass().getSimpleName();
      if (problem == null) {
        kept.put((String) key, (String) entry.getValue());
      } else if (++dropped <= MAX_NOTES) {
        notes.add(problem + "; dropped");
      }
    }
    if (dropped > MAX_NOTES) {
      notes.add((dropped - MAX_NOTES) + " more labels were refused and dropped");
    }
    if (kept.size() > MAX_LABELS) {
      int over = kept.size() - MAX_LABELS;
      String first = null;
      while (kept.size() > MAX_LABELS) {
        first = kept.lastKey();
        kept.remove(first);
      }
      notes.add(
          over
              + " labels past the "
              + MAX_LABELS
              + " allowed were dropped (the last by name, down to '"
              + first
              + "')");
    }
    return kept;
  }

  /**
   * The whole label set of an alert: {@code given} (already valid: the caller's labels as {@link
   * #clean} keeps them, and {@code instance}) with {@code alertname}, {@code service}, {@code
   * source} and {@code severity} set from the alert's fields, whatever {@code given} says of them.
   * Immutable and sorted by name; a set already made so for the same fields is returned as it is,
   * so repeats and resolutions share it.
   *
   * @throws IllegalArgumentException when a label of {@code given} is refused by the rules
   */
  public static Map<String, String> of(
      Map<String, String> given, String title, String severity, String source, String service) {
    if (given instanceof Frozen frozen
        && title.equals(frozen.get(ALERTNAME))
        && severity.equals(frozen.get(SEVERITY))
        && source.equals(frozen.get(SOURCE))
        && service.equals(frozen.get(SERVICE))) {
      return frozen;
    }
    TreeMap<String, String> labels = new TreeMap<>();
    if (given != null) {
      for (Map.Entry<String, String> entry : given.entrySet()) {
        String name = entry.getKey();
        if (name != null && BUILT_IN.contains(name) && !name.equals(INSTANCE)) {
          continue; // set from the fields below
        }
        String problem =
            INSTANCE.equals(name)
                ? valueProblem(name, entry.getValue())
                : problem(name, entry.getValue());
        if (problem != null) {
          throw new IllegalArgumentException(problem);
        }
        labels.put(name, entry.getValue());
      }
    }
    labels.put(ALERTNAME, title);
    labels.put(SEVERITY, severity);
    labels.put(SOURCE, source);
    labels.put(SERVICE, service);
    return new Frozen(labels);
  }

  /** {@code labels} in the order of their names: itself when it is already so. */
  public static Map<String, String> inOrder(Map<String, String> labels) {
    if (labels instanceof Frozen
        || (labels instanceof SortedMap<String, String> sorted && sorted.comparator() == null)) {
      return labels;
    }
    return new TreeMap<>(labels);
  }

  /** An unmodifiable view of a sorted map no one else holds, so it is immutable and in order. */
  private static final class Frozen extends AbstractMap<String, String> {
    private final Map<String, String> map;

    Frozen(TreeMap<String, String> map) {
      this.map = Collections.unmodifiableSortedMap(map);
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
      return map.entrySet();
    }

    @Override
    public String get(Object key) {
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
}
