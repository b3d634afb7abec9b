package io.amptalk.monitoring.alert.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a SQLite write-ahead log as SQLite's recovery does (the format of sqlite.org/fileformat),
 * to say what SQLite would drop without a word: it replays frames up to the first whose checksum or
 * salts do not follow, and silently forgets the rest, committed transactions included. A log left
 * by a crash ends cleanly (at a frame boundary, or with frames of an older generation, whose salts
 * differ); one cut short in the middle of a frame, or with a frame of the current generation that
 * fails its checksum, is damaged.
 */
final class WalCheck {
  private static final int HEADER = 32;
  private static final int FRAME_HEADER = 24;

  private WalCheck() {}

  /** What is wrong with the log {@code wal} (which exists), or null when nothing is. */
  static String problem(Path wal) throws IOException {
    try (FileChannel channel = FileChannel.open(wal, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size == 0) {
        return null;
      }
      if (size < HEADER) {
        return "its write-ahead log is cut short in its header (" + size + " bytes)";
      }
      ByteBuffer header = read(channel, 0, HEADER);
      int magic = header.getInt(0);
      int pageSize = header.getInt(8);
      if ((magic & 0xfffffffe) != 0x377f0682
          || pageSize < 512
          || (pageSize & (pageSize - 1)) != 0) {
        return "its write-ahead log's header is damaged";
      }
      ByteOrder order = (magic & 1) == 1 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
      int[] sum = checksum(header, 0, 24, new int[2], order);
      if (sum[0] != header.getInt(24) || sum[1] != header.getInt(28)) {
        return size > HEADER ? "its write-ahead log's header fails its checksum" : null;
      }
      int salt1 = header.getInt(16);
      int salt2 = header.getInt(20);
      long frameSize = FRAME_HEADER + (long) pageSize;
      long frames = (size - HEADER + frameSize - 1) / frameSize;
      int broken = 0; // the first frame that does not follow, 1-based; 0 while all do
      boolean byChecksum = false;
      boolean currentAfter = false;
      for (int i = 1; i <= frames; i++) {
        long offset = HEADER + (i - 1) * frameSize;
        if (offset + frameSize > size) {
          if (broken == 0) {
            return "its write-ahead log ends "
                + (size - offset)
                + " bytes into frame "
                + i
                + " of "
                + frames;
          }
          break;
        }
        ByteBuffer frame = read(channel, offset, (int) frameSize);
        boolean current = frame.getInt(8) == salt1 && frame.getInt(12) == salt2;
        if (broken == 0) {
          if (current) {
            checksum(frame, 0, 8, sum, order);
            checksum(frame, FRAME_HEADER, pageSize, sum, order);
            if (sum[0] == frame.getInt(16) && sum[1] == frame.getInt(20)) {
              continue;
            }
          }
          broken = i;
          byChecksum = current;
          if (byChecksum) {
            break;
          }
        } else if (current) {
          currentAfter = true; // a frame of this generation after the break: the break is damage
          break;
        }
      }
      if (broken == 0 || (!byChecksum && !currentAfter)) {
        return null; // whole, or followed only by frames of an older generation
      }
      return "frame "
          + broken
          + " of "
          + frames
          + " of its write-ahead log "
          + (byChecksum ? "fails its checksum" : "does not follow the frames before it");
    }
  }

  private static ByteBuffer read(FileChannel channel, long offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, offset + buffer.position()) < 0) {
        throw new IOException("write-ahead log shrank while read");
      }
    }
    return buffer.flip();
  }

  /** SQLite's walChecksumBytes: two running 32-bit sums over pairs of words, in {@code order}. */
  private static int[] checksum(ByteBuffer data, int from, int length, int[] sum, ByteOrder order) {
    ByteBuffer words = data.duplicate().order(order);
    int s1 = sum[0];
    int s2 = sum[1];
    for (int i = from; i < from + length; i += 8) {
      s1 += words.getInt(i) + s2;
      s2 += words.getInt(i + 4) + s1;
    }
    sum[0] = s1;
    sum[1] = s2;
    return sum;
  }
}
