package dev.strider.runtime.onnx;

import dev.strider.runtime.io.Safetensors;
import dev.strider.runtime.io.Tensor;
import dev.strider.runtime.io.Weights;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An ONNX model as a Strider network ({@link OnnxImport#read}): the layers of its declaration, in order, and its
 * weights under Strider's tensor names. {@link #javaSource} writes the declaration, {@link #writeWeights} the
 * weights as safetensors, which {@code Weights.load} reads into the engine the declaration compiles to.
 */
public final class ImportedNetwork {
    /**
     * One layer of the declaration.
     *
     * @param name the field's name (from the ONNX node's module path when it has one)
     * @param annotation the layer annotation's simple name ({@code Conv}, {@code Add}, ...)
     * @param attributes its attributes as Java source ({@code filters -> 64}, {@code kernel -> {3, 1}}), in order
     * @param from the layers it takes when not just the one declared before it ({@code "input"} for the network's
     *     input); empty when it takes the previous layer
     * @param nodes the ONNX nodes it was made of, by name (or operator and position when unnamed)
     * @param shape its output shape, channels x height x width ({@code [n, 1, 1]} for a vector)
     * @param flat whether its output is a vector (after a flatten or a dense layer)
     * @param parameters its trainable parameters
     */
    public record Layer(String name, String annotation, Map<String, String> attributes, List<String> from, List<String> nodes, int[] shape,
            boolean flat, long parameters) {
        public Layer {
            attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
            from = List.copyOf(from);
            nodes = List.copyOf(nodes);
            shape = shape.clone();
        }

        /** {@code [64,56,56]}, or {@code [1000]} for a vector. */
        public String shapeText() {
            return flat ? "[" + shape[0] + "]" : "[" + shape[0] + "," + shape[1] + "," + shape[2] + "]";
        }
    }

    private final String className;
    private final String source;
    private final String producer;
    private final long opset;
    private final int channels;
    private final int height;
    private final int width;
    private final int maxBatch;
    private final boolean floor;
    private final int nodeCount;
    private final List<Layer> layers;
    private final List<Tensor> tensors;

    ImportedNetwork(String className, String source, String producer, long opset, int[] input, int maxBatch, boolean floor, int nodeCount,
            List<Layer> layers, List<Tensor> tensors) {
        this.className = className;
        this.source = source;
        this.producer = producer;
        this.opset = opset;
        this.channels = input[0];
        this.height = input[1];
        this.width = input[2];
        this.maxBatch = maxBatch;
        this.floor = floor;
        this.nodeCount = nodeCount;
        this.layers = List.copyOf(layers);
        this.tensors = List.copyOf(tensors);
    }

    public String className() {
        return className;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The weights, named as the declared network's engine names them ({@code <layer>.weight}, ...). */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** The trainable parameters (what {@code expectParams} says). */
    public long parameters() {
        return layers.stream().mapToLong(Layer::parameters).sum();
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Values per input image. */
    public int inputSize() {
        return channels * height * width;
    }

    /** Writes the weights as safetensors, for {@code Weights.load(engine, file)}. */
    public void writeWeights(Path file) throws IOException {
        Safetensors.write(file, tensors, Map.of(Weights.NETWORK_KEY, className, "source", source));
    }

    /** The annotated declaration, one line per layer, each commented with the ONNX nodes it came from and its output shape. */
    public String javaSource(String packageName) {
        StringBuilder j = new StringBuilder();
        if (!packageName.isEmpty()) {
            j.append("package ").append(packageName).append(";\n\n");
        }
        j.append("import dev.strider.dsl.*;\n\n");
        j.append("/**\n");
        j.append(" * Imported by {@code strider import} from {@code ").append(escape(source)).append("}");
        if (!producer.isEmpty()) {
            j.append(" (").append(escape(producer)).append(", opset ").append(opset).append(")");
        }
        j.append(": ").append(String.format(Locale.ROOT, "%,d", nodeCount)).append(" ONNX nodes as ")
                .append(layers.size()).append(" layers, ").append(String.format(Locale.ROOT, "%,d", parameters())).append(" parameters.\n");
        j.append(" * The weights are in {@code ").append(escape(className)).append(".safetensors}: {@code Weights.load(engine, file)}.\n");
        j.append(" * Each layer's comment names the ONNX nodes it was made of and gives its output shape");
        if (floor) {
            j.append(";\n * ONNX rounds output sizes down, so the declaration does too ({@code rounding = FLOOR})");
        }
        j.append(".\n */\n");
        j.append("@Network(maxBatch = ").append(maxBatch).append(", expectParams = ").append(underscored(parameters()));
        if (floor) {
            j.append(", rounding = Rounding.FLOOR");
        }
        j.append(")\n");
        j.append("@Input(channels = ").append(channels).append(", height = ").append(height).append(", width = ").append(width).append(")\n");
        j.append("public abstract class ").append(className).append(" {\n");
        for (Layer l : layers) {
            StringBuilder line = new StringBuilder("    @").append(l.annotation());
            if (!l.attributes().isEmpty()) {
                line.append(l.attributes().entrySet().stream().map(e -> e.getKey() + " = " + e.getValue()).collect(Collectors.joining(", ", "(", ")")));
            }
            if (!l.from().isEmpty()) {
                line.append(l.from().size() == 1 ? " @From(\"" + l.from().get(0) + "\")"
                        : l.from().stream().map(f -> "\"" + f + "\"").collect(Collectors.joining(", ", " @From({", "})")));
            }
            line.append(" Layer ").append(l.name()).append(";");
            j.append(line).append(" ".repeat(Math.max(1, 100 - line.length()))).append("// ")
                    .append(String.join(", ", l.nodes().stream().map(ImportedNetwork::comment).toList())).append(": ").append(l.shapeText()).append("\n");
        }
        j.append("}\n");
        return j.toString();
    }

    /** Text safe inside a Javadoc comment. */
    private static String escape(String s) {
        // a backslash could start a unicode escape, which javac reads even in comments
        return s.replace("*/", "*&#47;").replace("\n", " ").replace('\\', '/');
    }

    /** Text safe inside a line comment. */
    private static String comment(String s) {
        return s.replace("\n", " ").replace("\r", " ").replace('\\', '/');
    }

    static String underscored(long n) {
        return String.format(Locale.ROOT, "%,d", n).replace(',', '_');
    }

    @Override
    public String toString() {
        return className + " (" + layers.size() + " layers, " + parameters() + " parameters, input " + Arrays.toString(new int[] {channels, height, width}) + ")";
    }
}
