package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * Which alerts a built-in notifier takes: those of {@code minSeverity} or worse, from {@code
 * sources} (all when empty), and their resolutions when {@code sendsResolved}. Each notifier holds
 * one and answers {@link AlertNotifier#minSeverity()}, {@link AlertNotifier#sources()} and {@link
 * AlertNotifier#sendsResolved()} from it; each builder sets it through a {@link Builder}, so the
 * options are checked one way.
 */
record Routing(AlertSeverity minSeverity, Set<String> sources, boolean sendsResolved) {

  /**
   * @throws NullPointerException when {@code minSeverity} or {@code sources} is null
   * @throws IllegalArgumentException when {@code sources} holds null
   */
  Routing {
    Objects.requireNonNull(minSeverity, "minSeverity");
    sources = copy(sources);
  }

  private static Set<String> copy(Collection<String> sources) {
    Objects.requireNonNull(sources, "sources");
    if (sources.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException("sources must not hold null");
    }
    return Set.copyOf(sources);
  }

  /**
   * The routing options of a notifier's builder, checked as they are set. Defaults: INFO, all
   * sources, resolutions sent.
   */
  static final class Builder {
    private AlertSeverity minSeverity = AlertSeverity.INFO;
    private Set<String> sources = Set.of();
    private boolean sendsResolved = true;

    void minSeverity(AlertSeverity minSeverity) {
      this.minSeverity = Objects.requireNonNull(minSeverity, "minSeverity");
    }

    void sources(Collection<String> sources) {
      this.sources = copy(sources);
    }

    void sendsResolved(boolean sendsResolved) {
      this.sendsResolved = sendsResolved;
    }

    Routing build() {
      return new Routing(minSeverity, sources, sendsResolved);
    }
  }
}
