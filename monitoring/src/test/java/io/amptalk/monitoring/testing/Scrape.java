package io.amptalk.monitoring.testing;

import io.amptalk.monitoring.SystemMonitor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** One {@code GET /metrics} of a monitor serving on loopback, as Prometheus' text. */
public final class Scrape {
  private Scrape() {}

  public static String metrics(SystemMonitor monitor) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + monitor.getPrometheusPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
