package io.amptalk.monitoring.internal.host;

import io.amptalk.monitoring.metrics.SystemSnapshot;
import io.amptalk.monitoring.metrics.SystemSnapshot.ContainerUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.FileSystemUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.MemoryUsage;
import io.amptalk.monitoring.metrics.SystemSnapshot.NetworkIo;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Registers the asynchronous instruments that read the latest {@link SystemSnapshot} at collection
 * time, under the OpenTelemetry semantic-convention names. A figure missing from the snapshot is
 * not reported at all (no series), rather than reported as zero.
 */
public final class HostInstruments {
  public static final AttributeKey<String> MEMORY_STATE =
      AttributeKey.stringKey("system.memory.state");
  public static final AttributeKey<String> DEVICE = AttributeKey.stringKey("system.device");
  public static final AttributeKey<String> MOUNTPOINT =
      AttributeKey.stringKey("system.filesystem.mountpoint");
  public static final AttributeKey<String> FS_TYPE =
      AttributeKey.stringKey("system.filesystem.type");
  public static final AttributeKey<String> FS_STATE =
      AttributeKey.stringKey("system.filesystem.state");
  public static final AttributeKey<String> INTERFACE =
      AttributeKey.stringKey("network.interface.name");
  public static final AttributeKey<String> DIRECTION =
      AttributeKey.stringKey("network.io.direction");

  private static final Attributes USED = Attributes.of(MEMORY_STATE, "used");
  private static final Attributes FREE = Attributes.of(MEMORY_STATE, "free");

  private HostInstruments() {}

  /** Returns the registrations, to be closed with the monitor. */
  public static List<AutoCloseable> register(
      Meter meter, Supplier<SystemSnapshot> snapshot, BooleanSupplier healthy) {
    List<AutoCloseable> registrations = new ArrayList<>();
    registrations.add(
        meter
            .gaugeBuilder("system.cpu.utilization")
            .setDescription("Fraction of CPU time the whole host spent busy since the last sample.")
            .setUnit("1")
            .buildWithCallback(m -> snapshot.get().cpuUtilization().ifPresent(m::record)));
    registrations.add(
        meter
            .upDownCounterBuilder("system.memory.usage")
            .setDescription("Physical memory in use and available (free), in bytes.")
            .setUnit("By")
            .buildWithCallback(
                m ->
                    snapshot
                        .get()
                        .memory()
                        .ifPresent(
                            memory -> {
                              m.record(memory.usedBytes(), USED);
                              m.record(memory.availableBytes(), FREE);
                            })));
    registrations.add(
        meter
            .gaugeBuilder("system.memory.utilization")
            .setDescription("Fraction of physical memory in use.")
            .setUnit("1")
            .buildWithCallback(
                m -> snapshot.get().memory().ifPresent(memory -> m.record(memory.utilization()))));
    registrations.add(
        meter
            .upDownCounterBuilder("system.filesystem.usage")
            .setDescription("Bytes used and free on each real file system.")
            .setUnit("By")
            .buildWithCallback(
                m -> {
                  for (FileSystemUsage fs : snapshot.get().fileSystems()) {
                    m.record(fs.usedBytes(), fileSystem(fs).put(FS_STATE, "used").build());
                    m.record(fs.freeBytes(), fileSystem(fs).put(FS_STATE, "free").build());
                  }
                }));
    registrations.add(
        meter
            .gaugeBuilder("system.filesystem.utilization")
            .setDescription("Fraction of each real file system in use.")
            .setUnit("1")
            .buildWithCallback(
                m -> {
                  for (FileSystemUsage fs : snapshot.get().fileSystems()) {
                    m.record(fs.utilization(), fileSystem(fs).build());
                  }
                }));
    registrations.add(
        meter
            .counterBuilder("system.network.io")
            .setDescription("Bytes received and transmitted on each network interface.")
            .setUnit("By")
            .buildWithCallback(
                m -> {
                  for (NetworkIo nic : snapshot.get().networkInterfaces()) {
                    m.record(
                        nic.receivedBytes(),
                        Attributes.of(INTERFACE, nic.device(), DIRECTION, "receive"));
                    m.record(
                        nic.transmittedBytes(),
                        Attributes.of(INTERFACE, nic.device(), DIRECTION, "transmit"));
                  }
                }));
    registrations.add(
        meter
            .gaugeBuilder("process.cpu.utilization")
            .setDescription(
                "Fraction of the host's CPU time this process used since the last sample.")
            .setUnit("1")
            .buildWithCallback(m -> snapshot.get().processCpuUtilization().ifPresent(m::record)));
    registrations.add(
        meter
            .upDownCounterBuilder("process.memory.usage")
            .setDescription("Resident memory of this process, in bytes.")
            .setUnit("By")
            .buildWithCallback(m -> snapshot.get().processMemoryBytes().ifPresent(m::record)));
    registrations.add(
        meter
            .upDownCounterBuilder("process.thread.count")
            .setDescription("Threads of this process.")
            .setUnit("{thread}")
            .buildWithCallback(m -> snapshot.get().processThreadCount().ifPresent(m::record)));
    registrations.add(
        meter
            .upDownCounterBuilder("process.open_file_descriptor.count")
            .setDescription("Open file descriptors of this process.")
            .setUnit("{file_descriptor}")
            .buildWithCallback(
                m -> snapshot.get().processOpenFileDescriptors().ifPresent(m::record)));
    registrations.addAll(registerContainer(meter, snapshot));
    registrations.add(
        meter
            .gaugeBuilder("app.health.status")
            .setDescription("1 when the application reports itself healthy, 0 when not.")
            .ofLongs()
            .buildWithCallback(m -> m.record(healthy.getAsBoolean() ? 1 : 0)));
    return registrations;
  }

