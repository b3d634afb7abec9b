package io.amptalk.monitoring.internal.http;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The host names a port answers to, against DNS rebinding: a web page whose own name is made to
 * resolve to 127.0.0.1 can send requests to a loopback-bound port, but its browser still names the
 * page's host in {@code Host}, so a port bound to a loopback address answers only loopback names
 * ({@code localhost}, {@code *.localhost}, {@code 127.x.y.z}, {@code [::1]}, any port) and the
 * names it was given; other requests get 421 before any handler runs. A port bound to any other
 * address answers every name, unless names are given: then the loopback names and those.
 *
 * <p>A given name is a host name or IP address ({@code monitor.internal}, {@code 10.0.0.5}, {@code
 * [fd00::5]}), {@code *.domain} for every name under a domain, or {@code *} for every name (for a
 * proxy on the same host that passes the public name on). Names are matched without their port,
 * case-insensitively, a final dot ignored. A request without {@code Host} (HTTP/1.0) is answered:
 * it names nothing a page could have rebound.
 */
public final class AllowedHosts {
  /** Every name: a port bound to another address than loopback, with no names given. */
  static final AllowedHosts ANY = new AllowedHosts(false, List.of());

  private static final Pattern NAME =
      Pattern.compile(
          "(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");
  private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+\\]");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");
  private static final int MAX_NAMED = 255;

  private final boolean checked;
  private final List<String> names;

  private AllowedHosts(boolean checked, List<String> names) {
    this.checked = checked;
    this.names = names;
  }

  /**
   * The names a port bound to {@code bound} answers to, with {@code names} (checked with {@link
   * #check}) given.
   */
  static AllowedHosts of(InetAddress bound, List<String> names) {
    if (names.contains("*")) {
      return ANY;
    }
    boolean checked = bound.isLoopbackAddress() || !names.isEmpty();
    return checked ? new AllowedHosts(true, List.copyOf(names)) : ANY;
  }

  /**
   * The names, lower-cased and checked.
   *
   * @throws IllegalArgumentException naming the first that is not a host name, an IP address, a
   *     {@code *.domain} or {@code *}
   */
  public static List<String> check(List<String> names) {
    Objects.requireNonNull(names, "allowedHosts");
    List<String> checked = new ArrayList<>();
    for (String name : names) {
      String normal = name == null ? null : normalize(name.strip());
      if (normal == null
          || !("*".equals(name.strip())
              || IPV6.matcher(normal).matches()
              || NAME.matcher(normal).matches())) {
        throw new IllegalArgumentException(
            "allowedHosts must hold host names, IP addresses, '*.domain' or '*', was '"
                + name
                + "'");
      }
      checked.add(normal);
    }
    return List.copyOf(checked);
  }

  /** Whether a request with this {@code Host} value (null when none) is answered. */
  boolean allows(String host) {
    if (!checked || host == null) {
      return true;
    }
    String name = name(host);
    if (name == null) {
      return false;
    }
    if (loopback(name)) {
      return true;
    }
    for (String allowed : names) {
      if (allowed.startsWith("*.")
          ? name.endsWith(allowed.substring(1)) && name.length() > allowed.length() - 1
          : allowed.equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** The body of the 421: one line naming the host (cut, should it be long). */
  static String refusal(String host) {
    String named = host.length() > MAX_NAMED ? host.substring(0, MAX_NAMED) + "..." : host;
    return ResponseHead.reason(421) + ": this port does not serve the host '" + named + "'";
  }

  /** The host of a {@code Host} value without its port, normalized; null when malformed. */
  private static String name(String host) {
    String value = host.strip().toLowerCase(Locale.ROOT);
    String name = value;
    int colon = value.lastIndexOf(':');
    int bracket = value.lastIndexOf(']');
    if (colon > bracket) {
      if (!PORT.matcher(value.substring(colon + 1)).matches()) {
        return null;
      }
      name = value.substring(0, colon);
    }
    return name.isEmpty() ? null : normalize(name);
  }

  private static String normalize(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") && lower.length() > 1
        ? lower.substring(0, lower.length() - 1)
        : lower;
  }

  private static boolean loopback(String name) {
    if ("localhost".equals(name) || name.endsWith(".localhost")) {
      return true;
    }
    if (IPV4.matcher(name).matches()) {
      String[] parts = name.split("\\.");
      for (String part : parts) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return "127".equals(parts[0]);
    }
    if (IPV6.matcher(name).matches()) {
      try {
        // A literal (only hex digits, colons and dots): parsed without any lookup.
        return InetAddress.getByName(name).isLoopbackAddress();
      } catch (java.net.UnknownHostException malformed) {
        return false;
      }
    }
    return false;
  }
}
