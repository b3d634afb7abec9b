package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.internal.alert.AlertLabels;
import io.amptalk.monitoring.internal.util.Options;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * How a route gathers alerts into notifications, as Alertmanager's {@code group_by}, {@code
 * group_wait}, {@code group_interval} and {@code repeat_interval}: alerts with the same values of
 * the {@code by} labels make one group; its first notification waits {@code groupWait} for the
 * group's other alerts, later ones come at most every {@code groupInterval} when the group changed
 * (alerts joined or resolved), and an unchanged group with alerts still firing is notified again
 * after {@code repeatInterval}. Each notification lists the group's firing and resolved alerts.
 *
 * @param by the labels that make a group; empty groups every alert the route takes together
 * @param groupWait how long a new group waits before its first notification
 * @param groupInterval the least time between two notifications of a group that changed
 * @param repeatInterval the time after which an unchanged group still firing is notified again
 */
public record Grouping(
    List<String> by, Duration groupWait, Duration groupInterval, Duration repeatInterval) {

  /** Alerts one group lists at most; beyond them a notification counts the others. */
  public static final int MAX_LISTED = 100;

  /**
   * Alertmanager's defaults beside {@code by}: wait 30 s, interval 5 min, repeat 4 h.
   *
   * @throws IllegalArgumentException when a name is not a label name or is repeated
   */
  public static Grouping by(List<String> labels) {
    return new Grouping(labels, Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofHours(4));
  }

  /**
   * @throws IllegalArgumentException when a label name is bad or repeated, {@code groupWait} is
   *     negative or {@code groupInterval} or {@code repeatInterval} is not positive (each at most a
   *     year)
   */
  public Grouping {
    by = List.copyOf(Objects.requireNonNull(by, "by"));
    if (new LinkedHashSet<>(by).size() != by.size()) {
      throw new IllegalArgumentException("group_by lists a label twice: " + by);
    }
    for (String name : by) {
      String bad = AlertLabels.nameProblem(name);
      if (bad != null) {
        throw new IllegalArgumentException("group_by label '" + name + "': " + bad);
      }
    }
    Objects.requireNonNull(groupWait, "groupWait");
    if (groupWait.isNegative()) {
      throw new IllegalArgumentException("groupWait must not be negative, was " + groupWait);
    }
    Options.requireAtMost("groupWait", groupWait, Options.MAX_INTERVAL);
    Options.requirePositive("groupInterval", groupInterval, Options.MAX_INTERVAL);
    Options.requirePositive("repeatInterval", repeatInterval, Options.MAX_INTERVAL);
  }

  /** This grouping with another wait. */
  public Grouping withGroupWait(Duration groupWait) {
    return new Grouping(by, groupWait, groupInterval, repeatInterval);
  }

  /** This grouping with another interval. */
  public Grouping withGroupInterval(Duration groupInterval) {
    return new Grouping(by, groupWait, groupInterval, repeatInterval);
  }

  /** This grouping with another repeat interval. */
  public Grouping withRepeatInterval(Duration repeatInterval) {
    return new Grouping(by, groupWait, groupInterval, repeatInterval);
  }
}
