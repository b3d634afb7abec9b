package io.amptalk.monitoring.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on loopback for the scripted receivers: accepts connections on a daemon thread and
 * serves each on a thread of its own; {@link #close()} closes the listening socket and every
 * connection, which ends the ones left hanging on purpose.
 */
public abstract class ScriptedServer implements AutoCloseable {
  private final ServerSocket server;
  private final String name;
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  /** Connections accepted so far. */
  public final AtomicInteger connections = new AtomicInteger();

  /** Binds on {@code port} (0 for any free one); {@link #start()} begins accepting. */
  public ScriptedServer(int port, String name) {
    this.name = name;
    try {
      server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Called by the subclass once its own fields are set: connections may arrive at once. */
  public final void start() {
    Thread acceptor = new Thread(this::accept, name + "-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /**
   * What to run for a new connection, decided on the accepting thread (so scripted behaviour is
   * taken in the order connections arrive).
   */
  public abstract Runnable connection(Socket socket);

  public final int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        open.add(socket);
        Thread serving = new Thread(connection(socket), name + "-" + connections.incrementAndGet());
        serving.setDaemon(true);
        serving.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  @Override
  public final void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
