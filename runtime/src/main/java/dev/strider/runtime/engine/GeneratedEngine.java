package dev.strider.runtime.engine;

import dev.strider.runtime.optim.Optimizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The base of every generated Java engine: the loss, parameter registry, initialisation and the failure reports of
 * training steps, on {@link EngineBase}'s sizes, modes and checks (shared with the GPU engine). The generated subclass supplies the network itself ({@link #runForward}, {@link #runBackward})
 * with every shape a constant. Every check happens before any state changes, so an engine that throws is left as
 * it was.
 */
public abstract class GeneratedEngine extends EngineBase {
    /** The loss a network is trained with. */
    protected enum LossKind {
        SOFTMAX_CROSS_ENTROPY,
        MEAN_SQUARED_ERROR
    }

    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Parameter> buffers = new ArrayList<>();
    /** Read-only views, made once: {@link #parameters()} is called on every training step and must not allocate. */
    private final List<Parameter> parametersView = Collections.unmodifiableList(parameters);
    private final List<Parameter> buffersView = Collections.unmodifiableList(buffers);
    private final List<Init> parameterInit = new ArrayList<>();
    private final List<int[]> parameterFans = new ArrayList<>();
    private final List<Init> bufferInit = new ArrayList<>();
    private final float[] outputScratch;
    private int forwardBatch;
    /** Each layer's name, output and output gradient in forward order, for naming where values went non-finite. */
    private final List<String> layerNames = new ArrayList<>();
    private final List<float[]> layerOutputs = new ArrayList<>();
    private final List<float[]> layerGrads = new ArrayList<>();
    private final List<Integer> layerSizes = new ArrayList<>();
    /** Each registered layer's index in the backward plan. */
    private final List<Integer> layerSteps = new ArrayList<>();
    /** The running statistics before the current training step, to put back when the step fails. */
    private float[] bufferBackup;
    /**
     * The convolution scratch of the worker threads' parts (a forward pass's padded input, a backward pass's transposed
     * patches; index 0 unused: the caller uses each layer's own).
     */
    private float[][] laneScratch = new float[0][];
    /** The im2col gradient scratch of the backward pass's parts beyond the first. */
    private float[][] laneScratchGrad = new float[0][];
    /**
     * Each part's parameter gradients ([part][parameter]; part 0 writes the parameters' own). Its length is the number
     * of parts a backward pass splits the batch into (1: the whole batch at once), fixed for the engine's life.
     */
    private float[][][] laneGrads = new float[1][][];
    /** The batch of the backward pass in progress, for {@link #backwardJob}. */
    private int backwardBatch;
    /** Parts {@code [from, to)} of a split backward pass: each part's images through every layer. */
    private final Workers.Job backwardJob = (from, to, worker) -> {
        for (int part = from; part < to; part++) {
            int first = partStart(backwardBatch, part);
            int end = partStart(backwardBatch, part + 1);
            if (first < end) {
                backwardLayers(first, end, part);
            }
        }
    };
    /** Part {@code lane} of an image-parallel forward pass: its images one by one, through every layer. */
    private final Workers.Job imageJob = (from, to, lane) -> {
        for (int n = from; n < to; n++) {
            forwardLayers(n, n + 1, lane);
        }
    };

    /** Images per item of {@link #groupJob}, and the batch, for the pass in progress (set before the hand-over). */
    private int groupImages;
    private int groupBatch;
    /** A batch by groups of images ({@link #forwardGroup()}): item i is images {@code [i * groupImages, ...)}. */
    private final Workers.Job groupJob = (from, to, lane) -> {
        for (int i = from; i < to; i++) {
            forwardLayers(i * groupImages, Math.min(groupBatch, (i + 1) * groupImages), lane);
        }
    };

    protected GeneratedEngine(String name, int inputSize, int outputSize, int maxBatch, LossKind loss, boolean softmaxOutput) {
        super(name, inputSize, outputSize, maxBatch, loss == LossKind.SOFTMAX_CROSS_ENTROPY, softmaxOutput);
        this.outputScratch = new float[maxBatch * outputSize];
    }

