package dev.strider.runtime.onnx;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.strider.runtime.io.Tensor;
import dev.strider.runtime.onnx.OnnxGraph.Constant;
import dev.strider.runtime.onnx.proto.Onnx.ModelProto;
import dev.strider.runtime.onnx.proto.Onnx.NodeProto;
import dev.strider.runtime.onnx.proto.Onnx.TensorShapeProto;
import dev.strider.runtime.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * ONNX to Strider: reads a model and maps its graph, node by node, onto the layers of a Strider declaration
 * ({@link ImportedNetwork}), with its weights under Strider's tensor names.
 *
 * <p>Each supported operator becomes one layer named after the node's module path ({@code /layer1/layer1.0/conv1/Conv}
 * becomes {@code layer1_0_conv1}); an activation that is the only consumer of a convolution, dense layer or sum is
 * fused into it ({@code activation = RELU}); {@code Identity}, {@code Dropout} (inference) and {@code Constant}
 * nodes become nothing; a {@code MatMul} and the {@code Add} of its bias become one dense layer; nodes that do not lead
 * to the output are left out. Everything the import cannot map (an operator Strider has no layer for, or one used in a
 * way no layer computes: asymmetric padding, a concatenation along the width, a constant addend, ...) is collected,
 * and the import fails with every such node listed by position, name and operator in one {@link OnnxImportException}.
 */
public final class OnnxImport {
    /** The operators the import maps to layers (or to nothing). */
    public static final List<String> OPERATORS = List.of("Conv", "ConvTranspose", "Gemm", "MatMul", "BatchNormalization", "Relu", "LeakyRelu",
            "Sigmoid", "Tanh", "Clip", "Softmax", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Add", "Sum", "Concat",
            "LRN", "Dropout", "Identity", "Constant");

    /** A tensor of the graph: the layer that computes it ({@code "input"} for the network's input) and its shape. */
    private record Value(String layer, int[] shape, boolean flat) {}

    /** A layer being built. */
    private static final class Draft {
        final String name;
        final String annotation;
        final LinkedHashMap<String, String> attributes = new LinkedHashMap<>();
        final List<String> inputs;
        final List<String> nodes = new ArrayList<>();
        final List<Tensor> tensors = new ArrayList<>();
        int[] shape;
        boolean flat;
        long parameters;
        /** Whether an activation can be fused into it. */
        boolean fusable;

        Draft(String name, String annotation, List<String> inputs) {
            this.name = name;
            this.annotation = annotation;
            this.inputs = inputs;
        }
    }

    private final OnnxGraph graph;
    private final String source;
    private final String className;
    private final int maxBatchOption;
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, Draft> drafts = new LinkedHashMap<>();
    private final Map<String, Integer> consumers = new HashMap<>();
    private final Set<String> names = new HashSet<>();
    private final Set<Integer> absorbed = new HashSet<>();
    private final List<String> problems = new ArrayList<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private boolean floor;
    private NodeProto node;
    private int position;

    private OnnxImport(ModelProto model, String source, String className, int maxBatch) {
        this.graph = new OnnxGraph(model);
        this.source = source;
        this.className = className;
        this.maxBatchOption = maxBatch;
    }

    /**
     * Reads {@code file} as the network {@code className} for batches of up to {@code maxBatch} images (0: the model's
     * batch size when it is fixed, else 1).
     *
     * @throws OnnxImportException listing every node the import cannot map, or saying why the file is no model it reads
     */
    public static ImportedNetwork read(Path file, String className, int maxBatch) throws IOException {
        ModelProto model;
        try (InputStream in = Files.newInputStream(file)) {
            model = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxImportException(file + " is not an ONNX model (" + e.getMessage() + ")");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new OnnxImportException(file + ": no such file");
        }
        return read(model, file.getFileName().toString(), className, maxBatch);
    }

    /** As {@link #read(Path, String, int)}, for a model in memory; {@code source} names it in messages and comments. */
    public static ImportedNetwork read(ModelProto model, String source, String className, int maxBatch) {
        if (!SourceVersion.isIdentifier(className) || SourceVersion.isKeyword(className)) {
            throw new IllegalArgumentException("\"" + className + "\" is not a Java class name");
        }
        if (maxBatch < 0) {
            throw new IllegalArgumentException("maxBatch must be positive (or 0 for the model's own), not " + maxBatch);
        }
        return new OnnxImport(model, source, className, maxBatch).convert();
    }

    // ---- the graph, node by node

