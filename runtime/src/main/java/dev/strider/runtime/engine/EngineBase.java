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
    /** Which layers' backward runs and which compute parameter gradients, from the frozen flags ({@link BackwardPlan}). */
    private final BackwardPlan backwardPlan = new BackwardPlan();
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

    /** Whether the network is declared inference-only ({@link #inferenceOnly(boolean)}). */
    private boolean forwardOnly;

    /**
     * Marks the engine inference-only (called by the generated constructor of a network declared
     * {@code @Network(inferenceOnly = true)}): training calls then throw before anything changes.
     */
    protected final void inferenceOnly(boolean inferenceOnly) {
        this.forwardOnly = inferenceOnly;
    }

    @Override
    public final boolean inferenceOnly() {
        return forwardOnly;
    }

    /** Throws if the engine is inference-only: {@code call} needs gradients it does not keep. */
    protected final void requireTrainable(String call) {
        if (forwardOnly) {
            throw new IllegalStateException(name + "." + call + ": " + name + " is declared @Network(inferenceOnly = true), so its engine "
                    + "keeps no gradients and cannot train; declare the network without inferenceOnly to train it");
        }
    }

    /**
     * Registers the next layer of the backward plan (in forward order, before its parameters): the indices of the
     * layers it takes, -1 for the network's input.
     */
    protected final void step(String layer, int... from) {
        backwardPlan.step(layer, from);
    }

    /** Registers the next trainable parameter as the last registered layer's (called by {@code addParameter}). */
    protected final void ownParameter() {
        backwardPlan.parameter();
    }

    /**
     * Decides the coming backward pass from the frozen flags of {@code parameters} ({@link BackwardPlan#update}),
     * calling {@code zeroGrad} for each parameter whose gradient stops being computed; returns the plan's signature.
     */
    protected final String planBackward(java.util.List<Parameter> parameters, boolean inputGrad, java.util.function.IntConsumer zeroGrad) {
        return backwardPlan.update(parameters, inputGrad, zeroGrad);
    }

    /** The index of the last registered layer of the backward plan (the one a registration belongs to). */
    protected final int lastStep() {
        return backwardPlan.size() - 1;
    }

    /** Whether layer {@code step}'s output gradient was computed by the last backward pass. */
    protected final boolean gradientComputed(int step) {
        return backwardPlan.computed(step);
    }

    /** Whether layer {@code step}'s backward runs in this backward pass (its output gradient is needed). */
    protected final boolean gradientNeeded(int step) {
        return backwardPlan.runs(step);
    }

    /** Whether parameter {@code p}'s gradient is computed in this backward pass (see {@link #parameterGradients}). */
    protected final boolean parameterComputed(int p) {
        return backwardPlan.parameterComputed(p);
    }

    /** Whether layer {@code step} computes its parameters' gradients in this backward pass (one of them is not frozen). */
    protected final boolean parameterGradients(int step) {
        return backwardPlan.parameters(step);
    }

    /**
     * What the last backward pass computed, one letter per layer in forward order: {@code P} its parameters' gradients
     * and the gradient for its inputs, {@code g} only the gradient for its inputs (its parameters are frozen, a layer
     * before it trains), {@code -} nothing (no layer at or before it trains and no input gradient was asked for).
     */
    public final String backwardSignature() {
        return backwardPlan.signature();
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

    // ---- training steps: one sequence for every backend, the backend's parts below

    /** One training step with softmax cross-entropy, in training mode whatever the current mode (restored after). */
    @Override
    public final float trainStep(float[] input, int[] labels, int batch) {
        return train(input, labels, null, batch);
    }

    /** One training step with mean squared error, in training mode whatever the current mode (restored after). */
    @Override
    public final float trainStep(float[] input, float[] targets, int batch) {
        return train(input, null, targets, batch);
    }

    /**
     * Gradients, then the update, with nothing changed when the step fails before the update: a non-finite loss or
     * gradient puts back the running statistics and the dropout stream and names where it started; an update that
     * overflows a weight is reported after it was applied.
     */
    private float train(float[] input, int[] labels, float[] targets, int batch) {
        requireTrainable("trainStep");
        if (optimizer == null) {
            throw new IllegalStateException(name + ".trainStep: no optimizer; call setOptimizer first (e.g. Sgd or Adam)");
        }
        Optimizer o = optimizer;
        prepareOptimizer(o);
        boolean mode = training;
        training = true;
        try {
            backupState(batch);
            long rngBackup = rng.state();
            float l = labels != null ? gradients(input, labels, batch, null) : gradients(input, targets, batch, null);
            String bad = Float.isFinite(l) ? firstNonFiniteGradient() : "the loss";
            if (bad != null) {
                restoreState();
                rng.seed(rngBackup);
                throw nonFinite(input, batch, l, bad);
            }
            try {
                applyUpdate(o);
            } catch (RuntimeException e) {
                // an update that throws applied nothing (the GPU engine could not allocate its optimizer state)
                restoreState();
                rng.seed(rngBackup);
                throw e;
            }
            trainingSteps++;
            String overflow = firstNonFiniteParameter();
            if (overflow != null) {
                throw EngineSupport.overflow(name, trainingSteps, l, overflow);
            }
            return l;
        } finally {
            training = mode;
        }
    }

    /** Checks that this engine can use {@code optimizer} (binding it if it needs to) before anything changes. */
    protected abstract void prepareOptimizer(Optimizer optimizer);

    /** Saves what a failed step must put back (the running statistics) for a step of {@code batch} images. */
    protected abstract void backupState(int batch);

    /** Puts back what {@link #backupState} saved. */
    protected abstract void restoreState();

    /** {@code "the gradient of <parameter>"} for the first parameter whose gradient is not finite, or null. */
    protected abstract String firstNonFiniteGradient();

    /** The first parameter whose value is not finite, or null. */
    protected abstract String firstNonFiniteParameter();

    /** Where a failed step first went non-finite ({@link EngineSupport#nonFinite}). */
    protected abstract NonFiniteException nonFinite(float[] input, int batch, float loss, String bad);

    /** Applies {@code optimizer}'s update to the trainable, unfrozen parameters. */
    protected abstract void applyUpdate(Optimizer optimizer);

    /** Training steps completed (optimizer updates applied) since construction. */
    public final long trainingSteps() {
        return trainingSteps;
    }

    @Override
    public final void setTraining(boolean training) {
        if (training) {
            requireTrainable("setTraining(true)");
        }
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
