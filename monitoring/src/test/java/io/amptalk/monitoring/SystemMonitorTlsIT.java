package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.testing.Keystores;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitor's port over HTTPS with a keystore {@code keytool} made, against real HTTPS clients;
 * and bound to loopback only.
 */
class SystemMonitorTlsIT {
  private static final String PASSWORD = "ks-Pa55word";

  @TempDir static Path dir;
  private static Path pkcs12;
  private static Path jks;

  private SystemMonitor monitor;

  @BeforeAll
  static void keystores() {
    pkcs12 = Keystores.create(dir.resolve("monitor.p12"), "PKCS12", PASSWORD);
    jks = Keystores.create(dir.resolve("monitor.jks"), "JKS", PASSWORD);
  }

  @AfterEach
  void stop() {
    if (monitor != null) {
      monitor.close();
    }
  }

  private SystemMonitor start(SystemMonitor.Builder builder) {
    monitor = builder.prometheusPort(0).enableJvmMetrics(false).build();
    return monitor;
  }

  private static SystemMonitor.Builder loopback() {
    return SystemMonitor.builder().prometheusHost("127.0.0.1");
  }

  private HttpResponse<String> get(HttpClient client, String scheme, String path)
      throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(
                URI.create(scheme + "://127.0.0.1:" + monitor.getPrometheusPort() + path))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpClient trusting(Path keystore) {
    SSLContext context = Keystores.trusting(keystore, PASSWORD);
    return HttpClient.newBuilder().sslContext(context).build();
  }

  // ---------------------------------------------------------------- serving HTTPS

