package io.amptalk.monitoring;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package layout, read from the library's class files: no cycle between its concerns, and no
 * implementation type (ours, or the JDK server's {@code com.sun.net.httpserver}) in a public
 * signature of an API package; the JDK server's types only in {@code instrument}, whose filter is
 * one of theirs.
 *
 * <p>A concern is an API package with its API subpackages and its implementation package: {@code
 * health} with {@code health.checks} and {@code internal.health}; {@code alert} with {@code
 * alert.notify}, {@code alert.store} and {@code internal.alert}. Their types name each other by
 * design ({@code HealthCheck.createCpuHealthCheck} returns a check of {@code health.checks}, which
 * implements {@code health.Check}). Every other package is a concern of its own: the root (the
 * entry points and the wiring), {@code metrics} (the values), and each other {@code internal.*}.
 */
class ArchitectureTest {
  private static final String ROOT = "io.amptalk.monitoring";

  private static final JavaClasses LIBRARY =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(ROOT);

  @Test
  void concerns_dependOnEachOtherWithoutCycles() {
    slices()
        .assignedFrom(new Concerns())
        .should()
        .beFreeOfCycles()
        .because("a change to one concern must not ripple back into the concerns it serves")
        .check(LIBRARY);
  }

  @Test
  void apiPackages_showNoInternalTypeInAPublicSignature() {
    classes()
        .that()
        .arePublic()
        .and()
        .resideOutsideOfPackage(ROOT + ".internal..")
        .should(new ExposeNoInternalType())
        .check(LIBRARY);
  }

  @Test
  void libraryClasses_areFound() {
    // Guards the two rules above against passing on an empty import (a moved root package).
    org.assertj.core.api.Assertions.assertThat(LIBRARY.contain(SystemMonitor.class)).isTrue();
    org.assertj.core.api.Assertions.assertThat(
            LIBRARY.stream().filter(c -> c.getPackageName().contains(".internal.")).count())
        .isGreaterThan(20);
  }

  /** Slices by concern, as described above. */
  private static final class Concerns implements SliceAssignment {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
      String pkg = javaClass.getPackageName();
      if (!pkg.equals(ROOT) && !pkg.startsWith(ROOT + ".")) {
        return SliceIdentifier.ignore();
      }
      String rest = pkg.equals(ROOT) ? "" : pkg.substring(ROOT.length() + 1);
      String[] parts = rest.isEmpty() ? new String[0] : rest.split("\\.");
      if (parts.length == 0) {
        return SliceIdentifier.of("root");
      }
      String concern = "internal".equals(parts[0]) && parts.length > 1 ? parts[1] : parts[0];
      if (Set.of("health", "alert").contains(concern)) {
        return SliceIdentifier.of(concern);
      }
      return SliceIdentifier.of(String.join(".", parts));
    }

    @Override
    public String getDescription() {
      return "the library's concerns";
    }
  }

  /** Public and protected members of a public API class name no type of an internal package. */
  private static final class ExposeNoInternalType extends ArchCondition<JavaClass> {
    private static final String JDK_SERVER = "com.sun.net.httpserver";

    private static final DescribedPredicate<JavaClass> OURS =
        DescribedPredicate.describe(
            "internal", c -> c.getPackageName().startsWith(ROOT + ".internal"));

    /** Our implementation packages, and the JDK server's types, which the HTTP layer hides. */
    private static final DescribedPredicate<JavaClass> INTERNAL =
        DescribedPredicate.describe(
            "internal", c -> OURS.test(c) || c.getPackageName().equals(JDK_SERVER));

    /**
     * The one API package that shows the JDK server's types: {@code HttpServerFilter} is a {@code
     * com.sun.net.httpserver.Filter} for the user's own server, which cannot be written without
     * them. Everywhere else the monitor's port stays an implementation detail.
     */
    private static final String INSTRUMENT = ROOT + ".instrument";

    ExposeNoInternalType() {
      super("expose no type of an internal package in a public or protected signature");
    }

    @Override
    public void check(JavaClass api, ConditionEvents events) {
      DescribedPredicate<JavaClass> internal =
          api.getPackageName().equals(INSTRUMENT) ? OURS : INTERNAL;
      Stream.concat(api.getRawSuperclass().stream(), api.getRawInterfaces().stream())
          .filter(internal)
          .forEach(type -> violation(events, api, api.getName() + " extends " + type.getName()));
      for (JavaField field : api.getFields()) {
        if (exposed(field.getModifiers()) && internal.test(field.getRawType())) {
          violation(events, api, field.getFullName() + " is of " + field.getRawType().getName());
        }
      }
      for (JavaCodeUnit unit : api.getCodeUnits()) {
        if (!exposed(unit.getModifiers())) {
          continue;
        }
        Stream.concat(Stream.of(unit.getRawReturnType()), unit.getRawParameterTypes().stream())
            .filter(internal)
            .forEach(
                type -> violation(events, api, unit.getFullName() + " names " + type.getName()));
      }
    }

    private static boolean exposed(Set<JavaModifier> modifiers) {
      return modifiers.contains(JavaModifier.PUBLIC) || modifiers.contains(JavaModifier.PROTECTED);
    }

    private static void violation(ConditionEvents events, JavaClass api, String message) {
      events.add(SimpleConditionEvent.violated(api, message));
    }
  }
}