    // ---- what the generated subclass provides

    /** Runs every layer's forward pass on {@code batch} images of {@code input} (through {@link #forwardSchedule}). */
    protected abstract void runForward(float[] input, int batch);

    /**
     * Runs every layer's forward pass, in order, on images {@code [from, to)}; {@code lane} is the part of an
     * image-parallel pass it belongs to (which scratch it uses: {@link #laneScratch(int)} beyond 0).
     */
    protected abstract void forwardLayers(int from, int to, int lane);

    /**
     * Whether the forward pass in the current mode mixes the images of a batch, so that it must run layer by layer
     * over the whole batch: batch normalisation's batch statistics and dropout's single random stream in training
     * mode. False unless the network has such a layer.
     */
    protected boolean imagesCoupled() {
        return false;
    }

    /**
     * The most images {@link #forwardLayers} takes at once when the schedule splits a batch: 1 (image by image) unless
     * the engine's last layers run on groups of images (an inference-only engine whose network ends in dense layers:
     * their weights are read once a group).
     */
    protected int forwardGroup() {
        return 1;
    }

    /** A part of one image's layer run by a worker thread at batch 1: items {@code [from, to)} (channels, chunks of values). */
    @FunctionalInterface
    protected interface Split {
        void run(int from, int to);
    }

    /** Whether the forward pass in progress has one image (set by {@link #forwardSchedule}). */
    private boolean singleImage;
    /** The split being run ({@link #splitImage}); read by the workers after the hand-over publishes it. */
    private Split split;
    private final Workers.Job splitJob = (from, to, part) -> split.run(from, to);

    /**
     * At batch 1, runs {@code job} over {@code items} split among the worker threads and returns true; otherwise (a
     * batch, whose images are already split among the threads, or a single item) returns false, and the caller runs
     * the layer itself. Each item is computed by the same code either way.
     */
    protected final boolean splitImage(Split job, int items) {
        if (!singleImage || items < 2 || Kernels.threads() == 1) {
            return false;
        }
        split = job;
        try {
            Workers.run(splitJob, items);
        } finally {
            split = null;
        }
        return true;
    }

    /**
     * The forward schedule. Batch 1: every layer in turn; a large product, and a large element-wise layer
     * ({@link #splitImage}), inside it may still use the worker threads.
     * Images coupled by the mode ({@link #imagesCoupled()}): every layer over the whole batch. Otherwise image by
     * image (or by groups of images, {@link #forwardGroup()}), each layer's output still in cache when the next layer
     * reads it, the images split among the worker threads ({@link Kernels#threads()}; one thread when the workers are
     * busy with another engine's job). Every image is computed by the same code on any thread and in any group, so
     * results do not depend on the schedule.
     */
    protected final void forwardSchedule(int batch) {
        if (batch == 1) {
            singleImage = true;
            try {
                forwardLayers(0, 1, 0);
            } finally {
                singleImage = false;
            }
        } else if (imagesCoupled()) {
            forwardLayers(0, batch, 0);
        } else if (forwardGroup() > 1) {
            // groups of up to forwardGroup() images, at least one group per thread where the batch allows
            int threads = Kernels.threads();
            groupImages = Math.min(forwardGroup(), Math.max(1, (batch + threads - 1) / threads));
            groupBatch = batch;
            Workers.run(groupJob, (batch + groupImages - 1) / groupImages);
        } else {
            Workers.run(imageJob, batch);
        }
    }

    /**
     * Runs every layer's backward pass, in reverse order, on images {@code [from, to)}, writing part {@code lane}'s
     * parameter gradients ({@link #laneGrad}). An engine that trains overrides it; an inference-only engine has no
     * backward pass ({@link #requireTrainable} refuses the calls that would get here).
     */
    protected void backwardLayers(int from, int to, int lane) {
        requireTrainable("backwardLayers");
    }

    // ---- the static memory plan of an inference-only engine

    /** Each thread's buffers ([thread][buffer]); buffers the plan puts together are the same array. */
    private float[][][] planned;
    /** Each thread's own array for the network's input (buffer 0 points at it, or at the caller's first image). */
    private float[][] plannedInput;

