package dev.strider.processor.lower;

import dev.strider.dsl.Loss;
import dev.strider.processor.diag.Message;
import dev.strider.processor.diag.Report;
import dev.strider.processor.layer.Layer;
import dev.strider.processor.model.Sizes;
import dev.strider.processor.validate.CheckedLayer;
import dev.strider.processor.validate.CheckedNetwork;
import java.util.List;
import java.util.Locale;

/**
 * A checked network lowered for code generation: one {@link Step} per layer with its kernel and the names of the
 * buffers it reads and writes, and every tensor the engine owns. Renderers only read this.
 *
 * @param softmaxOutput whether the engine's output is the softmax of its last buffer: a trailing softmax under
 *     softmax cross-entropy is fused into the loss, so the buffers hold logits and {@code forward} applies it
 */
public record EnginePlan(
        CheckedNetwork network,
        List<Step> steps,
        List<Tensor> parameters,
        List<Tensor> buffers,
        boolean softmaxOutput,
        Loss loss) {

    public EnginePlan {
        steps = List.copyOf(steps);
        parameters = List.copyOf(parameters);
        buffers = List.copyOf(buffers);
    }

    public int inputSize() {
        return (int) network.input().size();
    }

    public int outputSize() {
        return (int) network.output().size();
    }

    public int maxBatch() {
        return network.decl().maxBatch();
    }

    /** Whether the network is declared {@code inferenceOnly}: a forward-only Java engine on {@link #memory()}. */
    public boolean inferenceOnly() {
        return network.decl().inferenceOnly();
    }

    /** The static memory plan of the forward pass (what an inference-only engine allocates per thread). */
    public MemoryPlan memory() {
        return MemoryPlan.of(this);
    }

    /**
     * Every array an engine that trains allocates, step by step in layer order (the GPU engine's, whether or not
     * the network is inference-only).
     */
    public List<EngineArray> arrays() {
        List<EngineArray> all = new java.util.ArrayList<>();
        for (Step s : steps) {
            all.addAll(s.arrays(maxBatch()));
        }
        return all;
    }

    /**
     * The bytes of every array the Java engine allocates (array headers and the JVM's own overhead aside); for an
     * inference-only engine, with one thread's planned arrays (each further worker thread adds
     * {@link MemoryPlan#plannedBytes()}).
     */
    public long engineBytes() {
        return engineBytes(maxBatch());
    }

    /** The bytes the engine's arrays would take for a maximum batch of {@code batch} (the rest unchanged). */
    public long engineBytes(int batch) {
        if (inferenceOnly()) {
            return Sizes.add(Sizes.add(weightBytes(), Sizes.mul(4, batch, outputSize())), memory().plannedBytes());
        }
        long total = 0;
        for (Step s : steps) {
            for (EngineArray a : s.arrays(batch)) {
                total = Sizes.add(total, a.bytes());
            }
        }
        return total;
    }

    /**
     * The bytes of the Java engine's arrays with {@code role}. In an inference-only engine, the weights are the
     * parameters without gradients, the activations the batch output and one thread's planned arrays (scratch
     * included), and there is no other scratch.
     */
    public long engineBytes(EngineArray.Role role) {
        if (inferenceOnly()) {
            return switch (role) {
                case WEIGHTS -> weightBytes();
                case ACTIVATIONS -> Sizes.add(Sizes.mul(4, maxBatch(), outputSize()), memory().plannedBytes());
                case SCRATCH -> 0;
            };
        }
        return arrays().stream().filter(a -> a.role() == role).mapToLong(EngineArray::bytes).reduce(0, Sizes::add);
    }

    /** The bytes of the parameters and buffers (running statistics), without gradients. */
    public long weightBytes() {
        long total = 0;
        for (Step s : steps) {
            for (Tensor t : s.tensors()) {
                total = Sizes.add(total, Sizes.mul(4, t.size()));
            }
        }
        return total;
    }

    /**
     * Reports a size-overflow error on each layer that owns an array longer than {@link EngineArray#MAX_LENGTH}
     * (naming its first such array: a layer's others follow from the same sizes), and returns whether every array
     * fits. The checker already bounds the activations and weights; a convolution's im2col scratch (an engine that
     * trains) or padded input (an inference-only one) is only known here.
     */
    public boolean checkArrayLengths(Report report) {
        boolean fit = true;
        for (Step s : steps) {
            if (inferenceOnly() && s.kernel() instanceof Kernel.Conv conv && conv.sourceLength() > EngineArray.MAX_LENGTH) {
                // an inference-only engine has no im2col scratch (no backward pass): only the forward product's padded input
                Layer l = s.layer().layer();
                String what = String.format(Locale.ROOT, "padded input %s (one image's %d input channels%s zero-padded to %dx%d%s)",
                        MemoryPlan.source(s), conv.inPerGroup(), conv.groups() > 1 ? " per group" : "", conv.paddedRows(), conv.paddedColumns(),
                        conv.phaseSplit() ? ", split by the stride's phases" : "");
                report.add(Message.SIZE_OVERFLOW, l.ref(), null, l.label(), "its " + what + " is", conv.sourceLength(),
                        "Use fewer input channels per group or a smaller input.");
                fit = false;
                continue;
            }
            for (EngineArray a : s.arrays(maxBatch())) {
                if (inferenceOnly() && a.role() == EngineArray.Role.SCRATCH && s.kernel() instanceof Kernel.Conv) {
                    continue;   // the im2col scratch of an engine that trains: not allocated here
                }
                if (a.length() > EngineArray.MAX_LENGTH) {
                    Layer l = s.layer().layer();
                    report.add(Message.SIZE_OVERFLOW, l.ref(), null, l.label(), "its " + describe(s, a) + " is", a.length(), fix(s, a));
                    fit = false;
                    break;
                }
            }
        }
        return fit;
    }

    private static String describe(Step s, EngineArray a) {
        if (s.kernel() instanceof Kernel.Conv k && a.role() == EngineArray.Role.SCRATCH) {
            Kernel.Window w = k.w();
            boolean grouped = k.groups() > 1;
            return String.format(Locale.ROOT,
                    "im2col scratch %s (the patches of one image%s: %d input channels%s * %dx%d kernel taps * %dx%d output positions)",
                    a.field(), grouped ? " and group" : "", k.inPerGroup(), grouped ? " per group" : "", w.kh(), w.kw(), w.oh(), w.ow());
        }
        return "array " + a.field() + " (" + a.doc() + ")";
    }

    private static String fix(Step s, EngineArray a) {
        if (s.kernel() instanceof Kernel.Conv && a.role() == EngineArray.Role.SCRATCH) {
            return "Use fewer input channels per group, a smaller kernel, a larger stride or a smaller input.";
        }
        return a.role() == EngineArray.Role.WEIGHTS ? "Use fewer units or filters, or downsample before this layer."
                : "Reduce the input size, the channels or maxBatch.";
    }

    /** The index of {@code step} in {@link #steps}. */
    public int indexOf(Step step) {
        int i = steps.indexOf(step);
        if (i < 0) {
            throw new IllegalArgumentException(step.name() + " is not a step of " + network.decl().simpleName());
        }
        return i;
    }

    /**
     * The index of the step that writes {@code buffer} (the first: layers that alias their input share its buffer),
     * or -1 for the network's input.
     */
    public int producer(String buffer) {
        if (buffer.equals(INPUT)) {
            return -1;
        }
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).out().equals(buffer)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no step of " + network.decl().simpleName() + " writes " + buffer);
    }

    /** The steps {@code step} takes its inputs from, in input order (-1 for the network's input). */
    public int[] producers(Step step) {
        return step.ins().stream().mapToInt(this::producer).toArray();
    }

    /** The buffer holding the network's output (logits under a fused softmax). */
    public String outputBuffer() {
        return steps.get(steps.size() - 1).out();
    }

    public String outputGradBuffer() {
        return steps.get(steps.size() - 1).outGrad();
    }

    /**
     * One layer: reads {@code in}, writes {@code out} (the same name when the kernel is an {@link Kernel.Alias});
     * backward reads {@code outGrad} and writes {@code inGrad}. The first step's input is the caller's array.
     */
    public record Step(CheckedLayer layer, Kernel kernel, List<String> ins, String out, List<String> inGrads, String outGrad,
            List<Tensor> tensors, List<GradAdd> accumulate) {
        public Step {
            ins = List.copyOf(ins);
            inGrads = List.copyOf(inGrads);
            tensors = List.copyOf(tensors);
            accumulate = List.copyOf(accumulate);
        }

        /** The (first) input's buffer. */
        public String in() {
            return ins.get(0);
        }

        /** Where the backward pass writes d loss / d (first) input. */
        public String inGrad() {
            return inGrads.get(0);
        }

        /** The arrays this step's layer owns, for an engine of {@code maxBatch}. */
        public List<EngineArray> arrays(int maxBatch) {
            return EngineArray.of(this, maxBatch);
        }

        public String name() {
            return layer.name();
        }

        public boolean first() {
            return in().equals(EnginePlan.INPUT);
        }

        /** The tensor with {@code role}. */
        public Tensor tensor(Tensor.Role role) {
            return tensors.stream().filter(t -> t.role() == role).findFirst()
                    .orElseThrow(() -> new IllegalStateException(name() + " has no " + role));
        }
    }

    /**
     * After a step's backward pass: {@code target += scratch} over {@code size} values per image. A buffer that several
     * layers take gets the sum of their gradients: the first of them in backward order writes the gradient buffer, each
     * later one writes a scratch buffer that is then added to it.
     */
    public record GradAdd(String scratch, String target, int size) {}

    /** The field the engine keeps the caller's input array in between forward and backward. */
    public static final String INPUT = "inputRef";
    /** The field the engine keeps the caller's input-gradient array in during backward (may be null). */
    public static final String INPUT_GRAD = "inputGradRef";
}
