package dev.strider.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.Init;
import dev.strider.runtime.engine.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsTest {
    @TempDir
    Path dir;

    /**
     * A tiny engine with a dense layer's tensors (weight [2, in], bias [2]) and a batch-norm layer's running
     * statistics. It computes nothing: weights files are all this test needs of it.
     */
    private static final class FakeEngine extends GeneratedEngine {
        final Parameter weight;
        final Parameter bias;
        final Parameter mean;
        final Parameter var;
        private final float[] out = new float[2];
        private final float[] outGrad = new float[2];

        FakeEngine(int in, float offset) {
            super("Fake", in, 2, 1, LossKind.MEAN_SQUARED_ERROR, false);
            float[] w = new float[2 * in];
            for (int i = 0; i < w.length; i++) {
                w[i] = offset + i;
            }
            addParameter("fc.weight", new int[] {2, in}, w, new float[w.length], Init.XAVIER, in, 2);
            addParameter("fc.bias", new int[] {2}, new float[] {offset, -offset}, new float[2], Init.BIAS, in, 2);
            addBuffer("bn.running_mean", new int[] {2}, new float[] {offset / 2, 0}, Init.ZERO);
            addBuffer("bn.running_var", new int[] {2}, new float[] {1, 1 + offset}, Init.ONE);
            weight = parameters().get(0);
            bias = parameters().get(1);
            mean = buffers().get(0);
            var = buffers().get(1);
        }

        @Override
        protected void runForward(float[] input, int batch) {
            java.util.Arrays.fill(out, 0f);
        }

        @Override
        protected void runBackward(int batch, float[] inputGrad) {}

        @Override
        protected float[] outputBuffer() {
            return out;
        }

        @Override
        protected float[] outputGradBuffer() {
            return outGrad;
        }

        List<float[]> snapshot() {
            List<float[]> s = new ArrayList<>();
            for (Parameter p : List.of(weight, bias, mean, var)) {
                s.add(p.data().clone());
            }
            return s;
        }
    }

    private static void assertSame(List<float[]> expected, FakeEngine engine) {
        List<float[]> actual = engine.snapshot();
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "tensor " + i);
        }
    }

    @Test
    void savesEveryParameterAndBufferByName() throws IOException {
        Path file = dir.resolve("fake.safetensors");
        Weights.save(new FakeEngine(3, 1f), file);
        Safetensors.Contents c = Safetensors.read(file);
        assertEquals(Map.of("network", "Fake"), c.metadata());
        assertEquals(List.of("bn.running_mean", "bn.running_var", "fc.bias", "fc.weight"), new ArrayList<>(c.tensors().keySet()));
        assertArrayEquals(new int[] {2, 3}, c.tensor("fc.weight").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, c.tensor("fc.weight").floats());
        assertArrayEquals(new float[] {1, -1}, c.tensor("fc.bias").floats());
        assertArrayEquals(new float[] {0.5f, 0}, c.tensor("bn.running_mean").floats());
        assertArrayEquals(new float[] {1, 2}, c.tensor("bn.running_var").floats());
    }

    @Test
    void loadsIntoTheEngineArrays() throws IOException {
        Path file = dir.resolve("fake.safetensors");
        FakeEngine source = new FakeEngine(3, 5f);
        Weights.save(source, file);
        FakeEngine target = new FakeEngine(3, 0f);
        float[] storage = target.weight.data();
        Weights.load(target, file);
        assertSame(source.snapshot(), target);
        assertEquals(storage, target.weight.data(), "values are copied into the engine's own arrays");
    }

    @Test
    void ignoresPyTorchsBatchNormCounters() throws IOException {
        FakeEngine source = new FakeEngine(3, 2f);
        List<Tensor> tensors = new ArrayList<>();
        for (Parameter p : List.of(source.weight, source.bias, source.mean, source.var)) {
            tensors.add(Tensor.f32(p.name(), p.shape(), p.data()));
        }
        tensors.add(Tensor.i64("bn.num_batches_tracked", new int[] {}, new long[] {938}));
        Path file = dir.resolve("torch.safetensors");
        Safetensors.write(file, tensors, null);
        FakeEngine target = new FakeEngine(3, 0f);
        Weights.load(target, file);
        assertSame(source.snapshot(), target);
    }

    @Test
    void reportsEveryMismatchAndLoadsNothing() throws IOException {
        List<Tensor> tensors = List.of(
                Tensor.f32("fc.weight", new int[] {2, 4}, new float[8]), // wrong shape
                Tensor.f64("fc.bias", new int[] {2}, new double[2]), // wrong dtype
                Tensor.f32("bn.running_mean", new int[] {2}, new float[] {9, 9}), // fine, but must not be loaded
                // bn.running_var missing
                Tensor.f32("extra.weight", new int[] {1}, new float[1]),
                Tensor.i64("fc.num_batches_tracked", new int[] {}, new long[] {1})); // fc has no running statistics
        Path file = dir.resolve("bad.safetensors");
        Safetensors.write(file, tensors, null);
        FakeEngine engine = new FakeEngine(3, 1f);
        List<float[]> before = engine.snapshot();
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> Weights.load(engine, file));
        assertEquals(List.of(
                "fc.weight: shape [2, 4] in the file, expected [2, 3]",
                "fc.bias: dtype F64 in the file, expected F32",
                "missing: bn.running_var [2]",
                "unexpected: fc.num_batches_tracked I64[] (Fake has no such parameter or buffer)",
                "unexpected: extra.weight F32[1] (Fake has no such parameter or buffer)"), e.mismatches());
        assertEquals(file + " does not fit Fake (5 mismatches; nothing was loaded):\n  " + String.join("\n  ", e.mismatches()),
                e.getMessage());
        assertSame(before, engine);
    }

    @Test
    void aCorruptFileLeavesTheEngineUnchanged() throws IOException {
        Path file = dir.resolve("fake.safetensors");
        Weights.save(new FakeEngine(3, 7f), file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        FakeEngine engine = new FakeEngine(3, 1f);
        List<float[]> before = engine.snapshot();
        assertThrows(SafetensorsFormatException.class, () -> Weights.load(engine, file));
        assertSame(before, engine);
    }
}
