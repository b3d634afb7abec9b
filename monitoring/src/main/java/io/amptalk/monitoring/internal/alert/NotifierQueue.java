package io.amptalk.monitoring.internal.alert;

import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertNotifier;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.DeliveryException;
import io.amptalk.monitoring.alert.store.AlertStore;
import io.amptalk.monitoring.alert.store.AlertStore.Delivery;
import io.amptalk.monitoring.internal.util.ControlCharacters;
import io.amptalk.monitoring.internal.util.DaemonThreads;
import io.amptalk.monitoring.internal.util.FatalErrors;
import io.amptalk.monitoring.internal.util.Throwables;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One notifier's bounded queue and its worker thread, so a slow receiver delays only itself. Each
 * attempt runs on a sender thread and is bounded by the send timeout; failures are retried with
 * backoff (or after the receiver's Retry-After) up to a limit, then kept as dead letters. A rate
 * limit holds alerts back and summarises them in one notification when it opens again.
 *
 * <p>Just over 400 lines as one concept: a notifier's queue, its worker thread and the outcomes of
 * each attempt share one lock and must be read together.
 */
public final class NotifierQueue {
  private static final Logger LOG = LoggerFactory.getLogger(NotifierQueue.class);
  private static final int SUMMARY_TITLES = 5;

  /**
   * The longest sleep while something is pending: a retry's due time and the rate limit's refill
   * are read from injected clocks, which may move without waking anyone.
   */
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** "Nothing to wait for": sleep until woken. */
  private static final long IDLE = Long.MAX_VALUE;

  /** What became of one notification, for the self-metrics. */
  public enum Outcome {
    SENT,
    RETRIED,
    FAILED,
    RATE_LIMITED,
    SILENCED,
    INHIBITED,
    DEDUPLICATED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public interface OutcomeListener {
    void outcome(String notifier, Outcome outcome);
  }

  /**
   * Delivery settings shared by every notifier of one alert system. {@code nanoTime} is the
   * monotonic time retries are scheduled on ({@code System::nanoTime}; tests step it by hand).
   */
  public record Settings(
      int capacity,
      long maxBytes,
      int maxAttempts,
      Backoff backoff,
      Duration sendTimeout,
      Duration maxRetryAfter,
      int rateLimit,
      Duration ratePer,
      LongSupplier nanoTime) {}

  private final AlertNotifier notifier;
  private final String name;
  private final Settings settings;
  private final AlertStore store;
  private final Clock clock;
  private final OutcomeListener listener;
  private final String serviceName;

  /** The labels of the summaries beyond the built-in ones of their fields: the instance. */
  private final Map<String, String> labels;

  /**
   * New deliveries from any thread. Lock-free, and the worker is woken only when it sleeps, so
   * raising an alert during a storm costs the caller a CAS rather than a futex wake per alert.
   */
  private final ConcurrentLinkedQueue<Item> intake = new ConcurrentLinkedQueue<>();

  /** Deliveries by due time; touched by the worker thread only. */
  private final PriorityQueue<Item> schedule =
      new PriorityQueue<>(
          Comparator.comparingLong(Item::dueNanos).thenComparingLong(Item::sequence));

  private final AtomicBoolean sleeping = new AtomicBoolean();
  private final AtomicInteger size = new AtomicInteger();

  /** The estimated bytes of the deliveries waiting ({@link AlertFootprint}), like {@link #size}. */
  private final AtomicLong bytes = new AtomicLong();

  private final AtomicLong sequence = new AtomicLong();
  private final TokenBucket bucket;
  private final Thread worker;
  private ExecutorService sender;
  private volatile boolean accepting = true;
  private volatile boolean stopping;
  private volatile boolean halted;

  /** Held back by the rate limit since the last summary, guarded by {@link #summaryLock}. */
  private int suppressed;

  private AlertSeverity suppressedSeverity = AlertSeverity.INFO;
  private final List<String> suppressedTitles = new ArrayList<>();
  private final Object summaryLock = new Object();

  public NotifierQueue(
      AlertNotifier notifier,
      Settings settings,
      AlertStore store,
      Clock clock,
      OutcomeListener listener,
      String serviceName,
      Map<String, String> labels) {
    this.notifier = notifier;
    this.name = notifier.name();
    this.settings = settings;
    this.store = store;
    this.clock = clock;
    this.listener = listener;
    this.serviceName = serviceName;
    this.labels = Map.copyOf(labels);
    this.bucket =
        settings.rateLimit() > 0
            ? new TokenBucket(settings.rateLimit(), settings.ratePer(), clock)
            : null;
    this.sender = newSender();
    this.worker = DaemonThreads.newThread(this::work, "amptalk-alert-" + name);
    worker.start();
  }

  public AlertNotifier notifier() {
    return notifier;
  }

  /**
   * Queues a delivery the store already holds; returns null when queued, else why not: the queue is
   * closed, or full by its count or by its bytes. A delivery is taken into an empty queue whatever
   * its size, so that a budget smaller than one alert delays, not refuses, every delivery.
   */
  public String offer(Delivery delivery) {
    if (!accepting) {
      return "the alert system is closed";
    }
    if (size.incrementAndGet() > settings.capacity()) {
      size.decrementAndGet();
      return "queue of notifier '" + name + "' is full";
    }
    long footprint = AlertFootprint.of(delivery);
    if (bytes.addAndGet(footprint) > settings.maxBytes() && size.get() > 1) {
      bytes.addAndGet(-footprint);
      size.decrementAndGet();
      return "queue of notifier '"
          + name
          + "' is full: its "
          + settings.maxBytes()
          + " bytes are taken";
    }
    intake.add(new Item(delivery, 0, nanoTime(), sequence.incrementAndGet(), footprint));
    wake();
    return null;
  }

  public int size() {
    return size.get();
  }

  /** The estimated bytes of what waits, retries included. */
  public long bytes() {
    return bytes.get();
  }

  private long nanoTime() {
    return settings.nanoTime().getAsLong();
  }

  private void wake() {
    if (sleeping.get() && sleeping.compareAndSet(true, false)) {
      LockSupport.unpark(worker);
    }
  }

  private void work() {
    while (!halted) {
      for (Item fresh = intake.poll(); fresh != null; fresh = intake.poll()) {
        schedule.add(fresh);
      }
      try {
        flushSummaryIfAllowed();
        Item item = schedule.peek();
        long wait = item != null ? item.dueNanos() - nanoTime() : owesSummary() ? TICK_NANOS : IDLE;
        if (wait > 0) {
          if (stopping) {
            return; // closing: deliver only what is due
          }
          sleep(wait);
          continue;
        }
        schedule.poll();
        size.decrementAndGet();
        bytes.addAndGet(-item.bytes());
        attempt(item);
      } catch (Throwable t) {
        // Nothing may end this thread: an alert would stop being delivered. A fatal error is
        // reported (the monitoring fails); the loop pauses a tick so that one that recurs at once
        // does not spin.
        if (FatalErrors.caught(t)) {
          LockSupport.parkNanos(this, TICK_NANOS);
        } else {
          LOG.error("Alert delivery to {} failed unexpectedly; continuing", name, t);
        }
      }
    }
  }

  /**
   * Parks until woken by a new delivery, a held-back alert, closing, or the next due time (at most
   * the tick). With nothing scheduled and no summary owed ({@link #IDLE}), there is no tick: an
   * idle agent's notifiers cost no wake-ups.
   */
  private void sleep(long nanos) {
    sleeping.set(true);
    // Re-check after announcing sleep: an offer or a first held-back alert between the checks and
    // here would not wake us.
    if (intake.isEmpty() && !stopping) {
      if (nanos == IDLE && !owesSummary()) {
        LockSupport.park(this);
      } else {
        LockSupport.parkNanos(this, Math.min(nanos, TICK_NANOS));
      }
    }
    sleeping.set(false);
  }

  private void attempt(Item item) {
    Delivery delivery = item.delivery();
    int attempts = item.attempts() + 1;
    Throwable failure = send(delivery.alert());
    Instant now = clock.instant();
    if (failure == null) {
      store.delivered(delivery.key());
      listener.outcome(name, Outcome.SENT);
      return;
    }
    boolean retryable = !(failure instanceof DeliveryException d) || d.isRetryable();
    if (retryable && attempts < settings.maxAttempts() && !stopping) {
      Duration delay = settings.backoff().delay(attempts);
      if (failure instanceof DeliveryException d && d.retryAfter().isPresent()) {
        Duration asked = d.retryAfter().get();
        delay = asked.compareTo(settings.maxRetryAfter()) > 0 ? settings.maxRetryAfter() : asked;
      }
      // Back in the queue without a check: it was counted in, and must not be lost on the way.
      size.incrementAndGet();
      bytes.addAndGet(item.bytes());
      schedule.add(
          new Item(
              delivery,
              attempts,
              nanoTime() + delay.toNanos(),
              sequence.incrementAndGet(),
              item.bytes()));
      listener.outcome(name, Outcome.RETRIED);
      LOG.debug(
          "Delivery {} to {} failed ({}); retry {} in {}",
          delivery.key(),
          name,
          failure,
          attempts,
          delay);
      return;
    }
    if (retryable && stopping) {
      // Shutting down: leave it pending in the store, to be delivered after a restart.
      return;
    }
    String error =
        describe(failure) + " (after " + attempts + (attempts == 1 ? " attempt)" : " attempts)");
    store.deadLetter(delivery, error, now);
    listener.outcome(name, Outcome.FAILED);
    LOG.warn(
        "Alert '{}' could not be delivered to {}: {}",
        ControlCharacters.escape(delivery.alert().title()),
        name,
        error);
  }

  /** One attempt, bounded by the send timeout; returns the failure, or null on success. */
  private Throwable send(Alert alert) {
    Future<?> future =
        sender.submit(
            () -> {
              notifier.send(alert);
              return null;
            });
    try {
      future.get(settings.sendTimeout().toNanos(), TimeUnit.NANOSECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      future.cancel(true);
      // The sender thread may be stuck for good; the next attempt gets a fresh one.
      sender.shutdownNow();
      sender = newSender();
      return DeliveryException.retryable(
          "send timed out after " + settings.sendTimeout().toMillis() + " ms", null);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      return DeliveryException.retryable("interrupted while sending", e);
    }
  }

  /**
   * Whether the rate limit lets {@code alert} through now. If not, it is held back (counted and
   * remembered for the summary) on the caller's thread, so a storm never fills the queue.
   */
  public boolean admit(Alert alert) {
    if (bucket == null || bucket.tryTake()) {
      return true;
    }
    boolean first;
    synchronized (summaryLock) {
      first = suppressed++ == 0;
      if (alert.severity().isAtLeast(suppressedSeverity)) {
        suppressedSeverity = alert.severity();
      }
      if (suppressedTitles.size() < SUMMARY_TITLES && !suppressedTitles.contains(alert.title())) {
        suppressedTitles.add(alert.title());
      }
    }
    if (first) {
      wake(); // an idle worker sleeps without a tick: it must know a summary is owed
    }
    listener.outcome(name, Outcome.RATE_LIMITED);
    return false;
  }

  private boolean owesSummary() {
    synchronized (summaryLock) {
      return suppressed > 0;
    }
  }

  /** Once the limit lets one through again, tells the receiver what it held back. */
  private void flushSummaryIfAllowed() {
    int count;
    AlertSeverity severity;
    List<String> titles;
    synchronized (summaryLock) {
      if (suppressed == 0 || !bucket.tryTake()) {
        return;
      }
      count = suppressed;
      severity = suppressedSeverity;
      titles = List.copyOf(suppressedTitles);
      suppressed = 0;
      suppressedSeverity = AlertSeverity.INFO;
      suppressedTitles.clear();
    }
    Instant now = clock.instant();
    String title = count + (count == 1 ? " alert" : " alerts") + " suppressed";
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("suppressed", count);
    details.put("titles", List.copyOf(titles));
    Alert summary =
        new Alert(
            UUID.randomUUID().toString(),
            title,
            title
                + " by the rate limit of notifier '"
                + name
                + "': "
                + String.join(", ", titles)
                + (count > titles.size() ? ", …" : ""),
            severity,
            AlertSystem.SELF_SOURCE,
            serviceName,
            now,
            details,
            labels,
            Alert.fingerprint(serviceName, AlertSystem.SELF_SOURCE, "rate limit " + name),
            Alert.State.FIRING,
            1,
            now,
            false,
            List.of());
    Delivery delivery = Delivery.of(name, summary);
    store.enqueue(delivery);
    long footprint = AlertFootprint.of(delivery);
    size.incrementAndGet();
    bytes.addAndGet(footprint);
    schedule.add(new Item(delivery, 0, nanoTime(), sequence.incrementAndGet(), footprint));
  }

  /**
   * Stops taking new deliveries, sends what is due within {@code timeout}, then stops. Anything
   * left stays pending in the store; returns how many.
   */
  public int close(Duration timeout) {
    accepting = false;
    // Not interrupted: an interrupt would abort the attempt in flight. Woken, the worker delivers
    // what is due and stops.
    stopping = true;
    LockSupport.unpark(worker);
    try {
      worker.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (worker.isAlive()) {
      halted = true;
      worker.interrupt();
    }
    sender.shutdownNow();
    return size.get();
  }

  private ExecutorService newSender() {
    return Executors.newSingleThreadExecutor(
        DaemonThreads.factory("amptalk-alert-" + name + "-send"));
  }

  /** A failure as dead letters and logs show it: a delivery's own message, else its type too. */
  public static String describe(Throwable failure) {
    return failure instanceof DeliveryException
        ? failure.getMessage()
        : Throwables.describe(failure);
  }

  /** A delivery waiting for its next attempt, due at {@code dueNanos} (Settings.nanoTime). */
  private record Item(Delivery delivery, int attempts, long dueNanos, long sequence, long bytes) {}
}
