package io.amptalk.monitoring.internal.alert;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.store.AlertStore.DeadLetter;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import io.amptalk.monitoring.internal.util.Details;
import io.amptalk.monitoring.internal.util.Footprint;

/**
 * The estimated heap of an alert, a delivery and a dead letter ({@link Footprint}), for the byte
 * budgets of history, queues and dead letters. Cheap: the details' estimate was made when they were
 * copied; the rest is a few string lengths.
 */
public final class AlertFootprint {
  /** The alert record, its two instants, its enum references and its notes list. */
  static final long ALERT = 128;

  /** A delivery or a dead letter record, with its instant. */
  static final long RECORD = 48;

  private AlertFootprint() {}

  public static long of(Alert alert) {
    long bytes =
        ALERT
            + Footprint.text(alert.id())
            + Footprint.text(alert.title())
            + Footprint.text(alert.message())
            + Footprint.text(alert.source())
            + Footprint.text(alert.service())
            + Footprint.text(alert.fingerprint())
            + Details.estimatedBytes(alert.details());
    bytes += AlertLabels.estimatedBytes(alert.labels());
    if (!alert.notes().isEmpty()) { // most alerts have none: no iterator for them
      for (String note : alert.notes()) {
        bytes += Footprint.VALUE + Footprint.text(note);
      }
    }
    return bytes;
  }

  public static long of(Delivery delivery) {
    return RECORD
        + Footprint.text(delivery.key())
        + Footprint.text(delivery.notifier())
        + of(delivery.alert());
  }

  public static long of(DeadLetter letter) {
    return RECORD + Footprint.text(letter.error()) + of(letter.delivery());
  }
}
