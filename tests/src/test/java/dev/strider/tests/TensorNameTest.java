package dev.strider.tests;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static dev.strider.tests.Compilers.compile;
import static dev.strider.tests.Compilers.network;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.io.Safetensors;
import dev.strider.runtime.io.Tensor;
import dev.strider.runtime.io.Weights;
import dev.strider.runtime.io.WeightsMismatchException;
import dev.strider.tests.engine.nets.RenamedTensorsEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code @TensorName}: a layer mapped to a differently named tensor, and the errors on a bad mapping. */
class TensorNameTest {
    @TempDir
    Path dir;

    @Test
    void renamedLayersStoreAndLoadTheirTensorsUnderTheGivenNames() throws Exception {
        RenamedTensorsEngine e = new RenamedTensorsEngine();
        assertEquals(List.of("features.0.weight", "features.0.bias", "features.1.weight", "features.1.bias", "hidden.weight",
                "hidden.bias", "classifier.fc-out.weight", "classifier.fc-out.bias"), e.parameters().stream().map(Parameter::name).toList());
        assertEquals(List.of("features.1.running_mean", "features.1.running_var"), e.buffers().stream().map(Parameter::name).toList());

        // a file written by other code under those names (a PyTorch state_dict's) loads into the layers
        Random rnd = new Random(3);
        List<Tensor> file = new ArrayList<>();
        List<float[]> values = new ArrayList<>();
        for (Parameter p : concat(e.parameters(), e.buffers())) {
            float[] v = new float[p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = p.name().endsWith("running_var") ? 0.5f + rnd.nextFloat() : (float) rnd.nextGaussian();
            }
            values.add(v);
            file.add(Tensor.f32(p.name(), p.shape(), v));
        }
        Path weights = dir.resolve("renamed.safetensors");
        Safetensors.write(weights, file, Map.of());
        Weights.load(e, weights);
        List<Parameter> all = concat(e.parameters(), e.buffers());
        for (int i = 0; i < all.size(); i++) {
            assertArrayEquals(values.get(i), all.get(i).data(), all.get(i).name());
        }

        // the layer's own name is not a tensor name any more: a file under it is a mismatch naming both
        List<Tensor> byLayerName = new ArrayList<>(file);
        byLayerName.set(0, Tensor.f32("conv1.weight", e.parameters().get(0).shape(), values.get(0)));
        Path wrong = dir.resolve("layer-names.safetensors");
        Safetensors.write(wrong, byLayerName, Map.of());
        WeightsMismatchException x = assertThrows(WeightsMismatchException.class, () -> Weights.load(new RenamedTensorsEngine(), wrong));
        assertTrue(x.getMessage().contains("features.0.weight"), x.getMessage());
        assertTrue(x.getMessage().contains("conv1.weight"), x.getMessage());
    }

    private static List<Parameter> concat(List<Parameter> a, List<Parameter> b) {
        List<Parameter> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void aNameThatIsNotATensorNameIsAnErrorOnItsValue() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @TensorName(\"features..0\") @Conv(filters = 2, kernel = 3) Layer c;",
                "    @Dense(units = 2) Layer d;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/tensor-name] @TensorName on Foo.c: \"features..0\" is not a tensor name. "
                + "Use letters, digits, _ and -, with single dots between parts (as \"features.0\").").inFile(src).onLineContaining("Layer c;");
    }

    @Test
    void aLayerWithoutTensorsTakesNoName() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @Conv(filters = 2, kernel = 3) Layer c;",
                "    @TensorName(\"act\") @ReLU Layer r;",
                "    @Dense(units = 2) Layer d;",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/tensor-name] @TensorName on Foo.r: layer \"r\" (ReLU) has no tensors to name. "
                + "Remove it: only convolutions, dense layers and batch norm own tensors.").inFile(src).onLineContaining("Layer r;");
    }

    @Test
    void twoLayersCannotStoreTheSameTensorWhicheverComesFirst() {
        JavaFileObject renamedFirst = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @TensorName(\"d\") @Conv(filters = 2, kernel = 3, activation = Activation.RELU) Layer c;",
                "    @Dense(units = 2) Layer d;",
                "}");
        Compilation c = compile(renamedFirst);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/tensor-name] @TensorName on Foo.c: \"d\" is also the tensor name of layer \"d\". "
                + "Give each layer its own tensor name: two layers cannot both store d.weight.").inFile(renamedFirst).onLineContaining("Layer c;");

        JavaFileObject twice = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @TensorName(\"fc\") @Conv(filters = 2, kernel = 3, activation = Activation.RELU) Layer c;",
                "    @TensorName(\"fc\") @Dense(units = 2) Layer d;",
                "}");
        c = compile(twice);
        assertThat(c).hadErrorCount(1);
        assertThat(c).hadErrorContaining("[strider/tensor-name] @TensorName on Foo.d: \"fc\" is also the tensor name of layer \"c\".")
                .inFile(twice).onLineContaining("Layer d;");
    }

    @Test
    void aBlockOrAUseOfOneTakesNoName() {
        JavaFileObject src = network(
                "@Network(maxBatch = 1)",
                "@Input(channels = 1, height = 4, width = 4)",
                "abstract class Foo {",
                "    @TensorName(\"stem\") @Use(Pair.class) Layer first;",
                "    @Use(Inner.class) Layer second;",
                "    @Dense(units = 2) Layer d;",
                "    @Block",
                "    static abstract class Pair {",
                "        @Conv(filters = 1, kernel = 1, activation = Activation.RELU) Layer a;",
                "    }",
                "    @Block",
                "    static abstract class Inner {",
                "        @TensorName(\"inner\") @Conv(filters = 1, kernel = 1, activation = Activation.RELU) Layer b;",
                "    }",
                "}");
        Compilation c = compile(src);
        assertThat(c).hadErrorContaining("[strider/tensor-name] @TensorName on Foo.first: it names one layer's tensors, but this field "
                + "uses a block. Put @TensorName on a layer field; a block's layers store their tensors as <use>_<layer>.weight, ....")
                .inFile(src).onLineContaining("Layer first;");
        assertThat(c).hadErrorContaining("[strider/tensor-name] @TensorName on Inner.b: a block's layers are repeated in every use, so one "
                + "tensor name cannot fit them all.").inFile(src).onLineContaining("Layer b;");
    }
}
