package io.amptalk.monitoring.internal.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpHandler;
import io.amptalk.monitoring.alert.store.StoreStatus;
import io.amptalk.monitoring.metrics.SystemInfo;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.metrics.SystemSnapshot.ContainerUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.NetworkIo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * {@code /api/system}: the monitor's system info and latest snapshot as JSON; and {@code /}: the
 * status page, one self-contained HTML file (no CDN: it must work where there is no internet).
 */
public final class SystemHttpHandler {
  public static final String API_PATH = "/api/system";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SystemHttpHandler() {}

  /**
   * What {@code /api/system} shows, read anew for each request.
   *
   * @param instance the instance as the page's header names it: the configured {@code
   *     service.instance.id}, else host:port
   * @param instanceId the {@code service.instance.id} (the alerts' {@code instance} label)
   * @param links the page's links elsewhere by name ({@code grafana}); empty for none
   */
  public record Status(
      SystemInfo info,
      String instance,
      String instanceId,
      SystemSnapshot snapshot,
      boolean healthy,
      String healthReason,
      StoreStatus store,
      Map<String, String> links) {}

  /**
   * {@code /api/system}; with a token, only for requests bearing {@code Authorization: Bearer
   * <token>} (401 otherwise), since the host's description helps an attacker choose an exploit.
   */
  public static HttpHandler api(Supplier<Status> status, String token) {
    return json(
        API_PATH,
        () -> {
          Status now = status.get();
          Map<String, Object> json = new LinkedHashMap<>();
          Map<String, Object> system = info(now.info());
          system.put("instance", now.instance());
          system.put("instance_id", now.instanceId());
          json.put("system", system);
          json.put("snapshot", snapshot(now.snapshot()));
          json.put("healthy", now.healthy());
          json.put("health_reason", now.healthReason());
          json.put("store", store(now.store()));
          if (!now.links().isEmpty()) {
            json.put("links", now.links());
          }
          return json;
        },
        token);
  }

  /**
   * A GET (and HEAD) endpoint at exactly {@code path} answering the document {@code body} gives, as
   * JSON; with a token, only for requests bearing {@code Authorization: Bearer <token>} (401
   * otherwise).
   */
  public static HttpHandler json(String path, Supplier<Map<String, Object>> body, String token) {
    byte[] expected = token == null ? null : Exchanges.bearer(token);
    return exchange -> {
      if (!Exchanges.allows(exchange, "GET", "HEAD")) {
        return;
      }
      try (exchange) {
        if (!path.equals(exchange.getRequestURI().getPath())) {
          Exchanges.notFound(exchange);
          return;
        }
        if (expected != null && !Exchanges.bears(exchange, expected)) {
          Exchanges.sendUnauthorized(exchange);
          return;
        }
        Exchanges.send(exchange, 200, "application/json", JSON.writeValueAsBytes(body.get()));
      }
    };
  }

  public static HttpHandler statusPage() {
    byte[] page;
    try (InputStream in = SystemHttpHandler.class.getResourceAsStream("status.html")) {
      if (in == null) {
        throw new IllegalStateException("status.html is missing from the library jar");
      }
      page = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String policy = contentSecurityPolicy(new String(page, StandardCharsets.UTF_8));
    return exchange -> {
      if (!Exchanges.allows(exchange, "GET", "HEAD")) {
        return;
      }
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        if (!"/".equals(path) && !"/index.html".equals(path)) {
          Exchanges.notFound(exchange);
          return;
        }
        exchange.getResponseHeaders().set("Content-Security-Policy", policy);
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        Exchanges.send(exchange, 200, "text/html; charset=utf-8", page);
      }
    };
  }

  /**
   * A policy that lets the page run its own inline script and style (allowed by their SHA-256, so
   * the policy follows any edit of the page) and fetch from its own origin, and nothing else: no
   * injected script could run and read the API token the page keeps, and no other site may frame
   * the page.
   */
  public static String contentSecurityPolicy(String page) {
    return "default-src 'none'; script-src "
        + hashOf(page, "<script>", "</script>")
        + "; style-src "
        + hashOf(page, "<style>", "</style>")
        + "; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none';"
        + " frame-ancestors 'none'";
  }

