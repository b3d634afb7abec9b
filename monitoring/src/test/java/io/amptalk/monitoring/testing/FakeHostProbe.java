package io.amptalk.monitoring.testing;

import io.amptalk.monitoring.internal.host.HostProbe;
import io.amptalk.monitoring.metrics.SystemSnapshot.ContainerUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.NetworkIo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;

/** Fixed host figures; any one probe can be made to throw (an unchecked exception or an error). */
public final class FakeHostProbe implements HostProbe {
  public volatile Throwable failCpu;
  public volatile Throwable failMemory;
  public volatile Throwable failFileSystems;
  public volatile Throwable failNetwork;
  public volatile Throwable failProcess;
  public volatile Throwable failHardware;
  public volatile double cpu = 0.25;
  public volatile Optional<ContainerUsage> container = Optional.empty();
  public final AtomicInteger cpuCalls = new AtomicInteger();

  @Override
  public OptionalDouble cpuUtilization() {
    cpuCalls.incrementAndGet();
    throwIfSet(failCpu);
    return OptionalDouble.of(cpu);
  }

  @Override
  public MemoryUsage memory() {
    throwIfSet(failMemory);
    return new MemoryUsage(8_000, 6_000);
  }

  @Override
  public List<FileSystemUsage> fileSystems() {
    throwIfSet(failFileSystems);
    return List.of(new FileSystemUsage("/dev/sda1", "/", "ext4", 1_000, 400));
  }

  @Override
  public List<NetworkIo> networkInterfaces() {
    throwIfSet(failNetwork);
    return List.of(new NetworkIo("eth0", 123, 456));
  }

  @Override
  public ProcessFigures process() {
    throwIfSet(failProcess);
    return new ProcessFigures(
        OptionalDouble.of(0.125), OptionalLong.of(64_000), OptionalLong.of(12), OptionalLong.of(7));
  }

  @Override
  public Optional<ContainerUsage> container() {
    return container;
  }

  @Override
  public Hardware hardware() {
    throwIfSet(failHardware);
    return new Hardware("Test CPU 3000", 4, 8, 8_000);
  }

  /** Every call throws from now on; null makes every call succeed again. */
  public void failEverything(Throwable failure) {
    failCpu = failure;
    failMemory = failure;
    failFileSystems = failure;
    failNetwork = failure;
    failProcess = failure;
    failHardware = failure;
  }

  private static void throwIfSet(Throwable e) {
    if (e instanceof RuntimeException unchecked) {
      throw unchecked;
    }
    if (e instanceof Error error) {
      throw error;
    }
    if (e != null) {
      throw new IllegalArgumentException("only unchecked exceptions and errors", e);
    }
  }
}
