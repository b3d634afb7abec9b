package io.amptalk.monitoring.alert;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A routing tree, as Alertmanager's: which notifiers (receivers, by name) an alert goes to, by its
 * labels. An alert enters at the root and goes down to the first child whose matchers all match it,
 * and on to that child's children; a child with {@code continueMatching} lets the siblings after it
 * match too. Where no child matches, the route it reached takes it: the alert goes to that route's
 * receivers, or to its nearest ancestor's when it names none. The root takes every alert and,
 * naming none, sends to every notifier.
 *
 * <pre>{@code
 * Route root = Route.builder()
 *     .receivers(List.of("logging"))
 *     .routes(List.of(
 *         Route.builder().matchers(List.of("severity=critical")).receivers(List.of("pager"))
 *             .continueMatching(true).build(),
 *         Route.builder().matchers(List.of("team=db")).receivers(List.of("db-email")).build()))
 *     .build();
 * }</pre>
 *
 * <p>A notifier's own filters ({@code minSeverity}, {@code sources}, {@code sendsResolved}) still
 * apply to what a route sends it: they are shorthand for a route of their own, and with no tree
 * they are the whole routing.
 */
public final class Route {
  /** Routes one tree holds at most, the root included: each alert walks it. */
  public static final int MAX_ROUTES = 1000;

  private final List<Silence.Matcher> matchers;
  private final List<String> receivers;
  private final boolean continueMatching;
  private final List<Route> routes;

  /** How it groups its alerts into notifications; null: as its parent (the root: it does not). */
  private final Grouping grouping;

  /** Routes in this tree, itself included, children counted as often as they appear. */
  private final int size;

  private Route(Builder builder) {
    this.matchers = builder.matchers;
    this.receivers = builder.receivers;
    this.continueMatching = builder.continueMatching;
    this.routes = builder.routes;
    this.grouping = builder.grouping;
    // Each child's size is already known: a shared child cannot make this walk the tree.
    this.size = 1 + routes.stream().mapToInt(child -> child.size).sum();
  }

  /** A builder; a route without matchers matches every alert, without receivers inherits. */
  public static Builder builder() {
    return new Builder();
  }

  /** What an alert's labels must all match for this route to take it. */
  public List<Silence.Matcher> matchers() {
    return matchers;
  }

  /** The notifiers this route sends to, by name; empty: its parent's. */
  public List<String> receivers() {
    return receivers;
  }

  /** Whether the siblings after this route may match an alert it matched. */
  public boolean continueMatching() {
    return continueMatching;
  }

  /** Its children, tried in order. */
  public List<Route> routes() {
    return routes;
  }

  /** How it groups alerts into notifications; empty: as its parent does (the root: not at all). */
  public Optional<Grouping> grouping() {
    return Optional.ofNullable(grouping);
  }

  /** The route that took an alert for a receiver, and the grouping in force there (null: none). */
  record Taken(Route route, Grouping grouping) {}

  /**
   * The notifiers an alert labelled so goes to; {@code all} is what the root's empty receivers
   * stand for.
   */
  Set<String> receivers(Map<String, String> labels, List<String> all) {
    return take(labels, all).keySet();
  }

  /**
   * Each notifier an alert labelled so goes to, with the route that took it for that notifier (the
   * first, when two routes send to one notifier).
   */
  Map<String, Taken> take(Map<String, String> labels, List<String> all) {
    Map<String, Taken> into = new LinkedHashMap<>();
    take(labels, receivers.isEmpty() ? all : receivers, grouping, into);
    return into;
  }

  private void take(
      Map<String, String> labels,
      List<String> inherited,
      Grouping groups,
      Map<String, Taken> into) {
    boolean taken = false;
    for (Route child : routes) {
      if (child.matches(labels)) {
        child.take(
            labels,
            child.receivers.isEmpty() ? inherited : child.receivers,
            child.grouping == null ? groups : child.grouping,
            into);
        taken = true;
        if (!child.continueMatching) {
          break;
        }
      }
    }
    if (!taken) {
      for (String receiver : inherited) {
        into.putIfAbsent(receiver, new Taken(this, groups));
      }
    }
  }

