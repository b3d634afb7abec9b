package io.amptalk.monitoring.alert.store;

/**
 * A failed operation of a {@link SqliteAlertStore} (the disk is full, the file was removed or
 * corrupted, the store is closed), already counted in {@link SqliteAlertStore#failures()} and
 * logged (throttled). Not API: callers see a {@code RuntimeException} whose message names the file
 * and the operation.
 */
final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
