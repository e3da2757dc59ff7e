package dev.strider.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.Init;
import dev.strider.runtime.engine.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An engine with a dense layer's tensors (weight [2, in], bias [2]) and a batch-norm layer's running statistics,
 * whose values all follow from one number ({@link #setValues}). It computes nothing: weights files are all the
 * tests need of it.
 */
final class FakeEngine extends GeneratedEngine {
    final Parameter weight;
    final Parameter bias;
    final Parameter mean;
    final Parameter var;
    private final float[] out = new float[2];
    private final float[] outGrad = new float[2];

    FakeEngine(int in, float offset) {
        this(in, offset, "fc", "bn");
    }

    /** With layers named {@code fc} and {@code bn} (a dense layer and a batch norm's running statistics). */
    FakeEngine(int in, float offset, String fc, String bn) {
        super("Fake", in, 2, 1, LossKind.MEAN_SQUARED_ERROR, false);
        addParameter(fc + ".weight", new int[] {2, in}, new float[2 * in], new float[2 * in], Init.XAVIER, in, 2);
        addParameter(fc + ".bias", new int[] {2}, new float[2], new float[2], Init.BIAS, in, 2);
        addBuffer(bn + ".running_mean", new int[] {2}, new float[2], Init.ZERO);
        addBuffer(bn + ".running_var", new int[] {2}, new float[2], Init.ONE);
        weight = parameters().get(0);
        bias = parameters().get(1);
        mean = buffers().get(0);
        var = buffers().get(1);
        setValues(offset);
    }

    /**
     * Sets every value from {@code offset}, in place: weight offset, offset + 1, ...; bias offset, -offset; running
     * mean offset / 2, 0; running variance 1, 1 + offset.
     */
    void setValues(float offset) {
        float[] w = weight.data();
        for (int i = 0; i < w.length; i++) {
            w[i] = offset + i;
        }
        bias.data()[0] = offset;
        bias.data()[1] = -offset;
        mean.data()[0] = offset / 2;
        var.data()[0] = 1;
        var.data()[1] = 1 + offset;
    }

    @Override
    protected void runForward(float[] input, int batch) {
        Arrays.fill(out, 0f);
    }

    @Override
    protected void forwardLayers(int from, int to, int lane) {
        Arrays.fill(out, 0f);
    }

    @Override
    protected void runBackward(int batch, float[] inputGrad) {}

    @Override
    protected void backwardLayers(int from, int to, int lane) {}

    @Override
    protected float[] outputBuffer() {
        return out;
    }

    @Override
    protected float[] outputGradBuffer() {
        return outGrad;
    }

    /** Copies of the weight, bias, running mean and running variance, in that order. */
    List<float[]> snapshot() {
        List<float[]> s = new ArrayList<>();
        for (Parameter p : List.of(weight, bias, mean, var)) {
            s.add(p.data().clone());
        }
        return s;
    }

    /** Asserts that the engine holds exactly {@code expected}, a {@link #snapshot()}. */
    void assertHolds(List<float[]> expected, String why) {
        List<float[]> actual = snapshot();
        assertEquals(expected.size(), actual.size(), why);
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), why + ": tensor " + i);
        }
    }
}