  private boolean matches(Map<String, String> labels) {
    return Silence.Matcher.all(matchers, labels);
  }

  /** Every receiver the tree names, for checking them against the notifiers. */
  Set<String> named() {
    Set<String> names = new LinkedHashSet<>(receivers);
    for (Route child : routes) {
      names.addAll(child.named());
    }
    return names;
  }

  /**
   * The tree, one route a line, children indented under their parent: {@code [severity=critical] ->
   * [pager] (continue)}; a route without matchers reads {@code *}, and one naming no receivers
   * {@code -> (inherited)}.
   */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    describe(text, 0);
    return text.toString();
  }

  private void describe(StringBuilder text, int depth) {
    text.append("  ".repeat(depth))
        .append(matchers.isEmpty() ? "*" : matchers.toString())
        .append(" -> ")
        .append(receivers.isEmpty() ? "(inherited)" : receivers.toString())
        .append(continueMatching ? " (continue)" : "")
        .append(
            grouping == null
                ? ""
                : " grouped by "
                    + grouping.by()
                    + " (wait "
                    + grouping.groupWait()
                    + ", interval "
                    + grouping.groupInterval()
                    + ", repeat "
                    + grouping.repeatInterval()
                    + ")")
        .append('\n');
    for (Route child : routes) {
      child.describe(text, depth + 1);
    }
  }

  /** Builds a {@link Route}; every option has a default. */
  public static final class Builder {
    private List<Silence.Matcher> matchers = List.of();
    private List<String> receivers = List.of();
    private boolean continueMatching;
    private List<Route> routes = List.of();
    private Grouping grouping;

    private Builder() {}

    /**
     * Gathers the alerts this route (and the routes under it that set none) takes into one
     * notification per group, as Alertmanager does. Default: its parent's; the root's, none: each
     * alert is notified alone, at once.
     */
    public Builder grouping(Grouping grouping) {
      this.grouping = Objects.requireNonNull(grouping, "grouping");
      return this;
    }

    /**
     * Label matchers as silences take them ({@code team=db}, {@code severity!=info}, {@code
     * alertname=~Disk.*}, {@code env!~dev|test}); all must match. Default none: every alert.
     *
     * @throws IllegalArgumentException naming a matcher that is none of these or whose regular
     *     expression is invalid
     */
    public Builder matchers(List<String> matchers) {
      this.matchers = Silence.Matcher.parseAll(matchers);
      return this;
    }

    /**
     * The notifiers, by name, that the alerts this route takes go to. Default none: its parent's
     * (the root's: every notifier).
     *
     * @throws IllegalArgumentException when a name is blank or given twice
     */
    public Builder receivers(Collection<String> receivers) {
      List<String> copy = List.copyOf(receivers);
      for (String name : copy) {
        if (name.isBlank()) {
          throw new IllegalArgumentException("a route's receiver name must not be blank");
        }
      }
      if (new LinkedHashSet<>(copy).size() != copy.size()) {
        throw new IllegalArgumentException("a route lists a receiver twice: " + copy);
      }
      this.receivers = copy;
      return this;
    }

    /** Whether the siblings after this route may also take the alerts it takes. Default false. */
    public Builder continueMatching(boolean continueMatching) {
      this.continueMatching = continueMatching;
      return this;
    }

    /** Its children, tried in order. Default none. */
    public Builder routes(List<Route> routes) {
      this.routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
      return this;
    }

    /**
     * @throws IllegalArgumentException when the tree would hold more than {@value #MAX_ROUTES}
     *     routes
     */
    public Route build() {
      long size = 1 + routes.stream().mapToLong(child -> child.size).sum();
      if (size > MAX_ROUTES) {
        throw new IllegalArgumentException(
            "a route tree holds " + size + " routes; at most " + MAX_ROUTES + " are allowed");
      }
      return new Route(this);
    }
  }
}
