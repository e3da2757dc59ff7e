package dev.strider.runtime.engine;

import dev.strider.runtime.optim.Optimizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The base of every generated Java engine: argument checks, modes, the loss, parameter registry and
 * initialisation. The generated subclass supplies the network itself ({@link #runForward}, {@link #runBackward})
 * with every shape a constant. Every check happens before any state changes, so an engine that throws is left as
 * it was.
 */
public abstract class GeneratedEngine implements Engine {
    /** The loss a network is trained with. */
    protected enum LossKind {
        SOFTMAX_CROSS_ENTROPY,
        MEAN_SQUARED_ERROR
    }

    private final String name;
    private final int inputSize;
    private final int outputSize;
    private final int maxBatch;
    private final LossKind loss;
    private final boolean softmaxOutput;
    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Parameter> buffers = new ArrayList<>();
    /** Read-only views, made once: {@link #parameters()} is called on every training step and must not allocate. */
    private final List<Parameter> parametersView = Collections.unmodifiableList(parameters);
    private final List<Parameter> buffersView = Collections.unmodifiableList(buffers);
    private final List<Init> parameterInit = new ArrayList<>();
    private final List<int[]> parameterFans = new ArrayList<>();
    private final List<Init> bufferInit = new ArrayList<>();
    private final float[] outputScratch;
    /** Dropout's random stream. */
    protected final Rng rng = new Rng(0);
    private boolean training;
    private int minTrainingBatch = 1;
    private String minTrainingBatchReason;
    private boolean checkFinite;
    private int forwardBatch;
    private Optimizer optimizer;
    /** Each layer's name, output and output gradient in forward order, for naming where values went non-finite. */
    private final List<String> layerNames = new ArrayList<>();
    private final List<float[]> layerOutputs = new ArrayList<>();
    private final List<float[]> layerGrads = new ArrayList<>();
    private final List<Integer> layerSizes = new ArrayList<>();
    /** The running statistics before the current training step, to put back when the step fails. */
    private float[] bufferBackup;
    /** The dropout stream before the current training step, to put back when the step fails. */
    private long rngBackup;
    private long trainingSteps;

    protected GeneratedEngine(String name, int inputSize, int outputSize, int maxBatch, LossKind loss, boolean softmaxOutput) {
        this.name = name;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.maxBatch = maxBatch;
        this.loss = loss;
        this.softmaxOutput = softmaxOutput;
        this.outputScratch = new float[maxBatch * outputSize];
    }

    // ---- what the generated subclass provides

    /** Runs every layer's forward pass on {@code batch} images of {@code input}. */
    protected abstract void runForward(float[] input, int batch);

    /**
     * Runs every layer's backward pass from the gradient in {@link #outputGradBuffer()}; writes d loss / d input to
     * {@code inputGrad} when it is not null.
     */
    protected abstract void runBackward(int batch, float[] inputGrad);

    /** The last layer's output buffer (logits when a trailing softmax is fused into the loss). */
    protected abstract float[] outputBuffer();

    /** The last layer's gradient buffer. */
    protected abstract float[] outputGradBuffer();

    /** Registers a trainable parameter (called by the generated constructor, in layer order). */
    protected final void addParameter(String name, int[] shape, float[] data, float[] grad, Init init, int fanIn, int fanOut) {
        parameters.add(new Parameter(name, shape, data, grad));
        parameterInit.add(init);
        parameterFans.add(new int[] {fanIn, fanOut});
    }

    /**
     * Declares that training mode needs at least {@code batch} images: batch normalisation over one value per channel
     * (a flat input, or a 1x1 map) has no batch statistics with a single image. PyTorch refuses this too.
     */
    protected final void requireTrainingBatch(int batch, String layer) {
        if (batch > minTrainingBatch) {
            minTrainingBatch = batch;
            minTrainingBatchReason = "batch norm \"" + layer + "\" normalises one value per channel per image, so training mode needs a batch of at least " + batch;
        }
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
    }

    /** Registers non-trainable state. */
    protected final void addBuffer(String name, int[] shape, float[] data, Init init) {
        buffers.add(new Parameter(name, shape, data, null));
        bufferInit.add(init);
    }

    // ---- Engine

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int inputSize() {
        return inputSize;
    }

    @Override
    public final int outputSize() {
        return outputSize;
    }

    @Override
    public final int maxBatch() {
        return maxBatch;
    }

    @Override
    public final boolean outputsProbabilities() {
        return softmaxOutput;
    }

    @Override
    public void initialize(long seed) {
        initialize(seed, InitScheme.HE_XAVIER);
    }

    /** Initialises every parameter from {@code seed} with {@code scheme}; buffers and dropout as {@link #initialize(long)}. */
    public void initialize(long seed, InitScheme scheme) {
        Rng init = new Rng(seed);
        for (int i = 0; i < parameters.size(); i++) {
            Init kind = parameterInit.get(i);
            if (scheme == InitScheme.PYTORCH && (kind == Init.HE || kind == Init.XAVIER || kind == Init.BIAS)) {
                double bound = 1 / Math.sqrt(parameterFans.get(i)[0]);
                float[] data = parameters.get(i).data();
                for (int j = 0; j < data.length; j++) {
                    data[j] = (float) ((2 * init.nextFloat() - 1) * bound);
                }
            } else {
                fill(parameters.get(i).data(), kind, parameterFans.get(i), init);
            }
        }
        for (int i = 0; i < buffers.size(); i++) {
            fill(buffers.get(i).data(), bufferInit.get(i), null, init);
        }
        rng.seed(seed ^ 0x5DEECE66DL);
        forwardBatch = 0;
    }

    private static void fill(float[] data, Init init, int[] fans, Rng rng) {
        switch (init) {
            case ZERO, BIAS -> java.util.Arrays.fill(data, 0f);
            case ONE -> java.util.Arrays.fill(data, 1f);
            case HE -> {
                double std = Math.sqrt(2.0 / fans[0]);
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) (rng.nextGaussian() * std);
                }
            }
            case XAVIER -> {
                double limit = Math.sqrt(6.0 / (fans[0] + fans[1]));
                for (int i = 0; i < data.length; i++) {
                    data[i] = (float) ((2 * rng.nextFloat() - 1) * limit);
                }
            }
        }
    }

    @Override
    public final void forward(float[] input, int batch, float[] output) {
        checkBatch("forward", batch);
        checkInput("forward", input, batch);
        checkLength("forward", "output", output, batch * outputSize);
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
    public final float[] probabilities(float[] input, int batch) {
        if (loss != LossKind.SOFTMAX_CROSS_ENTROPY) {
            throw new IllegalStateException(name + " is trained with mean squared error: its outputs are not class probabilities");
        }
        float[] p = forward(input, batch);
        if (!softmaxOutput) {
            for (int b = 0; b < batch; b++) {
                Kernels.softmax(p, b * outputSize, outputSize, 1);
            }
        }
        return p;
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
        runBackward(batch, inputGrad);
    }

    @Override
    public final float gradients(float[] input, int[] labels, int batch, float[] inputGrad) {
        if (loss != LossKind.SOFTMAX_CROSS_ENTROPY) {
            throw new IllegalStateException(name + " is trained with mean squared error: pass targets (float[]), not class labels");
        }
        checkBatch("gradients", batch);
        checkInput("gradients", input, batch);
        checkLength("gradients", "labels", labels, batch);
        for (int n = 0; n < batch; n++) {
            if (labels[n] < 0 || labels[n] >= outputSize) {
                throw new IllegalArgumentException(name + ".gradients: labels[" + n + "] = " + labels[n] + " is not a class of this network (0.." + (outputSize - 1) + ")");
            }
        }
        return forwardLossBackward(input, labels, null, batch, inputGrad);
    }

    @Override
    public final float gradients(float[] input, float[] targets, int batch, float[] inputGrad) {
        if (loss != LossKind.MEAN_SQUARED_ERROR) {
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
        runForward(input, batch);
        forwardBatch = batch;
        float l = labels != null
                ? Kernels.softmaxCrossEntropy(outputBuffer(), labels, batch, outputSize, outputGradBuffer())
                : Kernels.meanSquaredError(outputBuffer(), targets, batch, outputSize, outputGradBuffer());
        runBackward(batch, inputGrad);
        return l;
    }

    /** Trains in training mode whatever the current mode, then restores it. */
    @Override
    public final float trainStep(float[] input, int[] labels, int batch) {
        return train(input, labels, null, batch);
    }

    @Override
    public final float trainStep(float[] input, float[] targets, int batch) {
        return train(input, null, targets, batch);
    }

    private float train(float[] input, int[] labels, float[] targets, int batch) {
        Optimizer o = requireOptimizer();
        boolean mode = training;
        training = true;
        try {
            backupBuffers();
            rngBackup = rng.state();
            float l = labels != null ? gradients(input, labels, batch, null) : gradients(input, targets, batch, null);
            String bad = Float.isFinite(l) ? firstNonFiniteGradient() : "the loss";
            if (bad != null) {
                restoreBuffers();
                rng.seed(rngBackup);
                throw nonFinite(input, batch, l, bad);
            }
            o.step(parameters());
            trainingSteps++;
            String overflow = firstNonFiniteParameter();
            if (overflow != null) {
                throw new NonFiniteException(name + ".trainStep: the update of step " + trainingSteps + " (loss " + l
                        + ", every gradient finite) overflowed parameter \"" + overflow
                        + "\" to a non-finite value; the update has been applied (weights and optimizer state are not those of "
                        + "the last good step): lower the learning rate and restore saved weights and optimizer", trainingSteps, overflow);
            }
            return l;
        } finally {
            training = mode;
        }
    }

    /** Training steps completed (optimizer updates applied) since construction. */
    public final long trainingSteps() {
        return trainingSteps;
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
    private String firstNonFiniteGradient() {
        for (int i = 0; i < parameters.size(); i++) {
            if (firstNonFinite(parameters.get(i).grad(), parameters.get(i).size()) >= 0) {
                return "the gradient of " + parameters.get(i).name();
            }
        }
        return null;
    }

    private String firstNonFiniteParameter() {
        for (int i = 0; i < parameters.size(); i++) {
            if (firstNonFinite(parameters.get(i).data(), parameters.get(i).size()) >= 0) {
                return parameters.get(i).name();
            }
        }
        return null;
    }

    private static int firstNonFinite(float[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(a[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Where a failed step first went non-finite: the input, else the first layer output in forward order, else the
     * first output gradient in backward order, else the parameter gradient {@code bad} names.
     */
    private NonFiniteException nonFinite(float[] input, int batch, float loss, String bad) {
        long step = trainingSteps + 1;
        String head = name + ".trainStep: step " + step + " went non-finite (loss " + loss + "); ";
        String tail = ". The update was skipped: weights, optimizer state and running statistics are those after step "
                + trainingSteps + ".";
        int at = firstNonFinite(input, batch * inputSize);
        if (at >= 0) {
            return new NonFiniteException(head + "the input holds " + input[at] + " at index " + at + " (image "
                    + at / inputSize + ")" + tail, step, "input");
        }
        for (int i = 0; i < layerNames.size(); i++) {
            at = firstNonFinite(layerOutputs.get(i), batch * layerSizes.get(i));
            if (at >= 0) {
                return new NonFiniteException(head + "the first non-finite activation is in the output of layer \""
                        + layerNames.get(i) + "\" (image " + at / layerSizes.get(i) + ", value " + at % layerSizes.get(i)
                        + " = " + layerOutputs.get(i)[at] + ")" + tail, step, layerNames.get(i));
            }
        }
        for (int i = layerNames.size() - 1; i >= 0; i--) {
            at = firstNonFinite(layerGrads.get(i), batch * layerSizes.get(i));
            if (at >= 0) {
                return new NonFiniteException(head + "every activation is finite; the first non-finite gradient of the "
                        + "backward pass is d loss / d output of layer \"" + layerNames.get(i) + "\" (image "
                        + at / layerSizes.get(i) + ", value " + at % layerSizes.get(i) + " = " + layerGrads.get(i)[at] + ")"
                        + tail, step, layerNames.get(i));
            }
        }
        String parameter = bad.startsWith("the gradient of ") ? bad.substring("the gradient of ".length()) : "loss";
        return new NonFiniteException(head + "every activation and output gradient is finite, but " + bad
                + " is not" + tail, step, parameter);
    }

    /** The optimizer, bound to (or checked against) this engine's parameters before anything runs. */
    private Optimizer requireOptimizer() {
        if (optimizer == null) {
            throw new IllegalStateException(name + ".trainStep: no optimizer; call setOptimizer first (e.g. Sgd or Adam)");
        }
        optimizer.prepare(parameters);
        return optimizer;
    }

    @Override
    public final void setTraining(boolean training) {
        this.training = training;
    }

    @Override
    public final boolean isTraining() {
        return training;
    }

    /**
     * Restarts the dropout random stream from {@code seed} without touching any parameter: two forward passes after
     * the same reseed draw the same masks (gradient checks rely on it).
     */
    public final void reseed(long seed) {
        rng.seed(seed);
    }

    /** Whether inputs are checked for NaN and infinity (off by default: it costs a pass over the input). */
    public final void setCheckFinite(boolean check) {
        this.checkFinite = check;
    }

    @Override
    public final List<Parameter> parameters() {
        return parametersView;
    }

    @Override
    public final List<Parameter> buffers() {
        return buffersView;
    }

    @Override
    public final Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public final void setOptimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
    }

    // ---- checks (before any state changes)

    private void checkBatch(String call, int batch) {
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException(name + "." + call + ": batch must be between 1 and maxBatch = " + maxBatch + ", but it is " + batch);
        }
        if (training && batch < minTrainingBatch && !call.equals("backward")) {
            throw new IllegalArgumentException(name + "." + call + ": " + minTrainingBatchReason + ", but it is " + batch);
        }
    }

    private void checkInput(String call, float[] input, int batch) {
        checkLength(call, "input", input, batch * inputSize);
        if (checkFinite) {
            for (int i = 0; i < batch * inputSize; i++) {
                if (!Float.isFinite(input[i])) {
                    throw new IllegalArgumentException(name + "." + call + ": input[" + i + "] (image " + i / inputSize + ") is " + input[i]);
                }
            }
        }
    }

    private void checkLength(String call, String what, float[] a, int needed) {
        if (a == null) {
            throw new NullPointerException(name + "." + call + ": " + what + " is null");
        }
        if (a.length < needed) {
            throw new IllegalArgumentException(name + "." + call + ": " + what + " has " + a.length + " values, but the batch needs " + needed);
        }
    }

    private void checkLength(String call, String what, int[] a, int needed) {
        if (a == null) {
            throw new NullPointerException(name + "." + call + ": " + what + " is null");
        }
        if (a.length < needed) {
            throw new IllegalArgumentException(name + "." + call + ": " + what + " has " + a.length + " values, but the batch needs " + needed);
        }
    }
}
