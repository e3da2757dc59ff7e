package dev.strider.tests.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.io.Safetensors;
import dev.strider.runtime.io.Tensor;
import dev.strider.runtime.optim.Sgd;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated engines against PyTorch 1.13 on the same weights and inputs: outputs, loss, the gradient of the
 * input and of every parameter, batch-norm running statistics, and two SGD steps with momentum. The reference files
 * come from {@code scripts/reference/make_references.py} (see its README).
 *
 * <p>Tolerance, per value: {@code |ours - torch| <= 1e-4 * |torch| + 1e-5 * max|tensor| + 1e-6}: 1e-4 relative as
 * required, with an absolute floor scaled to the tensor for values that are (nearly) zero, such as the gradient of
 * a bias followed by batch normalisation, which is 0 in exact arithmetic and float32 noise in both frameworks.
 */
class PyTorchReferenceTest {
    private static final double RELATIVE = 1e-4;

    private static final Map<String, Class<? extends GeneratedEngine>> CASES = new TreeMap<>(Map.ofEntries(
            Map.entry("avgpool_ceil", dev.strider.tests.reference.nets.AvgPoolCeilEngine.class),
            Map.entry("avgpool_nopad_count", dev.strider.tests.reference.nets.AvgPoolNoPadCountEngine.class),
            Map.entry("avgpool_pad", dev.strider.tests.reference.nets.AvgPoolPadEngine.class),
            Map.entry("batchnorm1d", dev.strider.tests.reference.nets.BatchNorm1dEngine.class),
            Map.entry("batchnorm2d", dev.strider.tests.reference.nets.BatchNorm2dEngine.class),
            Map.entry("branches", dev.strider.tests.reference.nets.BranchesEngine.class),
            Map.entry("conv_basic", dev.strider.tests.reference.nets.ConvBasicEngine.class),
            Map.entry("conv_dilation", dev.strider.tests.reference.nets.ConvDilationEngine.class),
            Map.entry("conv_fused_leaky_relu", dev.strider.tests.reference.nets.ConvFusedLeakyReluEngine.class),
            Map.entry("conv_groups", dev.strider.tests.reference.nets.ConvGroupsEngine.class),
            Map.entry("conv_no_bias_relu", dev.strider.tests.reference.nets.ConvNoBiasReluEngine.class),
            Map.entry("conv_transpose", dev.strider.tests.reference.nets.ConvTransposeNetEngine.class),
            Map.entry("conv_same", dev.strider.tests.reference.nets.ConvSameEngine.class),
            Map.entry("conv_stride_pad", dev.strider.tests.reference.nets.ConvStridePadEngine.class),
            Map.entry("dense_fused_softmax_mse", dev.strider.tests.reference.nets.DenseFusedSoftmaxMseEngine.class),
            Map.entry("dense_fused_tanh_sigmoid", dev.strider.tests.reference.nets.DenseFusedTanhSigmoidEngine.class),
            Map.entry("dense_spatial", dev.strider.tests.reference.nets.DenseSpatialEngine.class),
            Map.entry("global_avgpool", dev.strider.tests.reference.nets.GlobalAvgPoolNetEngine.class),
            Map.entry("l2pool", dev.strider.tests.reference.nets.L2PoolNetEngine.class),
            Map.entry("lrn", dev.strider.tests.reference.nets.LrnNetEngine.class),
            Map.entry("lenet5", dev.strider.tests.reference.nets.LeNet5Engine.class),
            Map.entry("leaky_relu", dev.strider.tests.reference.nets.LeakyReluNetEngine.class),
            Map.entry("maxpool_ceil", dev.strider.tests.reference.nets.MaxPoolCeilEngine.class),
            Map.entry("maxpool", dev.strider.tests.reference.nets.MaxPoolNetEngine.class),
            Map.entry("mse_dense", dev.strider.tests.reference.nets.MseDenseEngine.class),
            Map.entry("relu", dev.strider.tests.reference.nets.ReluNetEngine.class),
            Map.entry("relu6", dev.strider.tests.reference.nets.Relu6NetEngine.class),
            Map.entry("resample", dev.strider.tests.reference.nets.ResampleNetEngine.class),
            Map.entry("residual", dev.strider.tests.reference.nets.ResidualEngine.class),
            Map.entry("sigmoid", dev.strider.tests.reference.nets.SigmoidNetEngine.class),
            Map.entry("softmax_mse", dev.strider.tests.reference.nets.SoftmaxMseEngine.class),
            Map.entry("tanh", dev.strider.tests.reference.nets.TanhNetEngine.class)));

