/**
 * The notifiers that deliver alerts (the log, e-mail over SMTP, webhooks and Slack, Alertmanager)
 * and the message formats they write.
 */
package io.amptalk.monitoring.alert.notify;