    private ImportedNetwork convert() {
        var g = graph.model.getGraph();
        if (!graph.model.hasGraph() || g.getNodeCount() == 0) {
            throw new OnnxImportException(source + " holds no graph (no nodes)");
        }
        int[] input = input();
        for (NodeProto n : g.getNodeList()) {
            for (String in : n.getInputList()) {
                consumers.merge(in, 1, Integer::sum);
            }
        }
        for (ValueInfoProto o : g.getOutputList()) {
            consumers.merge(o.getName(), 1, Integer::sum);
            graphOutputs.add(o.getName());
        }
        for (position = 0; position < g.getNodeCount(); position++) {
            node = g.getNode(position);
            if (absorbed.contains(position)) {
                continue;
            }
            try {
                convertNode();
            } catch (Unsupported u) {
                problems.add(label() + ": " + u.getMessage());
                unknown();
            } catch (Skipped s) {
                unknown();   // after a node that was reported: its shapes are unknown, so it is not checked
            }
        }
        if (g.getOutputCount() != 1) {
            problems.add("the graph has " + g.getOutputCount() + " outputs (" + String.join(", ", g.getOutputList().stream().map(ValueInfoProto::getName).toList())
                    + "): a Strider network has one");
        }
        if (!problems.isEmpty()) {
            throw new OnnxImportException(source + " cannot be imported: " + problems.size() + (problems.size() == 1 ? " node" : " nodes")
                    + " Strider cannot map:\n  " + String.join("\n  ", problems) + "\nStrider maps " + String.join(", ", OPERATORS) + ".");
        }
        Value out = values.get(g.getOutput(0).getName());
        if (out == null || out.layer() == null || out.layer().equals("input")) {
            throw new OnnxImportException(source + ": the output " + g.getOutput(0).getName() + " is not computed by any layer");
        }
        List<ImportedNetwork.Layer> layers = new ArrayList<>();
        List<Tensor> tensors = new ArrayList<>();
        String previous = "input";
        for (Draft d : reachable(out.layer())) {
            List<String> from = d.inputs.size() == 1 && d.inputs.get(0).equals(previous) ? List.of() : d.inputs;
            layers.add(new ImportedNetwork.Layer(d.name, d.annotation, d.attributes, from, d.nodes, d.shape, d.flat, d.parameters));
            tensors.addAll(d.tensors);
            previous = d.name;
        }
        int batch = maxBatchOption > 0 ? maxBatchOption : Math.max(1, input[3]);
        String producer = (graph.model.getProducerName() + " " + graph.model.getProducerVersion()).trim();
        return new ImportedNetwork(className, source, producer, graph.opset, input, batch, floor, g.getNodeCount(), layers, tensors);
    }

    /** The layers the output depends on, in graph order. */
    private List<Draft> reachable(String output) {
        Set<String> keep = new HashSet<>();
        List<String> todo = new ArrayList<>(List.of(output));
        while (!todo.isEmpty()) {
            String n = todo.remove(todo.size() - 1);
            if (!n.equals("input") && keep.add(n)) {
                todo.addAll(drafts.get(n).inputs);
            }
        }
        return drafts.values().stream().filter(d -> keep.contains(d.name)).toList();
    }

    /** The graph's one real input (not an initializer): channels, height, width, and the batch size (0 when symbolic). */
    private int[] input() {
        var g = graph.model.getGraph();
        List<ValueInfoProto> inputs = g.getInputList().stream().filter(i -> !graph.constants.containsKey(i.getName())).toList();
        if (inputs.size() != 1) {
            throw new OnnxImportException(source + " has " + inputs.size() + " inputs (" + String.join(", ", inputs.stream().map(ValueInfoProto::getName).toList())
                    + "): a Strider network has one image (or vector) input");
        }
        ValueInfoProto in = inputs.get(0);
        var type = in.getType().getTensorType();
        if (type.getElemType() != 1) {
            throw new OnnxImportException(source + ": input " + in.getName() + " has element type " + type.getElemType() + "; Strider networks take float (1)");
        }
        List<TensorShapeProto.Dimension> dims = type.getShape().getDimList();
        if (dims.size() != 4 && dims.size() != 2) {
            throw new OnnxImportException(source + ": input " + in.getName() + " has " + dims.size()
                    + " dimensions; Strider takes images [batch, channels, height, width] or vectors [batch, features]");
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < dims.size(); i++) {
            var d = dims.get(i);
            shape[i] = d.hasDimValue() ? Math.toIntExact(d.getDimValue()) : 0;
            if (i > 0 && shape[i] <= 0) {
                throw new OnnxImportException(source + ": input " + in.getName() + " has a symbolic or empty dimension " + i + " ("
                        + (d.hasDimParam() ? d.getDimParam() : "?") + "); only the batch may vary: export the model with a fixed image size");
            }
        }
        boolean image = shape.length == 4;
        int[] chw = image ? new int[] {shape[1], shape[2], shape[3]} : new int[] {shape[1], 1, 1};
        values.put(in.getName(), new Value("input", chw, !image));
        return new int[] {chw[0], chw[1], chw[2], shape[0]};
    }

