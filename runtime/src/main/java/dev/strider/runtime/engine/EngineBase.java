package dev.strider.runtime.engine;

import dev.strider.runtime.optim.Optimizer;

/**
 * What every engine backend keeps the same way: the network's sizes, training mode, the smallest training batch,
 * the input check, the dropout stream, the optimizer and the count of training steps, and the argument checks on
 * them. The generated Java engines ({@link GeneratedEngine}) and GPU engines ({@code CudaEngine}) extend it, so the
 * two cannot disagree about these rules or their messages.
 */
public abstract class EngineBase implements Engine {
    protected final String name;
    protected final int inputSize;
    protected final int outputSize;
    protected final int maxBatch;
    /** Trained with softmax cross-entropy (class labels), else mean squared error (targets). */
    protected final boolean crossEntropy;
    protected final boolean softmaxOutput;
    /** Dropout's random stream. */
    protected final Rng rng = new Rng(0);
    protected boolean training;
    protected boolean checkFinite;
    protected Optimizer optimizer;
    protected long trainingSteps;
    private int minTrainingBatch = 1;
    private String minTrainingBatchReason;

    protected EngineBase(String name, int inputSize, int outputSize, int maxBatch, boolean crossEntropy, boolean softmaxOutput) {
        this.name = name;
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.maxBatch = maxBatch;
        this.crossEntropy = crossEntropy;
        this.softmaxOutput = softmaxOutput;
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
    public final float[] probabilities(float[] input, int batch) {
        if (!crossEntropy) {
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

    /** Training steps completed (optimizer updates applied) since construction. */
    public final long trainingSteps() {
        return trainingSteps;
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
    public final Optimizer optimizer() {
        return optimizer;
    }

    @Override
    public final void setOptimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
    }

    // ---- checks (before any state changes)

    protected final void checkBatch(String call, int batch) {
        EngineSupport.checkBatch(name, call, batch, maxBatch, training, minTrainingBatch, minTrainingBatchReason);
    }

    protected final void checkInput(String call, float[] input, int batch) {
        EngineSupport.checkInput(name, call, input, batch, inputSize, checkFinite);
    }

    protected final void checkLength(String call, String what, float[] a, int needed) {
        EngineSupport.checkLength(name, call, what, a, needed);
    }
}