  /**
   * The container's limits and their use, exported only while a limit binds: beside the host's
   * figures, which keep their names and meaning.
   */
  private static List<AutoCloseable> registerContainer(
      Meter meter, Supplier<SystemSnapshot> snapshot) {
    Supplier<Optional<ContainerUsage>> container = () -> snapshot.get().container();
    Supplier<Optional<MemoryUsage>> memory = () -> container.get().flatMap(ContainerUsage::memory);
    return List.of(
        meter
            .gaugeBuilder("container.cpu.limit")
            .setDescription("CPU quota of this process's container (cgroup), in cores.")
            .setUnit("{cpu}")
            .buildWithCallback(
                m ->
                    container
                        .get()
                        .map(ContainerUsage::cpuLimitCores)
                        .ifPresent(cores -> cores.ifPresent(m::record))),
        meter
            .gaugeBuilder("container.cpu.utilization")
            .setDescription("Fraction of the container's CPU quota used since the last sample.")
            .setUnit("1")
            .buildWithCallback(
                m ->
                    container
                        .get()
                        .map(ContainerUsage::cpuUtilization)
                        .ifPresent(used -> used.ifPresent(m::record))),
        meter
            .gaugeBuilder("container.memory.limit")
            .setDescription("Memory limit of this process's container (cgroup), in bytes.")
            .setUnit("By")
            .ofLongs()
            .buildWithCallback(m -> memory.get().ifPresent(u -> m.record(u.totalBytes()))),
        meter
            .upDownCounterBuilder("container.memory.usage")
            .setDescription(
                "Working set of the container (usage less inactive file cache), in bytes.")
            .setUnit("By")
            .buildWithCallback(m -> memory.get().ifPresent(u -> m.record(u.usedBytes()))),
        meter
            .gaugeBuilder("container.memory.utilization")
            .setDescription("Fraction of the container's memory limit in its working set.")
            .setUnit("1")
            .buildWithCallback(m -> memory.get().ifPresent(u -> m.record(u.utilization()))));
  }

  private static io.opentelemetry.api.common.AttributesBuilder fileSystem(FileSystemUsage fs) {
    return Attributes.builder()
        .put(DEVICE, fs.device())
        .put(MOUNTPOINT, fs.mountpoint())
        .put(FS_TYPE, fs.type());
  }
}
