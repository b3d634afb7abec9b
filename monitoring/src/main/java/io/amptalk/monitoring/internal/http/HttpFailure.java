package io.amptalk.monitoring.internal.http;

import java.io.IOException;

/**
 * A request the server refuses, with the status to answer: a malformed request line, target, header
 * or body framing, or one past a limit. An {@link IOException} so that it passes through the body
 * streams a handler reads; the connection answers it (when nothing was answered yet) and then
 * closes, since what follows on the wire can no longer be trusted to start a request.
 */
final class HttpFailure extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;

  HttpFailure(int status, String reason) {
    super(reason);
    this.status = status;
  }

  /** The status answered: 400, 414, 431, 501 or 505. */
  int status() {
    return status;
  }
}
