package io.amptalk.monitoring.spring;

import io.amptalk.monitoring.Monitoring;
import io.amptalk.monitoring.SystemMonitor;
import io.amptalk.monitoring.alert.AlertSystem;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.servlet.MonitoringFilter;
import io.amptalk.monitoring.servlet.MonitoringServlet;
import jakarta.servlet.DispatcherType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Sets up amptalk-monitoring in a Spring Boot application: a {@link SystemMonitor}, a {@link
 * HealthCheck} and an {@link AlertSystem} as beans, configured from {@code amptalk.*} ({@link
 * AmptalkProperties}) and wired together as a {@link Monitoring} that serves {@code /metrics},
 * {@code /health}, {@code /alerts} and the status page on the monitor's own port, or with {@code
 * amptalk.http.base-path} below that path of the application's port ({@link MonitoringServlet}); in
 * a Servlet web application, the {@link MonitoringFilter} recording every request under Spring
 * MVC's matched route pattern ({@link SpringMvcRouteResolver}).
 *
 * <p>Each bean backs off when the application defines its own of that type (or, for the filter, a
 * bean named {@value #FILTER_BEAN}); {@code amptalk.enabled=false} turns it all off.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "amptalk", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(AmptalkProperties.class)
public class AmptalkMonitoringAutoConfiguration {
  /** The name of the filter's registration bean; define one of that name to replace it. */
  public static final String FILTER_BEAN = "amptalkMonitoringFilter";

  /** The name of the servlet's registration bean (with {@code amptalk.http.base-path}). */
  public static final String SERVLET_BEAN = "amptalkMonitoringServlet";

  /**
   * The monitor, from {@code amptalk.service.*}, {@code amptalk.http.*} and {@code
   * amptalk.metrics.*}; the service name defaults to {@code spring.application.name}.
   */
  @Bean
  @ConditionalOnMissingBean
  public SystemMonitor amptalkSystemMonitor(AmptalkProperties properties, Environment environment) {
    SystemMonitor.Builder builder = SystemMonitor.builder();
    AmptalkProperties.Service service = properties.getService();
    String name =
        service.getName() != null
            ? service.getName()
            : environment.getProperty("spring.application.name");
    set(name, builder::serviceName);
    set(service.getInstanceId(), builder::serviceInstanceId);
    AmptalkProperties.Http http = properties.getHttp();
    builder.enablePrometheus(http.isEnabled());
    if (http.getBasePath() != null) {
      urlPattern(http); // a bad base path fails here, before anything is built
      builder.servePort(false);
    }
    set(http.getHost(), builder::prometheusHost);
    set(http.getPort(), builder::prometheusPort);
    if (!http.getAllowedHosts().isEmpty()) {
      builder.allowedHosts(http.getAllowedHosts());
    }
    AmptalkProperties.Metrics metrics = properties.getMetrics();
    set(metrics.getCollectInterval(), builder::collectInterval);
    set(metrics.getExportInterval(), builder::metricsExportInterval);
    set(metrics.getConsole(), builder::enableConsole);
    set(metrics.getOtlpEndpoint(), builder::otlpEndpoint);
    set(metrics.getJvm(), builder::enableJvmMetrics);
    set(metrics.getMaxRoutes(), builder::maxRoutes);
    set(metrics.getMaxErrorTypes(), builder::maxErrorTypes);
    set(metrics.getErrorHistory(), builder::errorHistorySize);
    set(metrics.getRequestWindowRetention(), builder::requestWindowRetention);
    set(metrics.getNativeHistograms(), builder::nativeHistograms);
    set(metrics.getNativeHistogramSchema(), builder::nativeHistogramSchema);
    set(metrics.getNativeHistogramMaxBuckets(), builder::nativeHistogramMaxBuckets);
    set(metrics.getClassicHistogramBuckets(), builder::classicHistogramBuckets);
    return builder.build();
  }

  /** The health registry, from {@code amptalk.health.*}, with check metrics on the monitor. */
  @Bean
  @ConditionalOnMissingBean
  public HealthCheck amptalkHealthCheck(AmptalkProperties properties, SystemMonitor monitor) {
    HealthCheck.Builder builder =
        HealthCheck.builder().serviceName(monitor.getServiceName()).meter(monitor.getMeter());
    AmptalkProperties.Health health = properties.getHealth();
    set(health.getInterval(), builder::checkInterval);
    set(health.getTimeout(), builder::defaultTimeout);
    set(health.getHistorySize(), builder::historySize);
    set(health.getThreads(), builder::threads);
    return builder.build();
  }

  /** The alert system, from {@code amptalk.alerting.*}, with alert metrics on the monitor. */
  @Bean
  @ConditionalOnMissingBean
  public AlertSystem amptalkAlertSystem(AmptalkProperties properties, SystemMonitor monitor) {
    AlertSystem.Builder builder =
        AlertSystem.builder().serviceName(monitor.getServiceName()).meter(monitor.getMeter());
    AmptalkProperties.Alerting alerting = properties.getAlerting();
    set(alerting.getHistorySize(), builder::maxHistorySize);
    set(alerting.getDedupWindow(), builder::dedupWindow);
    set(alerting.getRepeatInterval(), builder::repeatInterval);
    return builder.build();
  }

  /**
   * The three as one system: a check turning DEGRADED or UNHEALTHY raises an alert, and the
   * monitor's port serves the health and alert paths, behind {@code amptalk.http.token} if set.
   * Closing it (when the context closes) closes the three.
   */
  @Bean
  @ConditionalOnMissingBean
  public Monitoring amptalkMonitoring(
      AmptalkProperties properties, SystemMonitor monitor, HealthCheck health, AlertSystem alerts) {
    Monitoring.Builder builder =
        Monitoring.builder()
            .systemMonitor(monitor)
            .healthCheck(m -> health)
            .alertSystem(m -> alerts);
    set(properties.getHealth().getDegradedAlert(), builder::degradedSeverity);
    set(properties.getHealth().getUnhealthyAlert(), builder::unhealthySeverity);
    set(properties.getStatusPage().getHistory(), builder::statusHistory);
    set(properties.getStatusPage().getGrafanaUrl(), builder::grafanaUrl);
    String token = properties.getHttp().getToken();
    if (token != null) {
      builder.apiToken(token); // a blank one fails, naming apiToken, rather than serving open
    }
    return builder.build();
  }

  /** The request filter of a Servlet application, with Spring MVC's route patterns. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({MonitoringFilter.class, HandlerMapping.class})
  @ConditionalOnProperty(prefix = "amptalk.filter", name = "enabled", matchIfMissing = true)
  static class FilterConfiguration {
    /**
     * Registers the filter first of all filters (so it times theirs too), on every path and the
     * {@code REQUEST} dispatch, async-capable.
     */
    @Bean(FILTER_BEAN)
    @ConditionalOnMissingBean(name = FILTER_BEAN)
    FilterRegistrationBean<MonitoringFilter> amptalkMonitoringFilter(
        SystemMonitor monitor, ObjectProvider<Monitoring> monitoring) {
      monitoring.getIfAvailable(); // the paths are mounted before the first request is recorded
      MonitoringFilter filter =
          MonitoringFilter.builder(monitor).routeResolver(new SpringMvcRouteResolver()).build();
      FilterRegistrationBean<MonitoringFilter> registration = new FilterRegistrationBean<>(filter);
      registration.setName(MonitoringFilter.NAME);
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      registration.setAsyncSupported(true);
      registration.setDispatcherTypes(DispatcherType.REQUEST);
      registration.addUrlPatterns("/*");
      return registration;
    }
  }

  /**
   * With {@code amptalk.http.base-path}: the monitor's paths below it, on the application's port,
   * and no port of the monitor's own. The filter does not record these requests.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnProperty(prefix = "amptalk.http", name = "base-path")
  static class BasePathConfiguration {
    @Bean(SERVLET_BEAN)
    @ConditionalOnMissingBean(name = SERVLET_BEAN)
    @ConditionalOnProperty(prefix = "amptalk.http", name = "enabled", matchIfMissing = true)
    ServletRegistrationBean<MonitoringServlet> amptalkMonitoringServlet(
        AmptalkProperties properties, Monitoring monitoring) {
      ServletRegistrationBean<MonitoringServlet> registration =
          new ServletRegistrationBean<>(
              new MonitoringServlet(monitoring), urlPattern(properties.getHttp()));
      registration.setName(MonitoringServlet.NAME);
      registration.setLoadOnStartup(1);
      return registration;
    }
  }

  /**
   * The servlet's URL pattern for {@code amptalk.http.base-path}.
   *
   * @throws IllegalArgumentException naming the property when the path is no base path, or when a
   *     property of the monitor's own port is set beside it (it would not apply)
   */
  static String urlPattern(AmptalkProperties.Http http) {
    String basePath = http.getBasePath();
    List<String> ownPort = new ArrayList<>();
    if (http.getHost() != null) {
      ownPort.add("amptalk.http.host");
    }
    if (http.getPort() != null) {
      ownPort.add("amptalk.http.port");
    }
    if (!http.getAllowedHosts().isEmpty()) {
      ownPort.add("amptalk.http.allowed-hosts");
    }
    if (!ownPort.isEmpty()) {
      throw new IllegalArgumentException(
          "amptalk.http.base-path ('"
              + basePath
              + "') serves on the application's port, where "
              + String.join(", ", ownPort)
              + " (of the monitor's own port) would not apply: unset one or the other");
    }
    try {
      return MonitoringServlet.urlPattern(basePath);
    } catch (IllegalArgumentException e) {
      // Not chained: the message is the whole story, and the root cause is what Spring shows.
      throw new IllegalArgumentException("amptalk.http.base-path: " + e.getMessage());
    }
  }

  /** The application's Actuator health indicators, bridged into the health registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(HealthIndicator.class)
  @ConditionalOnProperty(
      prefix = "amptalk.health",
      name = "actuator-indicators",
      matchIfMissing = true)
  static class ActuatorConfiguration {
    @Bean
    @ConditionalOnMissingBean
    ActuatorHealthChecks amptalkActuatorHealthChecks(
        ListableBeanFactory beans, HealthCheck health) {
      return new ActuatorHealthChecks(beans, health);
    }
  }

  private static <T> void set(T value, Consumer<? super T> setter) {
    if (value != null) {
      setter.accept(value);
    }
  }
}
