package dev.strider.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.io.Weights;
import dev.strider.runtime.optim.Sgd;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving samples extend the networks that train ({@code LeNet5Serving extends LeNet5}, {@code ResNet18Serving
 * extends ResNet18}): the same layers and weight names, an inference-only engine. A LeNet-5 trained for a few steps
 * and saved loads into the serving engine, which then gives the same bits; ResNet-18's serving engine gives the bits of
 * the engine that trains at batch 1 and 2.
 */
class ServingSamplesTest {
    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), what + ": value " + i);
        }
    }

    @Test
    void aTrainedLeNet5LoadsIntoItsServingEngine(@TempDir Path dir) throws Exception {
        Engine train = new LeNet5Engine();
        train.initialize(4);
        train.setOptimizer(Sgd.builder(0.05f).momentum(0.9f).build());
        float[] x = random(64 * 784, 1);
        int[] labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        for (int step = 0; step < 3; step++) {
            train.trainStep(x, labels, 64);
        }
        Path file = dir.resolve("lenet5.safetensors");
        Weights.save(train, file);
        Engine serve = new LeNet5ServingEngine();
        assertTrue(serve.inferenceOnly());
        assertFalse(train.inferenceOnly());
        Weights.load(serve, file);
        for (int batch : new int[] {1, 64}) {
            assertSameBits(train.forward(x, batch), serve.forward(x, batch), "LeNet-5 batch " + batch);
        }
        assertThrows(IllegalStateException.class, () -> serve.trainStep(x, labels, 64));
    }

    @Test
    void resNet18ServingGivesTheBitsOfResNet18() {
        Engine train = new ResNet18Engine();
        Engine serve = new ResNet18ServingEngine();
        train.initialize(6);
        serve.initialize(6);   // the same seed: the same weights (same names and shapes, in the same order)
        float[] x = random(2 * train.inputSize(), 2);
        for (int batch : new int[] {1, 2}) {
            assertSameBits(train.forward(x, batch), serve.forward(x, batch), "ResNet-18 batch " + batch);
        }
    }

    /**
     * The serving engine packs its last stages' convolution weights for their products (filters on the lanes) once,
     * before the first forward pass, and again after the parameters may have changed: weights written after
     * {@code parameters()}, an initialisation, or a weights file loaded reach its next forward pass.
     */
    @Test
    void resNet18ServingPacksItsWeightsAgainWhenTheyMayHaveChanged(@TempDir Path dir) throws Exception {
        Engine train = new ResNet18Engine();
        Engine serve = new ResNet18ServingEngine();
        train.initialize(6);
        serve.initialize(6);
        float[] x = random(serve.inputSize(), 3);
        float[] first = serve.forward(x, 1);
        assertSameBits(train.forward(x, 1), first, "packed at the first forward pass");
        for (Engine e : new Engine[] {train, serve}) {
            // layer4_1_conv1: 512 filters over 7 x 7 outputs, a product from packed weights
            float[] w = e.parameter("layer4_1_conv1.weight").data();
            for (int i = 0; i < w.length; i += 3) {
                w[i] *= -2f;
            }
        }
        float[] changed = serve.forward(x, 1);
        assertSameBits(train.forward(x, 1), changed, "weights written after parameter(name)");
        assertFalse(java.util.Arrays.equals(first, changed), "the change reached the output");
        serve.initialize(6);
        assertSameBits(first, serve.forward(x, 1), "initialised again with the first seed");
        Path file = dir.resolve("changed.safetensors");
        Weights.save(train, file);
        Weights.load(serve, file);
        assertSameBits(changed, serve.forward(x, 1), "a weights file loaded");
    }

    /**
     * Which of ResNet18Serving's convolutions keep packed weights: on the vector kernel, the 7 x 7 stage's (49 positions
     * in 64 lanes at 512 bits, 64 at 256) and, at 512 bits, the 14 x 14 stage's (196 in 224); never the stem or the
     * first stages, whose positions fill the panels. On the scalar kernel none.
     */
    @Test
    void resNet18ServingPacksTheWeightsOfItsLastStages() throws Exception {
        ResNet18ServingEngine serve = new ResNet18ServingEngine();
        boolean vector = dev.strider.runtime.engine.Kernels.vectorized();
        String impl = dev.strider.runtime.engine.Kernels.implementation();
        boolean wide = vector && impl.contains("512");
        assertEquals(vector ? 512 * 4608 : 0, packed(serve, "layer4_1_conv1"), impl);
        assertEquals(vector ? 512 * 2304 : 0, packed(serve, "layer4_0_conv1"), impl);
        assertEquals(vector ? 512 * 256 : 0, packed(serve, "layer4_0_downsample_0"), impl);
        assertEquals(wide ? 256 * 2304 : 0, packed(serve, "layer3_1_conv2"), impl);
        assertEquals(0, packed(serve, "conv1"), impl);
        assertEquals(0, packed(serve, "layer1_0_conv1"), impl);
        assertEquals(0, packed(serve, "layer2_1_conv2"), impl);
    }

    private static int packed(ResNet18ServingEngine engine, String layer) throws ReflectiveOperationException {
        java.lang.reflect.Field f = ResNet18ServingEngine.class.getDeclaredField(layer + "Packed");
        f.setAccessible(true);
        return ((float[]) f.get(engine)).length;
    }
}
