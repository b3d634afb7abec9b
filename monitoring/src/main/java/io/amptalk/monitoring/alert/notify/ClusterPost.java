package io.amptalk.monitoring.alert.notify;

import io.amptalk.monitoring.alert.DeliveryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One alert posted to every member of an Alertmanager cluster at once, and what the answers mean
 * for the alert system's queue when no member accepted it.
 */
final class ClusterPost {
  private ClusterPost() {}

  /**
   * Posts {@code body} to each member at once and waits for every answer (each bounded by the
   * poster's timeout); returns, per member in order, null where it accepted, else its refusal.
   */
  static List<DeliveryException> toEach(
      HttpPoster poster,
      List<MemberRetries.Member> members,
      Map<String, String> headers,
      String body)
      throws DeliveryException, InterruptedException {
    List<CompletableFuture<DeliveryException>> answers = new ArrayList<>();
    for (MemberRetries.Member member : members) {
      answers.add(poster.postAsync(poster.request(member.alertsUri(), headers), body));
    }
    List<DeliveryException> refusals = new ArrayList<>();
    try {
      for (CompletableFuture<DeliveryException> answer : answers) {
        refusals.add(answer.get());
      }
    } catch (InterruptedException e) {
      answers.forEach(answer -> answer.cancel(true));
      throw e;
    } catch (ExecutionException e) {
      // postAsync completes normally with the failure; only a cancellation could end up here.
      throw DeliveryException.retryable("alertmanager failed: " + e.getCause(), e.getCause());
    }
    return refusals;
  }

  /**
   * What no member accepting means for the queue: retried if any member may accept later, after the
   * shortest Retry-After when every such member asked for one; the members' reasons, each after its
   * URL (without secrets). With one member, its own refusal, as for a single Alertmanager.
   */
  static DeliveryException noneAccepted(
      List<MemberRetries.Member> members, List<DeliveryException> refusals) {
    if (refusals.size() == 1) {
      return refusals.get(0);
    }
    List<String> reasons = new ArrayList<>();
    Duration retryAfter = null;
    boolean retryable = false;
    boolean eachAsked = true;
    for (MemberRetries.Member member : members) {
      DeliveryException refusal = refusals.get(member.index());
      reasons.add(member.shown() + ": " + refusal.getMessage());
      if (refusal.isRetryable()) {
        retryable = true;
        Duration asked = refusal.retryAfter().orElse(null);
        eachAsked &= asked != null;
        if (asked != null && (retryAfter == null || asked.compareTo(retryAfter) < 0)) {
          retryAfter = asked;
        }
      }
    }
    String message =
        "no member of the " + members.size() + " accepted: " + String.join("; ", reasons);
    if (!retryable) {
      return DeliveryException.permanent(message, null);
    }
    return eachAsked
        ? DeliveryException.retryAfter(message, retryAfter)
        : DeliveryException.retryable(message, null);
  }
}