  private static String hashOf(String page, String open, String close) {
    int start = page.indexOf(open);
    int end = page.indexOf(close, start);
    if (start < 0 || end < 0 || page.indexOf(open, end) >= 0) {
      throw new IllegalStateException("status.html must hold exactly one " + open + " element");
    }
    String content = page.substring(start + open.length(), end);
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
      return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /**
   * The alert store's state, and when damage was found, what and where the damaged file was kept:
   * {@code {"state":"recovered","damaged_file":"/x/alerts.db.damaged-…","problem":"…"}}.
   */
  private static Map<String, Object> store(StoreStatus status) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("state", status.state().jsonName());
    if (status.damagedFile() != null) {
      json.put("damaged_file", status.damagedFile().toString());
    }
    if (status.problem() != null) {
      json.put("problem", status.problem());
      json.put("since", status.time().toString());
    }
    return json;
  }

  private static Map<String, Object> info(SystemInfo info) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("service", info.serviceName());
    json.put("host", info.hostName());
    json.put("os", info.os());
    json.put("os_version", info.osVersion());
    json.put("architecture", info.architecture());
    json.put("platform", info.platform());
    json.put("java_version", info.javaVersion());
    json.put("java_vendor", info.javaVendor());
    json.put("processor", info.processor());
    json.put("physical_cores", info.physicalCores());
    json.put("logical_cores", info.logicalCores());
    json.put("total_memory_bytes", info.totalMemoryBytes());
    json.put("start_time", info.startTime().toString());
    json.put("uptime_seconds", info.uptime().toSeconds());
    return json;
  }

  private static Map<String, Object> snapshot(SystemSnapshot s) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("time", s.time().toString());
    json.put("cpu_utilization", value(s.cpuUtilization()));
    // The CPU figure is over the interval ending then; a check shows the one it judged, with its
    // own sampled_at, so the page can say why two figures differ.
    json.put("cpu_sampled_at", s.cpuUtilization().isPresent() ? s.time().toString() : null);
    json.put(
        "memory_total_bytes", s.memory().map(SystemSnapshot.MemoryUsage::totalBytes).orElse(null));
    json.put(
        "memory_used_bytes", s.memory().map(SystemSnapshot.MemoryUsage::usedBytes).orElse(null));
    json.put(
        "memory_utilization", s.memory().map(SystemSnapshot.MemoryUsage::utilization).orElse(null));
    List<Map<String, Object>> disks =
        s.fileSystems().stream()
            .map(
                (FileSystemUsage fs) -> {
                  Map<String, Object> disk = new LinkedHashMap<>();
                  disk.put("device", fs.device());
                  disk.put("mountpoint", fs.mountpoint());
                  disk.put("type", fs.type());
                  disk.put("total_bytes", fs.totalBytes());
                  disk.put("used_bytes", fs.usedBytes());
                  disk.put("utilization", fs.utilization());
                  return disk;
                })
            .toList();
    json.put("file_systems", disks);
    List<Map<String, Object>> nics =
        s.networkInterfaces().stream()
            .map(
                (NetworkIo nic) -> {
                  Map<String, Object> io = new LinkedHashMap<>();
                  io.put("device", nic.device());
                  io.put("received_bytes", nic.receivedBytes());
                  io.put("transmitted_bytes", nic.transmittedBytes());
                  return io;
                })
            .toList();
    json.put("network", nics);
    json.put("process_cpu_utilization", value(s.processCpuUtilization()));
    json.put("process_memory_bytes", value(s.processMemoryBytes()));
    json.put("process_threads", value(s.processThreadCount()));
    json.put("process_open_file_descriptors", value(s.processOpenFileDescriptors()));
    json.put("container", s.container().map(SystemHttpHandler::container).orElse(null));
    return json;
  }

  /** The container's binding limits and their use; null where a figure is unknown. */
  private static Map<String, Object> container(ContainerUsage c) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("cpu_limit_cores", value(c.cpuLimitCores()));
    json.put("cpu_utilization", value(c.cpuUtilization()));
    json.put("memory_limit_bytes", c.memory().map(MemoryUsage::totalBytes).orElse(null));
    json.put("memory_used_bytes", c.memory().map(MemoryUsage::usedBytes).orElse(null));
    json.put("memory_utilization", c.memory().map(MemoryUsage::utilization).orElse(null));
    return json;
  }

  private static Double value(OptionalDouble value) {
    return value.isPresent() ? value.getAsDouble() : null;
  }

  private static Long value(OptionalLong value) {
    return value.isPresent() ? value.getAsLong() : null;
  }
}
