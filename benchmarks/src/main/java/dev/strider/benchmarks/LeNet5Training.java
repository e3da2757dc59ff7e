package dev.strider.benchmarks;

import dev.strider.runtime.optim.Sgd;
import dev.strider.samples.LeNet5Engine;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One LeNet-5 training step of 64 images: forward, softmax cross-entropy, backward, SGD with momentum 0.9 (the
 * recipe the PyTorch step of {@code bench_pytorch.py} times).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LeNet5Training {
    static final int BATCH = 64;

    LeNet5Engine strider;
    float[] input;
    int[] labels;

    @Setup(Level.Trial)
    public void setUp() {
        strider = new LeNet5Engine();
        strider.initialize(1);
        strider.setOptimizer(Sgd.builder(0.01f).momentum(0.9f).build());
        input = Peers.input(BATCH * strider.inputSize(), 3);
        for (int i = 0; i < input.length; i++) {
            input[i] = Math.abs(input[i]) * 0.3f;   // pixel-like values: a step must not diverge over millions of repeats
        }
        labels = new Random(4).ints(BATCH, 0, 10).toArray();
    }

    @Benchmark
    public float strider() {
        return strider.trainStep(input, labels, BATCH);
    }

    /** The same step with the worker threads off: Strider on one thread, against PyTorch on one. */
    @Benchmark
    @Fork(jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Dstrider.threads=1"})
    public float striderOneThread() {
        return strider();
    }
}