    /**
     * Allocates the arrays of an inference-only engine's memory plan for each worker thread (called by its generated
     * constructor): {@code arrayLengths[a]} floats for array {@code a}, and buffer {@code b} in array
     * {@code arrayOf[b]}. Buffer 0 is the network's input.
     */
    protected final void allocatePlan(int[] arrayLengths, int[] arrayOf) {
        int threads = Kernels.threads();
        planned = new float[threads][][];
        plannedInput = new float[threads][];
        for (int t = 0; t < threads; t++) {
            float[][] arrays = new float[arrayLengths.length][];
            for (int a = 0; a < arrays.length; a++) {
                arrays[a] = new float[arrayLengths[a]];
            }
            planned[t] = new float[arrayOf.length][];
            for (int b = 0; b < arrayOf.length; b++) {
                planned[t][b] = arrays[arrayOf[b]];
            }
            plannedInput[t] = planned[t][0];
        }
    }

    /** Thread {@code lane}'s buffers, in the plan's order. */
    protected final float[][] planned(int lane) {
        return planned[lane];
    }

    /**
     * Points thread {@code lane}'s input buffer at image {@code image} of {@code input}: the caller's array itself for
     * image 0 (its values start at index 0), a copy in the thread's own array for the others.
     */
    protected final void planInput(int lane, float[] input, int image) {
        float[][] b = planned[lane];
        if (image == 0) {
            b[0] = input;
        } else {
            System.arraycopy(input, image * inputSize, plannedInput[lane], 0, inputSize);
            b[0] = plannedInput[lane];
        }
    }

    /** Parameter gradients at most this large (in floats) are kept once more per extra part of a split backward pass. */
    static final long SPLIT_BACKWARD_FLOATS = 16L << 20;

