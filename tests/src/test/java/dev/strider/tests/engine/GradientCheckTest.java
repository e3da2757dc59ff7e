package dev.strider.tests.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.Parameter;
import dev.strider.tests.engine.nets.GcBatchNormEngine;
import dev.strider.tests.engine.nets.GcConvDilatedGroupsEngine;
import dev.strider.tests.engine.nets.GcConvEngine;
import dev.strider.tests.engine.nets.GcConvSameEngine;
import dev.strider.tests.engine.nets.GcDropoutEngine;
import dev.strider.tests.engine.nets.GcPoolsEngine;
import dev.strider.tests.engine.nets.GcSoftmaxMseEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference gradient checks of the generated backward code: for every layer kind, d loss / d parameter and
 * d loss / d input from {@code gradients(...)} against central differences {@code (L(x+h) - L(x-h)) / 2h}.
 *
 * <p>Tolerance: the engine computes in float32. With {@code h = 1e-3} the truncation error of the central
 * difference is O(h^2 |L'''|) ~ 1e-6, and the rounding error is ~ eps_f32 |L| / h ~ 6e-8 * 1 / 1e-3 = 6e-5 per
 * evaluation. So |numeric - analytic| must be below 5e-4 + 1e-2 |analytic|: an order of magnitude above the
 * expected error, and far below the size of a real bug (a wrong sign, a missing term or an off-by-one window).
 * Inputs are random normal, so the kinks of ReLU and max pooling are almost surely more than h away.
 */
class GradientCheckTest {
    private static final float H = 1e-3f;
    private static final double ABS = 5e-4;
    private static final double REL = 1e-2;
    private static final int SAMPLES_PER_TENSOR = 12;
    private static final int BATCH = 3;

    static List<Arguments> networks() {
        List<Arguments> both = new ArrayList<>();
        for (Arguments a : oneMode()) {
            both.add(Arguments.of(a.get()[0] + ", training mode", a.get()[1], true));
            both.add(Arguments.of(a.get()[0] + ", evaluation mode", a.get()[1], false));
        }
        return both;
    }

    private static List<Arguments> oneMode() {
        return List.of(
                Arguments.of("conv: stride 2, pad 1, sigmoid", (Supplier<GeneratedEngine>) GcConvEngine::new),
                Arguments.of("conv: dilation 2, groups 2, 3x2 kernel, tanh", (Supplier<GeneratedEngine>) GcConvDilatedGroupsEngine::new),
                Arguments.of("conv: SAME at stride 2, leaky relu, no bias", (Supplier<GeneratedEngine>) GcConvSameEngine::new),
                Arguments.of("max, avg (ceil, padding excluded / included), global avg pooling", (Supplier<GeneratedEngine>) GcPoolsEngine::new),
                Arguments.of("batch norm 2d and 1d", (Supplier<GeneratedEngine>) GcBatchNormEngine::new),
                Arguments.of("dropout (fixed mask), sigmoid, leaky relu, fused softmax", (Supplier<GeneratedEngine>) GcDropoutEngine::new),
                Arguments.of("softmax inside the network, mean squared error", (Supplier<GeneratedEngine>) GcSoftmaxMseEngine::new),
                Arguments.of("5x5 kernel, padding 2, on a single row", (Supplier<GeneratedEngine>) dev.strider.tests.engine.nets.BigPadConvEngine::new),
                Arguments.of("a network of nothing but a softmax fused into the loss", (Supplier<GeneratedEngine>) dev.strider.tests.engine.nets.PassThroughSoftmaxEngine::new),
                Arguments.of("branches and merges: fan-out of the input, a layer and an alias; add, concat", (Supplier<GeneratedEngine>) dev.strider.tests.engine.nets.GcGraphEngine::new),
                Arguments.of("local response normalization: odd and even windows, spatial and flat", (Supplier<GeneratedEngine>) dev.strider.tests.engine.nets.GcLrnEngine::new),
                Arguments.of("transposed convolutions: stride, padding, output padding, groups, dilation", (Supplier<GeneratedEngine>) dev.strider.tests.engine.nets.GcConvTransposeEngine::new),
                Arguments.of("channel shuffle, bilinear and nearest upsampling, adaptive average pooling", (Supplier<GeneratedEngine>) dev.strider.tests.engine.nets.GcResampleEngine::new),
                Arguments.of("L2 pooling: padding, overlap, non-square windows", (Supplier<GeneratedEngine>) dev.strider.tests.engine.nets.GcL2PoolEngine::new),
                Arguments.of("the last layer an alias of a layer another layer takes (the loss's gradient summed)", (Supplier<GeneratedEngine>) dev.strider.tests.engine.nets.GcAliasLastMseEngine::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void gradientsMatchFiniteDifferences(String what, Supplier<GeneratedEngine> factory, boolean training) {
        GeneratedEngine e = factory.get();
        e.initialize(42);
        if (!training) {
            // give batch norm non-trivial running statistics first
            e.setTraining(true);
            float[] warm = new float[2 * e.inputSize()];
            for (int i = 0; i < warm.length; i++) {
                warm[i] = (float) Math.sin(i * 0.7) * 2 + 0.5f;
            }
            e.forward(warm, 2);
        }
        e.setTraining(training);
        Random r = new Random(7);
        float[] input = new float[BATCH * e.inputSize()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) r.nextGaussian();
        }
        int[] labels = new int[BATCH];
        float[] targets = new float[BATCH * e.outputSize()];
        for (int n = 0; n < BATCH; n++) {
            labels[n] = r.nextInt(e.outputSize());
        }
        for (int i = 0; i < targets.length; i++) {
            targets[i] = (float) r.nextGaussian() * 0.5f;
        }
        boolean mse = factory.get().getClass().getSimpleName().contains("Mse");
        // Running statistics change on every training forward; they do not affect the loss in training mode.
        Loss loss = () -> {
            e.reseed(99);
            return mse ? e.gradients(input, targets, BATCH, null) : e.gradients(input, labels, BATCH, null);
        };
        float[] inputGrad = new float[input.length];
        e.reseed(99);
        if (mse) {
            e.gradients(input, targets, BATCH, inputGrad);
        } else {
            e.gradients(input, labels, BATCH, inputGrad);
        }
        List<String> failures = new ArrayList<>();
        List<float[]> analytic = new ArrayList<>();
        for (Parameter p : e.parameters()) {
            analytic.add(p.grad().clone());
        }
        for (int t = 0; t < e.parameters().size(); t++) {
            Parameter p = e.parameters().get(t);
            check(p.name(), p.data(), analytic.get(t), loss, r, failures);
        }
        check("input", input, inputGrad, loss, r, failures);
        assertTrue(failures.isEmpty(), () -> what + ":\n" + String.join("\n", failures));
    }

    interface Loss {
        float eval();
    }

    private static void check(String name, float[] x, float[] analytic, Loss loss, Random r, List<String> failures) {
        int samples = Math.min(SAMPLES_PER_TENSOR, x.length);
        for (int s = 0; s < samples; s++) {
            int i = samples == x.length ? s : r.nextInt(x.length);
            float saved = x[i];
            x[i] = saved + H;
            float plus = loss.eval();
            x[i] = saved - H;
            float minus = loss.eval();
            x[i] = saved;
            double numeric = ((double) plus - minus) / (2 * H);
            double a = analytic[i];
            if (Math.abs(numeric - a) > ABS + REL * Math.abs(a)) {
                failures.add(String.format("%s[%d]: analytic %.6g, numeric %.6g", name, i, a, numeric));
            }
        }
    }
}
