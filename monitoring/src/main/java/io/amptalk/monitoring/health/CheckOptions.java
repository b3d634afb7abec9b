package io.amptalk.monitoring.health;

import io.amptalk.monitoring.internal.util.Options;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * How one check is run and counted. Unset timeout and interval fall back to the registry's.
 *
 * <pre>{@code
 * CheckOptions.builder()
 *     .timeout(Duration.ofSeconds(2))
 *     .groups(CheckOptions.READINESS)
 *     .failureThreshold(3)
 *     .build();
 * }</pre>
 *
 * @param timeout how long a run may take before it is reported UNHEALTHY ("timed out after …")
 * @param interval how often the check runs on its own
 * @param initialDelay how long after registration the first periodic run waits
 * @param critical whether the check counts toward the overall and group statuses
 * @param groups the groups it belongs to, e.g. {@code liveness}, {@code readiness}, {@code startup}
 * @param failureThreshold consecutive worse results needed before the reported status worsens
 * @param successThreshold consecutive better results needed before the reported status improves
 */
public record CheckOptions(
    Optional<Duration> timeout,
    Optional<Duration> interval,
    Duration initialDelay,
    boolean critical,
    Set<String> groups,
    int failureThreshold,
    int successThreshold) {

  /** The group {@code /health/live} reports, for a liveness probe. */
  public static final String LIVENESS = "liveness";

  /** The group {@code /health/ready} reports, for a readiness probe. */
  public static final String READINESS = "readiness";

  /** The group {@code /health/started} reports, for a startup probe. */
  public static final String STARTUP = "startup";

  /** Registry defaults, critical, no groups, thresholds of 1 (every result counts at once). */
  public static final CheckOptions DEFAULTS = builder().build();

  /**
   * Copies {@code groups}. Thresholds and group names are checked only by the {@link Builder}.
   *
   * @throws NullPointerException when {@code timeout}, {@code interval}, {@code initialDelay} or
   *     {@code groups} is null, or {@code groups} holds a null
   */
  public CheckOptions {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(initialDelay, "initialDelay");
    groups = Set.copyOf(groups);
  }

  /** A builder with the options of {@link #DEFAULTS}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link CheckOptions}; each option is checked when set. */
  public static final class Builder {
    private Duration timeout;
    private Duration interval;
    private Duration initialDelay = Duration.ZERO;
    private boolean critical = true;
    private final Set<String> groups = new TreeSet<>();
    private int failureThreshold = 1;
    private int successThreshold = 1;

    private Builder() {}

    /**
     * How long a run may take before it is reported UNHEALTHY. Default: the registry's {@code
     * defaultTimeout}; must be positive, and at most a day.
     */
    public Builder timeout(Duration timeout) {
      this.timeout = Options.requirePositive("timeout", timeout, Options.MAX_PERIOD);
      return this;
    }

    /**
     * How often the check runs on its own. Default: the registry's {@code checkInterval}; must be
     * positive, and at most 365 days.
     */
    public Builder interval(Duration interval) {
      this.interval = Options.requirePositive("interval", interval, Options.MAX_INTERVAL);
      return this;
    }

    /**
     * How long after registration the first periodic run waits. Default 0; must not be negative,
     * nor past 365 days.
     */
    public Builder initialDelay(Duration initialDelay) {
      if (initialDelay == null || initialDelay.isNegative()) {
        throw new IllegalArgumentException(
            "initialDelay must be zero or positive, was " + initialDelay);
      }
      this.initialDelay = Options.requireAtMost("initialDelay", initialDelay, Options.MAX_INTERVAL);
      return this;
    }

    /** Whether the check counts toward the overall status. Default true. */
    public Builder critical(boolean critical) {
      this.critical = critical;
      return this;
    }

    /** Adds groups; names are lowercase letters, digits, '-' and '_'. */
    public Builder groups(String... groups) {
      for (String group : groups) {
        if (group == null || !group.matches("[a-z0-9_-]{1,64}")) {
          throw new IllegalArgumentException(
              "group must be 1-64 of a-z, 0-9, '-' and '_', was "
                  + (group == null ? "null" : "'" + group + "'"));
        }
        this.groups.add(group.toLowerCase(Locale.ROOT));
      }
      return this;
    }

    /**
     * Consecutive worse results needed before the reported status worsens. Default 1; must be at
     * least 1.
     */
    public Builder failureThreshold(int failureThreshold) {
      this.failureThreshold = Options.requireAtLeastOne("failureThreshold", failureThreshold);
      return this;
    }

    /**
     * Consecutive better results needed before the reported status improves; a first HEALTHY result
     * is taken at once. Default 1; must be at least 1.
     */
    public Builder successThreshold(int successThreshold) {
      this.successThreshold = Options.requireAtLeastOne("successThreshold", successThreshold);
      return this;
    }

    /** The options; an unset timeout or interval is empty, and the registry's applies. */
    public CheckOptions build() {
      return new CheckOptions(
          Optional.ofNullable(timeout),
          Optional.ofNullable(interval),
          initialDelay,
          critical,
          groups,
          failureThreshold,
          successThreshold);
    }
  }
}
