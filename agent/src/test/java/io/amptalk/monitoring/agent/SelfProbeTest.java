package io.amptalk.monitoring.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.amptalk.monitoring.health.CheckOptions;
import org.junit.jupiter.api.Test;

/** Which http checks probe the agent's own health endpoint of a group they are in. */
class SelfProbeTest {
  private static AgentConfig.CheckSpec http(String name, boolean critical, String... groups) {
    return new AgentConfig.CheckSpec(
        name,
        "http",
        "GET",
        CheckOptions.builder().critical(critical).groups(groups).build(),
        m -> null);
  }

  private static String probed(String url, AgentConfig.CheckSpec spec) {
    return AgentServer.selfProbed(url, 8000, "0.0.0.0", spec);
  }

  @Test
  void itsOwnGroupEndpointOnThisHostIsASelfProbe() {
    AgentConfig.CheckSpec live = http("self", true, "liveness");
    assertThat(probed("http://localhost:8000/health/live", live))
        .isEqualTo("group endpoint /health/live (group 'liveness')");
    assertThat(probed("http://127.0.0.1:8000/health/live/", live)).isNotNull();
    assertThat(probed("http://[::1]:8000/health/live", live)).isNotNull();
    assertThat(probed("https://LOCALHOST:8000/health/live", live)).isNotNull();
    assertThat(probed("http://localhost:8000/health/group/db", http("x", false, "db")))
        .isEqualTo("group endpoint /health/group/db (group 'db')");
    assertThat(probed("http://localhost:8000/health/ready", http("x", false, "readiness")))
        .isNotNull();
    assertThat(probed("http://localhost:8000/health/started", http("x", false, "startup")))
        .isNotNull();
  }

  @Test
  void theOverallHealthOfACriticalCheckAndItsOwnPathAreSelfProbesToo() {
    assertThat(probed("http://localhost:8000/health", http("self", true)))
        .isEqualTo("overall /health (the check is critical)");
    assertThat(probed("http://localhost:8000/health", http("self", false))).isNull();
    assertThat(probed("http://localhost:8000/health/self", http("self", false)))
        .isEqualTo("endpoint /health/self");
  }

  @Test
  void anotherGroupPortHostOrPathIsNot() {
    AgentConfig.CheckSpec live = http("self", true, "liveness");
    assertThat(probed("http://localhost:8000/metrics", live)).isNull();
    assertThat(probed("http://localhost:8000/health/ready", live)).isNull();
    assertThat(probed("http://localhost:8001/health/live", live)).isNull();
    assertThat(probed("http://localhost/health/live", live)).isNull();
    assertThat(probed("http://db.example.com:8000/health/live", live)).isNull();
    assertThat(probed("http://localhost:8000/health/live", http("self", true))).isNull();
    assertThat(AgentServer.selfProbed("http://localhost:0/health/live", 0, "0.0.0.0", live))
        .isNull();
  }
}
