package dev.strider.runtime.io;

import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Saves and loads an engine's parameters and buffers (batch-norm running statistics) as a safetensors file of F32
 * tensors named as in PyTorch's {@code state_dict} ({@code c1.weight}, {@code bn1.running_mean}, ...), with the
 * same shapes, so the files are interchangeable with PyTorch's {@code safetensors.torch.save_file} and
 * {@code load_file}.
 */
public final class Weights {
    /** The metadata key under which {@link #save} records the engine's {@link Engine#name()}. */
    public static final String NETWORK_KEY = "network";

    private static final String BATCHES_TRACKED = ".num_batches_tracked";

    private Weights() {}

    /** Writes every parameter and buffer of {@code engine} to {@code file} (atomically, see {@link Safetensors#write}). */
    public static void save(Engine engine, Path file) throws IOException {
        List<Tensor> tensors = new ArrayList<>();
        for (Parameter p : all(engine).values()) {
            tensors.add(Tensor.f32(p.name(), p.shape(), p.data()));
        }
        Safetensors.write(file, tensors, Map.of(NETWORK_KEY, engine.name()));
    }

    /**
     * Loads {@code file} into {@code engine}'s parameters and buffers. First checks everything: every parameter and
     * buffer must be in the file as F32 with the same shape, and the file must hold nothing else (except PyTorch's
     * {@code <layer>.num_batches_tracked} counters of the engine's batch-norm layers, which Strider does not keep).
     * Only then copies the values, so a load that fails leaves the engine unchanged.
     *
     * @throws WeightsMismatchException listing every mismatch
     * @throws SafetensorsFormatException if the file is not a valid safetensors file
     */
    public static void load(Engine engine, Path file) throws IOException {
        Map<String, Tensor> tensors = Safetensors.read(file).tensors();
        Map<String, Parameter> expected = all(engine);
        List<String> mismatches = new ArrayList<>();
        for (Parameter p : expected.values()) {
            Tensor t = tensors.get(p.name());
            if (t == null) {
                mismatches.add("missing: " + p.name() + " " + Arrays.toString(p.shape()));
                continue;
            }
            boolean shapeDiffers = !Arrays.equals(t.shape(), p.shape());
            if (t.dtype() != DType.F32 || shapeDiffers) {
                mismatches.add(p.name() + ": " + (t.dtype() != DType.F32 ? "dtype " + t.dtype() + " in the file, expected F32" : "")
                        + (t.dtype() != DType.F32 && shapeDiffers ? "; " : "")
                        + (shapeDiffers ? "shape " + Arrays.toString(t.shape()) + " in the file, expected " + Arrays.toString(p.shape()) : ""));
            }
        }
        for (Tensor t : tensors.values()) {
            if (!expected.containsKey(t.name()) && !isBatchNormCounter(t.name(), expected)) {
                mismatches.add("unexpected: " + t.name() + " " + t.dtype() + Arrays.toString(t.shape()) + " (" + engine.name()
                        + " has no such parameter or buffer)");
            }
        }
        if (!mismatches.isEmpty()) {
            throw new WeightsMismatchException(file + " does not fit " + engine.name() + " (" + mismatches.size()
                    + (mismatches.size() == 1 ? " mismatch" : " mismatches") + "; nothing was loaded):", mismatches);
        }
        for (Parameter p : expected.values()) {
            float[] values = tensors.get(p.name()).floats();
            System.arraycopy(values, 0, p.data(), 0, values.length);
        }
    }

    /** PyTorch's batch-norm step counter {@code <layer>.num_batches_tracked}, for a layer with running statistics here. */
    private static boolean isBatchNormCounter(String name, Map<String, Parameter> expected) {
        return name.endsWith(BATCHES_TRACKED)
                && expected.containsKey(name.substring(0, name.length() - BATCHES_TRACKED.length()) + ".running_mean");
    }

    /** Parameters then buffers, by name; rejects an engine that uses a name twice. */
    private static Map<String, Parameter> all(Engine engine) {
        Map<String, Parameter> all = new LinkedHashMap<>();
        List<Parameter> list = new ArrayList<>(engine.parameters());
        list.addAll(engine.buffers());
        for (Parameter p : list) {
            if (all.put(p.name(), p) != null) {
                throw new IllegalArgumentException(engine.name() + " has two parameters or buffers called \"" + p.name() + "\"");
            }
        }
        return all;
    }
}
