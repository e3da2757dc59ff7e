package dev.strider.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.onnx.OnnxExport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;

/**
 * What the benchmarks share: a Strider engine with seeded weights, the same network and weights as an ONNX model
 * (Strider's own export) in an ONNX Runtime session, inputs, and the check that both compute the same outputs
 * before anything is timed.
 */
final class Peers {
    private Peers() {}

    static float[] input(int values, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[values];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /** An ONNX Runtime session of {@code engine}'s network and current weights, on {@code threads} intra-op threads. */
    static OrtSession session(GeneratedEngine engine, int threads) throws OrtException {
        byte[] model = OnnxExport.model(engine, OnnxExport.reportOf(engine)).toByteArray();
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        o.setIntraOpNumThreads(threads);
        o.setInterOpNumThreads(1);
        o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return OrtEnvironment.getEnvironment().createSession(model, o);
    }

    /** A direct buffer holding {@code x}: ONNX Runtime reads a direct buffer in place. */
    static FloatBuffer direct(float[] x) {
        FloatBuffer b = ByteBuffer.allocateDirect(4 * x.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
        b.put(x).rewind();
        return b;
    }

    /** One ONNX Runtime inference of {@code batch} images from {@code input}, its output copied to {@code out}. */
    static void run(OrtSession session, FloatBuffer input, long[] shape, float[] out) throws OrtException {
        try (OnnxTensor x = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), input, shape);
             OrtSession.Result r = session.run(Map.of("input", x))) {
            FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
            y.get(out, 0, Math.min(out.length, y.remaining()));
        }
    }

    /**
     * ONNX Runtime on 1 and 2 threads for one engine and input, checked to compute the engine's outputs. The engine
     * must be in evaluation mode with its weights set.
     */
    static final class Sessions implements AutoCloseable {
        final OrtSession oneThread;
        final OrtSession twoThreads;
        final FloatBuffer input;
        final long[] shape;

        Sessions(GeneratedEngine engine, float[] input, long[] shape, String what) throws OrtException {
            this.oneThread = session(engine, 1);
            this.twoThreads = session(engine, 2);
            this.input = direct(input);
            this.shape = shape;
            float[] mine = engine.forward(input, (int) shape[0]);
            float[] theirs = new float[mine.length];
            run(oneThread, theirs);
            agree(what + " (ONNX Runtime, 1 thread)", mine, theirs);
            run(twoThreads, theirs);
            agree(what + " (ONNX Runtime, 2 threads)", mine, theirs);
        }

        void run(OrtSession session, float[] out) throws OrtException {
            Peers.run(session, input, shape, out);
        }

        @Override
        public void close() throws OrtException {
            oneThread.close();
            twoThreads.close();
        }
    }

    /** Fails unless the two outputs agree within {@code 1e-4 |x| + 1e-5 max|x|}: a benchmark of different answers means nothing. */
    static void agree(String what, float[] strider, float[] peer) {
        double scale = 0;
        for (float v : strider) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < strider.length; i++) {
            double tolerance = 1e-4 * Math.abs(strider[i]) + 1e-5 * scale + 1e-6;
            if (!(Math.abs(strider[i] - peer[i]) <= tolerance)) {
                throw new IllegalStateException(what + ": output " + i + " differs: Strider " + strider[i] + ", peer " + peer[i]);
            }
        }
    }
}
