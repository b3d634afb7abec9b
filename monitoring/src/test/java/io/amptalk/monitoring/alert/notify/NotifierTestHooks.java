package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.Alert;

/** For tests in other packages: the notifiers' package-private constants and helpers. */
public final class NotifierTestHooks {
  private NotifierTestHooks() {}

  /** The path Alertmanager's alerts are posted to. */
  public static final String ALERTMANAGER_ALERTS_PATH = AlertmanagerNotifier.ALERTS_PATH;

  /** The Message-ID the e-mail notifier gives the mail of this alert. */
  public static String emailMessageId(Alert alert) {
    return AlertEmail.messageId(alert);
  }
}
