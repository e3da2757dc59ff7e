package dev.strider.runtime.optim;

import static dev.strider.runtime.optim.Params.GRADS;
import static dev.strider.runtime.optim.Params.W0;
import static dev.strider.runtime.optim.Params.assertValues;
import static dev.strider.runtime.optim.Params.setGrad;
import static dev.strider.runtime.optim.Params.trainable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.engine.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SGD against updates worked out by hand (plain and momentum: shown in the comments) and, for the combinations with
 * weight decay, Nesterov and a learning-rate scale, against the update rule evaluated independently in double
 * precision (the values agree with torch.optim.SGD 1.13 in float32 to 1.3e-7).
 */
class SgdTest {

    /** The weights after each of three steps with {@link Params#GRADS}, from {@link Params#W0}. */
    private static float[][] run(Sgd sgd, float scale) {
        Parameter p = trainable("w", W0);
        p.setLearningRateScale(scale);
        float[][] after = new float[3][];
        for (int s = 0; s < 3; s++) {
            setGrad(p, GRADS[s]);
            sgd.step(List.of(p));
            after[s] = p.data().clone();
        }
        return after;
    }

    @Test
    void plainSgdSubtractsRateTimesGradient() {
        float[][] w = run(Sgd.builder(0.1f).build(), 1f);
        // w1 = w0 - 0.1 g1 = (1 - 0.01, -2 - 0.02, 0.5 + 0.03)
        assertValues(new double[] {0.99, -2.02, 0.53}, w[0], "step 1");
        // w2 = w1 - 0.1 g2 = (0.99 + 0.05, -2.02 - 0.025, 0.53 - 0.1)
        assertValues(new double[] {1.04, -2.045, 0.43}, w[1], "step 2");
        // w3 = w2 - 0.1 g3 = (1.04 - 0.03, -2.045 + 0.01, 0.43 - 0.02)
        assertValues(new double[] {1.01, -2.035, 0.41}, w[2], "step 3");
    }

    @Test
    void momentumStartsFromTheFirstGradient() {
        float[][] w = run(Sgd.builder(0.1f).momentum(0.9f).build(), 1f);
        // buf1 = g1: the first step is plain SGD
        assertValues(new double[] {0.99, -2.02, 0.53}, w[0], "step 1");
        // buf2 = 0.9 g1 + g2 = (-0.41, 0.43, 0.73); w2 = w1 - 0.1 buf2
        assertValues(new double[] {1.031, -2.063, 0.457}, w[1], "step 2");
        // buf3 = 0.9 buf2 + g3 = (-0.069, 0.287, 0.857); w3 = w2 - 0.1 buf3
        assertValues(new double[] {1.0379, -2.0917, 0.3713}, w[2], "step 3");
    }

    @Test
    void momentumWithWeightDecay() {
        float[][] w = run(Sgd.builder(0.05f).momentum(0.5f).weightDecay(0.1f).build(), 1f);
        // d1 = g1 + 0.1 w0 = (0.2, 0, -0.25); w1 = w0 - 0.05 d1
        assertValues(new double[] {0.99, -2.0, 0.5125}, w[0], "step 1");
        // d2 = g2 + 0.1 w1 = (-0.401, 0.05, 1.05125); buf2 = 0.5 d1 + d2 = (-0.301, 0.05, 0.92625)
        assertValues(new double[] {1.00505, -2.0025, 0.4661875}, w[1], "step 2");
        assertValues(new double[] {0.99254975, -1.9887375, 0.4307003125}, w[2], "step 3");
    }

    @Test
    void nesterovWithWeightDecayAndLearningRateScale() {
        float[][] w = run(Sgd.builder(0.1f).momentum(0.9f).nesterov(true).weightDecay(0.01f).build(), 0.5f);
        // d1 = g1 + 0.01 w0 = (0.11, 0.18, -0.295); buf1 = d1; step = d1 + 0.9 buf1 = 1.9 d1; w1 = w0 - 0.05 * 1.9 d1
        assertValues(new double[] {0.98955, -2.0171, 0.528025}, w[0], "step 1");
        assertValues(new double[] {1.0316549275, -2.046223755, 0.44447087625}, w[1], "step 2");
        assertValues(new double[] {1.01801458757, -2.05064891693, 0.395087528793}, w[2], "step 3");
    }

