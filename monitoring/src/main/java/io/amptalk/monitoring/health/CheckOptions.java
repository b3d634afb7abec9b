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

  public static final String LIVENESS = "liveness";
  public static final String READINESS = "readiness";
  public static final String STARTUP = "startup";

  /** Registry defaults, critical, no groups, thresholds of 1 (every result counts at once). */
  public static final CheckOptions DEFAULTS = builder().build();

  public CheckOptions {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(initialDelay, "initialDelay");
    groups = Set.copyOf(groups);
  }

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

    public Builder timeout(Duration timeout) {
      this.timeout = Options.requirePositive("timeout", timeout);
      return this;
    }

    public Builder interval(Duration interval) {
      this.interval = Options.requirePositive("interval", interval);
      return this;
    }

    public Builder initialDelay(Duration initialDelay) {
      if (initialDelay == null || initialDelay.isNegative()) {
        throw new IllegalArgumentException(
            "initialDelay must be zero or positive, was " + initialDelay);
      }
      this.initialDelay = initialDelay;
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

    public Builder failureThreshold(int failureThreshold) {
      this.failureThreshold = Options.requireAtLeastOne("failureThreshold", failureThreshold);
      return this;
    }

    public Builder successThreshold(int successThreshold) {
      this.successThreshold = Options.requireAtLeastOne("successThreshold", successThreshold);
      return this;
    }

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
