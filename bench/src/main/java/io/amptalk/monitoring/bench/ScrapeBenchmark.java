package io.amptalk.monitoring.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one {@code /metrics} text body produced in-process, with the same 400
 * request-duration series (15 buckets each) in every library: our {@code SystemMonitor}, the
 * OpenTelemetry SDK with its Prometheus reader, Prometheus client_java and Micrometer (see {@link
 * Exposition}). Each library writes into a reused buffer, so the buffer's growth is not counted;
 * {@code -prof gc} gives the bytes allocated per body. Run with {@code bench/run.sh}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ScrapeBenchmark {

  @State(Scope.Benchmark)
  public static class Target {
    @Param({
      "amptalk",
      "amptalkWithJvm",
      "amptalkClientJavaWriter",
      "amptalkProtobuf",
      "amptalkNative",
      "otelSdk",
      "prometheusClient",
      "micrometer",
      "micrometerStream"
    })
    public String library;

    Exposition exposition;

    @Setup
    public void setUp() {
      exposition = Exposition.create(Exposition.Library.valueOf(library));
    }

    @TearDown
    public void tearDown() {
      exposition.close();
    }
  }

  /** A buffer per thread, large enough for every body from the start. */
  @State(Scope.Thread)
  public static class Buffer {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
  }

  @Benchmark
  public int scrape(Target target, Buffer buffer) throws IOException {
    buffer.out.reset();
    target.exposition.writeTo(buffer.out);
    return buffer.out.size();
  }
}
