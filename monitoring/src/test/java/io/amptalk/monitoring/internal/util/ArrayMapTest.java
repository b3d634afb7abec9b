package io.amptalk.monitoring.internal.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.amptalk.monitoring.internal.alert.AlertLabels;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The array maps that hold an alert's labels and details: the maps they replaced (a tree map, a
 * linked hash map) in what they answer, equal to them, in the same order.
 */
class ArrayMapTest {
  @Test
  void labels_sortedAndEqualToTheTreeMapTheyReplace() {
    Map<String, String> labels =
        AlertLabels.of(
            new TreeMap<>(Map.of("zone", "eu-1", "disk", "/var", "team", "db")),
            "i-1",
            "Disk full",
            "error",
            "host",
            "api");

    TreeMap<String, String> expected =
        new TreeMap<>(
            Map.of(
                "alertname", "Disk full",
                "disk", "/var",
                "instance", "i-1",
                "service", "api",
                "severity", "error",
                "source", "host",
                "team", "db",
                "zone", "eu-1"));
    assertThat(labels).isEqualTo(expected).hasSameHashCodeAs(expected);
    assertThat(List.copyOf(labels.keySet())).containsExactlyElementsOf(expected.keySet());
    for (String name : expected.keySet()) {
      assertThat(labels.get(name)).as(name).isEqualTo(expected.get(name));
      assertThat(labels.containsKey(name)).as(name).isTrue();
    }
    assertThat(labels.get("absent")).isNull();
    assertThat(labels.get("aaa")).isNull(); // before the first name
    assertThat(labels.get("zzzz")).isNull(); // after the last
    assertThat(labels.containsKey(7)).isFalse();
    assertThat(labels.get(null)).isNull();
    assertThat(labels.size()).isEqualTo(8);
  }

  @Test
  void labels_theFieldsWinOverGivenBuiltIns_andTheMapIsImmutable() {
    Map<String, String> given = new LinkedHashMap<>();
    given.put("severity", "info");
    given.put("instance", "i-9");
    Map<String, String> labels = AlertLabels.of(given, "T", "critical", "src", "svc");

    assertThat(labels)
        .containsExactly(
            Map.entry("alertname", "T"),
            Map.entry("instance", "i-9"),
            Map.entry("service", "svc"),
            Map.entry("severity", "critical"),
            Map.entry("source", "src"));
    assertThatThrownBy(() -> labels.put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
    Iterator<Map.Entry<String, String>> entries = labels.entrySet().iterator();
    Map.Entry<String, String> first = entries.next();
    assertThatThrownBy(() -> first.setValue("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(entries::remove).isInstanceOf(UnsupportedOperationException.class);
    for (int i = 1; i < 5; i++) {
      entries.next();
    }
    assertThat(entries.hasNext()).isFalse();
    assertThatThrownBy(entries::next).isInstanceOf(NoSuchElementException.class);
    // Made again from itself for the same fields, it is the same map: repeats share it.
    assertThat(AlertLabels.of(labels, "T", "critical", "src", "svc")).isSameAs(labels);
  }

  @Test
  void labels_manyGiven_theFieldsFoundWherePastAByteOfIndexes() {
    Map<String, String> given = new TreeMap<>();
    for (int i = 0; i < 300; i++) {
      given.put(String.format("z%03d", i), "v" + i); // after every built-in name
    }
    Map<String, String> labels = AlertLabels.of(given, "T", "warning", "src", "svc");

    assertThat(labels).hasSize(304).containsEntry("z299", "v299").containsEntry("source", "src");
    assertThat(AlertLabels.of(labels, "T", "warning", "src", "svc")).isSameAs(labels);
    Map<String, String> other = AlertLabels.of(labels, "T", "error", "src", "svc");
    assertThat(other).isNotSameAs(labels).containsEntry("severity", "error").hasSize(304);
  }

  @Test
  void details_keepTheCallersOrder_andTwoKeysCutToOneAreOne() {
    String longKey = "k".repeat(Details.MAX_KEY_LENGTH);
    Map<String, Object> given = new LinkedHashMap<>();
    given.put("zeta", 1);
    given.put(longKey + "a", "first");
    given.put("alpha", true);
    given.put(longKey + "b", "second");
    given.put(null, "dropped");

    Details.Copy copy = Details.copy(given);

    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("zeta", 1);
    expected.put(longKey, "second");
    expected.put("alpha", true);
    assertThat(copy.details()).containsExactlyEntriesOf(expected).isEqualTo(expected);
    assertThat(copy.cut()).isTrue();
    assertThat(copy.details().get("alpha")).isEqualTo(true);
    assertThat(copy.details().get("beta")).isNull();
    assertThat(Details.copy(copy.details()).details()).isSameAs(copy.details());
    assertThat(Details.copy(Collections.singletonMap(null, 1)).details()).isEmpty();
  }
}
