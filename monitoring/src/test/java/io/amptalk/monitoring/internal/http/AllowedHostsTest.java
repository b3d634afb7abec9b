package io.amptalk.monitoring.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AllowedHostsTest {
  private static final InetAddress LOOPBACK = address("127.0.0.1");
  private static final InetAddress ANY = address("0.0.0.0");
  private static final InetAddress LAN = address("10.0.0.5");

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "LocalHost:8000",
        "localhost.",
        "a.b.localhost",
        "127.0.0.1",
        "127.255.0.9:1",
        "[::1]",
        "[::1]:8000",
        "[0:0:0:0:0:0:0:1]"
      })
  void loopbackBound_loopbackNames_areAnswered(String host) {
    assertThat(AllowedHosts.of(LOOPBACK, List.of()).allows(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "evil.example",
        "evil.example:8000",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "128.0.0.1",
        "127.0.0.256",
        "[::2]",
        "localhost:http",
        "",
        ":8000"
      })
  void loopbackBound_otherNames_areRefused(String host) {
    assertThat(AllowedHosts.of(LOOPBACK, List.of()).allows(host)).isFalse();
  }

  @Test
  void noHostHeader_isAnswered() {
    assertThat(AllowedHosts.of(LOOPBACK, List.of()).allows(null)).isTrue();
  }

  @Test
  void givenNames_exactOrUnderADomain_areAnsweredBesideLoopback() {
    AllowedHosts hosts =
        AllowedHosts.of(
            LOOPBACK,
            AllowedHosts.check(List.of("Monitor.Internal.", "*.example.com", "10.0.0.5")));

    assertThat(hosts.allows("monitor.internal:8000")).isTrue();
    assertThat(hosts.allows("a.example.com")).isTrue();
    assertThat(hosts.allows("a.b.example.com:1")).isTrue();
    assertThat(hosts.allows("10.0.0.5:8000")).isTrue();
    assertThat(hosts.allows("localhost")).isTrue();
    assertThat(hosts.allows("example.com")).as("the domain itself is not under it").isFalse();
    assertThat(hosts.allows("badexample.com")).isFalse();
    assertThat(hosts.allows("monitor.internal.evil")).isFalse();
  }

  @Test
  void boundElsewhere_everyNameIsAnswered_unlessNamesAreGiven() {
    assertThat(AllowedHosts.of(ANY, List.of()).allows("evil.example")).isTrue();
    assertThat(AllowedHosts.of(LAN, List.of()).allows("evil.example")).isTrue();

    AllowedHosts given = AllowedHosts.of(ANY, AllowedHosts.check(List.of("monitor.internal")));
    assertThat(given.allows("evil.example")).isFalse();
    assertThat(given.allows("monitor.internal")).isTrue();
    assertThat(given.allows("localhost:8000")).isTrue();
  }

  @Test
  void star_answersEveryName_evenOnLoopback() {
    assertThat(AllowedHosts.of(LOOPBACK, AllowedHosts.check(List.of("*"))).allows("evil.example"))
        .isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://monitor", "monitor:8000", "", " ", "a b", "*.", "**.x", "a..b"})
  void check_refusesWhatIsNoName_namingIt(String entry) {
    assertThatThrownBy(() -> AllowedHosts.check(List.of("ok.example", entry)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "allowedHosts must hold host names, IP addresses, '*.domain' or '*', was '"
                + entry
                + "'");
  }

  @Test
  void refusal_namesTheHost_cutWhenLong() {
    assertThat(AllowedHosts.refusal("evil.example"))
        .isEqualTo("Misdirected Request: this port does not serve the host 'evil.example'");
    assertThat(AllowedHosts.refusal("x".repeat(300)))
        .isEqualTo(
            "Misdirected Request: this port does not serve the host '" + "x".repeat(255) + "...'");
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
