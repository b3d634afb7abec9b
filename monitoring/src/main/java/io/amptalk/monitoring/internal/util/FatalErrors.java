package io.amptalk.monitoring.internal.util;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of a {@link VirtualMachineError} (an {@code OutOfMemoryError}, a {@code
 * StackOverflowError}, an {@code InternalError}) that reaches the top of one of the library's
 * threads: it is fatal. Past it the JVM may have lost any thread (an HTTP worker, the watchdog, a
 * scheduler) and live on half-dead, with a port that answers nothing. So it is logged at ERROR,
 * once per JVM with its stack, and told to every subscriber (each {@code Monitoring} marks itself
 * failed, and runs its {@code onFatalError} handler: the agent's halts the JVM).
 *
 * <p>Errors of the user's code the library runs (a check, a notifier's send) are not fatal: they
 * are that check's or that delivery's failure, reported as such where they are caught.
 *
 * <p>Process-wide, because such an error is a state of the JVM, not of one component; and because
 * the threads report it from where no component is known (a thread's uncaught-exception handler).
 */
public final class FatalErrors {
  private static final Logger LOG = LoggerFactory.getLogger(FatalErrors.class);
  private static final CopyOnWriteArrayList<Consumer<Fatal>> SUBSCRIBERS =
      new CopyOnWriteArrayList<>();
  private static final AtomicBoolean LOGGED = new AtomicBoolean();

  /**
   * Heap held back for the report: given up the moment a fatal error arrives, so that out of memory
   * the log line, the subscribers' own lines and the agent's halt still find room. Without it the
   * logger, allocating its event, fails too and the process ends without a word.
   */
  @SuppressWarnings("unused") // held, never read: its reference alone keeps the room
  private static volatile byte[] reserve = new byte[512 * 1024];

  /** Made in advance, for when there is no memory left to describe the error. */
  private static final Fatal UNDESCRIBED =
      new Fatal("unknown", new OutOfMemoryError("no memory left to describe the error"));

  /** The handler of every thread the library makes ({@link DaemonThreads}). */
  static final Thread.UncaughtExceptionHandler HANDLER =
      (thread, error) -> {
        if (!report(thread, error)) {
          LOG.error(
              "Thread {} of amptalk-monitoring ended by an uncaught throwable", thread, error);
        }
      };

  private FatalErrors() {}

  /**
   * A fatal error and the thread it reached.
   *
   * @param thread the thread's name
   * @param error what reached it
   */
  public record Fatal(String thread, VirtualMachineError error) {
    /** "monitor thread died: OutOfMemoryError: Java heap space (amptalk-http-3)". */
    public String describe() {
      return "monitor thread died: " + Throwables.describe(error) + " (" + thread + ")";
    }
  }

  /**
   * For the catch-everything at the top of a thread's loop or task: reports {@code error} when it
   * is fatal and returns whether it was, so the caller skips its usual log and carries on.
   */
  public static boolean caught(Throwable error) {
    return report(Thread.currentThread(), error);
  }

  /**
   * Tells {@code subscriber} every fatal error from now on, on the thread it reached; returns what
   * ends the subscription.
   */
  public static Runnable subscribe(Consumer<Fatal> subscriber) {
    SUBSCRIBERS.add(subscriber);
    return () -> SUBSCRIBERS.remove(subscriber);
  }

  private static boolean report(Thread thread, Throwable error) {
    if (!(error instanceof VirtualMachineError vmError)) {
      return false;
    }
    reserve = null;
    Fatal fatal;
    try {
      fatal = new Fatal(thread.getName(), vmError);
    } catch (OutOfMemoryError none) {
      fatal = UNDESCRIBED; // not even room for the record: the subscribers must still be told
    }
    if (LOGGED.compareAndSet(false, true)) {
      try {
        LOG.error("Fatal error in amptalk-monitoring: {}", fatal.describe(), error);
      } catch (Throwable logging) {
        // Out of memory, the logger may fail too; the subscribers must still be told.
      }
    }
    for (Consumer<Fatal> subscriber : SUBSCRIBERS) {
      try {
        subscriber.accept(fatal);
      } catch (Throwable t) {
        // One subscriber failing (out of memory itself) must not keep the others from knowing.
      }
    }
    return true;
  }
}