    private void unknown() {
        for (String out : node.getOutputList()) {
            values.put(out, new Value(null, null, false));
        }
    }

    private String label() {
        String name = node.getName().isEmpty() ? "(unnamed)" : "\"" + node.getName() + "\"";
        return "node " + position + " " + name + " (" + node.getOpType() + ")";
    }

    private void convertNode() {
        String op = node.getOpType();
        if (!node.getDomain().isEmpty() && !node.getDomain().equals("ai.onnx")) {
            throw new Unsupported("an operator of domain " + node.getDomain() + ", which Strider has no layer for");
        }
        switch (op) {
            case "Constant" -> constantNode();
            case "Identity", "Dropout" -> passThrough();
            case "Conv" -> conv();
            case "ConvTranspose" -> convTranspose();
            case "Gemm" -> gemm();
            case "MatMul" -> matMul();
            case "BatchNormalization" -> batchNorm();
            case "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip" -> activation(op);
            case "Softmax" -> softmax();
            case "MaxPool", "AveragePool" -> pool(op.equals("MaxPool"));
            case "GlobalAveragePool" -> globalAveragePool();
            case "Flatten" -> flatten();
            case "Reshape" -> reshape();
            case "Add", "Sum" -> add();
            case "Concat" -> concat();
            case "LRN" -> lrn();
            default -> throw new Unsupported("Strider has no layer for " + op);
        }
    }

    // ---- nodes that make no layer

    private void constantNode() {
        var a = OnnxGraph.attribute(node, "value");
        Constant c = a == null ? null : OnnxGraph.constant(a.getT());
        if (c == null) {
            throw new Unsupported("a constant the import cannot read (only a numeric 'value' tensor)");
        }
        graph.constants.put(node.getOutput(0), c);
    }

    private void passThrough() {
        String in = node.getInput(0);
        if (graph.constants.containsKey(in)) {
            graph.constants.put(node.getOutput(0), graph.constants.get(in));
            return;
        }
        if (node.getOpType().equals("Dropout") && node.getOutputCount() > 1 && used(node.getOutput(1))) {
            throw new Unsupported("its mask output is used");
        }
        values.put(node.getOutput(0), value(0));
    }

    // ---- layers

    private void conv() {
        Value x = image(0);
        Constant w = weight(1, 4, "weight");
        Constant b = optional(2);
        int group = (int) OnnxGraph.integer(node, "group", 1);
        int[] k = {(int) w.dims()[2], (int) w.dims()[3]};
        int[] s = pair("strides", 1);
        int[] d = pair("dilations", 1);
        int[] p = pads();
        if (w.dims()[1] * group != x.shape()[0]) {
            throw new Unsupported("its weight " + w.shape() + " in " + group + " group(s) takes " + w.dims()[1] * group
                    + " channels, but its input has " + x.shape()[0]);
        }
        int oh = window(x.shape()[1], k[0], s[0], p[0], d[0], false, "height");
        int ow = window(x.shape()[2], k[1], s[1], p[1], d[1], false, "width");
        Draft l = layer("Conv", List.of(x.layer()));
        int filters = (int) w.dims()[0];
        l.attributes.put("filters", Integer.toString(filters));
        l.attributes.put("kernel", pairText(k));
        putIf(l, "stride", s, 1);
        putIf(l, "padding", p, 0);
        putIf(l, "dilation", d, 1);
        if (group != 1) {
            l.attributes.put("groups", Integer.toString(group));
        }
        weights(l, w, w.floats(), b, filters);
        l.shape = new int[] {filters, oh, ow};
        l.fusable = true;
        result(l, false);
    }

    private void convTranspose() {
        Value x = image(0);
        Constant w = weight(1, 4, "weight");
        Constant b = optional(2);
        if (OnnxGraph.attribute(node, "output_shape") != null) {
            throw new Unsupported("output_shape is given: export it with pads and output_padding instead");
        }
        int group = (int) OnnxGraph.integer(node, "group", 1);
        int[] k = {(int) w.dims()[2], (int) w.dims()[3]};
        int[] s = pair("strides", 1);
        int[] d = pair("dilations", 1);
        int[] op = pair("output_padding", 0);
        int[] p = pads();
        if (w.dims()[0] != x.shape()[0]) {
            throw new Unsupported("its weight " + w.shape() + " takes " + w.dims()[0] + " channels, but its input has " + x.shape()[0]);
        }
        int filters = (int) w.dims()[1] * group;
        Draft l = layer("ConvTranspose", List.of(x.layer()));
        l.attributes.put("filters", Integer.toString(filters));
        l.attributes.put("kernel", pairText(k));
        putIf(l, "stride", s, 1);
        putIf(l, "padding", p, 0);
        putIf(l, "outputPadding", op, 0);
        putIf(l, "dilation", d, 1);
        if (group != 1) {
            l.attributes.put("groups", Integer.toString(group));
        }
        weights(l, w, w.floats(), b, filters);
        l.shape = new int[] {filters, (x.shape()[1] - 1) * s[0] - 2 * p[0] + d[0] * (k[0] - 1) + op[0] + 1,
            (x.shape()[2] - 1) * s[1] - 2 * p[1] + d[1] * (k[1] - 1) + op[1] + 1};
        l.fusable = true;
        result(l, false);
    }