    /**
     * The backward schedule. A network without batch norm (whose backward pass needs sums over the whole batch)
     * and with parameters small enough ({@value #SPLIT_BACKWARD_FLOATS} floats) splits a batch into
     * {@link Kernels#threads()} parts of consecutive images, each with its own parameter gradients, run on the
     * worker threads; the parts' gradients are then added to the first's, in part order. The parts depend only on the
     * batch and the thread count, never on which threads are free (a busy pool runs every part on the caller), so an
     * engine's gradients are the same bits whether or not other engines are running. Otherwise the whole batch goes
     * through every layer at once.
     */
    protected final void backwardSchedule(int batch) {
        int parts = laneGrads.length;
        if (parts == 1 || batch == 1) {
            backwardLayers(0, batch, 0);
            return;
        }
        backwardBatch = batch;
        Workers.run(backwardJob, parts);
        float[][] own = laneGrads[0];
        for (int p = 0; p < own.length; p++) {
            if (!parameterComputed(p)) {
                continue;   // frozen: neither part wrote it
            }
            float[] sum = own[p];
            for (int part = 1; part < parts; part++) {
                if (partStart(batch, part) == partStart(batch, part + 1)) {
                    continue;   // no images (a batch smaller than the parts): its gradients are stale
                }
                float[] g = laneGrads[part][p];
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += g[i];
                }
            }
        }
    }

    /**
     * The first image of part {@code part} of a split backward pass over {@code batch} images: {@code ceil(batch *
     * part / parts)}, so that the parts without images (a batch smaller than the parts) are the last ones. Part 0
     * writes the parameters' own gradients and the others are added to it, so part 0 must always have images: with
     * the floor, a batch of 3 on 4 or more threads left part 0 empty and its gradients those of the previous pass.
     */
    private int partStart(int batch, int part) {
        int parts = laneGrads.length;
        return (int) (((long) batch * part + parts - 1) / parts);
    }

    /**
     * Lets the backward pass split the batch (called by the generated constructor of a network without batch norm):
     * allocates, for each part beyond the first, a copy of every parameter gradient and an im2col gradient scratch of
     * {@code colLength} floats (the largest convolution's), unless the copies would exceed
     * {@value #SPLIT_BACKWARD_FLOATS} floats or there is one thread.
     */
    protected final void allowParallelBackward(int colLength) {
        long floats = 0;
        for (Parameter p : parameters) {
            floats += p.size();
        }
        int parts = Kernels.threads();
        if (parts == 1 || floats * (parts - 1) > SPLIT_BACKWARD_FLOATS) {
            return;
        }
        float[][][] grads = new float[parts][parameters.size()][];
        for (int p = 0; p < parameters.size(); p++) {
            grads[0][p] = parameters.get(p).grad();
            for (int part = 1; part < parts; part++) {
                grads[part][p] = new float[parameters.get(p).size()];
            }
        }
        laneScratchGrad = new float[parts][];
        for (int part = 1; part < parts && colLength > 0; part++) {
            laneScratchGrad[part] = new float[colLength];
        }
        laneGrads = grads;
    }

    /** Parameter {@code p}'s gradient array for part {@code lane} of a backward pass ({@code own}: the parameter's, for part 0). */
    protected final float[] laneGrad(int lane, int p, float[] own) {
        return lane == 0 ? own : laneGrads[lane][p];
    }

    /** The im2col gradient scratch of backward part {@code lane} (at least 1). */
    protected final float[] laneScratchGrad(int lane) {
        return laneScratchGrad[lane];
    }

    /**
     * Allocates the worker threads' convolution scratch: {@code length} floats (the largest convolution's) for each thread
     * beyond the caller; called by the generated constructor of a network with convolutions.
     */
    protected final void allocateLaneScratch(int length) {
        laneScratch = new float[Kernels.threads()][];
        for (int lane = 1; lane < laneScratch.length; lane++) {
            laneScratch[lane] = new float[length];
        }
    }

    /** The convolution scratch of worker part {@code lane} (at least 1). */
    protected final float[] laneScratch(int lane) {
        return laneScratch[lane];
    }

    /**
     * Runs every layer's backward pass from the gradient in {@link #outputGradBuffer()}; writes d loss / d input to
     * {@code inputGrad} when it is not null. An engine that trains overrides it.
     */
    protected void runBackward(int batch, float[] inputGrad) {
        requireTrainable("runBackward");
    }

    /** The last layer's output buffer (logits when a trailing softmax is fused into the loss). */
    protected abstract float[] outputBuffer();

    /** The last layer's gradient buffer (an inference-only engine has none). */
    protected float[] outputGradBuffer() {
        requireTrainable("outputGradBuffer");
        return null;
    }

    /** Registers a trainable parameter (called by the generated constructor, in layer order). */
    protected final void addParameter(String name, int[] shape, float[] data, float[] grad, Init init, int fanIn, int fanOut) {
        parameters.add(new Parameter(name, shape, data, grad));
        ownParameter();
        parameterInit.add(init);
        parameterFans.add(new int[] {fanIn, fanOut});
    }

    /**
     * Registers a layer's output and output gradient buffers ({@code size} values per image), in forward order; the
     * engine reads them only to name the layer where a failed training step first went non-finite.
     */
    protected final void addLayer(String layer, float[] output, float[] outputGrad, int size) {
        layerNames.add(layer);
        layerOutputs.add(output);
        layerGrads.add(outputGrad);
        layerSizes.add(size);
        layerSteps.add(lastStep());
    }

    /** Registers non-trainable state. */
    protected final void addBuffer(String name, int[] shape, float[] data, Init init) {
        buffers.add(new Parameter(name, shape, data, null));
        bufferInit.add(init);
    }

    // ---- Engine

    @Override
    public void initialize(long seed) {
        initialize(seed, InitScheme.HE_XAVIER);
    }

    /** Initialises every parameter from {@code seed} with {@code scheme}; buffers and dropout as {@link #initialize(long)}. */
    public void initialize(long seed, InitScheme scheme) {
        EngineSupport.initialize(seed, scheme, parameters, parameterInit, parameterFans, buffers, bufferInit);
        derivedStale = true;
        rng.seed(EngineSupport.dropoutSeed(seed));
        forwardBatch = 0;
    }

    @Override
    public final void forward(float[] input, int batch, float[] output) {
        checkBatch("forward", batch);
        checkInput("forward", input, batch);
        checkLength("forward", "output", output, batch * outputSize);
        derive();
        runForward(input, batch);
        forwardBatch = batch;
        float[] out = outputBuffer();
        int n = batch * outputSize;
        if (softmaxOutput) {
            for (int b = 0; b < batch; b++) {
                Kernels.softmax(out, output, b * outputSize, outputSize, 1);
            }
        } else {
            System.arraycopy(out, 0, output, 0, n);
        }
    }

    @Override
    public final void lastOutput(float[] output, int batch) {
        if (forwardBatch == 0 || batch > forwardBatch) {
            throw new IllegalStateException(name + ".lastOutput(batch = " + batch + "): the last forward pass had batch " + forwardBatch);
        }
        checkLength("lastOutput", "output", output, batch * outputSize);
        System.arraycopy(outputBuffer(), 0, output, 0, batch * outputSize);
    }

    @Override
    public final void backward(float[] outputGrad, int batch, float[] inputGrad) {
        requireTrainable("backward");
        checkBatch("backward", batch);
        checkLength("backward", "outputGrad", outputGrad, batch * outputSize);
        if (inputGrad != null) {
            checkLength("backward", "inputGrad", inputGrad, batch * inputSize);
        }
        if (forwardBatch == 0) {
            throw new IllegalStateException(name + ".backward: no forward pass to go back through; call forward first");
        }
        if (forwardBatch != batch) {
            throw new IllegalStateException(name + ".backward(batch = " + batch + ") must follow a forward pass of the same batch, but the last forward had batch " + forwardBatch);
        }
        float[] g = outputGradBuffer();
        if (softmaxOutput) {
            // The caller's gradient is with respect to the probabilities; the buffers hold logits.
            for (int b = 0; b < batch; b++) {
                int off = b * outputSize;
                Kernels.softmax(outputBuffer(), outputScratch, off, outputSize, 1);
                Kernels.softmaxBackward(outputScratch, outputGrad, g, off, outputSize, 1);
            }
        } else {
            System.arraycopy(outputGrad, 0, g, 0, batch * outputSize);
        }
        planBackward(inputGrad != null);
        runBackward(batch, inputGrad);
    }

    @Override
    public final float gradients(float[] input, int[] labels, int batch, float[] inputGrad) {
        requireTrainable("gradients");
        if (!crossEntropy) {
            throw new IllegalStateException(name + " is trained with mean squared error: pass targets (float[]), not class labels");
        }
        checkBatch("gradients", batch);
        checkInput("gradients", input, batch);
        EngineSupport.checkLabels(name, labels, batch, outputSize);
        return forwardLossBackward(input, labels, null, batch, inputGrad);
    }

    @Override
    public final float gradients(float[] input, float[] targets, int batch, float[] inputGrad) {
        requireTrainable("gradients");
        if (crossEntropy) {
            throw new IllegalStateException(name + " is trained with softmax cross-entropy: pass class labels (int[]), not targets");
        }
        checkBatch("gradients", batch);
        checkInput("gradients", input, batch);
        checkLength("gradients", "targets", targets, batch * outputSize);
        return forwardLossBackward(input, null, targets, batch, inputGrad);
    }

    /** After the arguments are checked: forward, the loss (labels or targets) and its gradient, backward. */
    private float forwardLossBackward(float[] input, int[] labels, float[] targets, int batch, float[] inputGrad) {
        if (inputGrad != null) {
            checkLength("gradients", "inputGrad", inputGrad, batch * inputSize);
        }
        derive();
        runForward(input, batch);
        forwardBatch = batch;
        float l = labels != null
                ? Kernels.softmaxCrossEntropy(outputBuffer(), labels, batch, outputSize, outputGradBuffer())
                : Kernels.meanSquaredError(outputBuffer(), targets, batch, outputSize, outputGradBuffer());
        planBackward(inputGrad != null);
        runBackward(batch, inputGrad);
        return l;
    }

    /** Decides which layers' backward runs ({@link BackwardPlan}); a gradient no longer computed is set to zero once. */
    private void planBackward(boolean inputGrad) {
        planBackward(parameters, inputGrad, zeroGrad);
    }

    /** Sets parameter {@code p}'s gradient to zero (one instance: a backward pass allocates nothing). */
    private final java.util.function.IntConsumer zeroGrad = p -> java.util.Arrays.fill(parameters.get(p).grad(), 0f);

    @Override
    protected final void backupState(int batch) {
        backupBuffers();
    }

    @Override
    protected final void restoreState() {
        restoreBuffers();
    }

    @Override
    protected final void applyUpdate(Optimizer optimizer) {
        optimizer.step(parameters());
    }

    private void backupBuffers() {
        if (bufferBackup == null) {
            int total = 0;
            for (Parameter b : buffers) {
                total += b.size();
            }
            bufferBackup = new float[total];
        }
        int at = 0;
        for (int i = 0; i < buffers.size(); i++) {
            float[] d = buffers.get(i).data();
            System.arraycopy(d, 0, bufferBackup, at, d.length);
            at += d.length;
        }
    }

    private void restoreBuffers() {
        int at = 0;
        for (int i = 0; i < buffers.size(); i++) {
            float[] d = buffers.get(i).data();
            System.arraycopy(bufferBackup, at, d, 0, d.length);
            at += d.length;
        }
    }

    /** The first parameter (in layer order) whose gradient holds a NaN or infinity, or null. */
    @Override
    protected final String firstNonFiniteGradient() {
        for (int i = 0; i < parameters.size(); i++) {
            if (firstNonFinite(parameters.get(i).grad(), parameters.get(i).size()) >= 0) {
                return "the gradient of " + parameters.get(i).name();
            }
        }
        return null;
    }

    @Override
    protected final String firstNonFiniteParameter() {
        for (int i = 0; i < parameters.size(); i++) {
            if (firstNonFinite(parameters.get(i).data(), parameters.get(i).size()) >= 0) {
                return parameters.get(i).name();
            }
        }
        return null;
    }

    private static int firstNonFinite(float[] a, int n) {
        return EngineSupport.firstNonFinite(a, n);
    }

    @Override
    protected final NonFiniteException nonFinite(float[] input, int batch, float loss, String bad) {
        // a layer whose backward did not run holds an older gradient: leave it out of the search
        List<float[]> grads = new ArrayList<>(layerGrads);
        for (int i = 0; i < grads.size(); i++) {
            if (!gradientComputed(layerSteps.get(i))) {
                grads.set(i, null);
            }
        }
        return EngineSupport.nonFinite(name, trainingSteps, input, inputSize, batch, loss, bad, layerNames, layerOutputs, grads, layerSizes);
    }

    /** Binds {@code optimizer} to (or checks it against) this engine's parameters. */
    @Override
    protected final void prepareOptimizer(Optimizer optimizer) {
        optimizer.prepare(parameters);
    }

    /**
     * The live parameters. An engine that derives values from them (an inference-only engine's packed weights) makes
     * those again before its next forward pass: write the arrays after this call, before that pass.
     */
    @Override
    public final List<Parameter> parameters() {
        derivedStale = true;
        return parametersView;
    }

    /** The live running statistics, as {@link #parameters()}. */
    @Override
    public final List<Parameter> buffers() {
        derivedStale = true;
        return buffersView;
    }

    /** Whether the values derived from the parameters must be made again before the next forward pass. */
    private boolean derivedStale = true;

    /**
     * Makes the values the engine derives from its parameters: an inference-only engine's convolution weights packed
     * for the filter-major product ({@code ImplicitConv.packWeights}). Generated where there are any; run before the
     * first forward pass and before the first one after {@link #parameters()}, {@link #buffers()} or an
     * initialisation, so that a change written into the parameters' arrays reaches the next pass.
     */
    protected void deriveWeights() {}

    /** {@link #deriveWeights()} where the parameters may have changed since it last ran. */
    private void derive() {
        if (derivedStale) {
            deriveWeights();
            derivedStale = false;
        }
    }
}
