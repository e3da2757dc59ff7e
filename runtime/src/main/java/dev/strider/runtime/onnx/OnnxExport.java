package dev.strider.runtime.onnx;

import com.google.protobuf.ByteString;
import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.io.AtomicFile;
import dev.strider.runtime.onnx.proto.Onnx.AttributeProto;
import dev.strider.runtime.onnx.proto.Onnx.GraphProto;
import dev.strider.runtime.onnx.proto.Onnx.ModelProto;
import dev.strider.runtime.onnx.proto.Onnx.NodeProto;
import dev.strider.runtime.onnx.proto.Onnx.OperatorSetIdProto;
import dev.strider.runtime.onnx.proto.Onnx.StringStringEntryProto;
import dev.strider.runtime.onnx.proto.Onnx.TensorProto;
import dev.strider.runtime.onnx.proto.Onnx.TensorShapeProto;
import dev.strider.runtime.onnx.proto.Onnx.TypeProto;
import dev.strider.runtime.onnx.proto.Onnx.ValueInfoProto;
import dev.strider.runtime.report.NetworkReport;
import dev.strider.runtime.report.NetworkReport.LayerReport;
import dev.strider.runtime.report.NetworkReport.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a Strider network with its current weights as an ONNX model (opset {@value #OPSET}), for Netron, ONNX Runtime
 * and the rest of the ONNX world. The graph follows the declaration layer by layer: each layer's output is a value
 * named after the layer, fused activations become their own nodes ({@code conv1} is the activation's output,
 * {@code conv1/conv} the convolution's), and every weight is an initializer under the engine's tensor name
 * ({@code conv1.weight}, {@code bn1.running_mean}, ...). The batch dimension is symbolic ({@code batch}).
 *
 * <p>The model is for inference: dropout is an identity and batch normalization uses the running statistics, which
 * is what {@link Engine#forward} computes in evaluation mode. A network whose {@link Engine#outputsProbabilities()}
 * ends in its softmax, as {@code forward} does.
 *
 * <p>Every layer kind has an ONNX form. Where ONNX's own operator means something else, the export spells the
 * layer out in plainer operators: pooling with ceil rounding gets explicit extra padding (never counted, as in
 * PyTorch) instead of ONNX's {@code ceil_mode}; adaptive average pooling with bins of different sizes becomes one
 * {@code Slice} and {@code ReduceMean} per bin; local response normalization over an even number of channels (whose
 * window ONNX centres the other way) becomes a convolution of the squares over the channel axis.
 */
public final class OnnxExport {
    /** The operator set the models use. */
    public static final int OPSET = 13;
    /** The ONNX IR version that goes with opset 13. */
    static final int IR_VERSION = 7;

    private final Engine engine;
    private final NetworkReport report;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Map<String, Parameter> tensors = new HashMap<>();
    private final List<String> unsupported = new ArrayList<>();

    private OnnxExport(Engine engine, NetworkReport report) {
        this.engine = engine;
        this.report = report;
        engine.parameters().forEach(p -> tensors.put(p.name(), p));
        engine.buffers().forEach(p -> tensors.put(p.name(), p));
    }

    /**
     * Writes {@code engine}'s network and weights to {@code file} (atomically). The network's report is found on the
     * engine's class path by the generated engine's name ({@code <Network>Engine} or {@code <Network>CudaEngine}).
     */
    public static void write(Engine engine, Path file) throws IOException {
        write(engine, reportOf(engine), file);
    }

    /** Writes {@code engine}'s weights with the graph of {@code report} (the engine's network) to {@code file}. */
    public static void write(Engine engine, NetworkReport report, Path file) throws IOException {
        write(model(engine, report), file);
    }

    /** Writes {@code model} to {@code file} (atomically: a reader sees the old file or the whole new one). */
    public static void write(ModelProto model, Path file) throws IOException {
        byte[] bytes = model.toByteArray();
        AtomicFile.replace(file, out -> {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                out.write(b);
            }
        });
    }

    /** The ONNX model of {@code engine}'s network and weights. */
    public static ModelProto model(Engine engine, NetworkReport report) {
        return new OnnxExport(engine, report).build();
    }

    /** The report of the network {@code engine} runs, from the generated engine's class name. */
    public static NetworkReport reportOf(Engine engine) {
        String engineClass = engine.getClass().getName();
        for (String suffix : List.of("CudaEngine", "Engine")) {
            if (engineClass.endsWith(suffix)) {
                return NetworkReport.load(engineClass.substring(0, engineClass.length() - suffix.length()), engine.getClass().getClassLoader());
            }
        }
        throw new IllegalArgumentException(engineClass + " is not a generated Strider engine (<Network>Engine); pass the network's report");
    }

    private ModelProto build() {
        if (report.input().size() != 3 && report.input().size() != 1) {
            throw new IllegalArgumentException(report.name() + ": input shape " + report.input() + " is neither [C, H, W] nor flat");
        }
        List<Long> in = new ArrayList<>(report.input());
        graph.setName(report.name());
        graph.addInput(value("input", in));
        String last = "input";
        for (LayerReport l : report.layers()) {
            if (l.op() == null) {
                throw new IllegalArgumentException(report.name() + ": the report of layer " + l.name() + " has no op; rebuild the network with this "
                        + "version of strider-processor");
            }
            layer(l);
            last = l.name();
        }
        if (engine.outputsProbabilities() && !graph.getNode(graph.getNodeCount() - 1).getOpType().equals("Softmax")) {
            // forward returns the softmax of the last layer's values, which the loss took fused: apply it here
            graph.getNodeBuilder(graph.getNodeCount() - 1).setOutput(0, last + "/logits");
            node("Softmax", last + "/softmax", List.of(last + "/logits"), last, integer("axis", 1));
        }
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException(report.name() + " cannot be written as ONNX: " + String.join("; ", unsupported));
        }
        graph.addOutput(value(last, report.output()));
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("Strider")
                .setProducerVersion(OnnxExport.class.getPackage().getImplementationVersion() == null ? "dev"
                        : OnnxExport.class.getPackage().getImplementationVersion())
                .setDocString(report.qualifiedName() + ": exported by Strider from the engine's current weights")
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("strider.network").setValue(report.qualifiedName()))
                .setGraph(graph)
                .build();
    }

    private static ValueInfoProto value(String name, List<Long> shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : shape) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s)))
                .build();
    }

    // ---- layers

    private void layer(LayerReport l) {
        Op op = l.op();
        String name = l.name();
        List<String> inputs = l.inputs();
        String x = inputs.get(0);
        switch (op.kind()) {
            case "conv" -> {
                String conv = activated(op) ? name + "/conv" : name;
                node("Conv", name, withWeights(op, x), conv, ints("kernel_shape", op.kernel()), ints("strides", op.stride()),
                        ints("dilations", op.dilation()), ints("pads", op.pads()), integer("group", op.groups()));
                activation(op, name, conv, name);
            }
            case "conv_transpose" -> {
                String conv = activated(op) ? name + "/conv_transpose" : name;
                node("ConvTranspose", name, withWeights(op, x), conv, ints("kernel_shape", op.kernel()), ints("strides", op.stride()),
                        ints("dilations", op.dilation()), ints("pads", op.pads()), ints("output_padding", op.outputPadding()),
                        integer("group", op.groups()));
                activation(op, name, conv, name);
            }
            case "max_pool" -> node("MaxPool", name, List.of(x), name, ints("kernel_shape", op.kernel()), ints("strides", op.stride()),
                    ints("pads", ceilPads(l, op.pads())));
            case "avg_pool" -> {
                List<Integer> declared = op.pads();
                if (Boolean.TRUE.equals(op.countPadding()) && declared.stream().anyMatch(p -> p != 0)) {
                    // the declared padding counts in the divisor, the ceil overflow does not (PyTorch): pad with zeros
                    // first, then pool with only the overflow left out of the count
                    String padded = constant(name + "/pads", new long[] {0, 0, declared.get(0), declared.get(1), 0, 0, declared.get(2), declared.get(3)});
                    node("Pad", name + "/pad", List.of(x, padded), name + "/pad", string("mode", "constant"));
                    node("AveragePool", name, List.of(name + "/pad"), name, ints("kernel_shape", op.kernel()), ints("strides", op.stride()),
                            ints("pads", overflow(l, declared, List.of(0, 0, 0, 0))), integer("count_include_pad", 0));
                } else {
                    node("AveragePool", name, List.of(x), name, ints("kernel_shape", op.kernel()), ints("strides", op.stride()),
                            ints("pads", ceilPads(l, declared)), integer("count_include_pad", 0));
                }
            }
            case "l2_pool" -> node("LpPool", name, List.of(x), name, integer("p", 2), ints("kernel_shape", op.kernel()), ints("strides", op.stride()),
                    ints("pads", ceilPads(l, op.pads())));
            case "global_avg_pool" -> node("GlobalAveragePool", name, List.of(x), name);
            case "adaptive_avg_pool" -> {
                long ih = l.in().get(1);
                long iw = l.in().get(2);
                int oh = op.outputSize().get(0);
                int ow = op.outputSize().get(1);
                if (oh == 1 && ow == 1) {
                    node("GlobalAveragePool", name, List.of(x), name);
                } else if (ih % oh == 0 && iw % ow == 0) {
                    List<Integer> window = List.of((int) (ih / oh), (int) (iw / ow));
                    node("AveragePool", name, List.of(x), name, ints("kernel_shape", window), ints("strides", window));
                } else {
                    adaptiveBins(name, x, (int) ih, (int) iw, oh, ow);
                }
            }
            case "dense" -> {
                String flat = x;
                if (l.in().size() > 1) {
                    flat = name + "/flatten";
                    node("Flatten", name + "/flatten", List.of(x), flat, integer("axis", 1));
                }
                String gemm = activated(op) ? name + "/gemm" : name;
                node("Gemm", name, withWeights(op, flat), gemm, integer("transB", 1));
                activation(op, name, gemm, name);
            }
            case "activation" -> {
                if (activated(op)) {
                    activation(op, name, x, name);
                } else {
                    node("Identity", name, List.of(x), name);
                }
            }
            case "batch_norm" -> node("BatchNormalization", name,
                    List.of(x, weight(op, "weight"), weight(op, "bias"), weight(op, "running_mean"), weight(op, "running_var")), name,
                    real("epsilon", op.epsilon()), real("momentum", 1 - op.momentum()));
            case "dropout", "identity" -> node("Identity", name, List.of(x), name);
            case "flatten" -> node("Flatten", name, List.of(x), name, integer("axis", 1));
            case "upsample" -> {
                String scales = constant(name + "/scales", new float[] {1, 1, op.scale().get(0), op.scale().get(1)});
                if ("bilinear".equals(op.mode())) {
                    node("Resize", name, List.of(x, "", scales), name, string("mode", "linear"),
                            string("coordinate_transformation_mode", "pytorch_half_pixel"));
                } else {
                    node("Resize", name, List.of(x, "", scales), name, string("mode", "nearest"),
                            string("coordinate_transformation_mode", "asymmetric"), string("nearest_mode", "floor"));
                }
            }
            case "channel_shuffle" -> {
                long c = l.in().get(0);
                long h = l.in().get(1);
                long w = l.in().get(2);
                int g = op.groups();
                String split = constant(name + "/groups_shape", new long[] {0, g, c / g, h, w});
                String back = constant(name + "/shape", new long[] {0, c, h, w});
                node("Reshape", name + "/split", List.of(x, split), name + "/split");
                node("Transpose", name + "/transpose", List.of(name + "/split"), name + "/transpose", ints("perm", List.of(0, 2, 1, 3, 4)));
                node("Reshape", name, List.of(name + "/transpose", back), name);
            }
            case "lrn" -> {
                if (op.localSize() % 2 == 1 && l.in().size() == 3) {
                    node("LRN", name, List.of(x), name, integer("size", op.localSize()), real("alpha", op.alpha().floatValue()),
                            real("beta", op.beta().floatValue()), real("bias", op.k().floatValue()));
                } else {
                    evenLrn(l, x);
                }
            }
            case "add" -> {
                String sum = inputs.get(0);
                for (int i = 1; i < inputs.size(); i++) {
                    boolean finalSum = i == inputs.size() - 1 && !activated(op);
                    String out = finalSum ? name : name + "/sum" + i;
                    node("Add", out, List.of(sum, inputs.get(i)), out);
                    sum = out;
                }
                if (activated(op)) {
                    activation(op, name, sum, name);
                }
            }
            case "concat" -> node("Concat", name, inputs, name, integer("axis", 1));
            default -> unsupported.add("layer " + name + " (op " + op.kind() + ")");
        }
    }

    /** A weighted layer's node inputs: {@code x}, the weight and the bias if it has one. */
    private List<String> withWeights(Op op, String x) {
        List<String> args = new ArrayList<>(List.of(x, weight(op, "weight")));
        if (Boolean.TRUE.equals(op.bias())) {
            args.add(weight(op, "bias"));
        }
        return args;
    }

    /** Whether a layer has an activation of its own to add after its main node. */
    private static boolean activated(Op op) {
        return op.activation() != null && !op.activation().equals("NONE");
    }

    /** The activation node (if any) from {@code in} to {@code out}. */
    private void activation(Op op, String layer, String in, String out) {
        if (!activated(op)) {
            return;
        }
        String node = layer + "/" + op.activation().toLowerCase(Locale.ROOT);
        switch (op.activation()) {
            case "RELU" -> node("Relu", node, List.of(in), out);
            case "LEAKY_RELU" -> node("LeakyRelu", node, List.of(in), out, real("alpha", op.slope()));
            case "RELU6" -> node("Clip", node, List.of(in, constant(layer + "/min", 0f), constant(layer + "/max", 6f)), out);
            case "SIGMOID" -> node("Sigmoid", node, List.of(in), out);
            case "TANH" -> node("Tanh", node, List.of(in), out);
            case "SOFTMAX" -> node("Softmax", node, List.of(in), out, integer("axis", 1));
            default -> unsupported.add("layer " + layer + " (activation " + op.activation() + ")");
        }
    }

    /**
     * A pooling window's padding with the ceil rounding's overflow added at the bottom and right: the windows that
     * rounding up adds reach past the declared padding, and that overflow never counts (as in PyTorch), which ONNX's
     * own ceil mode does not promise. With these pads the floor rounding ONNX uses gives the layer's output size.
     */
    private static List<Integer> ceilPads(LayerReport l, List<Integer> declared) {
        return overflow(l, declared, declared);
    }

    /** {@code base} with the ceil overflow of a window over the input padded by {@code declared} added at the end. */
    private static List<Integer> overflow(LayerReport l, List<Integer> declared, List<Integer> base) {
        Op op = l.op();
        List<Integer> pads = new ArrayList<>(base);
        for (int axis = 0; axis < 2; axis++) {
            long in = l.in().get(axis + 1) + declared.get(axis) + declared.get(axis + 2);
            long out = l.out().get(axis + 1);
            long needed = (out - 1) * op.stride().get(axis) + (long) op.dilation().get(axis) * (op.kernel().get(axis) - 1) + 1;
            pads.set(axis + 2, pads.get(axis + 2) + (int) Math.max(0, needed - in));
        }
        return pads;
    }

    /**
     * Adaptive average pooling whose bins differ in size (PyTorch's bins: rows {@code floor(i * in / out)} to
     * {@code ceil((i + 1) * in / out)}): one {@code Slice} and {@code ReduceMean} per bin, joined by {@code Concat}.
     */
    private void adaptiveBins(String name, String x, int ih, int iw, int oh, int ow) {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < oh; i++) {
            int y0 = (int) ((long) i * ih / oh);
            int y1 = (int) (((long) (i + 1) * ih + oh - 1) / oh);
            List<String> bins = new ArrayList<>();
            for (int j = 0; j < ow; j++) {
                int x0 = (int) ((long) j * iw / ow);
                int x1 = (int) (((long) (j + 1) * iw + ow - 1) / ow);
                String bin = name + "/bin" + i + "_" + j;
                node("Slice", bin + "/slice", List.of(x, constant(bin + "/starts", new long[] {y0, x0}), constant(bin + "/ends", new long[] {y1, x1}),
                        constant(bin + "/axes", new long[] {2, 3})), bin + "/slice");
                node("ReduceMean", bin, List.of(bin + "/slice"), bin, ints("axes", List.of(2, 3)), integer("keepdims", 1));
                bins.add(bin);
            }
            String row = oh == 1 ? name : name + "/row" + i;
            node("Concat", row, bins, row, integer("axis", 3));
            rows.add(row);
        }
        if (oh > 1) {
            node("Concat", name, rows, name, integer("axis", 2));
        }
    }

    /**
     * Local response normalization over an even number of channels, or over a flat vector. PyTorch (and Strider) sum
     * the squares over {@code size / 2} channels before and {@code size / 2 - 1} after; ONNX's {@code LRN} the other
     * way round, and only over images. So the sum is a convolution of the squares with a column of ones over the
     * channel axis, padded as PyTorch pads: {@code x / (k + alpha / size * sum)^beta}.
     */
    private void evenLrn(LayerReport l, String x) {
        Op op = l.op();
        String name = l.name();
        long c = l.in().get(0);
        long plane = l.in().size() == 3 ? l.in().get(1) * l.in().get(2) : 1;
        long[] shape = l.in().size() == 3 ? new long[] {0, c, l.in().get(1), l.in().get(2)} : new long[] {0, c};
        int size = op.localSize();
        node("Mul", name + "/square", List.of(x, x), name + "/square");
        node("Reshape", name + "/columns", List.of(name + "/square", constant(name + "/columns_shape", new long[] {0, 1, c, plane})), name + "/columns");
        float[] ones = new float[size];
        Arrays.fill(ones, 1f);
        String kernel = name + "/window";
        graph.addInitializer(floats(kernel, ones, size, 1, 1, size, 1));
        node("Conv", name + "/sum", List.of(name + "/columns", kernel), name + "/sum", ints("kernel_shape", List.of(size, 1)),
                ints("pads", List.of(size / 2, 0, (size - 1) / 2, 0)));
        node("Reshape", name + "/sums", List.of(name + "/sum", constant(name + "/shape", shape)), name + "/sums");
        node("Mul", name + "/scaled", List.of(name + "/sums", constant(name + "/alpha", (float) (op.alpha() / size))), name + "/scaled");
        node("Add", name + "/shifted", List.of(name + "/scaled", constant(name + "/k", op.k().floatValue())), name + "/shifted");
        node("Pow", name + "/denominator", List.of(name + "/shifted", constant(name + "/beta", op.beta().floatValue())), name + "/denominator");
        node("Div", name, List.of(x, name + "/denominator"), name);
    }

    // ---- nodes, attributes and initializers

    private void node(String type, String name, List<String> inputs, String output, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(type).setName(name).addAllInput(inputs).addOutput(output);
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        graph.addNode(n);
    }

    /** The initializer of the layer's tensor in {@code role}; its name. */
    private String weight(Op op, String role) {
        String name = op.tensors() == null ? null : op.tensors().get(role);
        Parameter p = name == null ? null : tensors.get(name);
        if (p == null) {
            throw new IllegalStateException(report.name() + ": the engine has no " + role + " tensor " + name);
        }
        graph.addInitializer(floats(name, p.data(), p.size(), Arrays.stream(p.shape()).asLongStream().toArray()));
        return name;
    }

    /** A float tensor of the first {@code count} of {@code values}, little-endian raw data, shaped {@code dims}. */
    private static TensorProto floats(String name, float[] values, int count, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values, 0, count);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    /** A float constant: a scalar for one value, else a vector. */
    private String constant(String name, float... values) {
        graph.addInitializer(floats(name, values, values.length, values.length == 1 ? new long[0] : new long[] {values.length}));
        return name;
    }

    private String constant(String name, long[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length).setRawData(ByteString.copyFrom(bytes.array())));
        return name;
    }

    private static AttributeProto ints(String name, List<Integer> values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        values.forEach(v -> a.addInts(v));
        return a.build();
    }

    private static AttributeProto integer(String name, int value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    private static AttributeProto string(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }
}