    private void gemm() {
        Value x = value(0);
        Constant b = weight(1, 2, "B");
        Constant c = optional(2);
        if (OnnxGraph.integer(node, "transA", 0) != 0) {
            throw new Unsupported("transA = 1: its input is transposed");
        }
        boolean transB = OnnxGraph.integer(node, "transB", 0) != 0;
        float alpha = OnnxGraph.real(node, "alpha", 1f);
        float beta = OnnxGraph.real(node, "beta", 1f);
        int out = (int) (transB ? b.dims()[0] : b.dims()[1]);
        int in = (int) (transB ? b.dims()[1] : b.dims()[0]);
        float[] w = transB ? b.floats() : transpose(b.floats(), in, out);
        if (alpha != 1f) {
            for (int i = 0; i < w.length; i++) {
                w[i] *= alpha;
            }
        }
        float[] bias = null;
        if (c != null) {
            if (c.size() != out) {
                throw new Unsupported("its C " + c.shape() + " is not one bias per output (" + out + ")");
            }
            bias = c.floats();
            for (int i = 0; i < bias.length; i++) {
                bias[i] *= beta;
            }
        }
        dense(x, w, in, out, bias, null);
    }

    private void matMul() {
        Value x = value(0);
        Constant b = weight(1, 2, "B");
        int in = (int) b.dims()[0];
        int out = (int) b.dims()[1];
        float[] bias = null;
        String add = null;
        // the Add of a bias right after it (nn.Linear as MatMul + Add) is part of the same layer
        String y = node.getOutput(0);
        var g = graph.model.getGraph();
        if (consumers.getOrDefault(y, 0) == 1 && !graphOutputs.contains(y)) {
            for (int j = position + 1; j < g.getNodeCount(); j++) {
                NodeProto n = g.getNode(j);
                if (n.getOpType().equals("Add") && n.getInputCount() == 2 && n.getInputList().contains(y)) {
                    Constant c = graph.constants.get(n.getInput(n.getInput(0).equals(y) ? 1 : 0));
                    if (c != null && c.size() == out) {
                        bias = c.floats();
                        absorbed.add(j);
                        node = node.toBuilder().setOutput(0, n.getOutput(0)).build();
                        add = n.getName().isEmpty() ? "Add #" + j : n.getName();
                    }
                    break;
                }
            }
        }
        dense(x, transpose(b.floats(), in, out), in, out, bias, add);
    }

    /** A dense layer of {@code w} [out, in] and {@code bias}; {@code add} names the node of its bias when that was separate. */
    private void dense(Value x, float[] w, int in, int out, float[] bias, String add) {
        int size = x.shape()[0] * x.shape()[1] * x.shape()[2];
        if (size != in) {
            throw new Unsupported("its weight takes " + in + " values, but its input " + text(x) + " has " + size);
        }
        Draft l = layer("Dense", List.of(x.layer()));
        if (add != null) {
            l.nodes.add(add);
        }
        l.attributes.put("units", Integer.toString(out));
        l.tensors.add(Tensor.f32(l.name + ".weight", new int[] {out, in}, w));
        l.parameters = (long) out * in;
        if (bias != null) {
            l.tensors.add(Tensor.f32(l.name + ".bias", new int[] {out}, bias));
            l.parameters += out;
        } else {
            l.attributes.put("bias", "false");
        }
        l.shape = new int[] {out, 1, 1};
        l.fusable = true;
        result(l, true);
    }

