package dev.strider.benchmarks;

import ai.onnxruntime.OrtException;
import dev.strider.samples.LeNet5ServingEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** LeNet-5 inference of a batch of 1 or 64 images, by its inference-only engine ({@code LeNet5Serving}). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LeNet5Inference extends Inference {
    @Param({"1", "64"})
    int batch;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        prepare(new LeNet5ServingEngine(), new long[] {batch, 1, 28, 28}, 2, "LeNet-5 batch " + batch);
    }
}
