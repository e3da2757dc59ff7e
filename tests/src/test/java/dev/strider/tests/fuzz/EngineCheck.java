package dev.strider.tests.fuzz;

import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.optim.Sgd;
import dev.strider.tests.fuzz.Declaration.EngineSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs a generated engine and lists what is wrong with it: sizes and parameter count other than the generator
 * computed; a non-finite loss, output, parameter gradient, input gradient or weight after a training step on random
 * normal input (after He/Xavier initialisation every value is a small multiple of the input, so anything non-finite is
 * a bug); probabilities that do not sum to 1; and, for smooth networks, an input gradient that disagrees with finite
 * differences.
 *
 * <p>Finite differences, in evaluation mode (deterministic): up to 16 components of d loss / d input, and the
 * derivative along one random direction of signs (which involves every component, so a bug confined to a border or a
 * channel shows there), each against the central difference {@code (L(x + h d) - L(x - h d)) / 2h}. The loss is a
 * float32 mean of order 1, so each evaluation carries a rounding error of about 1e-7; divided by {@code 2h} with
 * {@code h = 1e-2} that is about 1e-5, and the truncation error {@code h^2 |L'''| / 6} of a smooth network (tanh,
 * sigmoid, softmax, average pooling; no kinks by construction) is of the same order for inputs of unit scale. Measured
 * on 190 smooth networks (5,864 components, 380 directions), the central difference was never more than 4e-5 off in
 * absolute terms, nor more than 0.15% for derivatives above 0.01. The tolerance {@code 1e-4 + 5e-3 |analytic|} is at
 * least four times that, while a backward bug (a missing term, a wrong index or sign) is off by a large fraction of
 * the derivative: scaling every gradient by just 1.03 already fails about half of the networks. The check is double:
 * a derivative fails only if the differences at {@code h} and at {@code h / 2} both disagree with it, so that one
 * unlucky rounding cannot fail the run, while a wrong gradient fails at both.
 */
final class EngineCheck {
    private static final float STEP = 1e-2f;
    private static final double ABS = 1e-4;
    private static final double REL = 5e-3;
    private static final int CHECKED_COMPONENTS = 16;

    private final GeneratedEngine engine;
    private final EngineSpec spec;
    private final SplittableRandom r;
    private final List<String> problems = new ArrayList<>();
    private final int batch;
    private final float[] input;
    private final int[] labels;
    private final float[] targets;

    EngineCheck(GeneratedEngine engine, EngineSpec spec, long seed) {
        this.engine = engine;
        this.spec = spec;
        this.r = new SplittableRandom(seed);
        this.batch = Math.min(engine.maxBatch(), 4);
        this.input = gaussian(batch * engine.inputSize(), 1);
        this.labels = new int[batch];
        for (int n = 0; n < batch; n++) {
            labels[n] = r.nextInt(engine.outputSize());
        }
        this.targets = gaussian(batch * engine.outputSize(), 0.5);
    }

    /** Every check; the problems found, empty when the engine is fine. */
    List<String> run(boolean gradientCheck) {
        checkSizes();
        try {
            engine.initialize(r.nextLong());
            // Batch normalisation of one value per channel needs two images in training mode: a batch of one is
            // checked in evaluation mode.
            engine.setTraining(batch >= 2);
            float[] inputGrad = new float[input.length];
            float loss = loss(inputGrad);
            finite("loss", new float[] {loss});
            finite("input gradient", inputGrad);
            float[] last = new float[batch * engine.outputSize()];
            engine.lastOutput(last, batch);
            finite("output", last);
            for (Parameter p : engine.parameters()) {
                finite(p.name() + " gradient", p.grad());
            }
            engine.setTraining(false);
            float[] out = engine.forward(input, batch);
            finite("evaluation output", out);
            checkProbabilities(out);
            if (gradientCheck) {
                checkInputGradient();
            }
            if (batch >= 2) {
                engine.setOptimizer(Sgd.builder(0.01f).momentum(0.9f).build());
                float step = spec.meanSquaredError() ? engine.trainStep(input, targets, batch)
                        : engine.trainStep(input, labels, batch);
                finite("training step loss", new float[] {step});
                for (Parameter p : engine.parameters()) {
                    finite(p.name() + " after a training step", p.data());
                }
            }
        } catch (RuntimeException e) {
            problems.add("the engine threw " + e);
        }
        return problems;
    }

    private void checkSizes() {
        expect("inputSize", spec.inputSize(), engine.inputSize());
        expect("outputSize", spec.outputSize(), engine.outputSize());
        expect("maxBatch", spec.maxBatch(), engine.maxBatch());
        expect("trainable parameters", spec.params(), engine.parameters().stream().mapToLong(Parameter::size).sum());
    }

    private void expect(String what, long expected, long actual) {
        if (expected >= 0 && expected != actual) {
            problems.add(what + " is " + actual + ", but the declaration gives " + expected);
        }
    }

    /** The mean loss of the batch, in the current mode; {@code inputGrad} may be null. */
    private float loss(float[] inputGrad) {
        return spec.meanSquaredError() ? engine.gradients(input, targets, batch, inputGrad)
                : engine.gradients(input, labels, batch, inputGrad);
    }

    private void checkProbabilities(float[] out) {
        if (!engine.outputsProbabilities()) {
            return;
        }
        int k = engine.outputSize();
        for (int n = 0; n < batch; n++) {
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += out[n * k + j];
            }
            if (Math.abs(sum - 1) > 1e-4) {
                problems.add("forward returns probabilities, but those of image " + n + " sum to " + sum);
            }
        }
    }

    /**
     * In evaluation mode (dropout off, batch norm fixed), so that the loss is a function of the input alone: up to
     * {@link #CHECKED_COMPONENTS} components of d loss / d input, and the derivative along one random direction of
     * signs, which involves every component.
     */
    private void checkInputGradient() {
        engine.setTraining(false);
        float[] analytic = new float[input.length];
        loss(analytic);
        int samples = Math.min(CHECKED_COMPONENTS, input.length);
        for (int s = 0; s < samples; s++) {
            int i = samples == input.length ? s : r.nextInt(input.length);
            float[] direction = new float[input.length];
            direction[i] = 1;
            compare("d loss / d input[" + i + "]", analytic[i], direction);
        }
        float[] signs = new float[input.length];
        double along = 0;
        for (int i = 0; i < input.length; i++) {
            signs[i] = r.nextBoolean() ? 1 : -1;
            along += signs[i] * analytic[i];
        }
        compare("the derivative along a random direction of signs", along, signs);
    }

    /** The analytic derivative along {@code direction} against central differences at two step sizes. */
    private void compare(String what, double analytic, float[] direction) {
        double coarse = centralDifference(direction, STEP);
        double fine = centralDifference(direction, STEP / 2);
        double tolerance = ABS + REL * Math.abs(analytic);
        if (Math.abs(coarse - analytic) > tolerance && Math.abs(fine - analytic) > tolerance) {
            problems.add(String.format("%s is %.6g, but central differences give %.6g (h = %g) and %.6g (h = %g)",
                    what, analytic, coarse, STEP, fine, STEP / 2));
        }
    }

    /** {@code (L(x + h d) - L(x - h d)) / 2h}. */
    private double centralDifference(float[] direction, float h) {
        float[] saved = input.clone();
        for (int i = 0; i < input.length; i++) {
            input[i] = saved[i] + h * direction[i];
        }
        float plus = loss(null);
        for (int i = 0; i < input.length; i++) {
            input[i] = saved[i] - h * direction[i];
        }
        float minus = loss(null);
        System.arraycopy(saved, 0, input, 0, input.length);
        return ((double) plus - minus) / (2.0 * h);
    }

    private void finite(String what, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                problems.add(what + "[" + i + "] is " + values[i]);
                return;
            }
        }
    }

    private float[] gaussian(int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller: SplittableRandom has no nextGaussian on Java 17
            x[i] = (float) (scale * Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
        }
        return x;
    }
}
