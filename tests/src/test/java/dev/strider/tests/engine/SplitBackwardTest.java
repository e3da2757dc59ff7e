package dev.strider.tests.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.Kernels;
import dev.strider.runtime.engine.Parameter;
import dev.strider.tests.engine.nets.GcConvDilatedGroupsEngine;
import dev.strider.tests.engine.nets.GcConvSameEngine;
import dev.strider.tests.engine.nets.GcConvTransposeEngine;
import dev.strider.tests.engine.nets.GcGraphEngine;
import dev.strider.tests.engine.nets.GcL2PoolEngine;
import dev.strider.tests.engine.nets.GcLrnEngine;
import dev.strider.tests.engine.nets.GcPoolsEngine;
import dev.strider.tests.engine.nets.GcResampleEngine;
import dev.strider.tests.reference.nets.LeNet5Engine;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The split backward pass: a network without batch norm splits a batch into {@link Kernels#threads()} parts, each
 * through every layer with its own parameter gradients, added up afterwards. Checked against the images one at a
 * time, for every kind of layer such networks have (branches and the sums of their gradients, concatenation, padded,
 * dilated and grouped convolutions, pools, LRN, resampling, transposed convolution; GcGraph has batch norm too, so its
 * backward pass runs over the whole batch, and the same holds):
 *
 * <ul>
 *   <li>d loss / d input of each image is exactly its gradient alone divided by the batch (a batch of 4: the
 *       cross-entropy gradient is scaled by 1/4, a power of two, so every value is exact), bit for bit: each image's
 *       gradient is computed by the same code in whichever part it falls;</li>
 *   <li>the parameter gradients are the mean of the images' gradients, within 1e-5 of the largest (the parts' sums
 *       are added in another order than one running sum over the images);</li>
 *   <li>a second pass gives the same bits (the parts' gradient copies are cleared, not added to);</li>
 *   <li>for every batch from 1 to 7, a backward pass from the caller's gradient gives the same bits after another
 *       pass as in a fresh engine, and the sum of its images' gradients.</li>
 * </ul>
 *
 * <p>The default run has as many parts as cores; the {@code many-threads} execution (tests/pom.xml) runs this class
 * again with {@code -Dstrider.threads=5}, where batches of 1 to 4 leave parts without images. (Found on the first
 * machine with 16 cores: parts were cut at {@code floor(batch * part / parts)}, so a batch of 3 left part 0, which
 * writes the parameters' own gradients, empty, and they kept the previous pass's values.)
 */
class SplitBackwardTest {
    private static final int BATCH = 4;
    private static final List<Supplier<Engine>> NETWORKS = List.of(LeNet5Engine::new, GcGraphEngine::new, GcPoolsEngine::new,
            GcConvTransposeEngine::new, GcLrnEngine::new, GcResampleEngine::new, GcConvDilatedGroupsEngine::new, GcConvSameEngine::new,
            GcL2PoolEngine::new);

    private static float[][] grads(Engine e) {
        return e.parameters().stream().map(p -> p.grad().clone()).toArray(float[][]::new);
    }

    @Test
    void theThreadCountIsTheOneThisRunAskedFor() {
        Integer asked = Integer.getInteger("strider.threads");
        assertEquals(asked == null ? Runtime.getRuntime().availableProcessors() : asked, Kernels.threads());
    }

    @Test
    void everyBatchHasTheSumOfItsImagesGradientsWhateverCameBefore() {
        for (Supplier<Engine> make : NETWORKS) {
            Engine stale = make.get();
            Engine fresh = make.get();
            int in = stale.inputSize();
            int out = stale.outputSize();
            for (int batch = 1; batch <= Math.min(7, stale.maxBatch()); batch++) {
                stale.initialize(7);
                fresh.initialize(7);
                // another pass first (a larger batch and other images), so that every gradient array holds values
                int other = Math.min(stale.maxBatch(), 8);
                stale.gradients(EngineContractTest.random(other * in, 3), new Random(4).ints(other, 0, out).toArray(), other, null);
                float[] x = EngineContractTest.random(batch * in, 10 + batch);
                float[] og = EngineContractTest.random(batch * out, 20 + batch);
                stale.forward(x, batch);
                stale.backward(og, batch, null);
                fresh.forward(x, batch);
                fresh.backward(og, batch, null);
                float[][] g = grads(stale);
                String what = stale.name() + " batch " + batch + " on " + Kernels.threads() + " threads";
                assertSameBits(what + ", after another pass and in a fresh engine", stale, g, grads(fresh));
                double[][] sum = zeros(g);
                for (int n = 0; n < batch; n++) {
                    fresh.forward(Arrays.copyOfRange(x, n * in, (n + 1) * in), 1);
                    fresh.backward(Arrays.copyOfRange(og, n * out, (n + 1) * out), 1, null);
                    add(sum, fresh, 1);
                }
                assertNear(what + ", the batch and the sum of its images", stale, g, sum);
            }
        }
    }

    @Test
    void aSplitBatchHasTheGradientsOfItsImages() {
        for (Supplier<Engine> make : NETWORKS) {
            Engine e = make.get();
            e.initialize(7);
            int in = e.inputSize();
            float[] x = EngineContractTest.random(BATCH * in, 9);
            int[] labels = new Random(2).ints(BATCH, 0, e.outputSize()).toArray();
            float[] gBatch = new float[BATCH * in];
            e.gradients(x, labels, BATCH, gBatch);
            float[][] batchGrads = grads(e);
            float[] gAgain = new float[BATCH * in];
            e.gradients(x, labels, BATCH, gAgain);
            assertSameBits(e.name() + ", a first and a second pass", e, batchGrads, grads(e));
            double[][] mean = zeros(batchGrads);
            for (int n = 0; n < BATCH; n++) {
                float[] gOne = new float[in];
                e.gradients(Arrays.copyOfRange(x, n * in, (n + 1) * in), new int[] {labels[n]}, 1, gOne);
                for (int i = 0; i < in; i++) {
                    float expected = gOne[i] / BATCH;
                    if (Float.floatToIntBits(gBatch[n * in + i]) != Float.floatToIntBits(expected)
                            || Float.floatToIntBits(gAgain[n * in + i]) != Float.floatToIntBits(expected)) {
                        throw new AssertionError(e.name() + ": d input " + i + " of image " + n + " is " + gBatch[n * in + i]
                                + " in the batch, " + expected + " alone / " + BATCH);
                    }
                }
                add(mean, e, BATCH);
            }
            assertNear(e.name() + ", the batch and the mean of its images", e, batchGrads, mean);
        }
    }

    /** Fails at the first gradient value whose bits differ between {@code a} and {@code b}. */
    private static void assertSameBits(String what, Engine e, float[][] a, float[][] b) {
        for (int p = 0; p < a.length; p++) {
            for (int i = 0; i < a[p].length; i++) {
                if (Float.floatToIntBits(a[p][i]) != Float.floatToIntBits(b[p][i])) {
                    throw new AssertionError(what + ": " + e.parameters().get(p).name() + "[" + i + "] is " + a[p][i] + " and " + b[p][i]);
                }
            }
        }
    }

    /** Arrays of zeros shaped as {@code like}. */
    private static double[][] zeros(float[][] like) {
        double[][] z = new double[like.length][];
        for (int p = 0; p < like.length; p++) {
            z[p] = new double[like[p].length];
        }
        return z;
    }

    /** Adds {@code e}'s parameter gradients divided by {@code divisor} to {@code sum}. */
    private static void add(double[][] sum, Engine e, int divisor) {
        List<Parameter> ps = e.parameters();
        for (int p = 0; p < ps.size(); p++) {
            float[] g = ps.get(p).grad();
            for (int i = 0; i < g.length; i++) {
                sum[p][i] += (double) g[i] / divisor;
            }
        }
    }

    /** Each gradient within 1e-5 of its parameter's largest expected magnitude (plus 1e-9) of {@code expected}. */
    private static void assertNear(String what, Engine e, float[][] actual, double[][] expected) {
        for (int p = 0; p < expected.length; p++) {
            double largest = 0;
            for (double v : expected[p]) {
                largest = Math.max(largest, Math.abs(v));
            }
            for (int i = 0; i < expected[p].length; i++) {
                assertTrue(Math.abs(actual[p][i] - expected[p][i]) <= 1e-5 * largest + 1e-9, what + ": "
                        + e.parameters().get(p).name() + "[" + i + "] is " + actual[p][i] + ", expected " + expected[p][i]);
            }
        }
    }
}
