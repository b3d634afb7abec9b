package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import java.util.Set;

/** What every notifier of this package routes by: its one {@link Routing} value. */
abstract class RoutedNotifier implements AlertNotifier {
  final Routing routing;

  RoutedNotifier(Routing routing) {
    this.routing = routing;
  }

  @Override
  public final AlertSeverity minSeverity() {
    return routing.minSeverity();
  }

  @Override
  public final Set<String> sources() {
    return routing.sources();
  }

  @Override
  public final boolean sendsResolved() {
    return routing.sendsResolved();
  }
}
