package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.instrument.MonitoringHandler;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import io.amptalk.monitoring.testing.ExternalProgram;
import io.amptalk.monitoring.testing.FakeHostProbe;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page ({@code /}) in a real browser: the system's headless Chromium, driven by Selenium
 * through the system's chromedriver (never a downloaded one), each found on {@code PATH} or at
 * {@code -Dchromium=}/{@code -Dchromedriver=}. Skipped when either is missing, except under CI,
 * where that fails ({@link ExternalProgram}).
 */
class StatusPageIT {
  private static final String INSTALL = "apt-get install chromium chromium-driver";
  private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(15);

  private final AtomicReference<CheckResult> database =
      new AtomicReference<>(CheckResult.healthy("connected to main"));
  private Monitoring monitoring;
  private ChromeDriver driver;
  private Path profile;

  @BeforeEach
  void start() throws IOException {
    File chromium = ExternalProgram.require("chromium", INSTALL).toFile();
    File chromedriver = ExternalProgram.require("chromedriver", INSTALL).toFile();
    monitoring = startMonitoring(0, null);
    profile = Files.createTempDirectory("status-page-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(chromedriver).build();
    driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1280, 800));
  }

  private Monitoring startMonitoring(int port, String apiToken) {
    Monitoring.Builder builder =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .serviceName("checkout")
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(port)
                    .enableJvmMetrics(false)
                    .build())
            .healthCheck(
                m ->
                    HealthCheck.builder()
                        .meter(m.getMeter())
                        .autoCheck(true)
                        .checkInterval(Duration.ofMillis(500))
                        .build());
    Monitoring started = (apiToken == null ? builder : builder.apiToken(apiToken)).build();
    started.healthCheck().registerCheck("database", database::get, "Main PostgreSQL pool");
    started
        .healthCheck()
        .registerCheck("cache", () -> CheckResult.healthy("hit ratio 0.97"), "Redis");
    started.healthCheck().runAllChecks();
    return started;
  }

  @AfterEach
  void stop() throws IOException {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      if (monitoring != null) {
        monitoring.close();
      }
      if (profile != null) {
        try (var files = Files.walk(profile)) {
          files.sorted((a, b) -> b.compareTo(a)).map(Path::toFile).forEach(File::delete);
        }
      }
    }
  }

  private String baseUrl() {
    return "http://127.0.0.1:" + monitoring.systemMonitor().getPrometheusPort();
  }

  private WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  private String checkStatus(String name) {
    return find("[data-check=\"" + name + "\"] .status").getDomAttribute("data-status");
  }

  private WebElement alert(String title) {
    return find("#alerts [data-alert-title=\"" + title + "\"]");
  }

  @Test
  void page_inAContainerWithLimits_showsCpuAndMemoryOfThem_andTheHostsBelow() throws IOException {
    FakeHostProbe probe = new FakeHostProbe();
    probe.container =
        Optional.of(
            new SystemSnapshot.ContainerUsage(
                OptionalDouble.of(1.5),
                OptionalDouble.of(0.5),
                Optional.of(new SystemSnapshot.MemoryUsage(512L << 20, 128L << 20))));
    try (Monitoring limited =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .hostProbe(probe))
            .build()) {
      driver.get("http://127.0.0.1:" + limited.systemMonitor().getPrometheusPort() + "/");

      await()
          .atMost(PAGE_TIMEOUT)
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertThat(shown("#metric-cpu .value")).isEqualTo("50 %");
                assertThat(shown("#metric-cpu .sub")).isEqualTo("of a 1.5-CPU quota · host 25 %");
                assertThat(shown("#metric-memory .value")).isEqualTo("75 %");
                assertThat(shown("#metric-memory .sub"))
                    .isEqualTo("384 MiB of a 512 MiB limit · host 25 %");
              });
    }
  }

  @Test
  void page_withObjectives_showsEachBudgetItsBurnRatesAndWhichAlertsBurn() throws IOException {
    try (Monitoring withSlos =
        Monitoring.builder()
            .systemMonitor(
                SystemMonitor.builder()
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false))
            .slos(
                List.of(
                    ServiceLevelObjective.builder("api").objective(99).build(),
                    ServiceLevelObjective.builder("payments")
                        .routes(List.of("/pay"))
                        .objective(99)
                        .build()))
            .build()) {
      SystemMonitor monitor = withSlos.systemMonitor();
      // api, all routes: 7 of 1,100 bad (0.64 %); payments: 5 of 100 (5 %); each budget is 1 %.
      for (int i = 0; i < 1_000; i++) {
        monitor.recordRequest("/users", "GET", i < 2 ? 503 : 200, 12);
      }
      for (int i = 0; i < 100; i++) {
        monitor.recordRequest("/pay", "POST", i < 5 ? 500 : 200, 40);
      }
      driver.get("http://127.0.0.1:" + monitor.getPrometheusPort() + "/");

      // Evaluated every 10 s, shown within a refresh after.
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertThat(shown("[data-slo=\"payments\"] .budget"))
                    .isEqualTo("\u2212400.0 % left");
                assertThat(shown("[data-slo=\"api\"] .budget")).isEqualTo("36.4 % left");
              });
      assertThat(find("#slo-section").isDisplayed()).isTrue();
      assertThat(shown("[data-slo=\"api\"] .objective")).isEqualTo("99 % over 30d");
      assertThat(shown("[data-slo=\"api\"] .firing")).isEmpty();
      assertThat(shown("[data-slo=\"api\"] [data-window=\"1h\"] dd")).isEqualTo("0.64×");
      assertThat(shown("[data-slo=\"payments\"] .firing"))
          .isEqualTo("burning: warning 1d, warning 3d");
      assertThat(shown("[data-slo=\"payments\"] [data-window=\"5m\"] dd")).isEqualTo("5.00×");
      assertThat(find("[data-slo=\"payments\"] .bar span").getDomAttribute("class"))
          .isEqualTo("high");
    }
  }

  @Test
  void page_withoutObjectives_hidesTheirSection() {
    driver.get(baseUrl() + "/");

    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(checkStatus("database")).isEqualTo("healthy"));
    assertThat(find("#slo-section").isDisplayed()).isFalse();
  }

  /** An element's text as read, a non-breaking space as a space. */
  private String shown(String css) {
    return find(css).getText().replace('\u00a0', ' ');
  }

  @Test
  void page_mountedUnderABasePath_fetchesItsDataFromBelowIt() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/monitoring", MonitoringHandler.of(monitoring));
    server.start();
    try {
      // The bare base redirects to /monitoring/, against which the page's links resolve.
      driver.get("http://127.0.0.1:" + server.getAddress().getPort() + "/monitoring");

      await()
          .atMost(PAGE_TIMEOUT)
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertThat(checkStatus("database")).isEqualTo("healthy");
                assertThat(checkStatus("cache")).isEqualTo("healthy");
                assertThat(find("#connection").getDomAttribute("data-state")).isEqualTo("live");
                assertThat(find("#service").getText()).isEqualTo("checkout");
              });
      assertThat(driver.getCurrentUrl())
          .isEqualTo("http://127.0.0.1:" + server.getAddress().getPort() + "/monitoring/");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void page_checkTurnsUnhealthyAndAlertsRaised_showsThemWithinSeconds() throws IOException {
    driver.get(baseUrl() + "/");

    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(find("#overall-status").getDomAttribute("data-status"))
                  .isEqualTo("healthy");
              assertThat(find("#overall-status").getText()).isEqualTo("healthy");
              assertThat(checkStatus("database")).isEqualTo("healthy");
              assertThat(checkStatus("cache")).isEqualTo("healthy");
              assertThat(find("#connection").getDomAttribute("data-state")).isEqualTo("live");
            });
    assertThat(find("#service").getText()).isEqualTo("checkout");
    // No token on the server: nothing is asked.
    assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("none");
    assertThat(find("#auth").isDisplayed()).isFalse();
    assertThat(find("[data-check=\"cache\"] .message").getText()).isEqualTo("hit ratio 0.97");
    WebElement lastRun = find("[data-check=\"database\"] .last-run");
    assertThat(lastRun.getText()).matches("last run \\d+ s ago");
    assertThat(Instant.parse(lastRun.getDomAttribute("title"))).isBefore(Instant.now());

    database.set(CheckResult.unhealthy("connection refused"));
    monitoring.healthCheck().runAllChecks();

    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(checkStatus("database")).isEqualTo("unhealthy");
              assertThat(find("[data-check=\"database\"] .status").getText())
                  .isEqualTo("unhealthy");
              assertThat(find("[data-check=\"database\"] .message").getText())
                  .isEqualTo("connection refused");
              assertThat(find("#overall-status").getDomAttribute("data-status"))
                  .isEqualTo("unhealthy");
              WebElement raised = alert("Health check 'database' is unhealthy");
              assertThat(raised.getDomAttribute("data-state")).isEqualTo("firing");
              assertThat(raised.getDomAttribute("data-severity")).isEqualTo("critical");
            });
    // The history strip remembers the healthy runs before the failure.
    List<String> history =
        driver.findElements(By.cssSelector("[data-check=\"database\"] .history .cell")).stream()
            .map(cell -> cell.getDomAttribute("data-status"))
            .toList();
    assertThat(history).contains("healthy").endsWith("unhealthy");

    monitoring
        .alertSystem()
        .alert("Disk almost full", "95%", AlertSeverity.ERROR, "disk", Map.of());

    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              WebElement disk = alert("Disk almost full");
              assertThat(disk.getDomAttribute("data-state")).isEqualTo("firing");
              assertThat(disk.getDomAttribute("data-severity")).isEqualTo("error");
              assertThat(disk.findElement(By.cssSelector(".message")).getText()).isEqualTo("95%");
              assertThat(disk.findElement(By.cssSelector(".source")).getText()).isEqualTo("disk");
              assertThat(find("#metric-memory .value").getText()).endsWith("%");
            });
    // Self-contained: everything the page loaded came from the monitor itself.
    Object resources =
        ((JavascriptExecutor) driver)
            .executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name)"
                    + ".concat([location.href])");
    assertThat((List<?>) resources)
        .allSatisfy(url -> assertThat(url).asString().startsWith(baseUrl()));

    screenshot(1280, 800, false, "status-page.png");
    // A phone: a 390×844 viewport at 2x, with the viewport meta tag honoured.
    screenshot(390, 844, true, "status-page-phone.png");
  }

  @Test
  void page_checkCountingTowardAChange_showsItPendingThenTurned() {
    AtomicReference<CheckResult> queue =
        new AtomicReference<>(CheckResult.healthy("12 messages waiting"));
    // Run by the test alone (its first periodic run an hour away), so the count is exact.
    monitoring
        .healthCheck()
        .registerCheck(
            "queue",
            queue::get,
            "Outgoing mail queue",
            CheckOptions.builder()
                .failureThreshold(3)
                .interval(Duration.ofHours(1))
                .initialDelay(Duration.ofHours(1))
                .build());
    monitoring.healthCheck().runCheck("queue");
    queue.set(CheckResult.unhealthy("9,000 messages waiting"));
    monitoring.healthCheck().runCheck("queue");
    monitoring.healthCheck().runCheck("queue");
    driver.get(baseUrl() + "/");

    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(checkStatus("queue")).isEqualTo("healthy");
              assertThat(find("[data-check=\"queue\"] .message").getText())
                  .isEqualTo("9,000 messages waiting");
              WebElement pending = find("[data-check=\"queue\"] .pending");
              assertThat(pending.isDisplayed()).isTrue();
              assertThat(pending.getText()).isEqualTo("\u2192 unhealthy 2 of 3");
              assertThat(pending.getDomAttribute("data-status")).isEqualTo("unhealthy");
            });
    assertThat(find("[data-check=\"database\"] .pending").isDisplayed()).isFalse();
    assertThat(find("[data-check=\"queue\"] .skipped").isDisplayed()).isFalse();

    monitoring.healthCheck().runCheck("queue");

    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(checkStatus("queue")).isEqualTo("unhealthy");
              assertThat(find("[data-check=\"queue\"] .pending").isDisplayed()).isFalse();
            });
  }

  @Test
  void page_serverGoneAndBack_showsConnectionLostThenRecovers() {
    int port = monitoring.systemMonitor().getPrometheusPort();
    driver.get(baseUrl() + "/");
    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(find("#connection").getDomAttribute("data-state")).isEqualTo("live"));

    monitoring.close();

    await()
        .atMost(PAGE_TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(find("#connection").getDomAttribute("data-state")).isEqualTo("lost");
              assertThat(find("#connection").getText()).startsWith("Connection lost");
            });

    monitoring = startMonitoring(port, null);

    await()
        .atMost(PAGE_TIMEOUT)
        .untilAsserted(
            () -> assertThat(find("#connection").getDomAttribute("data-state")).isEqualTo("live"));
  }

  @Test
  void page_serverWithToken_asksForItOnceKeepsItForTheTabAndForgetsARefusedOne() {
    monitoring.close();
    monitoring = startMonitoring(0, "page-T0ken");
    driver.get(baseUrl() + "/");

    // Without the token: the status alone, and the form asking for it.
    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("needed");
              assertThat(find("#auth").isDisplayed()).isTrue();
              assertThat(find("#overall-status").getDomAttribute("data-status"))
                  .isEqualTo("healthy");
              assertThat(find("#connection").getDomAttribute("data-state")).isEqualTo("live");
            });
    assertThat(find("#checks .empty").getText()).isEqualTo("Check details need the API token.");
    assertThat(find("#alerts .empty").getText()).isEqualTo("Alerts need the API token.");
    assertThat(find("#host").getText()).isEqualTo("host details need the API token");
    assertThat(driver.findElements(By.cssSelector("[data-check]"))).isEmpty();

    // A wrong token is refused, forgotten, and asked for again.
    find("#token-input").sendKeys("wrong-T0ken");
    find("#auth button").click();
    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("refused");
              assertThat(find("#auth label").getText())
                  .isEqualTo("The token was refused: enter the monitor's API token again.");
            });
    assertThat(storedToken()).isNull();

    // The right one shows everything, and stays in the tab's sessionStorage.
    find("#token-input").sendKeys("page-T0ken");
    find("#auth button").click();
    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("ok");
              assertThat(find("#auth").isDisplayed()).isFalse();
              assertThat(checkStatus("database")).isEqualTo("healthy");
              assertThat(find("#metric-memory .value").getText()).endsWith("%");
              assertThat(find("#service").getText()).isEqualTo("checkout");
            });
    assertThat(storedToken()).isEqualTo("page-T0ken");
    assertThat(find("#token-input").getDomProperty("value")).isEmpty();

    // A reload in the same tab asks nothing.
    driver.navigate().refresh();
    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(checkStatus("database")).isEqualTo("healthy");
              assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("ok");
            });

    // Forgetting it locks the page again.
    find("#forget-token").click();
    await()
        .atMost(PAGE_TIMEOUT)
        .ignoreExceptions()
        .untilAsserted(
            () -> assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("needed"));
    assertThat(storedToken()).isNull();
  }

  private Object storedToken() {
    return ((JavascriptExecutor) driver)
        .executeScript("return sessionStorage.getItem('amptalk-monitoring.token')");
  }

  /** Saves what a viewport of that size shows (emulated exactly: a window has browser chrome). */
  private void screenshot(int width, int height, boolean phone, String name) throws IOException {
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of(
            "width", width, "height", height, "deviceScaleFactor", phone ? 2 : 1, "mobile", phone));
    Path target = Path.of("target");
    Files.createDirectories(target);
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), target.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }
}
