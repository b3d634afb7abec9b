package io.amptalk.monitoring.alert;

import io.amptalk.monitoring.internal.alert.AlertLabels;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A root cause muting its symptoms, as Alertmanager's inhibit rules do: while an alert matching
 * {@code sourceMatchers} fires, a new alert matching {@code targetMatchers} whose {@code equal}
 * labels have the same values as the source's is kept in history, marked inhibited, and not
 * notified. When the last source inhibiting it resolves, it is notified if still firing.
 *
 * <pre>{@code
 * // While a host is down, its disk and CPU alerts would only repeat the news.
 * InhibitRule hostDown = InhibitRule.of(
 *     List.of("alertname=Host down"), List.of("severity=~warning|error"), List.of("instance"));
 * }</pre>
 *
 * <p>As in Alertmanager, an alert matching both sides of a rule is not inhibited under it by an
 * alert that also matches both (itself included): otherwise two such alerts would mute each other
 * and neither be heard. A label absent from both alerts counts as equal (empty).
 *
 * @param sourceMatchers what an inhibiting alert's labels must all match; at least one
 * @param targetMatchers what an inhibited alert's labels must all match; at least one
 * @param equal the labels the two must agree on, e.g. {@code instance}; may be empty
 */
public record InhibitRule(
    List<Silence.Matcher> sourceMatchers,
    List<Silence.Matcher> targetMatchers,
    List<String> equal) {

  /** Rules one alert system keeps at most: each is checked against every new alert. */
  public static final int MAX_RULES = 100;

  /**
   * Copies the lists.
   *
   * @throws IllegalArgumentException when either matcher list is empty (a rule matching every alert
   *     would mute them all), or a name in {@code equal} is not a label name or is repeated
   * @throws NullPointerException when a list is null or holds a null
   */
  public InhibitRule {
    sourceMatchers = List.copyOf(Objects.requireNonNull(sourceMatchers, "sourceMatchers"));
    targetMatchers = List.copyOf(Objects.requireNonNull(targetMatchers, "targetMatchers"));
    equal = List.copyOf(Objects.requireNonNull(equal, "equal"));
    if (sourceMatchers.isEmpty()) {
      throw new IllegalArgumentException(
          "an inhibit rule needs at least one source matcher; none would let any alert inhibit");
    }
    if (targetMatchers.isEmpty()) {
      throw new IllegalArgumentException(
          "an inhibit rule needs at least one target matcher; none would inhibit every alert");
    }
    if (new LinkedHashSet<>(equal).size() != equal.size()) {
      throw new IllegalArgumentException("inhibit rule's equal lists a label twice: " + equal);
    }
    for (String name : equal) {
      String bad = AlertLabels.nameProblem(name);
      if (bad != null) {
        throw new IllegalArgumentException("inhibit rule's equal label '" + name + "': " + bad);
      }
    }
  }

  /**
   * A rule of matchers as written ({@code name=value}, {@code name!=value}, {@code name=~regex},
   * {@code name!~regex}; see {@link Silence.Matcher#parse}).
   *
   * @throws IllegalArgumentException naming the matcher or label that is wrong, as the constructor
   */
  public static InhibitRule of(
      List<String> sourceMatchers, List<String> targetMatchers, List<String> equal) {
    return new InhibitRule(
        Silence.Matcher.parseAll(sourceMatchers), Silence.Matcher.parseAll(targetMatchers), equal);
  }

  /** Whether an alert labelled {@code source} may inhibit others under this rule. */
  boolean isSource(Map<String, String> source) {
    return Silence.Matcher.all(sourceMatchers, source);
  }

  /** Whether {@code source}, which {@link #isSource}, inhibits an alert labelled {@code target}. */
  boolean inhibits(Map<String, String> source, Map<String, String> target) {
    if (!Silence.Matcher.all(targetMatchers, target)
        || (Silence.Matcher.all(sourceMatchers, target)
            && Silence.Matcher.all(targetMatchers, source))) {
      return false;
    }
    for (String name : equal) {
      if (!source.getOrDefault(name, "").equals(target.getOrDefault(name, ""))) {
        return false;
      }
    }
    return true;
  }

  /**
   * As Alertmanager writes it: {@code [alertname="Host down"] mutes [severity=~warning] on
   * [instance]}.
   */
  @Override
  public String toString() {
    return sourceMatchers + " mutes " + targetMatchers + (equal.isEmpty() ? "" : " on " + equal);
  }
}