    private void batchNorm() {
        Value x = value(0);
        if (OnnxGraph.integer(node, "training_mode", 0) != 0) {
            throw new Unsupported("training_mode = 1: export the model in evaluation mode");
        }
        for (int o = 1; o < node.getOutputCount(); o++) {
            if (used(node.getOutput(o))) {
                throw new Unsupported("its running statistics outputs are used");
            }
        }
        int c = x.shape()[0];
        Constant[] t = new Constant[4];
        String[] role = {"scale", "B", "mean", "var"};
        for (int i = 0; i < 4; i++) {
            t[i] = graph.constants.get(node.getInput(i + 1));
            if (t[i] == null) {
                throw new Unsupported("its " + role[i] + " is not a constant tensor");
            }
            if (t[i].size() != c) {
                throw new Unsupported("its " + role[i] + " " + t[i].shape() + " is not one value per channel (" + c + ")");
            }
        }
        float epsilon = OnnxGraph.real(node, "epsilon", 1e-5f);
        float momentum = OnnxGraph.real(node, "momentum", 0.9f);
        Draft l = layer("BatchNorm", List.of(x.layer()));
        if (epsilon != 1e-5f) {
            l.attributes.put("epsilon", Float.toString(epsilon));
        }
        // ONNX keeps momentum of the old statistics (0.9); PyTorch and Strider give the new batch's share (0.1)
        double share = Math.round((1.0 - momentum) * 1e6) / 1e6;
        if (share != 0.1) {
            l.attributes.put("momentum", Double.toString(share));
        }
        String[] names = {"weight", "bias", "running_mean", "running_var"};
        for (int i = 0; i < 4; i++) {
            l.tensors.add(Tensor.f32(l.name + "." + names[i], new int[] {c}, t[i].floats()));
        }
        l.parameters = 2L * c;
        l.shape = x.shape().clone();
        result(l, x.flat());
    }

    private void activation(String op) {
        Value x = value(0);
        String activation;
        String slope = null;
        switch (op) {
            case "Relu" -> activation = "RELU";
            case "LeakyRelu" -> {
                activation = "LEAKY_RELU";
                float alpha = OnnxGraph.real(node, "alpha", 0.01f);
                slope = alpha == 0.01f ? null : Float.toString(alpha);
            }
            case "Sigmoid" -> activation = "SIGMOID";
            case "Tanh" -> activation = "TANH";
            default -> activation = clip();
        }
        Draft producer = x.layer() == null ? null : drafts.get(x.layer());
        String in = node.getInput(0);
        if (producer != null && producer.fusable && !producer.attributes.containsKey("activation") && consumers.getOrDefault(in, 0) == 1
                && !graphOutputs.contains(in)) {
            producer.attributes.put("activation", "Activation." + activation);
            if (slope != null) {
                producer.attributes.put("slope", slope);
            }
            producer.nodes.add(nodeName());
            producer.fusable = false;
            values.put(node.getOutput(0), x);
            return;
        }
        String annotation = switch (activation) {
            case "RELU" -> "ReLU";
            case "LEAKY_RELU" -> "LeakyReLU";
            case "RELU6" -> "ReLU6";
            case "SIGMOID" -> "Sigmoid";
            default -> "Tanh";
        };
        Draft l = layer(annotation, List.of(x.layer()));
        if (slope != null) {
            l.attributes.put("slope", slope);
        }
        l.shape = x.shape().clone();
        result(l, x.flat());
    }

    /** A {@code Clip} as the activation it is: [0, 6] is ReLU6, [0, inf) ReLU. */
    private String clip() {
        double min;
        double max;
        if (graph.opset >= 11) {
            min = node.getInputCount() > 1 && !node.getInput(1).isEmpty() ? scalar(1, "min") : Double.NEGATIVE_INFINITY;
            max = node.getInputCount() > 2 && !node.getInput(2).isEmpty() ? scalar(2, "max") : Double.POSITIVE_INFINITY;
        } else {
            min = OnnxGraph.real(node, "min", Float.NEGATIVE_INFINITY);
            max = OnnxGraph.real(node, "max", Float.POSITIVE_INFINITY);
        }
        if (min == 0 && max == 6) {
            return "RELU6";
        }
        if (min == 0 && max == Double.POSITIVE_INFINITY) {
            return "RELU";
        }
        throw new Unsupported("it clips to [" + min + ", " + max + "]: only [0, 6] (ReLU6) and [0, inf) (ReLU) are layers");
    }

    private void softmax() {
        Value x = value(0);
        long axis = OnnxGraph.integer(node, "axis", graph.opset >= 13 ? -1 : 1);
        boolean spatial = !x.flat() && (x.shape()[1] > 1 || x.shape()[2] > 1);
        boolean channels = x.flat() ? axis == 1 || axis == -1 : axis == 1 || axis == -3;
        if (spatial && graph.opset < 13) {
            channels = false; // before opset 13 the softmax runs over everything after the axis
        }
        if (!channels && spatial) {
            throw new Unsupported("a softmax along axis " + axis + " of a " + text(x) + " map: Strider's softmax runs over the channels");
        }
        Draft l = layer("Softmax", List.of(x.layer()));
        l.shape = x.shape().clone();
        result(l, x.flat());
    }

