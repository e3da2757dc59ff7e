package dev.strider.runtime.report;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JSON report the processor writes for each network, at {@code META-INF/strider/<qualified name>.json} on the
 * class path. Counts are per image; shapes are {@code [C, H, W]} or {@code [N]} (flat).
 */
public record NetworkReport(
        int format,
        String name,
        String qualifiedName,
        List<Long> input,
        List<Long> output,
        int maxBatch,
        String loss,
        String rounding,
        long params,
        long nonTrainableParams,
        long macs,
        Memory memory,
        List<LayerReport> layers) {

    /**
     * Activation and weight memory, in values and bytes (float32), and {@code engineBytes}: every array the
     * generated engine allocates (weights and gradients, activations and gradients at max batch, backward state and
     * scratch; for an inference-only engine, the weights, the batch output and one thread's planned arrays);
     * {@code plannedBytesPerThread}: the arrays of the forward pass's static memory plan, per worker thread, against
     * {@code unplannedForwardBytes} (each layer output its own array at max batch, each scratch its own).
     */
    public record Memory(long activationValuesPerImage, long activationBytesPerImage, long activationBytesAtMaxBatch,
                         long weightBytes, long engineBytes, boolean inferenceOnly, long plannedBytesPerThread,
                         long unplannedForwardBytes) {}

    /**
     * One layer's row. {@code inputs} names what the layer takes ({@code "input"} or earlier layers; two or more for a
     * merge); {@code in} is the (first) input's shape.
     */
    public record LayerReport(
            String name,
            String type,
            String details,
            List<String> inputs,
            List<Long> in,
            List<Long> out,
            long params,
            long nonTrainableParams,
            long macs,
            ReceptiveField receptiveField,
            long activations,
            Op op) {}

    /**
     * A layer's computation, every value resolved: what ONNX export and the diagram read. {@code kind} is one of
     * {@code conv}, {@code conv_transpose}, {@code max_pool}, {@code avg_pool}, {@code l2_pool}, {@code global_avg_pool},
     * {@code dense}, {@code activation}, {@code batch_norm}, {@code dropout}, {@code upsample},
     * {@code adaptive_avg_pool}, {@code channel_shuffle}, {@code lrn}, {@code add}, {@code concat}, {@code flatten},
     * {@code identity}; the other fields are set where the kind has them. Pairs are {@code [height, width]};
     * {@code pads} are {@code [top, left, bottom, right]}. {@code tensors} maps a role ({@code weight}, {@code bias},
     * {@code running_mean}, {@code running_var}) to the tensor's name in the engine and in weight files.
     */
    public record Op(
            String kind,
            List<Integer> kernel,
            List<Integer> stride,
            List<Integer> dilation,
            List<Integer> pads,
            List<Integer> outputPadding,
            Integer groups,
            Boolean bias,
            String activation,
            Float slope,
            Boolean countPadding,
            Integer units,
            Float epsilon,
            Float momentum,
            Float rate,
            List<Integer> scale,
            String mode,
            List<Integer> outputSize,
            Integer localSize,
            Double alpha,
            Double beta,
            Double k,
            java.util.Map<String, String> tensors) {}

    /** Receptive field size and jump, as {@code [height, width]} in input pixels. */
    public record ReceptiveField(List<Long> size, List<Long> jump) {}

    /** The class-path resource of the network declared by {@code qualifiedName}. */
    public static String resourcePath(String qualifiedName) {
        return "META-INF/strider/" + qualifiedName + ".json";
    }

    /** Loads the report of network {@code qualifiedName} from {@code loader}'s class path. */
    public static NetworkReport load(String qualifiedName, ClassLoader loader) {
        String path = resourcePath(qualifiedName);
        try (InputStream in = loader.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("No Strider report for " + qualifiedName + ": resource " + path
                        + " is not on the class path (was the class compiled with strider-processor?)");
            }
            return parse(new InputStreamReader(in, StandardCharsets.UTF_8), path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + path, e);
        }
    }

    /** Parses a report; {@code source} names it in errors. */
    public static NetworkReport parse(Reader json, String source) {
        try {
            NetworkReport r = new Gson().fromJson(json, NetworkReport.class);
            if (r == null || r.layers() == null) {
                throw new IllegalArgumentException(source + " is not a Strider network report (no layers)");
            }
            return r;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(source + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    /** The layer called {@code name}. */
    public LayerReport layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Network " + this.name + " has no layer \"" + name + "\"; layers: "
                        + layers.stream().map(LayerReport::name).toList()));
    }
}
