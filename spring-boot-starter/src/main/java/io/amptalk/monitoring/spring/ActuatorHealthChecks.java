package io.amptalk.monitoring.spring;

import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import io.amptalk.monitoring.health.HealthStatus;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * The application's Actuator {@link HealthIndicator} beans as checks of the {@link HealthCheck},
 * once every singleton exists: each under its bean name less the {@code HealthIndicator} suffix, as
 * Actuator names it ({@code inventoryHealthIndicator} is {@code inventory}). {@code UP} is HEALTHY,
 * {@code DOWN} and {@code OUT_OF_SERVICE} UNHEALTHY, anything else DEGRADED; the message is the
 * status's code and the details are the indicator's. An indicator that throws is an UNHEALTHY
 * result, as any check's.
 */
final class ActuatorHealthChecks implements SmartInitializingSingleton {
  private static final Logger LOG = LoggerFactory.getLogger(ActuatorHealthChecks.class);
  private static final String SUFFIX = "HealthIndicator";

  private final ListableBeanFactory beans;
  private final HealthCheck health;

  ActuatorHealthChecks(ListableBeanFactory beans, HealthCheck health) {
    this.beans = beans;
    this.health = health;
  }

  @Override
  public void afterSingletonsInstantiated() {
    for (Map.Entry<String, HealthIndicator> bean :
        beans.getBeansOfType(HealthIndicator.class).entrySet()) {
      String name = checkName(bean.getKey());
      HealthIndicator indicator = bean.getValue();
      try {
        health.registerCheck(
            name, () -> result(indicator.health()), "Spring Boot Actuator's " + bean.getKey());
      } catch (IllegalArgumentException e) {
        // A check of that name is the application's own, or the name is not one we accept.
        LOG.warn(
            "Actuator health indicator '{}' is not bridged: {}", bean.getKey(), e.getMessage());
      }
    }
  }

  static String checkName(String beanName) {
    String name =
        beanName.length() > SUFFIX.length() && beanName.endsWith(SUFFIX)
            ? beanName.substring(0, beanName.length() - SUFFIX.length())
            : beanName;
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  static CheckResult result(Health health) {
    Status status = health.getStatus();
    HealthStatus ours;
    if (Status.UP.equals(status)) {
      ours = HealthStatus.HEALTHY;
    } else if (Status.DOWN.equals(status) || Status.OUT_OF_SERVICE.equals(status)) {
      ours = HealthStatus.UNHEALTHY;
    } else {
      ours = HealthStatus.DEGRADED;
    }
    return CheckResult.of(ours, status.getCode(), health.getDetails());
  }
}