    @Test
    void frozenParametersAndBuffersAreSkippedAndMomentumStartsAtTheFirstRealUpdate() {
        Sgd sgd = Sgd.builder(0.1f).momentum(0.9f).build();
        Parameter frozen = trainable("frozen", W0);
        Parameter live = trainable("live", W0);
        Parameter stats = Params.buffer("bn.running_mean", 3f, 4f);
        frozen.setFrozen(true);
        List<Parameter> all = List.of(frozen, live, stats);
        for (int s = 0; s < 2; s++) {
            setGrad(frozen, GRADS[s]);
            setGrad(live, GRADS[s]);
            sgd.step(all);
        }
        assertArrayEquals(W0, frozen.data(), "frozen for two steps");
        assertArrayEquals(new float[] {3f, 4f}, stats.data(), "non-trainable state");
        assertValues(new double[] {1.031, -2.063, 0.457}, live.data(), "live after two steps");

        frozen.setFrozen(false);
        setGrad(frozen, GRADS[2]);
        setGrad(live, GRADS[2]);
        sgd.step(all);
        // its first update: buf = g3, w = w0 - 0.1 g3 (no momentum from the steps it skipped)
        assertValues(new double[] {0.97, -1.99, 0.48}, frozen.data(), "unfrozen");
        assertValues(new double[] {1.0379, -2.0917, 0.3713}, live.data(), "live after three steps");
    }

    @Test
    void rejectsInvalidHyperParameters() {
        assertEquals("Sgd learning rate must be finite and > 0, but it is 0.0",
                assertThrows(IllegalArgumentException.class, () -> Sgd.builder(0f)).getMessage());
        assertEquals("Sgd learning rate must be finite and > 0, but it is NaN",
                assertThrows(IllegalArgumentException.class, () -> Sgd.builder(Float.NaN)).getMessage());
        assertEquals("Sgd learning rate must be finite and > 0, but it is Infinity",
                assertThrows(IllegalArgumentException.class, () -> Sgd.builder(Float.POSITIVE_INFINITY)).getMessage());
        assertEquals("Sgd momentum must be in [0, 1), but it is 1.0",
                assertThrows(IllegalArgumentException.class, () -> Sgd.builder(0.1f).momentum(1f)).getMessage());
        assertEquals("Sgd momentum must be in [0, 1), but it is -0.5",
                assertThrows(IllegalArgumentException.class, () -> Sgd.builder(0.1f).momentum(-0.5f)).getMessage());
        assertEquals("Sgd weight decay must be finite and >= 0, but it is -0.10000000149011612",
                assertThrows(IllegalArgumentException.class, () -> Sgd.builder(0.1f).weightDecay(-0.1f)).getMessage());
        assertEquals("Sgd: Nesterov momentum needs momentum > 0 (and dampening 0, as in PyTorch), but momentum is 0.0",
                assertThrows(IllegalArgumentException.class, () -> Sgd.builder(0.1f).nesterov(true).build()).getMessage());
        Sgd sgd = Sgd.builder(0.1f).build();
        assertEquals("Sgd learning rate must be finite and > 0, but it is -1.0",
                assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(-1f)).getMessage());
        assertEquals(0.1f, sgd.learningRate());
        sgd.setLearningRate(0.25f);
        assertEquals(0.25f, sgd.learningRate());
    }

    @Test
    void rejectsADifferentParameterListAfterTheFirstStep() {
        Sgd sgd = Sgd.builder(0.1f).momentum(0.9f).build();
        Parameter a = trainable("a", 1f, 2f);
        Parameter b = trainable("b", 3f);
        sgd.step(List.of(a, b));

        IllegalStateException shorter = assertThrows(IllegalStateException.class, () -> sgd.step(List.of(a)));
        assertEquals("Sgd was bound on its first step to 2 parameters [a[2], b[1]]; now parameter 1 (b[1]) is missing, the list"
                + " has 1. An optimizer keeps state per parameter: use one optimizer per engine and always pass it the same"
                + " parameters()", shorter.getMessage());

        Parameter c = trainable("c", 5f, 6f, 7f);
        IllegalStateException longer = assertThrows(IllegalStateException.class, () -> sgd.step(List.of(a, b, c)));
        assertTrue(longer.getMessage().contains("now parameter 2 (c[3]) is new, the list has 3"), longer.getMessage());

        IllegalStateException reshaped = assertThrows(IllegalStateException.class, () -> sgd.step(List.of(c, b)));
        assertTrue(reshaped.getMessage().contains("now parameter 0 is c[3], but it was a[2]."), reshaped.getMessage());

        Parameter otherA = trainable("a", 1f, 2f);
        IllegalStateException other = assertThrows(IllegalStateException.class, () -> sgd.step(List.of(otherA, b)));
        assertTrue(other.getMessage().contains("now parameter 0 is a[2], but it was a[2] (same shape, different arrays)."),
                other.getMessage());

        // the same storage behind a new Parameter object is the same parameter
        Parameter rebuilt = new Parameter("a", new int[] {2}, a.data(), a.grad());
        sgd.step(List.of(rebuilt, b));
    }
}
