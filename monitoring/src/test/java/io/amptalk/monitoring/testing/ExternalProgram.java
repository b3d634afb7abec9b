package io.amptalk.monitoring.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real program that a test runs (Chromium, chromedriver, promtool), found at the system property
 * named after it ({@code -Dchromium=/path}, which then is the only place looked at) or else on the
 * {@code PATH}. Without it the test is skipped with how to install it, except under CI (the
 * environment variable {@code CI} set, as {@code .ci/run} sets {@code CI=true}): CI installs every
 * such program, so there a missing one fails the test instead of hiding behind a skip.
 */
public final class ExternalProgram {
  private ExternalProgram() {}

  /**
   * Where {@code name} is; the calling test is skipped without it (failed under CI), with a message
   * naming {@code installHint} and the {@code -Dname=} property.
   */
  public static Path require(String name, String installHint) {
    Lookup lookup =
        lookup(name, System.getProperty(name), System.getenv("PATH"), System.getenv("CI"));
    if (!lookup.found() && !lookup.ci()) {
      // Surefire's console shows how many were skipped, not why: say it there too.
      System.err.println("SKIPPED: " + lookup.message(installHint));
    }
    return lookup.require(installHint);
  }

  /**
   * Debian's Python ({@code -Dpython3=}, else {@code /usr/bin/python3}, else {@code PATH}: a shim
   * earlier on the {@code PATH} may lack Debian's modules) with {@code module} importable; skipped
   * without them (failed under CI), naming the Debian package {@code installHint}.
   */
  public static Path requirePython(String module, String installHint) {
    Path debian = Path.of("/usr/bin/python3");
    Path python =
        System.getProperty("python3") == null && executable(debian)
            ? debian
            : require("python3", installHint);
    try {
      Process probe =
          new ProcessBuilder(python.toString(), "-c", "import " + module)
              .redirectErrorStream(true)
              .start();
      probe.getInputStream().readAllBytes();
      if (probe.waitFor() == 0) {
        return python;
      }
    } catch (IOException e) {
      // as a module that does not import
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Lookup missing =
        new Lookup("python3 module " + module, null, "in " + python, isCi(System.getenv("CI")));
    if (!missing.ci()) {
      System.err.println("SKIPPED: " + missing.message(installHint));
    }
    return missing.require(installHint);
  }

  /**
   * The decision itself, from the property's value, the {@code PATH} and {@code CI} as given (each
   * may be null).
   */
  static Lookup lookup(String name, String property, String path, String ci) {
    boolean underCi = isCi(ci);
    if (property != null && !property.isBlank()) {
      Path given = Path.of(property);
      return new Lookup(
          name, executable(given) ? given : null, "at " + property + " (-D" + name + ")", underCi);
    }
    Optional<Path> found =
        Stream.of((path == null ? "" : path).split(File.pathSeparator))
            .filter(dir -> !dir.isEmpty())
            .map(dir -> Path.of(dir, name))
            .filter(ExternalProgram::executable)
            .findFirst();
    return new Lookup(name, found.orElse(null), "on PATH", underCi);
  }

  /** {@code CI} counts when set to anything but empty, {@code false} or {@code 0}. */
  static boolean isCi(String ci) {
    if (ci == null) {
      return false;
    }
    String value = ci.strip().toLowerCase(Locale.ROOT);
    return !value.isEmpty() && !value.equals("false") && !value.equals("0");
  }

  private static boolean executable(Path file) {
    return Files.isRegularFile(file) && Files.isExecutable(file);
  }

  /**
   * What was found: {@code path} is null when nothing was; {@code where} says where it was looked
   * for.
   */
  public record Lookup(String name, Path path, String where, boolean ci) {
    public boolean found() {
      return path != null;
    }

    /** Why the test cannot run. */
    public String message(String installHint) {
      return name
          + " not found "
          + where
          + "; "
          + installHint
          + ", or -D"
          + name
          + "=/path/to/"
          + name
          + (ci ? " (CI is set, so a missing program fails the test instead of skipping it)" : "");
    }

    /** The path; skips the test without it, or fails it under CI. */
    public Path require(String installHint) {
      if (found()) {
        return path;
      }
      String message = message(installHint);
      if (ci) {
        return Assertions.fail(message);
      }
      return Assumptions.abort(message);
    }
  }
}
