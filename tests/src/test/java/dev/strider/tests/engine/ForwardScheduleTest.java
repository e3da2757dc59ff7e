package dev.strider.tests.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.Kernels;
import dev.strider.samples.ResNet18Engine;
import dev.strider.tests.engine.nets.GcBatchNormEngine;
import dev.strider.tests.engine.nets.GcConvDilatedGroupsEngine;
import dev.strider.tests.engine.nets.GcConvSameEngine;
import dev.strider.tests.engine.nets.GcConvTransposeEngine;
import dev.strider.tests.engine.nets.GcDropoutEngine;
import dev.strider.tests.engine.nets.GcGraphEngine;
import dev.strider.tests.engine.nets.GcL2PoolEngine;
import dev.strider.tests.engine.nets.GcLrnEngine;
import dev.strider.tests.engine.nets.GcPoolsEngine;
import dev.strider.tests.engine.nets.GcResampleEngine;
import dev.strider.tests.engine.nets.SpatialSoftmaxEngine;
import dev.strider.tests.reference.nets.LeNet5Engine;
import dev.strider.tests.reference.nets.MaxPoolCeilEngine;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The forward schedule: a batch in evaluation mode runs image by image, its images split among the worker threads
 * (each worker with its own convolution scratch), while batch 1 runs every layer in turn on the caller. Each image must
 * come out bit for bit as it does alone, for every kind of layer (branches, concatenation, sums, padded and grouped
 * convolutions, pools with and without padding, batch norm on its running statistics, dropout, LRN, resampling,
 * transposed convolution, spatial softmax). In training mode, batch norm and dropout couple the images, and the
 * engine runs layer by layer over the whole batch instead: a batch-norm network's training-mode outputs then differ
 * from the image-alone ones (batch statistics), which shows that path is taken. At batch 1, a large element-wise
 * layer splits its one image among the workers instead: ResNet-18's images come out as in a batch.
 */
class ForwardScheduleTest {
    private static final List<Supplier<Engine>> NETWORKS = List.of(LeNet5Engine::new, GcGraphEngine::new, GcBatchNormEngine::new,
            GcDropoutEngine::new, GcPoolsEngine::new, MaxPoolCeilEngine::new, GcConvSameEngine::new, GcConvDilatedGroupsEngine::new,
            GcLrnEngine::new, GcResampleEngine::new, GcConvTransposeEngine::new, GcL2PoolEngine::new, SpatialSoftmaxEngine::new);

    private static void assertSameBits(float[] batch, int off, float[] alone, String what) {
        for (int i = 0; i < alone.length; i++) {
            if (Float.floatToIntBits(batch[off + i]) != Float.floatToIntBits(alone[i])) {
                throw new AssertionError(what + ": value " + i + " is " + batch[off + i] + " in the batch, " + alone[i] + " alone");
            }
        }
    }

    @Test
    void everyImageOfABatchComesOutAsItDoesAlone() {
        assertTrue(Kernels.threads() >= 1);
        for (Supplier<Engine> make : NETWORKS) {
            Engine e = make.get();
            e.initialize(11);
            int batch = Math.min(e.maxBatch(), 7);   // odd: the parts differ in size
            assertTrue(batch >= 2, e.name() + " must take a batch");
            int in = e.inputSize();
            int out = e.outputSize();
            float[] x = EngineContractTest.random(batch * in, 3);
            float[] y = new float[batch * out];
            for (int round = 0; round < 3; round++) {   // the workers are reused: a second pass must not see the first's state
                e.forward(x, batch, y);
                for (int n = 0; n < batch; n++) {
                    float[] one = new float[in];
                    System.arraycopy(x, n * in, one, 0, in);
                    float[] alone = new float[out];
                    e.forward(one, 1, alone);
                    assertSameBits(y, n * out, alone, e.name() + " image " + n + " of " + batch + ", round " + round);
                }
            }
        }
    }

    /**
     * At batch 1, ResNet-18's large batch norms, ReLUs and sums (at least 32,768 values an image) split their image
     * among the worker threads (by channels or by chunks of values); in a batch of two, the images are split instead
     * and each layer runs whole. Both give each image the same bits.
     */
    @Test
    void batchOneSplitsLargeLayersAndKeepsTheBits() {
        ResNet18Engine e = new ResNet18Engine();
        e.initialize(5);
        int in = e.inputSize();
        int out = e.outputSize();
        float[] x = EngineContractTest.random(2 * in, 8);
        float[] y = new float[2 * out];
        e.forward(x, 2, y);
        for (int n = 0; n < 2; n++) {
            float[] one = new float[in];
            System.arraycopy(x, n * in, one, 0, in);
            float[] alone = new float[out];
            e.forward(one, 1, alone);
            assertSameBits(y, n * out, alone, "ResNet-18 image " + n);
        }
    }

    @Test
    void trainingModeBatchNormRunsOverTheWholeBatch() {
        GcBatchNormEngine e = new GcBatchNormEngine();
        e.initialize(11);
        int batch = Math.min(e.maxBatch(), 6);
        float[] x = EngineContractTest.random(batch * e.inputSize(), 5);
        float[] eval = new float[batch * e.outputSize()];
        e.forward(x, batch, eval);
        e.setTraining(true);
        float[] train = new float[batch * e.outputSize()];
        e.forward(x, batch, train);
        float[] again = new float[batch * e.outputSize()];
        e.forward(x, batch, again);
        // batch statistics, not the running ones: other outputs than in evaluation mode, the same on every call
        assertSameBits(again, 0, train, "training mode, second call");
        boolean differs = false;
        for (int i = 0; i < eval.length; i++) {
            differs |= eval[i] != train[i];
        }
        assertTrue(differs, "training mode must normalise with the batch's statistics");
        // every channel's batch statistics are over the whole batch: image 0's outputs depend on image 1's input
        float[] changed = x.clone();
        for (int i = e.inputSize(); i < 2 * e.inputSize(); i++) {
            changed[i] += 1f;
        }
        float[] other = new float[batch * e.outputSize()];
        e.forward(changed, batch, other);
        boolean coupled = false;
        for (int i = 0; i < e.outputSize(); i++) {
            coupled |= other[i] != again[i];
        }
        assertTrue(coupled, "image 0's training-mode output must depend on image 1 (batch statistics)");
    }
}
