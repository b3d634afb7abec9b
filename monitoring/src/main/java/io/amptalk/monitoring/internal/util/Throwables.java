package io.amptalk.monitoring.internal.util;

/** How a failure is shown in results, logs and dead letters. */
public final class Throwables {
  private Throwables() {}

  /**
   * "ConnectException: Connection refused": the simple class name and the message, or the name
   * alone when the message is null (the JDK leaves some null).
   */
  public static String describe(Throwable failure) {
    String name = failure.getClass().getSimpleName();
    String message = failure.getMessage();
    return message == null ? name : name + ": " + message;
  }
}
