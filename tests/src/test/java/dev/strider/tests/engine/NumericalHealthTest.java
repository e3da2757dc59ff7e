package dev.strider.tests.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.NonFiniteException;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.optim.Adam;
import dev.strider.runtime.optim.LearningRateSchedule;
import dev.strider.runtime.optim.Sgd;
import dev.strider.runtime.train.Trainer;
import dev.strider.tests.engine.nets.GcBatchNormEngine;
import dev.strider.tests.engine.nets.GcDropoutEngine;
import dev.strider.tests.engine.nets.GcSoftmaxMseEngine;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A training step that goes non-finite stops with the step and the first layer where it happened, and leaves
 * the last good state: weights, running statistics and the optimizer's moments (checked by training on: an engine
 * that saw the failed step must continue exactly like one that never saw it).
 */
class NumericalHealthTest {
    private static final int BATCH = 4;
    private static final int[] LABELS = {0, 1, 2, 1};

    private static float[] input(GeneratedEngine e, long seed) {
        Random r = new Random(seed);
        float[] x = new float[BATCH * e.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** An engine after two good Adam steps (so the moments are not zero). */
    private static GcBatchNormEngine trained() {
        GcBatchNormEngine e = new GcBatchNormEngine();
        e.initialize(3);
        e.setOptimizer(Adam.builder().learningRate(0.01f).build());
        e.trainStep(input(e, 1), LABELS, BATCH);
        e.trainStep(input(e, 2), LABELS, BATCH);
        return e;
    }

    /** Weights and running statistics (gradients are scratch: a failed step may have computed them). */
    private static float[] state(GeneratedEngine e) {
        int n = 0;
        for (Parameter p : e.parameters()) {
            n += p.size();
        }
        for (Parameter p : e.buffers()) {
            n += p.size();
        }
        float[] s = new float[n];
        int at = 0;
        for (Parameter p : e.parameters()) {
            System.arraycopy(p.data(), 0, s, at, p.size());
            at += p.size();
        }
        for (Parameter p : e.buffers()) {
            System.arraycopy(p.data(), 0, s, at, p.size());
            at += p.size();
        }
        return s;
    }

    /** After a failed step, one more good step must give exactly the weights of an engine that never failed. */
    private static void assertContinuesLikeAnEngineThatNeverFailed(GcBatchNormEngine failed) {
        GcBatchNormEngine clean = trained();
        float[] x = input(clean, 9);
        failed.trainStep(x, LABELS, BATCH);
        clean.trainStep(x, LABELS, BATCH);
        assertArrayEquals(state(clean), state(failed), "weights, running statistics and Adam moments after the failed step");
        assertEquals(clean.trainingSteps(), failed.trainingSteps());
    }

    @Test
    void aNaNInTheInputIsNamedAndTheStepIsSkipped() {
        GcBatchNormEngine e = trained();
        float[] before = state(e);
        float[] x = input(e, 5);
        x[e.inputSize() + 7] = Float.NaN;   // image 1, value 7; the optional input check is off
        NonFiniteException ex = assertThrows(NonFiniteException.class, () -> e.trainStep(x, LABELS, BATCH));
        // the loss itself may or may not be NaN (the check also looks at the gradients): only the place is asserted
        assertTrue(ex.getMessage().matches("GcBatchNorm\\.trainStep: step 3 went non-finite \\(loss [^)]+\\); the input holds "
                + "NaN at index 39 \\(image 1\\)\\. The update was skipped: weights, optimizer state and running "
                + "statistics are those after step 2\\."), ex.getMessage());
        assertEquals(3, ex.step());
        assertEquals("input", ex.layer());
        assertEquals(2, e.trainingSteps());
        assertArrayEquals(before, state(e));
        assertContinuesLikeAnEngineThatNeverFailed(e);
    }

    @Test
    void aFailedStepLeavesTheDropoutStreamWhereItWas() {
        java.util.function.Supplier<GcDropoutEngine> fresh = () -> {
            GcDropoutEngine e = new GcDropoutEngine();
            e.initialize(3);
            e.setOptimizer(Adam.builder().learningRate(0.01f).build());
            e.trainStep(input(e, 1), LABELS, BATCH);
            return e;
        };
        GcDropoutEngine failed = fresh.get();
        float[] bad = input(failed, 5);
        bad[0] = Float.NaN;
        assertThrows(NonFiniteException.class, () -> failed.trainStep(bad, LABELS, BATCH));
        GcDropoutEngine clean = fresh.get();
        float[] x = input(clean, 9);
        failed.trainStep(x, LABELS, BATCH);
        clean.trainStep(x, LABELS, BATCH);
        assertArrayEquals(state(clean), state(failed), "the next step draws the masks it would have drawn without the failure");
    }

    @Test
    void theFirstLayerWhoseActivationsOverflowIsNamed() {
        GcBatchNormEngine e = trained();
        // fc's weights so large that its output overflows to infinity; conv, bn and relu stay finite
        float[] w = e.parameter("fc.weight").data();
        float[] saved = w.clone();
        java.util.Arrays.fill(w, 3e38f);
        float[] before = state(e);
        NonFiniteException ex = assertThrows(NonFiniteException.class, () -> e.trainStep(input(e, 5), LABELS, BATCH));
        assertEquals("fc", ex.layer(), ex.getMessage());
        assertTrue(ex.getMessage().startsWith("GcBatchNorm.trainStep: step 3 went non-finite (loss NaN); the first non-finite "
                + "activation is in the output of layer \"fc\" (image 0, value "), ex.getMessage());
        assertArrayEquals(before, state(e), "running statistics of bn (updated by the failed forward) are put back");
        System.arraycopy(saved, 0, w, 0, w.length);
        assertContinuesLikeAnEngineThatNeverFailed(e);
    }

    @Test
    void anUpdateThatOverflowsAWeightIsNamed() {
        // every activation and gradient of the step is finite; the SGD update w - lr * g is not
        GcSoftmaxMseEngine e = new GcSoftmaxMseEngine();
        e.initialize(3);
        e.setOptimizer(Sgd.builder(Float.MAX_VALUE).build());
        float[] targets = new float[BATCH * e.outputSize()];
        java.util.Arrays.fill(targets, 1e6f);
        NonFiniteException ex = assertThrows(NonFiniteException.class, () -> e.trainStep(input(e, 1), targets, BATCH));
        assertEquals(1, ex.step());
        assertEquals(1, e.trainingSteps(), "the update was applied: there is nothing to skip once it has run");
        assertTrue(e.parameter(ex.layer()) != null, ex.layer());
        assertTrue(ex.getMessage().startsWith("GcSoftmaxMse.trainStep: the update of step 1 (loss "), ex.getMessage());
        assertTrue(ex.getMessage().endsWith(", every gradient finite) overflowed parameter \"" + ex.layer()
                + "\" to a non-finite value; the update has been applied (weights and optimizer state are not those of "
                + "the last good step): lower the learning rate and restore saved weights and optimizer"), ex.getMessage());
    }

    @Test
    void theTrainerSaysWhichEpochAndBatch() {
        GcBatchNormEngine e = trained();
        float[] images = new float[8 * e.inputSize()];
        int[] labels = {0, 1, 2, 0, 1, 2, 0, 1};
        images[5 * e.inputSize()] = Float.POSITIVE_INFINITY;   // image 5: in batch 1 or 2, depending on the shuffle
        Dataset data = new Dataset(images, labels, 2, 4, 4, 3);
        NonFiniteException ex = assertThrows(NonFiniteException.class,
                () -> new Trainer(e, BATCH, 1, LearningRateSchedule.constant()).train(data, null, 1));
        assertTrue(ex.getMessage().matches("epoch 1, batch [12] of 2: GcBatchNorm.trainStep: step [34] went non-finite .*"
                + "the input holds Infinity at index \\d+ \\(image \\d\\)\\..*"), ex.getMessage());
        assertEquals("input", ex.layer());
    }
}