    private void pool(boolean max) {
        Value x = image(0);
        int[] k = pair("kernel_shape", 0);
        int[] s = pair("strides", 1);
        int[] p = pads();
        boolean ceil = OnnxGraph.integer(node, "ceil_mode", 0) != 0;
        if (max) {
            int[] d = pair("dilations", 1);
            if (d[0] != 1 || d[1] != 1) {
                throw new Unsupported("a dilated max pool (dilations " + d[0] + ", " + d[1] + ")");
            }
            if (node.getOutputCount() > 1 && used(node.getOutput(1))) {
                throw new Unsupported("its indices output is used");
            }
        }
        int oh = window(x.shape()[1], k[0], s[0], p[0], 1, ceil, "height");
        int ow = window(x.shape()[2], k[1], s[1], p[1], 1, ceil, "width");
        Draft l = layer(max ? "MaxPool" : "AvgPool", List.of(x.layer()));
        l.attributes.put("window", pairText(k));
        if (s[0] != k[0] || s[1] != k[1]) {
            l.attributes.put("stride", pairText(s));
        }
        putIf(l, "padding", p, 0);
        if (!max && (p[0] > 0 || p[1] > 0) && OnnxGraph.integer(node, "count_include_pad", 0) == 0) {
            l.attributes.put("countPadding", "false");
        }
        if (ceil) {
            l.attributes.put("rounding", "Rounding.CEIL");
        }
        l.shape = new int[] {x.shape()[0], oh, ow};
        result(l, false);
    }

    private void globalAveragePool() {
        Value x = image(0);
        Draft l = layer("GlobalAvgPool", List.of(x.layer()));
        l.shape = new int[] {x.shape()[0], 1, 1};
        result(l, false);
    }

    private void flatten() {
        Value x = value(0);
        long axis = OnnxGraph.integer(node, "axis", 1);
        if (axis != 1) {
            throw new Unsupported("a flatten at axis " + axis + ": only axis 1 (each image to a vector) is a layer");
        }
        flattenLayer(x);
    }

    private void reshape() {
        Value x = value(0);
        Constant shape = graph.constants.get(node.getInput(1));
        if (shape == null) {
            throw new Unsupported("its target shape is computed by the graph, not a constant");
        }
        long size = (long) x.shape()[0] * x.shape()[1] * x.shape()[2];
        double[] v = shape.values();
        boolean flattens = v.length == 2 && (v[0] == 0 || v[0] == -1 || v[0] > 0) && (v[1] == -1 || v[1] == size) && !(v[0] == -1 && v[1] == -1);
        if (!flattens) {
            throw new Unsupported("a reshape to " + java.util.Arrays.toString(shape.values()) + ": only flattening each image to a vector is a layer");
        }
        flattenLayer(x);
    }

    private void flattenLayer(Value x) {
        Draft l = layer("Flatten", List.of(x.layer()));
        l.shape = new int[] {x.shape()[0] * x.shape()[1] * x.shape()[2], 1, 1};
        result(l, true);
    }

