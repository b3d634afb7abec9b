package io.amptalk.monitoring.bench;

import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * For {@code bench/health-load.sh}: serves our {@code /health} (five checks, results cached) on the
 * monitor's port, and beside it a trivial JDK {@code HttpServer} handler that writes a fixed body
 * of the same size on a plain fixed pool as large as the monitor's (16 threads), so a load
 * generator can compare the two in one run. Prints both ports, then runs until killed.
 */
public final class HealthEndpointServer {
  private HealthEndpointServer() {}

  public static void main(String[] args) throws Exception {
    // The trivial JDK server as it would be tuned: without TCP_NODELAY each small answer stalls
    // ~40 ms on Nagle's algorithm meeting the client's delayed ACK. Read when it first starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    // /health is served by the wiring, as in an application.
    Monitoring monitoring =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .build())
            .healthCheck(m -> HealthCheck.builder().meter(m.getMeter()).autoCheck(false).build())
            .build();
    SystemMonitor monitor = monitoring.systemMonitor();
    HealthCheck health = monitoring.healthCheck();
    for (String name : new String[] {"database", "cache", "queue", "disk", "upstream"}) {
      health.registerCheck(
          name,
          () -> CheckResult.healthy(name + " is fine", Map.of("latency_ms", 3)),
          name + " check",
          CheckOptions.builder().groups(CheckOptions.READINESS).build());
    }
    health.runAllChecks();
    byte[] body = health.getStatusReport().toJson().getBytes(StandardCharsets.UTF_8);

    HttpServer trivial = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ExecutorService executor = Executors.newFixedThreadPool(16);
    trivial.setExecutor(executor);
    trivial.createContext(
        "/health",
        exchange -> {
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    trivial.start();

    System.out.println("amptalk " + monitor.getPrometheusPort());
    System.out.println("trivial " + trivial.getAddress().getPort());
    System.out.println("body-bytes " + body.length);
    System.out.flush();
    new CountDownLatch(1).await();
  }
}
