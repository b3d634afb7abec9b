package io.amptalk.monitoring.internal.alert;

import io.amptalk.monitoring.internal.util.ArrayMap;
import io.amptalk.monitoring.internal.util.Footprint;
import java.util.Arrays;
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
   * #MAX_LABELS} the names last in order are left out, noted. Never throws. Without labels, an
   * immutable empty map (the common case, allocating nothing).
   */
  public static SortedMap<String, String> clean(Map<?, ?> labels, List<String> notes) {
    if (labels == null || labels.isEmpty()) {
      return Collections.emptySortedMap();
    }
    SortedMap<String, String> kept = new TreeMap<>();
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
    if (given instanceof Frozen frozen && frozen.isFor(title, severity, source, service)) {
      return frozen;
    }
    // Room for the given labels and the four set from the fields: the array never grows.
    Object[] labels = new Object[2 * ((given == null ? 0 : given.size()) + 4)];
    int size = 0;
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
        size = put(labels, size, name, entry.getValue());
      }
    }
    return frozen(labels, size, title, severity, source, service);
  }

  /**
   * {@link #of} for labels already kept by the rules: {@code given} as {@link #clean} returns it,
   * and the alert system's {@code instance}; checked no further, since this is on the path of every
   * new alert.
   */
  public static Map<String, String> of(
      SortedMap<String, String> given,
      String instance,
      String title,
      String severity,
      String source,
      String service) {
    Object[] labels = new Object[2 * (given.size() + 5)];
    int size = 0;
    if (!given.isEmpty()) { // even an empty tree map makes an iterator
      for (Map.Entry<String, String> entry : given.entrySet()) {
        size = put(labels, size, entry.getKey(), entry.getValue());
      }
    }
    size = put(labels, size, INSTANCE, instance);
    return frozen(labels, size, title, severity, source, service);
  }

  /**
   * What the label set of an alert adds to its estimated heap ({@code Footprint}): the entries and
   * their names, and the values but those of the built-in labels set from the alert's fields (its
   * own strings, or the severity's constant name). Reads a set {@link #of} made without allocating.
   */
  public static long estimatedBytes(Map<String, String> labels) {
    if (labels instanceof Frozen frozen) {
      return frozen.bytes;
    }
    long bytes = Footprint.CONTAINER;
    for (Map.Entry<String, String> label : labels.entrySet()) {
      bytes += entryBytes(label.getKey(), label.getValue());
    }
    return bytes;
  }

  private static long entryBytes(String name, String value) {
    long bytes = Footprint.ENTRY + Footprint.text(name);
    // The four set from the fields, as a switch: a probe of BUILT_IN per label was a tenth of
    // what a new alert cost.
    switch (name) {
      case ALERTNAME, SERVICE, SOURCE, SEVERITY:
        return bytes;
      default:
        return bytes + Footprint.text(value);
    }
  }

  /** {@code labels} in the order of their names: itself when it is already so. */
  public static Map<String, String> inOrder(Map<String, String> labels) {
    if (labels instanceof Frozen
        || (labels instanceof SortedMap<String, String> sorted && sorted.comparator() == null)) {
      return labels;
    }
    return new TreeMap<>(labels);
  }

  /**
   * Puts a label into the first {@code size} entries of {@code labels}, sorted by name (the last of
   * a name kept), where there is room for it; returns their new number. An insertion sort: an alert
   * has few labels.
   */
  private static int put(Object[] labels, int size, String name, String value) {
    int at = ArrayMap.search(labels, size, name);
    if (at >= 0) {
      labels[2 * at + 1] = value;
      return size;
    }
    at = -at - 1;
    System.arraycopy(labels, 2 * at, labels, 2 * at + 2, 2 * (size - at));
    labels[2 * at] = name;
    labels[2 * at + 1] = value;
    return size + 1;
  }

  /** The label set of the first {@code size} entries and those set from an alert's fields. */
  private static Frozen frozen(
      Object[] labels, int size, String title, String severity, String source, String service) {
    size = put(labels, size, ALERTNAME, title);
    size = put(labels, size, SEVERITY, severity);
    size = put(labels, size, SOURCE, source);
    size = put(labels, size, SERVICE, service);
    return new Frozen(2 * size == labels.length ? labels : Arrays.copyOf(labels, 2 * size));
  }

  /**
   * An immutable label set sorted by name, as {@link #of} makes it. It keeps where the four labels
   * set from the alert's fields are and its estimated size, both asked of it at each repeat and
   * resolution of the alert (which share it), where a search of the names and a sum over them took
   * most of a repeat's time.
   */
  private static final class Frozen extends ArrayMap<String> {
    /** The indexes of alertname, severity, source and service, 16 bits each. */
    private final long builtIns;

    private final long bytes;

    private Frozen(Object[] entries) {
      super(entries, true);
      this.builtIns =
          indexOf(ALERTNAME)
              | (long) indexOf(SEVERITY) << 16
              | (long) indexOf(SOURCE) << 32
              | (long) indexOf(SERVICE) << 48;
      long sum = Footprint.CONTAINER;
      for (int i = 0; i < size(); i++) {
        sum += entryBytes(nameAt(i), valueAt(i));
      }
      this.bytes = sum;
    }

    private int indexOf(String name) {
      return ArrayMap.search(entries(), size(), name);
    }

    private String builtIn(int which) {
      return valueAt((int) (builtIns >>> (16 * which)) & 0xFFFF);
    }

    boolean isFor(String title, String severity, String source, String service) {
      return builtIn(0).equals(title)
          && builtIn(1).equals(severity)
          && builtIn(2).equals(source)
          && builtIn(3).equals(service);
    }
  }
}
