package dev.strider.benchmarks;

import ai.onnxruntime.OrtException;
import dev.strider.samples.ResNet18ServingEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** ResNet-18 inference of one 224x224 image, by its inference-only engine ({@code ResNet18Serving}). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g"})
public class ResNet18Inference extends Inference {
    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        prepare(new ResNet18ServingEngine(), new long[] {1, 3, 224, 224}, 5, "ResNet-18");
    }
}
