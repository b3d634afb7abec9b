package io.amptalk.monitoring.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** {@link ExternalProgram}'s decision: found, missing (skip), missing under CI (fail). */
class ExternalProgramTest {
  private static final String HINT = "apt-get install tool";

  @TempDir Path dir;

  private Path program(Path in, String name, boolean executable) throws IOException {
    Files.createDirectories(in);
    Path file = Files.writeString(in.resolve(name), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        file, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
    return file;
  }

  private String path(Path... dirs) {
    return String.join(File.pathSeparator, Arrays.stream(dirs).map(Path::toString).toList());
  }

  @Test
  void onPath_isFound_firstExecutableWins() throws IOException {
    Path empty = Files.createDirectories(dir.resolve("empty"));
    program(dir.resolve("a"), "tool", false);
    Path tool = program(dir.resolve("b"), "tool", true);
    program(dir.resolve("c"), "tool", true);

    for (String ci : new String[] {null, "true"}) {
      ExternalProgram.Lookup lookup =
          ExternalProgram.lookup(
              "tool", null, path(empty, dir.resolve("a"), dir.resolve("b"), dir.resolve("c")), ci);
      assertThat(lookup.found()).isTrue();
      assertThat(lookup.require(HINT)).isEqualTo(tool);
    }
  }

  @Test
  void property_isTheOnlyPlaceLookedAt() throws IOException {
    Path onPath = program(dir.resolve("bin"), "tool", true);
    Path given = program(dir.resolve("opt"), "my-tool", true);

    assertThat(
            ExternalProgram.lookup("tool", given.toString(), path(dir.resolve("bin")), null)
                .require(HINT))
        .isEqualTo(given);
    // A property naming nothing does not fall back to PATH: -Dtool=/nonexistent means "none".
    ExternalProgram.Lookup missing =
        ExternalProgram.lookup("tool", "/nonexistent", path(onPath.getParent()), null);
    assertThat(missing.found()).isFalse();
    assertThat(missing.message(HINT))
        .isEqualTo(
            "tool not found at /nonexistent (-Dtool); apt-get install tool, or -Dtool=/path/to/tool");
    // A blank one is as if unset.
    assertThat(ExternalProgram.lookup("tool", " ", path(dir.resolve("bin")), null).require(HINT))
        .isEqualTo(onPath);
  }

  @Test
  void missing_skipsWithTheInstallHint() throws IOException {
    program(dir.resolve("bin"), "tool", false); // not executable: not found
    for (String ci : new String[] {null, "", "false", "0", "FALSE"}) {
      ExternalProgram.Lookup lookup =
          ExternalProgram.lookup("tool", null, path(dir.resolve("bin")), ci);
      assertThat(lookup.found()).isFalse();
      assertThatThrownBy(() -> lookup.require(HINT))
          .as("CI=%s", ci)
          .isInstanceOf(TestAbortedException.class)
          .hasMessageContaining(
              "tool not found on PATH; apt-get install tool, or -Dtool=/path/to/tool");
    }
    assertThatThrownBy(() -> ExternalProgram.lookup("tool", null, null, null).require(HINT))
        .isInstanceOf(TestAbortedException.class);
  }

  @Test
  void missingUnderCi_failsWithTheInstallHint() {
    for (String ci : new String[] {"true", "1", "yes"}) {
      ExternalProgram.Lookup lookup =
          ExternalProgram.lookup("tool", null, path(dir.resolve("nowhere")), ci);
      assertThatThrownBy(() -> lookup.require(HINT))
          .as("CI=%s", ci)
          .isInstanceOf(AssertionFailedError.class)
          .isNotInstanceOf(TestAbortedException.class)
          .hasMessageStartingWith(
              "tool not found on PATH; apt-get install tool, or -Dtool=/path/to/tool")
          .hasMessageContaining("CI is set");
    }
    assertThatThrownBy(
            () -> ExternalProgram.lookup("tool", "/nonexistent", null, "true").require(HINT))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageStartingWith("tool not found at /nonexistent (-Dtool)");
  }
}
