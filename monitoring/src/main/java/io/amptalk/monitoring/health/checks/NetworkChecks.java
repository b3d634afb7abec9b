package io.amptalk.monitoring.health.checks;

import static io.amptalk.monitoring.health.checks.Format.details;

import io.amptalk.monitoring.health.Check;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.internal.util.Options;
import io.amptalk.monitoring.internal.util.Throwables;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Checks that a dependency answers over the network: a TCP connection opens, or an HTTP GET answers
 * an accepted status, within a timeout. A refused connection or a timeout is an UNHEALTHY result,
 * never an exception. Arguments are validated when a check is made.
 *
 * <pre>{@code
 * health.registerCheck("db", NetworkChecks.tcp("db.internal", 5432, Duration.ofSeconds(2)), "DB");
 * }</pre>
 */
public final class NetworkChecks {
  private NetworkChecks() {}

  /** Whether a TCP connection to {@code host:port} opens within {@code timeout}. */
  public static Check tcp(String host, int port, Duration timeout) {
    Options.requireNonBlank("host", host);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, was " + port);
    }
    return new Tcp(host, port, Options.requirePositive("timeout", timeout));
  }

  /** Whether a GET of {@code url} answers one of {@code acceptedStatuses} within the timeout. */
  public static Check http(String url, Set<Integer> acceptedStatuses, Duration timeout) {
    URI uri = httpUri(url);
    if (acceptedStatuses == null || acceptedStatuses.isEmpty()) {
      throw new IllegalArgumentException(
          "acceptedStatuses must not be empty, was " + acceptedStatuses);
    }
    for (Integer status : acceptedStatuses) { // iterate: Set.of(...).contains(null) throws
      if (status == null || status < 100 || status > 599) {
        throw new IllegalArgumentException(
            "acceptedStatuses must be within 100..599, was " + acceptedStatuses);
      }
    }
    return new Http(
        url,
        uri,
        List.copyOf(new TreeSet<>(acceptedStatuses)),
        Options.requirePositive("timeout", timeout));
  }

  private record Tcp(String host, int port, Duration timeout) implements Check {
    @Override
    public CheckResult check() {
      String target = hostPort(host, port);
      long start = System.nanoTime();
      try (Socket socket = new Socket()) {
        // An unresolvable host fails in connect() (UnknownHostException), not here.
        socket.connect(new InetSocketAddress(host, port), millis(timeout));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return CheckResult.healthy(
            "Connected to " + target + " in " + elapsed + " ms",
            details("host", host, "port", port, "connect_ms", elapsed));
      } catch (SocketTimeoutException e) {
        return CheckResult.unhealthy(
            "Cannot connect to " + target + " within " + timeout.toMillis() + " ms",
            details("host", host, "port", port));
      } catch (IOException e) {
        return CheckResult.unhealthy(
            "Cannot connect to " + target + ": " + Throwables.describe(e),
            details("host", host, "port", port));
      }
    }

    @Override
    public String measurement() {
      return "connection";
    }
  }

  private static final class Http implements Check {
    private final String url;
    private final HttpRequest request;
    private final List<Integer> accepted;
    private final Duration timeout;
    // One client per check: it keeps its connections (and its one selector thread, a daemon).
    private final HttpClient client;

    Http(String url, URI uri, List<Integer> accepted, Duration timeout) {
      this.url = url;
      this.accepted = accepted;
      this.timeout = timeout;
      this.request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
      this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public CheckResult check() throws InterruptedException {
      long start = System.nanoTime();
      int status;
      try {
        status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (HttpTimeoutException e) { // the connect timeout is a subclass
        return CheckResult.unhealthy(
            "GET " + url + " timed out after " + timeout.toMillis() + " ms", Map.of("url", url));
      } catch (IOException e) {
        return CheckResult.unhealthy(
            "GET " + url + " failed: " + Throwables.describe(e), Map.of("url", url));
      }
      long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      Map<String, Object> details = details("url", url, "status", status, "response_ms", elapsed);
      return accepted.contains(status)
          ? CheckResult.healthy(
              "GET " + url + " answered " + status + " in " + elapsed + " ms", details)
          : CheckResult.unhealthy(
              "GET " + url + " answered " + status + ", expected one of " + accepted, details);
    }

    @Override
    public String measurement() {
      return "responseTime";
    }
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Socket.connect takes an int of milliseconds, and reads 0 as "no timeout". */
  private static int millis(Duration timeout) {
    return (int) Math.max(1, Math.min(timeout.toMillis(), Integer.MAX_VALUE));
  }

  private static URI httpUri(String url) {
    String rule = "url must be an http(s) URL, was '" + url + "'";
    if (url == null) {
      throw new IllegalArgumentException(rule);
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(rule, e);
    }
    if (!("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
        || uri.getHost() == null) {
      throw new IllegalArgumentException(rule);
    }
    return uri;
  }
}
