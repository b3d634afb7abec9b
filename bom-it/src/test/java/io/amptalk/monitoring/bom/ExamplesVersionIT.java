package io.amptalk.monitoring.bom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The projects of {@code examples/} are not modules of this build (a user copies one as it is), so
 * nothing but this test keeps them on this build's version: each imports {@code
 * amptalk-monitoring-bom} at exactly the project's version, and names none of our artifacts with a
 * version of its own, so that the import is the one place to change.
 */
class ExamplesVersionIT {
  private static final String VERSION = property("amptalk.version");
  private static final Path EXAMPLES =
      Path.of(property("amptalk.root")).normalize().resolve("examples");
  private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

  @Test
  void everyExample_importsTheBomAtThisBuildsVersion_andVersionsNoneOfOurArtifacts()
      throws Exception {
    List<Path> poms;
    try (Stream<Path> directories = Files.list(EXAMPLES)) {
      poms =
          directories.map(d -> d.resolve("pom.xml")).filter(Files::isRegularFile).sorted().toList();
    }
    assertThat(poms)
        .extracting(pom -> pom.getParent().getFileName().toString())
        .contains("jdk-server", "spring-boot");

    for (Path pom : poms) {
      Document document =
          DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder().parse(pom.toFile());
      Element project = document.getDocumentElement();
      Map<String, String> properties = properties(project);
      String where = EXAMPLES.getParent().relativize(pom).toString();

      List<String> imported = new ArrayList<>();
      for (Element dependency : dependencies(child(project, "dependencyManagement"))) {
        if ("amptalk-monitoring-bom".equals(text(dependency, "artifactId"))) {
          imported.add(resolve(text(dependency, "version"), properties));
        }
      }
      assertThat(imported)
          .as("%s: the version of its amptalk-monitoring-bom import", where)
          .containsExactly(VERSION);

      for (Element dependency : dependencies(project)) {
        if ("io.amptalk".equals(text(dependency, "groupId"))) {
          assertThat(text(dependency, "version"))
              .as(
                  "%s: %s has a version of its own; the BOM's applies",
                  where, text(dependency, "artifactId"))
              .isNull();
        }
      }
    }
  }

  private static Map<String, String> properties(Element project) {
    Map<String, String> properties = new HashMap<>();
    Element element = child(project, "properties");
    if (element != null) {
      for (Element property : children(element, null)) {
        properties.put(property.getTagName(), property.getTextContent().trim());
      }
    }
    return properties;
  }

  private static String resolve(String value, Map<String, String> properties) {
    if (value == null) {
      return null;
    }
    Matcher matcher = PROPERTY.matcher(value);
    return matcher.replaceAll(
        m -> Matcher.quoteReplacement(properties.getOrDefault(m.group(1), m.group())));
  }

  /** The {@code dependency} elements of {@code parent}'s {@code dependencies}. */
  private static List<Element> dependencies(Element parent) {
    Element dependencies = parent == null ? null : child(parent, "dependencies");
    return dependencies == null ? List.of() : children(dependencies, "dependency");
  }

  private static String text(Element parent, String name) {
    Element child = child(parent, name);
    return child == null ? null : child.getTextContent().trim();
  }

  private static Element child(Element parent, String name) {
    List<Element> children = children(parent, name);
    return children.isEmpty() ? null : children.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> elements = new ArrayList<>();
    for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element element && (name == null || name.equals(element.getTagName()))) {
        elements.add(element);
      }
    }
    return elements;
  }

  private static String property(String name) {
    return Objects.requireNonNull(System.getProperty(name), name + " (set by the failsafe plugin)");
  }
}
