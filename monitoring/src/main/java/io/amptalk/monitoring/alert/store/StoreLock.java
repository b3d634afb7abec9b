package io.amptalk.monitoring.alert.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock a {@link SqliteAlertStore} holds on its file while open: an OS file lock on
 * {@code <file>.lock}, which holds the holder's pid. The OS releases it when the process ends, even
 * by SIGKILL, so a crash never leaves a stale lock; the file itself stays (emptied at close), as
 * deleting it would let two processes lock two different files of one name.
 *
 * <p>Within one JVM the locks are also kept in a set, checked before the lock file is opened at
 * all: on POSIX systems closing any descriptor of a file drops every lock the process holds on it,
 * so a second store that opened the lock file, failed to lock it and closed it would silently
 * release the first store's lock.
 */
final class StoreLock implements AutoCloseable {
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private StoreLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock file of {@code file} (absolute; its directory exists). */
  static Path lockFile(Path file) {
    return file.resolveSibling(file.getFileName() + ".lock");
  }

  /**
   * Locks {@code file} (absolute; its directory exists) for this store.
   *
   * @throws StoreLockedException when another store, here or in another process, holds it
   */
  static StoreLock acquire(Path file) throws IOException {
    Path lockFile = lockFile(file);
    // The directory's real path: one file reached through two names (a symlink, "x/..") is one.
    Path key = file.getParent().toRealPath().resolve(lockFile.getFileName());
    long pid = ProcessHandle.current().pid();
    if (!HELD.add(key)) {
      throw new StoreLockedException(file, lockFile, pid, true);
    }
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              lockFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new StoreLockedException(file, lockFile, holder(channel), false);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      channel.force(false);
      return new StoreLock(key, channel, lock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException close) {
          e.addSuppressed(close);
        }
      }
      HELD.remove(key);
      throw e;
    }
  }

  /** The pid the holder wrote, or 0 when it cannot be read (not yet written, not a number). */
  private static long holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      channel.read(buffer, 0);
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
      return Long.parseLong(text.strip());
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** Empties the lock file of the pid and releases the lock. */
  @Override
  public void close() {
    try {
      channel.truncate(0);
      lock.release();
    } catch (IOException e) {
      // Closing the channel below releases it all the same.
    } finally {
      try {
        channel.close();
      } catch (IOException e) {
        // The process's descriptor is gone either way; nothing is left to release.
      }
      HELD.remove(key);
    }
  }
}