    static Stream<Arguments> cases() {
        return CASES.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @Test
    void everyReferenceFileHasACase() throws URISyntaxException {
        Path root = Path.of(PyTorchReferenceTest.class.getResource("/reference").toURI());
        List<String> dirs = new ArrayList<>();
        for (var f : root.toFile().listFiles()) {
            if (f.isDirectory()) {
                dirs.add(f.getName());
            }
        }
        dirs.sort(null);
        assertEquals(new ArrayList<>(CASES.keySet()), dirs);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(String name, Class<? extends GeneratedEngine> type) throws Exception {
        Safetensors.Contents ref = Safetensors.read(Path.of(PyTorchReferenceTest.class.getResource("/reference/" + name + "/reference.safetensors").toURI()));
        List<String> failures = new ArrayList<>();
        float[] input = ref.tensor("input").floats();
        int batch = ref.tensor("input").shape()[0];
        boolean crossEntropy = ref.tensors().containsKey("labels");
        int[] labels = crossEntropy ? toInts(ref.tensor("labels").longs()) : null;
        float[] target = crossEntropy ? null : ref.tensor("target").floats();

        // 1. forward in training mode: the output and the running statistics after one pass
        GeneratedEngine forward = load(type, ref);
        forward.setTraining(true);
        compare("output", forward.forward(input, batch), ref.tensor("output"), failures);
        for (Parameter b : forward.buffers()) {
            compare("after." + b.name(), b.data(), ref.tensor("after." + b.name()), failures);
        }

        // 2. loss and gradients; then two SGD steps with momentum
        GeneratedEngine train = load(type, ref);
        train.setTraining(true);
        float[] inputGrad = new float[input.length];
        float loss = crossEntropy ? train.gradients(input, labels, batch, inputGrad) : train.gradients(input, target, batch, inputGrad);
        compare("loss", new float[] {loss}, ref.tensor("loss"), failures);
        compare("grad.input", inputGrad, ref.tensor("grad.input"), failures);
        for (Parameter p : train.parameters()) {
            compare("grad." + p.name(), p.grad(), ref.tensor("grad." + p.name()), failures);
        }
        if (!train.parameters().isEmpty()) {
            Sgd sgd = Sgd.builder(0.1f).momentum(0.9f).build();
            sgd.step(train.parameters());
            for (Parameter p : train.parameters()) {
                compare("sgd." + p.name(), p.data(), ref.tensor("sgd." + p.name()), failures);
            }
            float loss2 = crossEntropy ? train.gradients(input, labels, batch, null) : train.gradients(input, target, batch, null);
            compare("loss2", new float[] {loss2}, ref.tensor("loss2"), failures);
            sgd.step(train.parameters());
            for (Parameter p : train.parameters()) {
                compare("sgd2." + p.name(), p.data(), ref.tensor("sgd2." + p.name()), failures);
            }
        }

        // 3. evaluation mode (batch norm on its running statistics)
        if (ref.tensors().containsKey("eval.output")) {
            GeneratedEngine eval = load(type, ref);
            eval.setTraining(false);
            compare("eval.output", eval.forward(input, batch), ref.tensor("eval.output"), failures);
        }
        assertTrue(failures.isEmpty(), () -> name + " differs from PyTorch:\n" + String.join("\n", failures));
    }

    /** A new engine with every parameter and buffer set from the file's initial values. */
    private static GeneratedEngine load(Class<? extends GeneratedEngine> type, Safetensors.Contents ref) throws Exception {
        GeneratedEngine e = type.getDeclaredConstructor().newInstance();
        for (List<Parameter> list : List.of(e.parameters(), e.buffers())) {
            for (Parameter p : list) {
                Tensor t = ref.tensor(p.name());
                assertNotNull(t, p.name());
                assertEquals(java.util.Arrays.toString(p.shape()), java.util.Arrays.toString(t.shape()), p.name());
                System.arraycopy(t.floats(), 0, p.data(), 0, p.size());
            }
        }
        return e;
    }

    private static void compare(String what, float[] ours, Tensor theirs, List<String> failures) {
        float[] ref = theirs.floats();
        double max = 0;
        for (float v : ref) {
            max = Math.max(max, Math.abs(v));
        }
        double floor = 1e-5 * max + 1e-6;
        int bad = 0;
        String first = null;
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs((double) ours[i] - ref[i]);
            if (!(err <= RELATIVE * Math.abs(ref[i]) + floor)) {
                if (first == null) {
                    first = String.format("%s[%d]: ours %.8g, PyTorch %.8g", what, i, ours[i], ref[i]);
                }
                bad++;
            }
        }
        if (bad > 0) {
            failures.add(first + " (" + bad + " of " + ref.length + " values off)");
        }
    }

    private static int[] toInts(long[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.toIntExact(values[i]);
        }
        return out;
    }
}
