package io.amptalk.monitoring.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.AlertSeverity;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.health.HealthCheck;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;

/** The auto-configuration in real Spring contexts: what it makes, and when it backs off. */
class AmptalkMonitoringAutoConfigurationTest {
  private static final String[] LIGHT = {
    "amptalk.http.host=127.0.0.1", "amptalk.http.port=0", "amptalk.metrics.jvm=false"
  };

  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(AmptalkMonitoringAutoConfiguration.class))
          .withPropertyValues(LIGHT);

  /** Without LIGHT's host and port, which a base path excludes. */
  private final WebApplicationContextRunner basePathWeb =
      new WebApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(AmptalkMonitoringAutoConfiguration.class))
          .withPropertyValues("amptalk.metrics.jvm=false");

  @Test
  void webApplication_getsTheThreeComponents_theirMonitoring_andTheFilter() {
    web.run(
        context -> {
          assertThat(context)
              .hasSingleBean(SystemMonitor.class)
              .hasSingleBean(HealthCheck.class)
              .hasSingleBean(AlertSystem.class)
              .hasSingleBean(Monitoring.class)
              .hasBean(AmptalkMonitoringAutoConfiguration.FILTER_BEAN);
          Monitoring monitoring = context.getBean(Monitoring.class);
          assertThat(monitoring.systemMonitor()).isSameAs(context.getBean(SystemMonitor.class));
          assertThat(monitoring.healthCheck()).isSameAs(context.getBean(HealthCheck.class));
          assertThat(monitoring.alertSystem()).isSameAs(context.getBean(AlertSystem.class));
        });
  }

  @Test
  void applicationsOwnSystemMonitor_isTheOneEverythingUses() {
    web.withBean(
            "myMonitor",
            SystemMonitor.class,
            () ->
                SystemMonitor.builder()
                    .serviceName("mine")
                    .prometheusHost("127.0.0.1")
                    .prometheusPort(0)
                    .enableJvmMetrics(false)
                    .build())
        .run(
            context -> {
              assertThat(context).hasSingleBean(SystemMonitor.class).hasBean("myMonitor");
              assertThat(context.getBean(Monitoring.class).systemMonitor().getServiceName())
                  .isEqualTo("mine");
            });
  }

  @Test
  void agentsSnakeCaseKeys_bind() {
    web.withPropertyValues(
            "amptalk.service.instance_id=checkout-1",
            "amptalk.metrics.max_routes=50",
            "amptalk.metrics.request_window_retention=20m",
            "amptalk.health.degraded_alert=error")
        .run(
            context -> {
              AmptalkProperties properties = context.getBean(AmptalkProperties.class);
              assertThat(properties.getService().getInstanceId()).isEqualTo("checkout-1");
              assertThat(properties.getMetrics().getMaxRoutes()).isEqualTo(50);
              assertThat(properties.getMetrics().getRequestWindowRetention())
                  .isEqualTo(Duration.ofMinutes(20));
              assertThat(properties.getHealth().getDegradedAlert()).isEqualTo(AlertSeverity.ERROR);
            });
  }

  @Test
  void nativeHistogramProperties_reachTheMonitor() {
    web.withPropertyValues(
            "amptalk.metrics.native-histograms=true",
            "amptalk.metrics.native-histogram-schema=3",
            "amptalk.metrics.native-histogram-max-buckets=40",
            "amptalk.metrics.classic-histogram-buckets=false")
        .run(
            context -> {
              AmptalkProperties.Metrics metrics =
                  context.getBean(AmptalkProperties.class).getMetrics();
              assertThat(metrics.getNativeHistograms()).isTrue();
              assertThat(metrics.getNativeHistogramSchema()).isEqualTo(3);
              assertThat(metrics.getNativeHistogramMaxBuckets()).isEqualTo(40);
              assertThat(metrics.getClassicHistogramBuckets()).isFalse();
              assertThat(context).hasSingleBean(SystemMonitor.class);
            });
    web.withPropertyValues("amptalk.metrics.native-histogram-schema=9")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("nativeHistogramSchema must be -4..8, was 9"));
  }

  @Test
  void statusPageProperties_reachTheMonitoring_andABadOneFailsTheStartNamingIt() {
    web.withPropertyValues(
            "amptalk.status-page.history=5m",
            "amptalk.status_page.grafana_url=https://grafana.example.com/d/amptalk")
        .run(
            context -> {
              AmptalkProperties.StatusPage page =
                  context.getBean(AmptalkProperties.class).getStatusPage();
              assertThat(page.getHistory()).isEqualTo(Duration.ofMinutes(5));
              assertThat(page.getGrafanaUrl())
                  .isEqualTo(java.net.URI.create("https://grafana.example.com/d/amptalk"));
              assertThat(context).hasSingleBean(Monitoring.class);
            });
    web.withPropertyValues("amptalk.status-page.history=2h")
        .run(context -> assertFailedWith(context, "statusHistory must be at most PT1H, was PT2H"));
    web.withPropertyValues("amptalk.status-page.grafana-url=/d/amptalk")
        .run(
            context ->
                assertFailedWith(
                    context, "grafanaUrl must be an absolute http(s) URL, was '/d/amptalk'"));
  }

  /** The start failed with the library's {@code IllegalArgumentException} and its message. */
  private static void assertFailedWith(
      org.springframework.boot.test.context.assertj.AssertableWebApplicationContext context,
      String message) {
    assertThat(context)
        .hasFailed()
        .getFailure()
        .rootCause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void blankToken_failsTheStartNamingIt() {
    web.withPropertyValues("amptalk.http.token= ")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("apiToken must not be blank"));
  }

  @Test
  void basePath_servesOnTheApplicationsPort_andOpensNoPortOfTheMonitors() {
    basePathWeb
        .withPropertyValues("amptalk.http.base-path=/ops/monitor/")
        .run(
            context -> {
              assertThat(context).hasBean(AmptalkMonitoringAutoConfiguration.SERVLET_BEAN);
              assertThat(
                      context
                          .getBean(
                              AmptalkMonitoringAutoConfiguration.SERVLET_BEAN,
                              ServletRegistrationBean.class)
                          .getUrlMappings())
                  .containsExactly("/ops/monitor/*");
              assertThat(context.getBean(SystemMonitor.class).getPrometheusPort()).isEqualTo(-1);
            });
    web.run(
        context ->
            assertThat(context).doesNotHaveBean(AmptalkMonitoringAutoConfiguration.SERVLET_BEAN));
  }

  @Test
  void basePath_besideAPropertyOfTheMonitorsPort_orNoPath_failsTheStartNamingThem() {
    web.withPropertyValues("amptalk.http.base-path=/monitoring")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                        "amptalk.http.base-path ('/monitoring') serves on the application's port,"
                            + " where amptalk.http.host, amptalk.http.port (of the monitor's own"
                            + " port) would not apply: unset one or the other"));
    basePathWeb
        .withPropertyValues("amptalk.http.base-path=/")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(
                        "amptalk.http.base-path: basePath must be a path below the root such as"
                            + " /monitoring (segments of letters, digits, '-', '_', '~' and '.'),"
                            + " was '/'"));
  }

  @Test
  void badValue_failsTheStartWithTheLibrarysMessage() {
    web.withPropertyValues("amptalk.metrics.max_routes=0")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxRoutes"));
  }

  @Test
  void disabled_makesNothing() {
    web.withPropertyValues("amptalk.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(SystemMonitor.class)
                    .doesNotHaveBean(Monitoring.class)
                    .doesNotHaveBean(AmptalkMonitoringAutoConfiguration.FILTER_BEAN));
  }

  @Test
  void filterDisabled_keepsTheMonitoring() {
    web.withPropertyValues("amptalk.filter.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(Monitoring.class)
                    .doesNotHaveBean(AmptalkMonitoringAutoConfiguration.FILTER_BEAN));
  }

  @Test
  void actuatorIndicators_areBridgedUnlessTurnedOff() {
    web.run(context -> assertThat(context).hasSingleBean(ActuatorHealthChecks.class));
    web.withPropertyValues("amptalk.health.actuator-indicators=false")
        .run(context -> assertThat(context).doesNotHaveBean(ActuatorHealthChecks.class));
  }

  @Test
  void nonWebApplication_getsTheMonitoringWithoutAFilter() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(AmptalkMonitoringAutoConfiguration.class))
        .withPropertyValues(LIGHT)
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(Monitoring.class)
                    .doesNotHaveBean(AmptalkMonitoringAutoConfiguration.FILTER_BEAN));
  }
}
