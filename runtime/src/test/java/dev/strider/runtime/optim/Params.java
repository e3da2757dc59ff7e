package dev.strider.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strider.runtime.engine.Parameter;

/** Test helpers: small parameters, gradients set by hand, element-wise comparison. */
final class Params {
    /** The initial weights of the three-element parameter every optimizer test starts from. */
    static final float[] W0 = {1.0f, -2.0f, 0.5f};
    /** The gradients of steps 1, 2 and 3. */
    static final float[][] GRADS = {{0.1f, 0.2f, -0.3f}, {-0.5f, 0.25f, 1.0f}, {0.3f, -0.1f, 0.2f}};

    private Params() {}

    static Parameter trainable(String name, float... values) {
        return new Parameter(name, new int[] {values.length}, values.clone(), new float[values.length]);
    }

    static Parameter buffer(String name, float... values) {
        return new Parameter(name, new int[] {values.length}, values.clone(), null);
    }

    static void setGrad(Parameter p, float... g) {
        System.arraycopy(g, 0, p.grad(), 0, g.length);
    }

    static void assertValues(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6, what + "[" + i + "]");
        }
    }
}