    private void add() {
        if (node.getInputCount() < 2) {
            throw new Unsupported("a sum of " + node.getInputCount() + " input");
        }
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < node.getInputCount(); i++) {
            if (graph.constants.containsKey(node.getInput(i))) {
                throw new Unsupported("it adds the constant " + node.getInput(i) + ": only sums of layers' outputs are layers");
            }
            in.add(value(i));
        }
        for (Value v : in) {
            if (!java.util.Arrays.equals(v.shape(), in.get(0).shape())) {
                throw new Unsupported("it adds " + text(in.get(0)) + " and " + text(v) + " (broadcasting): a sum's inputs have one shape");
            }
        }
        Draft l = layer("Add", in.stream().map(Value::layer).toList());
        l.shape = in.get(0).shape().clone();
        l.fusable = true;
        result(l, in.get(0).flat());
    }

    private void concat() {
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < node.getInputCount(); i++) {
            if (graph.constants.containsKey(node.getInput(i))) {
                throw new Unsupported("it concatenates the constant " + node.getInput(i));
            }
            in.add(value(i));
        }
        boolean flat = in.get(0).flat();
        long axis = OnnxGraph.integer(node, "axis", 1);
        if (!(axis == 1 || (flat ? axis == -1 : axis == -3))) {
            throw new Unsupported("a concatenation along axis " + axis + ": only the channel axis (1) is a layer");
        }
        int c = 0;
        for (Value v : in) {
            if (v.shape()[1] != in.get(0).shape()[1] || v.shape()[2] != in.get(0).shape()[2]) {
                throw new Unsupported("it joins " + text(in.get(0)) + " and " + text(v) + ", whose sizes differ");
            }
            c += v.shape()[0];
        }
        Draft l = layer("Concat", in.stream().map(Value::layer).toList());
        l.shape = new int[] {c, in.get(0).shape()[1], in.get(0).shape()[2]};
        result(l, flat);
    }

    private void lrn() {
        Value x = value(0);
        long size = OnnxGraph.integer(node, "size", 0);
        if (size <= 0) {
            throw new Unsupported("it has no size");
        }
        Draft l = layer("LRN", List.of(x.layer()));
        l.attributes.put("size", Long.toString(size));
        float alpha = OnnxGraph.real(node, "alpha", 1e-4f);
        float beta = OnnxGraph.real(node, "beta", 0.75f);
        float bias = OnnxGraph.real(node, "bias", 1f);
        if (alpha != 1e-4f) {
            l.attributes.put("alpha", Float.toString(alpha));
        }
        if (beta != 0.75f) {
            l.attributes.put("beta", Float.toString(beta));
        }
        if (bias != 1f) {
            l.attributes.put("k", Float.toString(bias));
        }
        l.shape = x.shape().clone();
        result(l, x.flat());
    }

    // ---- helpers

    /** Signals a node the import cannot map; the message says why. */
    private static final class Unsupported extends RuntimeException {
        Unsupported(String why) {
            super(why, null, false, false);
        }
    }

    /** Input {@code i}: a layer's output (or the network's input), with a known shape. */
    private Value value(int i) {
        if (node.getInputCount() <= i || node.getInput(i).isEmpty()) {
            throw new Unsupported("input " + i + " is missing");
        }
        String name = node.getInput(i);
        if (graph.constants.containsKey(name)) {
            throw new Unsupported("input " + i + " (" + name + ") is a constant, not a layer's output");
        }
        Value v = values.get(name);
        if (v == null) {
            throw new Unsupported("input " + i + " (" + name + ") is computed by no earlier node");
        }
        if (v.layer() == null) {
            throw new Skipped();
        }
        return v;
    }

    /** A node after one the import could not map: not reported again (its shapes are unknown). */
    private static final class Skipped extends RuntimeException {
        Skipped() {
            super(null, null, false, false);
        }
    }

    private Value image(int i) {
        Value v = value(i);
        if (v.flat()) {
            throw new Unsupported("its input " + text(v) + " is a vector, not an image");
        }
        return v;
    }

    private Constant weight(int i, int rank, String role) {
        if (node.getInputCount() <= i) {
            throw new Unsupported("it has no " + role);
        }
        Constant c = graph.constants.get(node.getInput(i));
        if (c == null) {
            throw new Unsupported("its " + role + " (" + node.getInput(i) + ") is not a constant tensor the import reads (a float initializer)");
        }
        if (c.dims().length != rank) {
            throw new Unsupported("its " + role + " has shape " + c.shape() + (rank == 4 ? ": only 2-D convolutions are layers" : ", not 2 dimensions"));
        }
        return c;
    }

    private Constant optional(int i) {
        if (node.getInputCount() <= i || node.getInput(i).isEmpty()) {
            return null;
        }
        Constant c = graph.constants.get(node.getInput(i));
        if (c == null) {
            throw new Unsupported("its input " + i + " (" + node.getInput(i) + ") is not a constant tensor");
        }
        return c;
    }

    private double scalar(int i, String role) {
        Constant c = graph.constants.get(node.getInput(i));
        if (c == null || c.size() != 1) {
            throw new Unsupported("its " + role + " is not a constant number");
        }
        return c.values()[0];
    }

    private boolean used(String tensor) {
        return !tensor.isEmpty() && consumers.getOrDefault(tensor, 0) > 0;
    }

    /** A two-value attribute ({@code strides}, ...), {@code fallback} for each when absent. */
    private int[] pair(String attribute, int fallback) {
        long[] v = OnnxGraph.integers(node, attribute, null);
        if (v == null) {
            if (fallback == 0 && attribute.equals("kernel_shape")) {
                throw new Unsupported("it has no kernel_shape");
            }
            return new int[] {fallback, fallback};
        }
        if (v.length != 2) {
            throw new Unsupported(attribute + " has " + v.length + " values: only 2-D layers are supported");
        }
        return new int[] {(int) v[0], (int) v[1]};
    }

    /** Symmetric padding (top = bottom, left = right) as {height, width}; {@code auto_pad} only NOTSET or VALID. */
    private int[] pads() {
        String auto = OnnxGraph.text(node, "auto_pad", "NOTSET");
        if (!auto.equals("NOTSET") && !auto.equals("VALID")) {
            throw new Unsupported("auto_pad = " + auto + ": export it with explicit pads");
        }
        long[] p = OnnxGraph.integers(node, "pads", new long[4]);
        if (p.length != 4) {
            throw new Unsupported("pads has " + p.length + " values: only 2-D layers are supported");
        }
        if (p[0] != p[2] || p[1] != p[3]) {
            throw new Unsupported("asymmetric padding " + java.util.Arrays.toString(p) + " (top, left, bottom, right): Strider pads both sides alike");
        }
        return new int[] {(int) p[0], (int) p[1]};
    }

    /** The output size along one dimension, noting when ONNX's rounding down drops part of the input. */
    private int window(int in, int k, int s, int p, int d, boolean ceil, String dimension) {
        int span = in + 2 * p - (d * (k - 1) + 1);
        if (span < 0) {
            throw new Unsupported("its window (" + k + ", dilation " + d + ") is larger than its padded input " + dimension + " (" + (in + 2 * p) + ")");
        }
        if (ceil) {
            int out = (span + s - 1) / s + 1;
            // as PyTorch and Strider: a last window that starts in the padding is dropped
            return (out - 1) * s >= in + p ? out - 1 : out;
        }
        if (span % s != 0) {
            floor = true;
        }
        return span / s + 1;
    }

    private static String pairText(int[] v) {
        return v[0] == v[1] ? Integer.toString(v[0]) : "{" + v[0] + ", " + v[1] + "}";
    }

    private static void putIf(Draft l, String attribute, int[] v, int fallback) {
        if (v[0] != fallback || v[1] != fallback) {
            l.attributes.put(attribute, pairText(v));
        }
    }

    private static void weights(Draft l, Constant w, float[] values, Constant b, int filters) {
        int[] shape = new int[w.dims().length];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = (int) w.dims()[i];
        }
        l.tensors.add(Tensor.f32(l.name + ".weight", shape, values));
        l.parameters = values.length;
        if (b == null) {
            l.attributes.put("bias", "false");
            return;
        }
        if (b.size() != filters) {
            throw new Unsupported("its bias " + b.shape() + " is not one value per filter (" + filters + ")");
        }
        l.tensors.add(Tensor.f32(l.name + ".bias", new int[] {filters}, b.floats()));
        l.parameters += filters;
    }

    private static float[] transpose(float[] a, int rows, int columns) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                t[c * rows + r] = a[r * columns + c];
            }
        }
        return t;
    }

    private static String text(Value v) {
        return v.flat() ? "[" + v.shape()[0] + "]" : "[" + v.shape()[0] + "," + v.shape()[1] + "," + v.shape()[2] + "]";
    }

    /** A new layer named after the current node, taking {@code inputs}. */
    private Draft layer(String annotation, List<String> inputs) {
        Draft d = new Draft(uniqueName(), annotation, inputs);
        d.nodes.add(nodeName());
        return d;
    }

    /** Registers {@code l} as the current node's (first) output. */
    private void result(Draft l, boolean flat) {
        l.flat = flat;
        drafts.put(l.name, l);
        values.put(node.getOutput(0), new Value(l.name, l.shape, flat));
        for (int o = 1; o < node.getOutputCount(); o++) {
            values.putIfAbsent(node.getOutput(o), new Value(null, null, false));
        }
    }

    private String nodeName() {
        return node.getName().isEmpty() ? node.getOpType() + " #" + position : node.getName();
    }

    private static final Set<String> RESERVED = Set.of("input", "Layer");

    /**
     * The layer's Java name from the node's module path: {@code /layer1/layer1.0/conv1/Conv} is module
     * {@code layer1.0.conv1}, so {@code layer1_0_conv1}, and {@code /layer2/layer2.0/downsample/downsample.0/Conv} is
     * {@code layer2_0_downsample_0}; a node without a path is named after itself (or its operator).
     */
    private String uniqueName() {
        String n = node.getName();
        String base;
        if (n.startsWith("/")) {
            String[] parts = n.substring(1).split("/");
            List<String> path = new ArrayList<>();
            for (int i = 0; i < parts.length - 1; i++) {
                // a child of a container is scoped "<container>.<child>" under the container's own scope
                if (!path.isEmpty() && parts[i].startsWith(path.get(path.size() - 1) + ".")) {
                    path.remove(path.size() - 1);
                    path.addAll(List.of(parts[i].split("\\.")));
                } else if (!parts[i].isEmpty()) {
                    path.add(parts[i]);
                }
            }
            base = path.isEmpty() ? node.getOpType().toLowerCase(Locale.ROOT) : String.join("_", path);
        } else {
            base = n.isEmpty() ? node.getOpType().toLowerCase(Locale.ROOT) : n;
        }
        base = base.replaceAll("[^A-Za-z0-9_]", "_");
        if (base.isEmpty() || !Character.isJavaIdentifierStart(base.charAt(0))) {
            base = "n" + base;
        }
        if (SourceVersion.isKeyword(base) || RESERVED.contains(base)) {
            base = base + "_";
        }
        String name = base;
        for (int k = 2; !names.add(name); k++) {
            name = base + "_" + k;
        }
        return name;
    }
}
