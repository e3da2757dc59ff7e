package dev.strider.benchmarks;

import ai.onnxruntime.OrtException;
import dev.strider.runtime.engine.GeneratedEngine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Inference of one batch by Strider's Java engine (on its worker threads, and on one thread) and by ONNX Runtime on
 * 1 and 2 threads; a subclass per network
 * sets up the engine (evaluation mode), the input and the sessions (JMH runs these methods for each subclass).
 */
public abstract class Inference {
    GeneratedEngine strider;
    Peers.Sessions ort;
    float[] input;
    float[] out;
    int images;

    /** The engine, input and sessions, once the subclass has made the engine. */
    void prepare(GeneratedEngine engine, long[] shape, long seed, String what) throws OrtException {
        strider = engine;
        strider.initialize(1);
        strider.setTraining(false);
        images = (int) shape[0];
        input = Peers.input(images * engine.inputSize(), seed);
        out = new float[images * engine.outputSize()];
        ort = new Peers.Sessions(engine, input, shape, what);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        ort.close();
    }

    @Benchmark
    public float[] strider() {
        strider.forward(input, images, out);
        return out;
    }

    /** The same engine with the worker threads off: Strider on one thread, against the peers on one. */
    @Benchmark
    @Fork(jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx2g", "-Dstrider.threads=1"})
    public float[] striderOneThread() {
        return strider();
    }

    @Benchmark
    public float[] onnxRuntime1Thread() throws OrtException {
        ort.run(ort.oneThread, out);
        return out;
    }

    @Benchmark
    public float[] onnxRuntime2Threads() throws OrtException {
        ort.run(ort.twoThreads, out);
        return out;
    }
}
