package io.amptalk.monitoring.alert;

import java.time.Instant;

/** For tests in other packages: the alert's package-private transitions. */
public final class AlertTestHooks {
  private AlertTestHooks() {}

  public static Alert repeated(Alert alert, Instant when) {
    return alert.repeated(when);
  }

  public static Alert resolved(Alert alert, Instant when) {
    return alert.resolved(when);
  }
}