  @Test
  void tls_pkcs12_servesHttpsToAClientTrustingTheCertificate() throws Exception {
    start(loopback().tls(pkcs12, PASSWORD.toCharArray()));

    HttpResponse<String> response = get(trusting(pkcs12), "https", "/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("# TYPE target_info gauge");
    assertThat(response.sslSession()).isPresent();
    assertThat(response.sslSession().get().getProtocol()).isEqualTo("TLSv1.3");
    assertThat(response.sslSession().get().getPeerCertificates()[0])
        .isEqualTo(Keystores.trustedCertificate(pkcs12, PASSWORD));
  }

  @Test
  void tls_jks_servesHttpsToo() throws Exception {
    start(loopback().tls(jks, PASSWORD.toCharArray()));

    assertThat(get(trusting(jks), "https", "/metrics").statusCode()).isEqualTo(200);
  }

  @Test
  void tls_handlersRegisteredLater_areServedOverHttpsAsWell() throws Exception {
    start(loopback().tls(pkcs12, PASSWORD.toCharArray()));
    monitor.registerHttpHandler(
        "/hello",
        exchange -> {
          byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });

    HttpResponse<String> response = get(trusting(pkcs12), "https", "/hello");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello");
  }

  @Test
  void tls_plainHttpToTheTlsPort_fails() throws Exception {
    start(loopback().tls(pkcs12, PASSWORD.toCharArray()));

    assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "http", "/metrics"))
        .isInstanceOf(IOException.class);
    // Byte for byte: a plain request gets no HTTP answer, at most a TLS alert before the close.
    try (Socket socket = new Socket("127.0.0.1", monitor.getPrometheusPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.UTF_8));
      out.flush();
      byte[] answer = readUntilClosed(socket.getInputStream());
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("HTTP/");
      if (answer.length > 0) {
        assertThat(answer[0]).as("a TLS alert record").isEqualTo((byte) 0x15);
      }
    }
  }

  private static byte[] readUntilClosed(InputStream in) throws IOException {
    try {
      return in.readAllBytes();
    } catch (java.net.SocketException reset) {
      return new byte[0]; // reset by the server: nothing was answered
    }
  }

  @Test
  void tls_clientNotTrustingTheCertificate_refusesTheServer() {
    start(loopback().tls(pkcs12, PASSWORD.toCharArray()));

    // The JDK's own trust store does not hold a self-signed certificate.
    assertThatThrownBy(() -> get(HttpClient.newHttpClient(), "https", "/metrics"))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void tls_answersSentWithoutReadingTheBody_neverStallTheNextRequestOnTheConnection()
      throws Exception {
    // A 401 to a POST leaves its body unread. Were the JDK server to read it after answering, a
    // keep-alive client's next request could be swallowed into a TLS buffer the server never looks
    // at again, and wait until the idle connection was closed (30 s) to fail. This happened about
    // once in 50 such pairs; each one now succeeds at once.
    Monitoring monitoring =
        Monitoring.builder()
            .systemMonitor(start(loopback().tls(pkcs12, PASSWORD.toCharArray())))
            .apiToken("tls-T0ken")
            .build();
    HttpClient client = trusting(pkcs12);
    String base = "https://127.0.0.1:" + monitor.getPrometheusPort();
    try {
      for (int i = 0; i < 300; i++) {
        String body = i % 50 == 0 ? "x".repeat(100_000) : "{\"title\":\"t\"}"; // and past 64 KiB
        HttpResponse<String> refused =
            client.send(
                HttpRequest.newBuilder(URI.create(base + "/alerts"))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> next =
            client.send(
                HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(refused.statusCode()).as("POST %d", i).isEqualTo(401);
        assertThat(next.statusCode()).as("GET %d", i).isEqualTo(503); // no check has run
        if (i % 10 == 0) { // a handler that read and closed the body itself
          HttpResponse<String> raised =
              client.send(
                  HttpRequest.newBuilder(URI.create(base + "/alerts"))
                      .header("Authorization", "Bearer tls-T0ken")
                      .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"t" + i + "\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertThat(raised.statusCode()).as("POST with the token %d", i).isEqualTo(201);
        }
      }
    } finally {
      monitoring.close();
      monitor = null;
    }
  }

  // ---------------------------------------------------------------- failing fast

  @Test
  void tls_missingKeystore_failsNamingTheOptionAndThePath() {
    Path missing = dir.resolve("nope.p12");

    assertThatThrownBy(() -> SystemMonitor.builder().tls(missing, PASSWORD.toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tls keystore '" + missing + "' does not exist");
  }

  @Test
  void tls_aDirectory_failsNamingIt() {
    assertThatThrownBy(() -> SystemMonitor.builder().tls(dir, PASSWORD.toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tls keystore '" + dir + "' is not a file");
  }

  @Test
  void tls_wrongPassword_failsSayingSoWithoutThePassword() {
    for (Path keystore : new Path[] {pkcs12, jks}) {
      assertThatThrownBy(() -> SystemMonitor.builder().tls(keystore, "guess".toCharArray()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("tls keystore '" + keystore + "' cannot be opened: wrong password");
    }
  }

  @Test
  void tls_notAKeystore_failsSayingSo() throws IOException {
    Path text = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n");

    assertThatThrownBy(() -> SystemMonitor.builder().tls(text, PASSWORD.toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("tls keystore '" + text + "' is not a PKCS12 or JKS keystore");
  }

  @Test
  void tls_keystoreWithoutAPrivateKey_failsSayingWhatItNeeds() {
    Path certificateOnly =
        Keystores.certificateOnly(pkcs12, PASSWORD, dir.resolve("certificate-only.p12"));

    assertThatThrownBy(() -> SystemMonitor.builder().tls(certificateOnly, PASSWORD.toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "tls keystore '"
                + certificateOnly
                + "' holds no private key: it needs the server's key and certificate, e.g. made"
                + " with keytool -genkeypair");
  }

  @Test
  void tls_keyWithAnotherPasswordThanTheStore_failsSayingSo() {
    Path keyPassword =
        Keystores.create(dir.resolve("key-password.jks"), "JKS", PASSWORD, "other-Pa55word");

    assertThatThrownBy(() -> SystemMonitor.builder().tls(keyPassword, PASSWORD.toCharArray()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "tls keystore '"
                + keyPassword
                + "' holds a private key that the keystore's password does not open: give the"
                + " key the keystore's password");
  }

  @Test
  void tls_nulls_areRefused() {
    assertThatThrownBy(() -> SystemMonitor.builder().tls(null, PASSWORD.toCharArray()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keystore");
    assertThatThrownBy(() -> SystemMonitor.builder().tls(pkcs12, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("password");
  }

  // ---------------------------------------------------------------- loopback only

  @Test
  void prometheusHost_loopback_acceptsNoConnectionOnAnotherAddress() throws Exception {
    start(loopback());
    int port = monitor.getPrometheusPort();

    assertThat(get(HttpClient.newHttpClient(), "http", "/metrics").statusCode()).isEqualTo(200);
    // 127.0.0.2 is this host too, but not the address bound: as a LAN address would be, it is
    // refused.
    assertThatThrownBy(() -> connect("127.0.0.2", port)).isInstanceOf(ConnectException.class);
  }

  @Test
  void prometheusHost_default_acceptsConnectionsOnEveryAddress() throws Exception {
    start(SystemMonitor.builder());

    connect("127.0.0.2", monitor.getPrometheusPort());
  }

  private static void connect(String address, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address, port), 5_000);
    }
  }
}
