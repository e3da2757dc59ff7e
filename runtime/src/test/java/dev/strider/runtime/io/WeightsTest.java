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
    void checkReportsWhatLoadWouldWithoutLoading() throws IOException {
        Path file = dir.resolve("three.safetensors");
        Weights.save(new FakeEngine(3, 2f), file);
        FakeEngine engine = new FakeEngine(4, 1f);
        List<float[]> before = engine.snapshot();
        assertEquals(List.of("fc.weight: shape [2, 3] in the file, expected [2, 4]"), Weights.check(engine, file, TensorNames.STRIDER));
        assertEquals(List.of(), Weights.check(new FakeEngine(3, 0f), file, TensorNames.STRIDER));
        engine.assertHolds(before, "unchanged");
    }

    @Test
    void torchvisionNamesReadAStateDictsModulePaths() throws IOException {
        FakeEngine source = new FakeEngine(3, 4f);
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(Tensor.f32("layer1.0.fc.weight", source.weight.shape(), source.weight.data()));
        tensors.add(Tensor.f32("layer1.0.fc.bias", source.bias.shape(), source.bias.data()));
        tensors.add(Tensor.f32("layer1.0.bn.running_mean", source.mean.shape(), source.mean.data()));
        tensors.add(Tensor.f32("layer1.0.bn.running_var", source.var.shape(), source.var.data()));
        tensors.add(Tensor.i64("layer1.0.bn.num_batches_tracked", new int[] {}, new long[] {12}));
        Path file = dir.resolve("torchvision.safetensors");
        Safetensors.write(file, tensors, null);
        FakeEngine target = new FakeEngine(3, 0f, "layer1_0_fc", "layer1_0_bn");
        assertEquals("layer1.0.fc.weight", TensorNames.TORCHVISION.inFile("layer1_0_fc.weight"));
        Weights.load(target, file, TensorNames.TORCHVISION);
        target.assertHolds(source.snapshot(), "loaded");
        // with Strider's own names the same file fits nothing, and each miss names the tensor looked for
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> Weights.load(target, file, TensorNames.STRIDER));
        assertEquals("missing: layer1_0_fc.weight [2, 3]", e.mismatches().get(0));
        // a miss under torchvision's names gives the name looked for and the engine's own
        e = assertThrows(WeightsMismatchException.class, () -> Weights.load(new FakeEngine(3, 0f, "layer1_0_fc", "layer2_0_bn"), file,
                TensorNames.TORCHVISION));
        assertEquals("missing: layer2.0.bn.running_mean (layer2_0_bn.running_mean) [2]", e.mismatches().get(0));
    }

    @Test
    void loadMatchingTakesWhatFitsAndReportsTheRest() throws IOException {
        // a backbone trained with a 3-input head, loaded under a new 4-input head: the head's weight keeps its values
        Path file = dir.resolve("trained.safetensors");
        FakeEngine trained = new FakeEngine(3, 6f);
        List<Tensor> tensors = new ArrayList<>();
        for (Parameter p : List.of(trained.weight, trained.bias, trained.mean, trained.var)) {
            tensors.add(Tensor.f32(p.name(), p.shape(), p.data()));
        }
        tensors.add(Tensor.f32("old_head.weight", new int[] {5}, new float[5]));
        Safetensors.write(file, tensors, null);
        FakeEngine engine = new FakeEngine(4, 1f);
        float[] headBefore = engine.weight.data().clone();
        Weights.Transfer t = Weights.loadMatching(engine, file, TensorNames.STRIDER);
        assertEquals(List.of("fc.bias", "bn.running_mean", "bn.running_var"), t.loaded());
        assertEquals(List.of("fc.weight [2, 4]: the file's fc.weight is F32[2, 3]"), t.kept());
        assertEquals(List.of("old_head.weight F32[5]"), t.unused());
        assertArrayEquals(headBefore, engine.weight.data());
        assertArrayEquals(trained.bias.data(), engine.bias.data());
        assertArrayEquals(trained.var.data(), engine.var.data());
        assertEquals("3 tensors loaded, 1 kept, 1 in the file unused\n  kept: fc.weight [2, 4]: the file's fc.weight is F32[2, 3]"
                + "\n  unused: old_head.weight F32[5]", t.toString());
    }

    @Test
    void loadMatchingWithNothingThatFitsLoadsNothing() throws IOException {
        Path file = dir.resolve("other.safetensors");
        Safetensors.write(file, List.of(Tensor.f32("x.weight", new int[] {1}, new float[] {3})), null);
        FakeEngine engine = new FakeEngine(3, 1f);
        List<float[]> before = engine.snapshot();
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> Weights.loadMatching(engine, file, TensorNames.STRIDER));
        assertEquals(file + " has no tensor that fits Fake (nothing was loaded):", e.getMessage().lines().findFirst().orElseThrow());
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
