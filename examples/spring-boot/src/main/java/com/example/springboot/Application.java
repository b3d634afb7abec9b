package com.example.springboot;

import io.amptalk.monitoring.health.CheckResult;
import io.amptalk.monitoring.health.HealthCheck;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot web application monitored by amptalk-monitoring. Its starter, on the classpath,
 * records every request under Spring MVC's route pattern ({@code /users/{id}}) and serves {@code
 * /metrics}, {@code /health}, {@code /alerts} and the status page on the monitor's own port, as
 * {@code amptalk.*} in {@code application.yml} configures it.
 */
@SpringBootApplication
public class Application {
  public static void main(String[] args) {
    SpringApplication.run(Application.class, args);
  }

  /**
   * This application's own health check, registered on the starter's {@link HealthCheck} bean once
   * the context has built it; the registry runs it from then on. (With Spring Boot Actuator, each
   * {@code HealthIndicator} bean would be a check too.)
   */
  @Bean
  InitializingBean userStoreCheck(HealthCheck health, UserStore users) {
    return () ->
        health.registerCheck(
            "user-store",
            () -> CheckResult.of(users.count() > 0, users.count() + " users"),
            "The users this service serves");
  }
}
