package dev.strider.runtime.engine;

import dev.strider.runtime.optim.Optimizer;
import java.util.List;

/**
 * A fixed-size network engine: every shape is fixed at compile time; a call may pass any batch from 1 to
 * {@link #maxBatch()}. Inputs are NCHW, {@code batch * inputSize()} floats; outputs {@code batch * outputSize()}.
 *
 * <p>Thread safety: an engine is not thread-safe (it owns its activation buffers); use one engine per thread.
 */
public interface Engine extends AutoCloseable {
    /** The network's simple name, e.g. {@code LeNet5}. */
    String name();

    /** Values per input image ({@code C * H * W}). */
    int inputSize();

    /** Values per output. */
    int outputSize();

    int maxBatch();

    /**
     * Whether {@link #forward} returns class probabilities: a network trained with softmax cross-entropy whose last
     * layer is a softmax fused into the loss (otherwise it returns logits, or values for mean squared error).
     */
    boolean outputsProbabilities();

    /**
     * Initialises every parameter from {@code seed}: He (normal, {@code std = sqrt(2 / fan_in)}) for layers followed
     * by a ReLU-family activation, Xavier/Glorot (uniform) otherwise; zero biases; batch-norm scale 1, shift 0,
     * running mean 0, running variance 1. Also resets the dropout random stream.
     */
    void initialize(long seed);

    /** Initialises every parameter from {@code seed} with {@code scheme}; running statistics and dropout as {@link #initialize(long)}. */
    void initialize(long seed, InitScheme scheme);

    /** Runs the network on {@code batch} images and writes {@code batch * outputSize()} values into {@code output}. Allocates nothing. */
    void forward(float[] input, int batch, float[] output);

    /** {@link #forward(float[], int, float[])} into a new array. */
    default float[] forward(float[] input, int batch) {
        float[] out = new float[batch * outputSize()];
        forward(input, batch, out);
        return out;
    }

    /**
     * Copies the network's output of the last forward pass (also the one inside {@code gradients} and
     * {@code trainStep}; logits where a trailing softmax is fused into the loss) for {@code batch} images into
     * {@code output}, without computing anything.
     */
    void lastOutput(float[] output, int batch);

    /**
     * Back-propagates {@code outputGrad} (d loss / d output of the last {@link #forward}, {@code batch * outputSize()}
     * values) through the network: sets every parameter's gradient and, if {@code inputGrad} is not null, writes
     * d loss / d input. Must follow a forward pass of the same batch; it reads that pass's input array again, so the
     * caller must not change it in between.
     */
    void backward(float[] outputGrad, int batch, float[] inputGrad);

    /**
     * Forward, the network's loss, and backward without updating anything: returns the mean loss over the batch,
     * sets the parameters' gradients and, if {@code inputGrad} is not null, d loss / d input. For networks trained
     * with softmax cross-entropy {@code labels} are class indices; see {@link #gradients(float[], float[], int, float[])}
     * for mean squared error.
     */
    float gradients(float[] input, int[] labels, int batch, float[] inputGrad);

    /** As {@link #gradients(float[], int[], int, float[])}, for networks trained with mean squared error against {@code targets}. */
    float gradients(float[] input, float[] targets, int batch, float[] inputGrad);

    /** One training step with softmax cross-entropy: gradients, then the optimizer's update. Returns the mean loss. */
    default float trainStep(float[] input, int[] labels, int batch) {
        float loss = gradients(input, labels, batch, null);
        optimizer().step(parameters());
        return loss;
    }

    /** One training step with mean squared error. Returns the mean loss. */
    default float trainStep(float[] input, float[] targets, int batch) {
        float loss = gradients(input, targets, batch, null);
        optimizer().step(parameters());
        return loss;
    }

    /** Training mode (dropout active, batch-norm uses and updates batch statistics) or evaluation mode. */
    void setTraining(boolean training);

    /**
     * Whether the engine only runs forward ({@code @Network(inferenceOnly = true)}): then {@code backward},
     * {@code gradients}, {@code trainStep} and {@code setTraining(true)} throw {@code IllegalStateException}.
     */
    default boolean inferenceOnly() {
        return false;
    }

    boolean isTraining();

    /**
     * Trainable parameters, in layer order: the engine's own arrays. Values written into them reach the engine's next
     * operation when they are written after this call (or {@link #buffers()}): an engine may keep copies derived from
     * them (the GPU engine's device memory, an inference-only engine's packed weights), and brings those up to date at
     * its first operation after such a call. Holding the list across operations, call this again before writing.
     */
    List<Parameter> parameters();

    /** Non-trainable state (batch-norm running statistics), in layer order; writing it as {@link #parameters()}. */
    List<Parameter> buffers();

    /** The parameter or buffer called {@code name} (e.g. {@code c1.weight}). */
    default Parameter parameter(String name) {
        for (Parameter p : parameters()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        for (Parameter p : buffers()) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException(name() + " has no parameter \"" + name + "\"; it has " + parameters() + " and " + buffers());
    }

    Optimizer optimizer();

    void setOptimizer(Optimizer optimizer);

    /**
     * Class probabilities of {@code batch} images: the softmax of the logits of a network trained with softmax
     * cross-entropy (its output already, when the network ends in a softmax). For a network trained with mean squared
     * error there are no class probabilities: it throws {@link IllegalStateException}.
     */
    float[] probabilities(float[] input, int batch);

    /**
     * Releases what the engine holds outside the Java heap (a GPU engine's device memory); the engine cannot be used
     * afterwards. The Java engine holds nothing there: closing it does nothing.
     */
    @Override
    default void close() {}

    /** The predicted class of each of {@code batch} images (argmax of the output). */
    default int[] predict(float[] input, int batch) {
        float[] out = forward(input, batch);
        int k = outputSize();
        int[] classes = new int[batch];
        for (int n = 0; n < batch; n++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (out[n * k + j] > out[n * k + best]) {
                    best = j;
                }
            }
            classes[n] = best;
        }
        return classes;
    }
}
