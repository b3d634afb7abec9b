package io.amptalk.monitoring.alert.store;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * {@link SqliteAlertStore#open} refused a file another store holds, in this process or another: two
 * stores on one file would both deliver its outbox, so every pending notification twice. The
 * message names the file, the lock file and, when the lock file says it, the holder's pid.
 */
public final class StoreLockedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final transient Path lockFile;
  private final long holderPid;

  StoreLockedException(Path file, Path lockFile, long holderPid, boolean thisProcess) {
    super(
        "cannot open alert store "
            + file
            + ": it is "
            + (thisProcess
                ? "already open in this process (pid " + holderPid + ")"
                : holderPid > 0 ? "in use by process " + holderPid : "in use by another process")
            + ", which holds "
            + lockFile
            + "; one file serves one store at a time, or both would deliver its notifications");
    this.file = file;
    this.lockFile = lockFile;
    this.holderPid = holderPid;
  }

  /** The store's file. */
  public Path file() {
    return file;
  }

  /** The lock file beside it, {@code <file>.lock}, whose holder has the store open. */
  public Path lockFile() {
    return lockFile;
  }

  /** The pid of the process that holds the lock, when its lock file says it. */
  public OptionalLong holderPid() {
    return holderPid > 0 ? OptionalLong.of(holderPid) : OptionalLong.empty();
  }
}
