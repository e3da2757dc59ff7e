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
 * Adam against the update rule with bias correction evaluated independently in double precision (Kingma and Ba's
 * formulas, as written in torch.optim.Adam's documentation; the values agree with torch 1.13 in float32 to 1.4e-7).
 */
class AdamTest {

    private static float[][] run(Adam adam, float scale) {
        Parameter p = trainable("w", W0);
        p.setLearningRateScale(scale);
        float[][] after = new float[3][];
        for (int s = 0; s < 3; s++) {
            setGrad(p, GRADS[s]);
            adam.step(List.of(p));
            after[s] = p.data().clone();
        }
        return after;
    }

    @Test
    void defaultsAreTorchDefaults() {
        Adam adam = Adam.builder().build();
        assertEquals(0.001f, adam.learningRate());
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        assertEquals(1e-8, adam.eps());
        assertEquals(0f, adam.weightDecay());
    }

    @Test
    void biasCorrectedStepsWithDefaults() {
        float[][] w = run(Adam.builder().build(), 1f);
        // t = 1: mhat = g, vhat = g^2, so each weight moves by lr * g / (|g| + eps), about 0.001 against the gradient's sign
        assertValues(new double[] {0.9990000001, -2.00099999995, 0.500999999967}, w[0], "step 1");
        // t = 2: m = 0.09 g1 + 0.1 g2 over 0.19, v = (0.000999 g1^2 + 0.001 g2^2) over 0.001999
        assertValues(new double[] {0.999598354266, -2.00199964094, 0.500479668211}, w[1], "step 2");
        assertValues(new double[] {0.999672888669, -2.00254660012, 0.499964389022}, w[2], "step 3");
    }

    @Test
    void weightDecayLearningRateScaleAndOtherBetas() {
        float[][] w = run(Adam.builder().learningRate(0.1f).betas(0.8, 0.99).eps(1e-3).weightDecay(0.05f).build(), 0.5f);
        // t = 1: g = g1 + 0.05 w0 = (0.15, 0.1, -0.275); w1 = w0 - 0.05 g / (|g| + 0.001)
        assertValues(new double[] {0.950331125828, -2.0495049505, 0.54981884058}, w[0], "step 1");
        assertValues(new double[] {0.977594628189, -2.09921491935, 0.520100114734}, w[1], "step 2");
        assertValues(new double[] {0.972635729966, -2.09624253479, 0.491679948852}, w[2], "step 3");
    }

    @Test
    void frozenParametersKeepTheirStepCount() {
        Adam adam = Adam.builder().learningRate(0.01f).build();
        Parameter p = trainable("p", W0);
        Parameter stats = Params.buffer("bn.running_var", 1f);
        p.setFrozen(true);
        for (int s = 0; s < 2; s++) {
            setGrad(p, GRADS[s]);
            adam.step(List.of(p, stats));
        }
        assertArrayEquals(W0, p.data());
        assertArrayEquals(new float[] {1f}, stats.data());
        p.setFrozen(false);
        setGrad(p, GRADS[2]);
        adam.step(List.of(p, stats));
        // its first update (t = 1): w = w0 - 0.01 * g3 / (|g3| + 1e-8)
        assertValues(new double[] {1 - 0.01 * 0.3 / (0.3 + 1e-8), -2 + 0.01 * 0.1 / (0.1 + 1e-8), 0.5 - 0.01 * 0.2 / (0.2 + 1e-8)},
                p.data(), "first update after unfreezing");
    }

    @Test
    void rejectsInvalidHyperParameters() {
        assertEquals("Adam learning rate must be finite and > 0, but it is -0.001",
                assertThrows(IllegalArgumentException.class, () -> Adam.builder().learningRate(-0.001f)).getMessage());
        assertEquals("Adam beta1 must be in [0, 1), but it is 1.0",
                assertThrows(IllegalArgumentException.class, () -> Adam.builder().betas(1.0, 0.999)).getMessage());
        assertEquals("Adam beta2 must be in [0, 1), but it is NaN",
                assertThrows(IllegalArgumentException.class, () -> Adam.builder().betas(0.9, Double.NaN)).getMessage());
        assertEquals("Adam eps must be finite and > 0, but it is 0.0",
                assertThrows(IllegalArgumentException.class, () -> Adam.builder().eps(0)).getMessage());
        assertEquals("Adam weight decay must be finite and >= 0, but it is Infinity",
                assertThrows(IllegalArgumentException.class, () -> Adam.builder().weightDecay(Float.POSITIVE_INFINITY)).getMessage());
        Adam adam = Adam.builder().build();
        assertEquals("Adam learning rate must be finite and > 0, but it is NaN",
                assertThrows(IllegalArgumentException.class, () -> adam.setLearningRate(Float.NaN)).getMessage());
    }

    @Test
    void rejectsADifferentParameterListAfterTheFirstStep() {
        Adam adam = Adam.builder().build();
        Parameter a = trainable("conv.weight", 1f, 2f);
        adam.step(List.of(a));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> adam.step(List.of(a, trainable("conv.bias", 0f))));
        assertTrue(e.getMessage().startsWith("Adam was bound on its first step to 1 parameters [conv.weight[2]]; now parameter 1"
                + " (conv.bias[1]) is new, the list has 2."), e.getMessage());
    }
}
