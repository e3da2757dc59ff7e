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
        load(engine, file, TensorNames.STRIDER);
    }

    /**
     * {@link #load(Engine, Path)} from a file whose tensors are named by {@code names} (for example
     * {@link TensorNames#TORCHVISION}, for a {@code state_dict} saved from torchvision's model).
     */
    public static void load(Engine engine, Path file, TensorNames names) throws IOException {
        Map<String, Tensor> tensors = Safetensors.read(file).tensors();
        Map<String, Parameter> expected = all(engine);
        List<String> mismatches = mismatches(engine.name(), expected, tensors, names);
        if (!mismatches.isEmpty()) {
            throw new WeightsMismatchException(file + " does not fit " + engine.name() + " (" + mismatches.size()
                    + (mismatches.size() == 1 ? " mismatch" : " mismatches") + "; nothing was loaded):", mismatches);
        }
        for (Parameter p : expected.values()) {
            float[] values = tensors.get(names.inFile(p.name())).floats();
            System.arraycopy(values, 0, p.data(), 0, values.length);
        }
    }

    /**
     * Every way {@code file} does not fit {@code engine} (empty when it fits), without loading anything: what
     * {@link #load} would report. {@code WeightsCheck} runs this from the command line.
     */
    public static List<String> check(Engine engine, Path file, TensorNames names) throws IOException {
        return mismatches(engine.name(), all(engine), Safetensors.read(file).tensors(), names);
    }

    /**
     * Loads the tensors of {@code file} that fit and reports the rest: for a network that shares layer names with
     * the one that wrote the file, such as a trained backbone under a new head. A parameter or buffer is loaded when
     * the file has a tensor of its name with the same shape (F32); the others keep their values. Nothing is loaded
     * if the file has no tensor that fits.
     *
     * @throws WeightsMismatchException when no tensor of the file fits the engine
     */
    public static Transfer loadMatching(Engine engine, Path file, TensorNames names) throws IOException {
        Map<String, Tensor> tensors = Safetensors.read(file).tensors();
        List<String> loaded = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<Parameter> fitting = new ArrayList<>();
        Map<String, Parameter> expected = all(engine);
        java.util.Set<String> used = new java.util.HashSet<>();
        for (Parameter p : expected.values()) {
            Tensor t = tensors.get(names.inFile(p.name()));
            if (t == null) {
                kept.add(p.name() + " " + Arrays.toString(p.shape()) + ": not in the file");
            } else if (t.dtype() != DType.F32 || !Arrays.equals(t.shape(), p.shape())) {
                used.add(t.name());
                kept.add(p.name() + " " + Arrays.toString(p.shape()) + ": the file's " + t.name() + " is " + t.dtype() + Arrays.toString(t.shape()));
            } else {
                used.add(t.name());
                loaded.add(p.name());
                fitting.add(p);
            }
        }
        List<String> unused = new ArrayList<>();
        for (Tensor t : tensors.values()) {
            if (!used.contains(t.name()) && !isBatchNormCounter(t.name(), expected, names)) {
                unused.add(t.name() + " " + t.dtype() + Arrays.toString(t.shape()));
            }
        }
        if (fitting.isEmpty()) {
            throw new WeightsMismatchException(file + " has no tensor that fits " + engine.name() + " (nothing was loaded):", kept);
        }
        for (Parameter p : fitting) {
            float[] values = tensors.get(names.inFile(p.name())).floats();
            System.arraycopy(values, 0, p.data(), 0, values.length);
        }
        return new Transfer(loaded, kept, unused);
    }

    /**
     * What {@link #loadMatching} did.
     *
     * @param loaded the parameters and buffers loaded from the file, in the engine's order
     * @param kept the ones that kept their values, each with the reason (not in the file, or a different shape)
     * @param unused the file's tensors that went nowhere
     */
    public record Transfer(List<String> loaded, List<String> kept, List<String> unused) {
        public Transfer {
            loaded = List.copyOf(loaded);
            kept = List.copyOf(kept);
            unused = List.copyOf(unused);
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder(loaded.size() + " tensors loaded, " + kept.size() + " kept, " + unused.size() + " in the file unused");
            kept.forEach(k -> s.append("\n  kept: ").append(k));
            unused.forEach(u -> s.append("\n  unused: ").append(u));
            return s.toString();
        }
    }

    private static List<String> mismatches(String engineName, Map<String, Parameter> expected, Map<String, Tensor> tensors, TensorNames names) {
        List<String> mismatches = new ArrayList<>();
        java.util.Set<String> wanted = new java.util.HashSet<>();
        for (Parameter p : expected.values()) {
            String name = names.inFile(p.name());
            wanted.add(name);
            String label = name.equals(p.name()) ? name : name + " (" + p.name() + ")";
            Tensor t = tensors.get(name);
            if (t == null) {
                mismatches.add("missing: " + label + " " + Arrays.toString(p.shape()));
                continue;
            }
            boolean shapeDiffers = !Arrays.equals(t.shape(), p.shape());
            if (t.dtype() != DType.F32 || shapeDiffers) {
                mismatches.add(label + ": " + (t.dtype() != DType.F32 ? "dtype " + t.dtype() + " in the file, expected F32" : "")
                        + (t.dtype() != DType.F32 && shapeDiffers ? "; " : "")
                        + (shapeDiffers ? "shape " + Arrays.toString(t.shape()) + " in the file, expected " + Arrays.toString(p.shape()) : ""));
            }
        }
        for (Tensor t : tensors.values()) {
            if (!wanted.contains(t.name()) && !isBatchNormCounter(t.name(), expected, names)) {
                mismatches.add("unexpected: " + t.name() + " " + t.dtype() + Arrays.toString(t.shape()) + " (" + engineName
                        + " has no such parameter or buffer)");
            }
        }
        return mismatches;
    }

    /** PyTorch's batch-norm step counter {@code <layer>.num_batches_tracked}, for a layer with running statistics here. */
    private static boolean isBatchNormCounter(String name, Map<String, Parameter> expected, TensorNames names) {
        if (!name.endsWith(BATCHES_TRACKED)) {
            return false;
        }
        String mean = name.substring(0, name.length() - BATCHES_TRACKED.length()) + ".running_mean";
        return expected.keySet().stream().anyMatch(p -> names.inFile(p).equals(mean));
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
