package io.amptalk.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.amptalk.monitoring.alert.Alert;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.alert.InhibitRule;
import io.amptalk.monitoring.health.CheckOptions;
import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.instrument.MonitoringHandler;
import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.slo.ServiceLevelObjective;
import io.amptalk.monitoring.testing.ExternalProgram;
import io.amptalk.monitoring.testing.FakeHostProbe;
import io.amptalk.monitoring.testing.MutableClock;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The status page ({@code /}) in a real browser: the system's headless Chromium, driven by Selenium
 * through the system's chromedriver (never a downloaded one), each found on {@code PATH} or at
 * {@code -Dchromium=}/{@code -Dchromedriver=}. Skipped when either is missing, except under CI,
 * where that fails ({@link ExternalProgram}).
 */
class StatusPageIT {
  private static final String INSTALL = "apt-get install chromium chromium-driver";
  private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(15);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

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

  /** A monitor on a free loopback port, without the JVM's metrics. */
  private static SystemMonitor.Builder onLoopback() {
    return SystemMonitor.builder()
        .prometheusHost("127.0.0.1")
        .prometheusPort(0)
        .enableJvmMetrics(false);
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
        Monitoring.builder().systemMonitor(onLoopback().hostProbe(probe)).build()) {
      driver.get("http://127.0.0.1:" + limited.systemMonitor().getPrometheusPort() + "/");

      eventually(
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
            .systemMonitor(onLoopback())
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

    eventually(() -> assertThat(checkStatus("database")).isEqualTo("healthy"));
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

      eventually(
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

    eventually(
        () -> {
          assertThat(find("#overall-status").getDomAttribute("data-status")).isEqualTo("healthy");
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

    eventually(
        () -> {
          assertThat(checkStatus("database")).isEqualTo("unhealthy");
          assertThat(find("[data-check=\"database\"] .status").getText()).isEqualTo("unhealthy");
          assertThat(find("[data-check=\"database\"] .message").getText())
              .isEqualTo("connection refused");
          assertThat(find("#overall-status").getDomAttribute("data-status")).isEqualTo("unhealthy");
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

    eventually(
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

    eventually(
        () -> {
          assertThat(checkStatus("queue")).isEqualTo("healthy");
          assertThat(find("[data-check=\"queue\"] .message").getText())
              .isEqualTo("9,000 messages waiting");
          WebElement pending = find("[data-check=\"queue\"] .pending");
          assertThat(pending.isDisplayed()).isTrue();
          assertThat(pending.getText()).isEqualTo("\u2192 unhealthy 2 of 3");
          assertThat(pending.getDomAttribute("data-status")).isEqualTo("unhealthy");
          assertThat(find("[data-check=\"queue\"] .pending-note").getText())
              .isEqualTo("2 of 3 bad results before unhealthy");
        });
    assertThat(find("[data-check=\"database\"] .pending").isDisplayed()).isFalse();
    assertThat(find("[data-check=\"queue\"] .skipped").isDisplayed()).isFalse();

    monitoring.healthCheck().runCheck("queue");

    eventually(
        () -> {
          assertThat(checkStatus("queue")).isEqualTo("unhealthy");
          assertThat(find("[data-check=\"queue\"] .pending").isDisplayed()).isFalse();
        });
  }

  @Test
  void page_serverGoneAndBack_showsConnectionLostThenRecovers() {
    int port = monitoring.systemMonitor().getPrometheusPort();
    driver.get(baseUrl() + "/");
    eventually(
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
    eventually(
        () -> {
          assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("needed");
          assertThat(find("#auth").isDisplayed()).isTrue();
          assertThat(find("#overall-status").getDomAttribute("data-status")).isEqualTo("healthy");
          assertThat(find("#connection").getDomAttribute("data-state")).isEqualTo("live");
        });
    assertThat(find("#checks .empty").getText()).isEqualTo("Check details need the API token.");
    assertThat(find("#alerts .empty").getText()).isEqualTo("Alerts need the API token.");
    assertThat(find("#host").getText()).isEqualTo("host details need the API token");
    assertThat(find("#history-note").getText()).isEqualTo("The history needs the API token.");
    assertThat(find("#silences .empty").getText()).isEqualTo("Silences need the API token.");
    assertThat(driver.findElements(By.cssSelector("[data-check]"))).isEmpty();

    // A wrong token is refused, forgotten, and asked for again.
    find("#token-input").sendKeys("wrong-T0ken");
    find("#auth button").click();
    eventually(
        () -> {
          assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("refused");
          assertThat(find("#auth label").getText())
              .isEqualTo("The token was refused: enter the monitor's API token again.");
        });
    assertThat(storedToken()).isNull();

    // The right one shows everything, and stays in the tab's sessionStorage.
    find("#token-input").sendKeys("page-T0ken");
    find("#auth button").click();
    eventually(
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
    eventually(
        () -> {
          assertThat(checkStatus("database")).isEqualTo("healthy");
          assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("ok");
        });

    // Forgetting it locks the page again.
    find("#forget-token").click();
    eventually(() -> assertThat(find("#auth").getDomAttribute("data-state")).isEqualTo("needed"));
    assertThat(storedToken()).isNull();
  }

  @Test
  void page_alerts_filteredBySeveritySourceAndState_silencedAndInhibitedMarked()
      throws IOException {
    try (Monitoring withRules =
        Monitoring.builder()
            .systemMonitor(onLoopback())
            .alertSystem(
                m ->
                    AlertSystem.builder()
                        .meter(m.getMeter())
                        .inhibitRules(
                            List.of(
                                InhibitRule.of(
                                    List.of("alertname=Host down"),
                                    List.of("severity=warning"),
                                    List.of())))
                        .build())
            .build()) {
      AlertSystem alerts = withRules.alertSystem();
      alerts.addSilence(List.of("team=payments"), Duration.ofHours(1), "ops", "card provider");
      alerts.alert("Cache cold", "hit ratio 0.2", AlertSeverity.INFO, "cache", Map.of());
      alerts.resolve("cache", "Cache cold");
      alerts.alert("Host down", "no heartbeat", AlertSeverity.CRITICAL, "host", Map.of());
      alerts.alert("Disk almost full", "95%", AlertSeverity.WARNING, "disk", Map.of());
      alerts.alert(
          "Card declines",
          "12 %",
          AlertSeverity.ERROR,
          "payments",
          Map.of(),
          Map.of("team", "payments"));
      driver.get("http://127.0.0.1:" + withRules.systemMonitor().getPrometheusPort() + "/");

      eventually(
          () ->
              assertThat(shownAlerts())
                  .containsExactly("Card declines", "Disk almost full", "Host down", "Cache cold"));
      assertThat(find("#alerts-summary").getText()).isEqualTo("· 3 firing");
      assertThat(alert("Card declines").findElement(By.cssSelector(".mark.silenced")).isDisplayed())
          .isTrue();
      assertThat(
              alert("Card declines").findElement(By.cssSelector(".mark.inhibited")).isDisplayed())
          .isFalse();
      assertThat(
              alert("Disk almost full")
                  .findElement(By.cssSelector(".mark.inhibited"))
                  .isDisplayed())
          .isTrue();
      assertThat(alert("Host down").findElement(By.cssSelector(".mark.silenced")).isDisplayed())
          .isFalse();
      assertThat(alert("Cache cold").getDomAttribute("data-state")).isEqualTo("resolved");

      choose("#filter-severity", "warning");
      assertThat(shownAlerts()).containsExactly("Disk almost full");
      choose("#filter-severity", "any");
      choose("#filter-state", "silenced");
      assertThat(shownAlerts()).containsExactly("Card declines");
      choose("#filter-state", "inhibited");
      assertThat(shownAlerts()).containsExactly("Disk almost full");
      choose("#filter-state", "resolved");
      assertThat(shownAlerts()).containsExactly("Cache cold");
      choose("#filter-state", "firing");
      choose("#filter-source", "host");
      assertThat(shownAlerts()).containsExactly("Host down");
      choose("#filter-source", "cache");
      assertThat(shownAlerts()).isEmpty();
      assertThat(find("#alerts .empty").getText()).isEqualTo("No alerts match the filters.");
      // A refresh keeps the filters.
      String before = find("#connection").getText();
      await().atMost(PAGE_TIMEOUT).until(() -> !find("#connection").getText().equals(before));
      assertThat(shownAlerts()).isEmpty();
      choose("#filter-state", "any");
      assertThat(shownAlerts()).containsExactly("Cache cold");

      // The silence is listed; without a token on the server nothing can be changed, and the page
      // says why.
      assertThat(find("#silences [data-silence-id] .matchers").getText())
          .isEqualTo("team=payments");
      assertThat(shown("#silences [data-silence-id] .by")).isEqualTo("by ops");
      assertThat(find("#actions-note").getText())
          .isEqualTo("The server has no API token: actions (resolve, silence) are disabled.");
      assertThat(
              driver.findElements(By.cssSelector("button.resolve, button.silence, button.remove")))
          .noneMatch(WebElement::isDisplayed);
    }
  }

  @Test
  void page_withToken_resolvesAndSilencesAnAlertAndRemovesTheSilence() throws Exception {
    monitoring.close();
    monitoring = startMonitoring(0, "page-T0ken");
    Alert disk =
        monitoring
            .alertSystem()
            .alert("Disk almost full", "95%", AlertSeverity.ERROR, "disk", Map.of());
    Alert lag =
        monitoring
            .alertSystem()
            .alert(
                "Replica lag",
                "30 s behind",
                AlertSeverity.WARNING,
                "db",
                Map.of(),
                Map.of("team", "db"));
    driver.get(baseUrl() + "/");

    // Before the token: no buttons, and why.
    eventually(
        () ->
            assertThat(find("#actions-note").getText())
                .isEqualTo("Actions need the API token: enter it above."));
    find("#token-input").sendKeys("page-T0ken");
    find("#auth button").click();
    eventually(
        () ->
            assertThat(
                    alert("Disk almost full")
                        .findElement(By.cssSelector("button.resolve"))
                        .isDisplayed())
                .isTrue());
    assertThat(find("#actions-note").isDisplayed()).isFalse();

    // Resolve, by keyboard alone: the button is reached with Tab, shows its focus, and Enter
    // presses it.
    WebElement resolve = alert("Disk almost full").findElement(By.cssSelector("button.resolve"));
    tabTo(resolve);
    assertThat(driver.executeScript("return getComputedStyle(document.activeElement).outlineStyle"))
        .isEqualTo("solid");
    new Actions(driver).sendKeys(Keys.ENTER).perform();
    await()
        .atMost(PAGE_TIMEOUT)
        .untilAsserted(() -> assertThat(alertState(disk.id(), "page-T0ken")).isEqualTo("resolved"));
    eventually(
        () -> {
          assertThat(alert("Disk almost full").getDomAttribute("data-state")).isEqualTo("resolved");
          assertThat(
                  alert("Disk almost full")
                      .findElement(By.cssSelector("button.resolve"))
                      .isDisplayed())
              .isFalse();
        });

    // Silence for 4 h with a comment: matchers from all of the alert's labels.
    WebElement replica = alert("Replica lag");
    replica.findElement(By.cssSelector("button.silence")).click();
    WebElement form = replica.findElement(By.cssSelector("form.silence-form"));
    assertThat(form.isDisplayed()).isTrue();
    form.findElement(By.cssSelector("input[value='4h']")).click();
    form.findElement(By.name("comment")).sendKeys("failover drill");
    Instant asked = Instant.now();
    form.findElement(By.cssSelector("button[type=submit]")).click();
    List<String> expectedMatchers =
        lag.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    await()
        .atMost(PAGE_TIMEOUT)
        .untilAsserted(() -> assertThat(api("/silences", "page-T0ken").get("silences")).hasSize(1));
    JsonNode silence = api("/silences", "page-T0ken").get("silences").get(0);
    assertThat(JSON.convertValue(silence.get("matchers"), List.class)).isEqualTo(expectedMatchers);
    assertThat(expectedMatchers).contains("team=db", "alertname=Replica lag");
    assertThat(silence.get("comment").asText()).isEqualTo("failover drill");
    assertThat(silence.get("created_by").asText()).isEqualTo("status page");
    assertThat(Instant.parse(silence.get("ends_at").asText()))
        .isBetween(
            asked.plus(Duration.ofHours(4)).minusSeconds(5),
            Instant.now().plus(Duration.ofHours(4)));
    assertThat(form.isDisplayed()).isFalse();

    // Shown in the list, and removed from it.
    String id = silence.get("id").asText();
    WebElement listed =
        await()
            .atMost(PAGE_TIMEOUT)
            .ignoreExceptions()
            .until(() -> find("[data-silence-id=\"" + id + "\"]"), WebElement::isDisplayed);
    assertThat(listed.findElement(By.cssSelector(".comment")).getText())
        .isEqualTo("failover drill");
    listed.findElement(By.cssSelector("button.remove")).click();
    await()
        .atMost(PAGE_TIMEOUT)
        .untilAsserted(() -> assertThat(api("/silences", "page-T0ken").get("silences")).isEmpty());
    eventually(
        () -> assertThat(find("#silences .empty").getText()).isEqualTo("No silences in force."));

    // A custom duration: one the server refuses is shown in its words, and the form stays open.
    alert("Replica lag").findElement(By.cssSelector("button.silence")).click();
    form = alert("Replica lag").findElement(By.cssSelector("form.silence-form"));
    form.findElement(By.name("duration")).sendKeys("soon");
    form.findElement(By.name("comment")).sendKeys("until the drill ends");
    form.findElement(By.cssSelector("button[type=submit]")).click();
    eventually(
        () ->
            assertThat(alert("Replica lag").findElement(By.cssSelector(".action-error")).getText())
                .isEqualTo(
                    "Failed: duration must be a positive duration such as 90m, 4h or 2d,"
                        + " was 'soon'"));
    assertThat(form.isDisplayed()).isTrue();
    assertThat(api("/silences", "page-T0ken").get("silences")).isEmpty();
    form.findElement(By.name("duration")).clear();
    form.findElement(By.name("duration")).sendKeys("90m");
    asked = Instant.now();
    form.findElement(By.cssSelector("button[type=submit]")).click();
    await()
        .atMost(PAGE_TIMEOUT)
        .untilAsserted(() -> assertThat(api("/silences", "page-T0ken").get("silences")).hasSize(1));
    silence = api("/silences", "page-T0ken").get("silences").get(0);
    assertThat(Instant.parse(silence.get("ends_at").asText()))
        .isBetween(
            asked.plus(Duration.ofMinutes(90)).minusSeconds(5),
            Instant.now().plus(Duration.ofMinutes(90)));
  }

  @Test
  void page_darkColourScheme_followsTheBrowsersPreference() {
    driver.get(baseUrl() + "/");
    eventually(() -> assertThat(checkStatus("database")).isEqualTo("healthy"));
    assertThat(computed("body", "backgroundColor")).isEqualTo("rgb(244, 245, 247)");
    assertThat(computed(".card", "backgroundColor")).isEqualTo("rgb(255, 255, 255)");

    colourScheme("dark");
    assertThat(computed("body", "backgroundColor")).isEqualTo("rgb(18, 21, 28)");
    assertThat(computed(".card", "backgroundColor")).isEqualTo("rgb(27, 32, 41)");
    assertThat(computed("body", "color")).isEqualTo("rgb(230, 233, 239)");
  }

  @Test
  void page_atPhoneWidth_hasNoHorizontalScroll() throws IOException {
    monitoring
        .alertSystem()
        .alert(
            "A very long alert title that goes on and on about a disk",
            "95% of /var/lib/postgresql/data used",
            AlertSeverity.ERROR,
            "disk",
            Map.of());
    monitoring
        .alertSystem()
        .addSilence(
            List.of("alertname=~A very long alert title.*", "team=storage-and-databases"),
            Duration.ofHours(4),
            "ops",
            "resizing the volume");
    monitoring
        .systemMonitor()
        .recordRequest("/api/v2/organisations/{organisation}/invoices/{invoice}", "GET", 200, 5);
    monitoring.tickHistory();
    viewport(390, 844, true);
    driver.get(baseUrl() + "/");
    eventually(
        () -> {
          assertThat(checkStatus("database")).isEqualTo("healthy");
          assertThat(driver.findElements(By.cssSelector("[data-silence-id]"))).hasSize(1);
          assertThat(routeColumn("route"))
              .containsExactly("/api/v2/organisations/{organisation}/invoices/{invoice}");
        });
    Object widths =
        driver.executeScript(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth, innerWidth]");
    assertThat(widths).isEqualTo(List.of(390L, 390L, 390L));
  }

  @Test
  void page_accessibilityScan_hasNoSeriousOrCriticalViolations() throws IOException {
    monitoring
        .alertSystem()
        .alert("Disk almost full", "95%", AlertSeverity.ERROR, "disk", Map.of());
    monitoring
        .alertSystem()
        .addSilence(List.of("team=db"), Duration.ofHours(1), "ops", "migration");
    driver.get(baseUrl() + "/");
    eventually(() -> assertThat(checkStatus("database")).isEqualTo("healthy"));
    for (String scheme : List.of("light", "dark")) {
      colourScheme(scheme);
      List<Map<String, Object>> violations = axe();
      violations.forEach(
          v ->
              System.out.printf(
                  "axe (%s): %s %s: %s (%d nodes)%n",
                  scheme,
                  v.get("impact"),
                  v.get("id"),
                  v.get("help"),
                  ((List<?>) v.get("nodes")).size()));
      assertThat(violations.stream().map(v -> v.get("impact") + " " + v.get("id")).toList())
          .as("axe-core violations in %s", scheme)
          .noneMatch(v -> v.startsWith("serious") || v.startsWith("critical"));
    }
  }

  /**
   * axe-core's violations on the page as it is; the script is injected through the driver, which
   * the page's CSP does not govern.
   */
  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> axe() throws IOException {
    String source;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/resources/webjars/axe-core/4.6.3/axe.min.js")) {
      assertThat(in).as("axe.min.js of the axe-core webjar").isNotNull();
      source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    driver.executeScript(source + "\n;window.axe = axe;");
    // It really runs in the page despite the policy: the engine answers and has looked at the page.
    assertThat(driver.executeScript("return window.axe && axe.version")).isEqualTo("4.6.3");
    String json =
        (String)
            driver.executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + " axe.run(document).then(r => done(JSON.stringify({passes: r.passes.length, violations: r.violations})),"
                    + " e => done(JSON.stringify({error: String(e)})));");
    Map<String, Object> result = JSON.readValue(json, Map.class);
    assertThat(result.get("error")).isNull();
    assertThat((Integer) result.get("passes")).isGreaterThan(10);
    System.out.printf(
        "axe-core %s: %d rules passed, %d violated%n",
        driver.executeScript("return axe.version"),
        result.get("passes"),
        ((List<?>) result.get("violations")).size());
    return (List<Map<String, Object>>) result.get("violations");
  }

  @Test
  void page_withFifteenMinutesOfTraffic_plotsItRanksTheRoutesAndLoadsAtOnce() throws Exception {
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MINUTES));
    try (Monitoring traffic =
        Monitoring.builder()
            .systemMonitor(onLoopback().serviceName("checkout").clock(clock))
            .grafanaUrl(URI.create("https://grafana.example.com/d/amptalk"))
            .build()) {
      SystemMonitor monitor = traffic.systemMonitor();
      // 90 steps of 10 s: per step 6 to 14 GET /users of 6 to 18 ms (a wave), 6 POST /pay of 40 ms
      // (one a 500) and one GET /report of 900 ms.
      long users = 0;
      for (int step = 0; step < 90; step++) {
        long wave = Math.round(10 + 4 * Math.sin(step / 7.0));
        for (int i = 0; i < wave; i++) {
          monitor.recordRequest("/users", "GET", 200, 12 + Math.round(6 * Math.cos(step / 11.0)));
        }
        users += wave;
        for (int i = 0; i < 6; i++) {
          monitor.recordRequest("/pay", "POST", i == 0 ? 500 : 200, 40);
        }
        monitor.recordRequest("/report", "GET", 200, 900);
        clock.advance(Duration.ofSeconds(10));
        traffic.tickHistory();
      }
      String base = "http://127.0.0.1:" + monitor.getPrometheusPort();
      JsonNode history = api(base, "/api/history", null);
      driver.get(base + "/");

      eventually(
          () -> assertThat(routeColumn("route")).containsExactly("/users", "/pay", "/report"));
      // The routes over the whole retention, largest rate first, as the server counted them.
      assertThat(routeColumn("requests"))
          .containsExactly(String.format(Locale.ROOT, "%,d", users), "540", "90");
      assertThat(routeColumn("errors")).containsExactly("0 %", "16.7 %", "0 %");
      Map<String, JsonNode> routes = new LinkedHashMap<>();
      history.get("routes").forEach(r -> routes.put(r.get("route").asText(), r));
      assertThat(routeColumn("rate"))
          .containsExactly(
              perSecond(routes.get("/users").get("rate").asDouble()),
              perSecond(routes.get("/pay").get("rate").asDouble()),
              perSecond(routes.get("/report").get("rate").asDouble()));
      assertThat(routeColumn("p99").get(2))
          .isEqualTo(latency(routes.get("/report").get("p99_ms").asDouble()));
      // Each route's rate over time beside it, one point per step with requests.
      int usersPoints = 0;
      for (JsonNode rate : routes.get("/users").get("series").get("rate")) {
        usersPoints += rate.isNull() ? 0 : 1;
      }
      assertThat(usersPoints).isGreaterThanOrEqualTo(89);
      assertThat(find("#routes tr[data-route='/users'] svg.plot").getDomAttribute("data-drawn"))
          .isEqualTo(String.valueOf(usersPoints));
      // By p99: the slow report first.
      find("#routes button[data-sort='p99']").click();
      assertThat(routeColumn("route")).containsExactly("/report", "/pay", "/users");
      assertThat(find("#routes").getDomAttribute("data-sort")).isEqualTo("p99");

      // The plots span the retention at once: one point per step the server kept.
      JsonNode requests = history.get("requests");
      long known = 0;
      for (JsonNode rate : requests.get("rate")) {
        known += rate.isNull() ? 0 : 1;
      }
      assertThat(known).isGreaterThanOrEqualTo(89);
      assertThat(find("#chart-rate svg.plot").getDomAttribute("data-drawn"))
          .isEqualTo(String.valueOf(known));
      assertThat(shown("#chart-rate .value")).isEqualTo(perSecond(lastOf(requests.get("rate"))));
      assertThat(shown("#chart-errors .value"))
          .isEqualTo(percentOf(lastOf(requests.get("error_ratio"))));
      assertThat(shown("#chart-latency .value")).isEqualTo(latency(lastOf(requests.get("p99_ms"))));
      assertThat(find("#links [data-link='grafana']").getDomAttribute("href"))
          .isEqualTo("https://grafana.example.com/d/amptalk");
      assertThat(
              driver.findElements(By.cssSelector("#links a")).stream()
                  .map(a -> a.getDomProperty("href"))
                  .toList())
          .containsExactly(
              base + "/metrics",
              base + "/health",
              base + "/alerts",
              base + "/silences",
              base + "/api/system",
              base + "/api/history",
              base + "/api/slo",
              "https://grafana.example.com/d/amptalk");
      // The header names the service once, then the instance (host:port) without the host again.
      JsonNode system = api(base, "/api/system", null).get("system");
      String instance = system.get("instance").asText();
      assertThat(instance)
          .isEqualTo(system.get("host").asText() + ":" + monitor.getPrometheusPort());
      assertThat(find("#service").getText()).isEqualTo("checkout");
      assertThat(find("#host").getText())
          .isEqualTo(
              instance
                  + " · "
                  + system.get("os").asText()
                  + " "
                  + system.get("os_version").asText()
                  + " · "
                  + system.get("logical_cores").asInt()
                  + " CPUs");

      // How fast a fresh load shows it all, from loopback (printed, not asserted).
      driver.navigate().refresh();
      await()
          .atMost(PAGE_TIMEOUT)
          .until(() -> "true".equals(find("body").getDomAttribute("data-loaded")));
      Map<?, ?> timing =
          (Map<?, ?>)
              driver.executeScript(
                  "const n = performance.getEntriesByType('navigation')[0];"
                      + " const d = performance.getEntriesByName('status-page-drawn')[0];"
                      + " return {load: n.loadEventEnd, duration: n.duration, drawn: d.startTime,"
                      + " bytes: performance.getEntriesByType('resource')"
                      + ".filter(e => e.name.includes('api/history'))[0].transferSize};");
      System.out.printf(
          "status page with 15 min of history: load event %.1f ms, navigation %.1f ms,"
              + " plots drawn %.1f ms after navigation start (/api/history %s bytes)%n",
          ((Number) timing.get("load")).doubleValue(),
          ((Number) timing.get("duration")).doubleValue(),
          ((Number) timing.get("drawn")).doubleValue(),
          timing.get("bytes"));

      screenshots(traffic);
    }
  }

  @Test
  void page_cpuCardAndCpuCheckFromDifferentSamples_sayWhenEachWasSampled() {
    MutableClock clock = new MutableClock(Instant.parse("2026-12-03T15:00:00Z"));
    FakeHostProbe probe = new FakeHostProbe();
    probe.cpu = 0.035;
    try (Monitoring sampled =
        Monitoring.builder()
            .systemMonitor(
                onLoopback()
                    .hostProbe(probe)
                    .collectInterval(Duration.ofDays(1)) // sampled by hand below
                    .clock(clock))
            .build()) {
      SystemMonitor monitor = sampled.systemMonitor();
      sampled
          .healthCheck()
          .registerCheck("cpu", HealthCheck.createCpuHealthCheck(monitor, 75, 90), "CPU");
      clock.advance(Duration.ofSeconds(5));
      sampled.healthCheck().runCheck("cpu"); // judges the sample taken at build, 15:00:00
      clock.advance(Duration.ofSeconds(1));
      probe.cpu = 0.99;
      monitor.sampleNow(); // the card's, 15:00:06
      driver.executeCdpCommand("Emulation.setTimezoneOverride", Map.of("timezoneId", "UTC"));
      driver.get("http://127.0.0.1:" + monitor.getPrometheusPort() + "/");

      eventually(
          () -> {
            assertThat(shown("#metric-cpu .value")).isEqualTo("99 %");
            assertThat(find("#metric-cpu .sampled").getText())
                .isEqualTo("sampled 15:00:06; the cpu check judged the 15:00:00 sample");
          });
      assertThat(checkStatus("cpu")).isEqualTo("healthy");
      assertThat(find("[data-check=\"cpu\"] .message").getText()).startsWith("CPU usage 3.5%");
    }
  }

  /**
   * The README's pictures: desktop (1280×800) and phone (390×844, at 2x, the viewport meta tag
   * honoured) in light, and desktop in dark. Written to target/screenshots, so that a test run
   * leaves the checkout as it was; {@code -Dscreenshots=docs/images} (relative to the checkout's
   * root) makes the committed ones anew.
   */
  private void screenshots(Monitoring traffic) throws IOException {
    HealthCheck health = traffic.healthCheck();
    AtomicReference<CheckResult> queue =
        new AtomicReference<>(CheckResult.healthy("12 messages waiting"));
    health.registerCheck(
        "database", () -> CheckResult.healthy("connected to main"), "Main PostgreSQL pool");
    health.registerCheck(
        "queue",
        queue::get,
        "Outgoing mail queue",
        CheckOptions.builder()
            .failureThreshold(3)
            .interval(Duration.ofHours(1))
            .initialDelay(Duration.ofHours(1))
            .build());
    for (int i = 0; i < 12; i++) {
      health.runAllChecks();
    }
    queue.set(CheckResult.unhealthy("9,000 messages waiting"));
    health.runCheck("queue");
    health.runCheck("queue");
    AlertSystem alerts = traffic.alertSystem();
    alerts.addSilence(List.of("team=db"), Duration.ofHours(4), "ops", "failover drill");
    alerts.alert(
        "Replica lag",
        "30 s behind the primary",
        AlertSeverity.WARNING,
        "db",
        Map.of(),
        Map.of("team", "db"));
    alerts.alert(
        "Card declines", "12 % of payments declined", AlertSeverity.ERROR, "payments", Map.of());
    // A fresh load shows each check's results the server kept.
    driver.navigate().refresh();
    eventually(
        () -> {
          assertThat(shownAlerts()).containsExactly("Card declines", "Replica lag");
          assertThat(find("[data-check=\"queue\"] .pending-note").getText())
              .isEqualTo("2 of 3 bad results before unhealthy");
          assertThat(driver.findElements(By.cssSelector("[data-check=\"database\"] .cell")))
              .hasSizeGreaterThanOrEqualTo(12);
        });
    // The bars are one tab stop; the arrow keys move between them and the focused one is told.
    List<WebElement> bars = driver.findElements(By.cssSelector("[data-check=\"database\"] .cell"));
    tabTo(bars.get(bars.size() - 1));
    new Actions(driver).sendKeys(Keys.ARROW_LEFT).perform();
    WebElement focused = driver.switchTo().activeElement();
    assertThat(focused).isEqualTo(bars.get(bars.size() - 2));
    assertThat(focused.getDomAttribute("title"))
        .matches("healthy at \\d\\d:\\d\\d:\\d\\d \\(<?\\d+ ms\\): connected to main");
    assertThat(find("[data-check=\"database\"] .cell-detail").getText())
        .isEqualTo(focused.getDomAttribute("title"));
    driver.executeScript("document.activeElement.blur(); window.scrollTo(0, 0)");
    String into = System.getProperty("screenshots");
    Path images =
        into == null || into.isBlank()
            ? Path.of("target", "screenshots").toAbsolutePath()
            : repositoryRoot().resolve(into);
    Files.createDirectories(images);
    screenshot(1280, 800, false, images.resolve("status-page-desktop.png"));
    screenshot(390, 844, true, images.resolve("status-page-phone.png"));
    colourScheme("dark");
    screenshot(1280, 800, false, images.resolve("status-page-dark.png"));
  }

  /** Waits until the page shows what {@code assertion} asserts, as it refreshes itself. */
  private static void eventually(ThrowingRunnable assertion) {
    await().atMost(PAGE_TIMEOUT).ignoreExceptions().untilAsserted(assertion);
  }

  /** The checkout's root: the directory above this module that holds docs/. */
  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("docs"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("a directory with docs/ above " + Path.of("").toAbsolutePath()).isNotNull();
    return dir;
  }

  private List<String> routeColumn(String column) {
    return driver.findElements(By.cssSelector("#routes tbody tr ." + column)).stream()
        .map(cell -> cell.getText().replace('\u00a0', ' '))
        .toList();
  }

  private static double lastOf(JsonNode values) {
    for (int i = values.size() - 1; i >= 0; i--) {
      if (!values.get(i).isNull()) {
        return values.get(i).asDouble();
      }
    }
    throw new AssertionError("no value in " + values);
  }

  /** As the page writes a rate (JavaScript's toFixed: the exact value, half up). */
  private static String perSecond(double rate) {
    return fixed(rate, rate >= 100 ? 0 : rate >= 10 ? 1 : 2) + " /s";
  }

  /** As the page writes a latency. */
  private static String latency(double ms) {
    return ms >= 1000 ? fixed(ms / 1000, 2) + " s" : fixed(ms, ms < 10 ? 1 : 0) + " ms";
  }

  /** As the page writes an error ratio. */
  private static String percentOf(double ratio) {
    return ratio == 0 ? "0 %" : fixed(ratio * 100, ratio < 0.1 ? 2 : 1) + " %";
  }

  private static String fixed(double value, int digits) {
    return new BigDecimal(value).setScale(digits, RoundingMode.HALF_UP).toPlainString();
  }

  private void colourScheme(String scheme) {
    driver.executeCdpCommand(
        "Emulation.setEmulatedMedia",
        Map.of(
            "media",
            "",
            "features",
            List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
  }

  private Object computed(String css, String property) {
    return driver.executeScript(
        "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]",
        css,
        property);
  }

  private void viewport(int width, int height, boolean phone) {
    driver.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of(
            "width", width, "height", height, "deviceScaleFactor", phone ? 2 : 1, "mobile", phone));
  }

  /** Presses Tab until {@code target} has the focus (at most 200 times). */
  private void tabTo(WebElement target) {
    for (int i = 0; i < 200 && !target.equals(driver.switchTo().activeElement()); i++) {
      new Actions(driver).sendKeys(Keys.TAB).perform();
    }
    assertThat(driver.switchTo().activeElement()).isEqualTo(target);
  }

  private void choose(String select, String option) {
    new Select(find(select)).selectByVisibleText(option);
  }

  private List<String> shownAlerts() {
    return driver.findElements(By.cssSelector("#alerts [data-alert-id]")).stream()
        .filter(WebElement::isDisplayed)
        .map(e -> e.getDomAttribute("data-alert-title"))
        .toList();
  }

  private String alertState(String id, String token) throws IOException, InterruptedException {
    for (JsonNode a : api("/alerts", token).get("alerts")) {
      if (a.get("id").asText().equals(id)) {
        return a.get("state").asText();
      }
    }
    return null;
  }

  private JsonNode api(String path, String token) throws IOException, InterruptedException {
    return api(baseUrl(), path, token);
  }

  private static JsonNode api(String base, String path, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private Object storedToken() {
    return ((JavascriptExecutor) driver)
        .executeScript("return sessionStorage.getItem('amptalk-monitoring.token')");
  }

  /** Saves what a viewport of that size shows (emulated exactly: a window has browser chrome). */
  private void screenshot(int width, int height, boolean phone, Path target) throws IOException {
    viewport(width, height, phone);
    File shot = driver.getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }
}
