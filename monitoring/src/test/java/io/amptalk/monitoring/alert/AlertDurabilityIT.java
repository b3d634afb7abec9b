package io.amptalk.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.internal.alert.AlertJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM with the SQLite store raises alerts toward a receiver that is down, is killed with SIGKILL,
 * and is started again while the receiver is up: every alert is delivered (duplicates are allowed,
 * and the Idempotency-Key tells them apart).
 */
class AlertDurabilityIT {
  private static final int ALERTS = 20;

  @TempDir Path dir;
  private final List<Process> children = new ArrayList<>();
  private HttpServer receiver;

  @AfterEach
  void stop() {
    children.forEach(Process::destroyForcibly);
    if (receiver != null) {
      receiver.stop(0);
    }
  }

  private Process child(String... args) throws IOException {
    Process process = DurabilityChild.start(args);
    children.add(process);
    return process;
  }

  /** Reads the child's stdout until READY; returns the alert ids it printed. */
  private static List<String> untilReady(Process process) throws IOException {
    List<String> ids = new ArrayList<>();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("RAISED ")) {
        ids.add(line.substring("RAISED ".length()));
      } else if (line.equals("READY")) {
        return ids;
      }
    }
    throw new IllegalStateException("child exited before READY, status " + process.exitValue());
  }

  @Test
  void killedMidDelivery_restarted_deliversEveryAlert() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port + "/hook";
    String db = dir.resolve("alerts.db").toString();

    Process first = child("raise", db, url, String.valueOf(ALERTS));
    List<String> raised = untilReady(first);
    assertThat(raised).hasSize(ALERTS).doesNotHaveDuplicates();
    first.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
    first.waitFor();

    List<String> deliveredIds = new CopyOnWriteArrayList<>();
    List<String> keys = new CopyOnWriteArrayList<>();
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          JsonNode body = AlertJson.MAPPER.readTree(exchange.getRequestBody());
          deliveredIds.add(body.get("id").asText());
          keys.add(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();

    untilReady(child("resume", db, url));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> new HashSet<>(deliveredIds).containsAll(raised));
    Set<String> distinct = new HashSet<>(deliveredIds);
    assertThat(distinct).containsExactlyInAnyOrderElementsOf(raised);
    for (int i = 0; i < keys.size(); i++) {
      assertThat(keys.get(i)).isEqualTo(deliveredIds.get(i) + "/webhook/firing/1");
    }
  }
}
