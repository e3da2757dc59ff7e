package dev.strider.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
        target.assertHolds(source.snapshot(), "loaded");
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
        target.assertHolds(source.snapshot(), "loaded");
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
        engine.assertHolds(before, "unchanged");
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
        engine.assertHolds(before, "unchanged");
    }
}
