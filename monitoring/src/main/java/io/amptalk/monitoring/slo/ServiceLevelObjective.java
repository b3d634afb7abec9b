package io.amptalk.monitoring.slo;

import io.amptalk.monitoring.internal.metrics.RequestMetrics;
import io.amptalk.monitoring.internal.util.Options;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A service level objective on the requests the monitor records: which requests are good (the
 * {@link Indicator}), over which routes, what share of them must be good ({@code objective}, in
 * percent) over what {@code window}, and the burn-rate alerts that watch its error budget. One
 * definition gives the Prometheus rules ({@link PrometheusRules}) a fleet evaluates.
 *
 * <pre>{@code
 * ServiceLevelObjective checkout =
 *     ServiceLevelObjective.builder("checkout-availability")
 *         .availability()
 *         .routes(List.of("/orders", "/cart"))
 *         .objective(99.9)
 *         .build();
 * }</pre>
 *
 * Every option is checked when set, or at {@link Builder#build} where options depend on each other,
 * each failure naming the option and the value.
 */
public final class ServiceLevelObjective {
  /** At most this many characters in a name; names are label values and rule-group names. */
  public static final int MAX_NAME_LENGTH = 64;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  /**
   * The request histogram's bucket bounds, in seconds: a latency indicator's threshold is one of
   * them, so that "good" is a bucket count, exact in the service and in Prometheus alike.
   */
  public static final List<Double> BUCKET_BOUNDS = RequestMetrics.BOUNDARIES;

  /** Which requests count as good. */
  public sealed interface Indicator permits Availability, Latency {}

  /**
   * Good: a status below 500, or one of {@code goodStatuses} when given.
   *
   * @param goodStatuses the statuses that count as good; empty for "below 500"
   */
  public record Availability(Set<Integer> goodStatuses) implements Indicator {
    /** Sorts and copies the statuses. */
    public Availability {
      goodStatuses = Set.copyOf(new TreeSet<>(goodStatuses));
    }
  }

  /**
   * Good: answered in at most {@code thresholdSeconds}, one of {@link #BUCKET_BOUNDS}.
   *
   * @param thresholdSeconds the bucket bound a good request's duration is at or under
   */
  public record Latency(double thresholdSeconds) implements Indicator {}

  private final String name;
  private final Indicator indicator;
  private final List<String> routes;
  private final String routePattern;
  private final double objective;
  private final Duration window;
  private final List<BurnRateAlert> alerts;

  private ServiceLevelObjective(Builder builder) {
    this.name = builder.name;
    this.indicator = builder.indicator;
    this.routes = builder.routes;
    this.routePattern = builder.routePattern;
    this.objective = builder.objective;
    this.window = builder.window;
    this.alerts = builder.alerts;
  }

  /** A builder for the objective named {@code name} (letters, digits, '_', '.', '-'). */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  public Indicator indicator() {
    return indicator;
  }

  /** The routes it covers; empty with a {@link #routePattern} or for all routes. */
  public List<String> routes() {
    return routes;
  }

  /** A regular expression the whole route must match; null for a list of routes, or all. */
  public String routePattern() {
    return routePattern;
  }

  /** The share of good requests the objective asks for, in percent: 99.9 for "three nines". */
  public double objective() {
    return objective;
  }

  /** The error budget: the share of requests that may be bad, in [0, 1): 0.001 at 99.9 %. */
  public double errorBudget() {
    // In decimal: 100 - 99.9 in binary is 0.09999999999999432, and rules would say so.
    return BigDecimal.valueOf(100)
        .subtract(BigDecimal.valueOf(objective))
        .movePointLeft(2)
        .doubleValue();
  }

  public Duration window() {
    return window;
  }

  /** The burn-rate alerts, fastest first. */
  public List<BurnRateAlert> alerts() {
    return alerts;
  }

  @Override
  public String toString() {
    return "ServiceLevelObjective[" + name + ", " + objective + " % over " + window + "]";
  }

  /** Configures a {@link ServiceLevelObjective}. */
  public static final class Builder {
    private final String name;
    private Indicator indicator = new Availability(Set.of());
    private List<String> routes = List.of();
    private String routePattern;
    private Double objective; // required: null until set
    private Duration window = Duration.ofDays(30);
    private List<BurnRateAlert> alerts = BurnRateAlert.WORKBOOK;

    private Builder(String name) {
      Options.requireNonBlank("name", name);
      if (name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "name must be letters, digits, '_', '.' or '-' (at most "
                + MAX_NAME_LENGTH
                + " characters, starting with a letter or digit), was '"
                + name
                + "'");
      }
      this.name = name;
    }

    /** Good: a status below 500. The default. */
    public Builder availability() {
      this.indicator = new Availability(Set.of());
      return this;
    }

    /** Good: one of {@code goodStatuses} (100..599). */
    public Builder availability(Set<Integer> goodStatuses) {
      Objects.requireNonNull(goodStatuses, "goodStatuses");
      if (goodStatuses.isEmpty()) {
        throw new IllegalArgumentException("goodStatuses must not be empty, was []");
      }
      for (Integer status : goodStatuses) {
        if (status == null || status < 100 || status > 599) {
          throw new IllegalArgumentException(
              "goodStatuses must be statuses 100..599, was " + new TreeSet<>(goodStatuses));
        }
      }
      this.indicator = new Availability(goodStatuses);
      return this;
    }

    /** Good: answered in at most {@code threshold}, one of the histogram's bucket bounds. */
    public Builder latency(Duration threshold) {
      Objects.requireNonNull(threshold, "threshold");
      // Not toNanos(): it overflows past 292 years, and any duration must get this message.
      double seconds = threshold.getSeconds() + threshold.getNano() / 1e9;
      if (!BUCKET_BOUNDS.contains(seconds)) {
        throw new IllegalArgumentException(
            "latency threshold must be one of the request histogram's bucket bounds "
                + BUCKET_BOUNDS
                + " (seconds), was "
                + threshold);
      }
      this.indicator = new Latency(seconds);
      return this;
    }

    /** The routes covered, as recorded ({@code /users/{id}}). Default: all routes. */
    public Builder routes(List<String> routes) {
      Objects.requireNonNull(routes, "routes");
      if (routes.isEmpty()) {
        throw new IllegalArgumentException(
            "routes must not be empty, was []: leave it out to cover all routes");
      }
      List<String> copy = new ArrayList<>();
      for (String route : routes) {
        copy.add(Options.requireNonBlank("routes", route));
      }
      this.routes = List.copyOf(copy);
      this.routePattern = null;
      return this;
    }

    /** The routes covered: those whose whole route matches {@code regex}. Default: all routes. */
    public Builder routePattern(String regex) {
      Options.requireNonBlank("routePattern", regex);
      try {
        Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            "routePattern must be a regular expression, was '"
                + regex
                + "': "
                + e.getDescription());
      }
      this.routePattern = regex;
      this.routes = List.of();
      return this;
    }

    /** The share of good requests asked for, in percent, above 0 and below 100. Required. */
    public Builder objective(double percent) {
      if (!(percent > 0 && percent < 100)) {
        throw new IllegalArgumentException(
            "objective must be a percentage above 0 and below 100, was " + percent);
      }
      this.objective = percent;
      return this;
    }

    /** The window the budget is kept over. Default 30 days; at most 365 days. */
    public Builder window(Duration window) {
      this.window = Options.requirePositive("window", window, Options.MAX_INTERVAL);
      return this;
    }

    /** The burn-rate alerts. Default: {@link BurnRateAlert#WORKBOOK}. */
    public Builder alerts(List<BurnRateAlert> alerts) {
      Objects.requireNonNull(alerts, "alerts");
      this.alerts =
          alerts.stream().sorted((a, b) -> Double.compare(b.factor(), a.factor())).toList();
      return this;
    }

    /**
     * The objective.
     *
     * @throws IllegalStateException without an objective, or with a window shorter than the longest
     *     alert window
     */
    public ServiceLevelObjective build() {
      if (objective == null) {
        throw new IllegalStateException("objective is required for '" + name + "'");
      }
      Duration longest =
          alerts.stream().map(BurnRateAlert::longWindow).max(Duration::compareTo).orElse(null);
      if (longest != null && window.compareTo(longest) < 0) {
        throw new IllegalStateException(
            "window must be at least the longest burn-rate window "
                + BurnRateAlert.shortForm(longest)
                + ", was "
                + BurnRateAlert.shortForm(window));
      }
      return new ServiceLevelObjective(this);
    }
  }
}
