package io.amptalk.monitoring.alert;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * For {@code .ci/e2e-alertmanager.sh}: a webhook receiver for Alertmanager's notifications. Listens
 * on 127.0.0.1 and appends each request body, on one line, to a file; answers 200. Runs until
 * killed.
 *
 * <pre>{@code
 * java -cp ... io.amptalk.monitoring.alert.E2eWebhookReceiver <port, 0 for any> <file>
 * }</pre>
 *
 * Prints {@code e2e-webhook-receiver: listening on 127.0.0.1:<port>} once it is ready.
 */
final class E2eWebhookReceiver {
  private E2eWebhookReceiver() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: E2eWebhookReceiver <port> <file>");
      System.exit(2);
    }
    Path file = Path.of(args[1]);
    Files.writeString(file, "", UTF_8);
    Object lock = new Object();
    HttpServer server =
        HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 0);
    server.createContext(
        "/",
        (HttpExchange exchange) -> {
          try {
            String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
            String line = body.replace('\r', ' ').replace('\n', ' ').strip() + "\n";
            synchronized (lock) {
              // One write of the whole line, so a reader polling the file sees whole lines.
              Files.writeString(file, line, UTF_8, StandardOpenOption.APPEND);
            }
            exchange.sendResponseHeaders(200, -1);
          } finally {
            exchange.close();
          }
        });
    server.start();
    System.out.println(
        "e2e-webhook-receiver: listening on 127.0.0.1:" + server.getAddress().getPort());
    System.out.flush();
  }
}
