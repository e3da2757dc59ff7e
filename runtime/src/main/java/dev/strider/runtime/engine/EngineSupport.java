package dev.strider.runtime.engine;

import java.util.Arrays;
import java.util.List;

/**
 * What every engine backend shares so that they agree exactly: argument checks (and their messages), parameter
 * initialisation from a seed, dropout masks, and where a failed training step first went non-finite. Used by the
 * generated Java engines ({@link GeneratedEngine}) and GPU engines ({@code CudaEngine}).
 */
public final class EngineSupport {
    private EngineSupport() {}

    // ---- initialisation

    /**
     * Fills {@code parameters} (with their {@code inits} and {@code fans}, {fanIn, fanOut} each) and then
     * {@code buffers} from one random stream seeded with {@code seed}: what {@link Engine#initialize(long)} documents.
     */
    public static void initialize(long seed, InitScheme scheme, List<Parameter> parameters, List<Init> inits, List<int[]> fans,
            List<Parameter> buffers, List<Init> bufferInits) {
        Rng init = new Rng(seed);
        for (int i = 0; i < parameters.size(); i++) {
            Init kind = inits.get(i);
            if (scheme == InitScheme.PYTORCH && (kind == Init.HE || kind == Init.XAVIER || kind == Init.BIAS)) {
                double bound = 1 / Math.sqrt(fans.get(i)[0]);
                float[] data = parameters.get(i).data();
                for (int j = 0; j < data.length; j++) {
                    data[j] = (float) ((2 * init.nextFloat() - 1) * bound);
                }
            } else {
                fill(parameters.get(i).data(), kind, fans.get(i), init);
            }
        }
        for (int i = 0; i < buffers.size(); i++) {
            fill(buffers.get(i).data(), bufferInits.get(i), null, init);
        }
    }

    /** The dropout stream's seed after {@link Engine#initialize(long)} with {@code seed}. */
    public static long dropoutSeed(long seed) {
        return seed ^ 0x5DEECE66DL;
    }

    private static void fill(float[] data, Init init, int[] fans, Rng rng) {
        switch (init) {
            case ZERO, BIAS -> Arrays.fill(data, 0f);
            case ONE -> Arrays.fill(data, 1f);
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

    /**
     * Draws an inverted-dropout mask of {@code count} values as the Java engine does: each value is {@code scale} with
     * probability {@code keep} and 0 otherwise, in order.
     */
    public static void dropoutMask(Rng rng, float[] mask, int count, float keep, float scale) {
        for (int i = 0; i < count; i++) {
            mask[i] = rng.nextFloat() < keep ? scale : 0f;
        }
    }

    // ---- argument checks (before any state changes)

    public static void checkBatch(String engine, String call, int batch, int maxBatch, boolean training, int minTrainingBatch,
            String minTrainingBatchReason) {
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException(engine + "." + call + ": batch must be between 1 and maxBatch = " + maxBatch + ", but it is " + batch);
        }
        if (training && batch < minTrainingBatch && !call.equals("backward")) {
            throw new IllegalArgumentException(engine + "." + call + ": " + minTrainingBatchReason + ", but it is " + batch);
        }
    }

    public static void checkInput(String engine, String call, float[] input, int batch, int inputSize, boolean checkFinite) {
        checkLength(engine, call, "input", input, batch * inputSize);
        if (checkFinite) {
            for (int i = 0; i < batch * inputSize; i++) {
                if (!Float.isFinite(input[i])) {
                    throw new IllegalArgumentException(engine + "." + call + ": input[" + i + "] (image " + i / inputSize + ") is " + input[i]);
                }
            }
        }
    }

    public static void checkLabels(String engine, int[] labels, int batch, int classes) {
        checkLength(engine, "gradients", "labels", labels, batch);
        for (int n = 0; n < batch; n++) {
            if (labels[n] < 0 || labels[n] >= classes) {
                throw new IllegalArgumentException(engine + ".gradients: labels[" + n + "] = " + labels[n] + " is not a class of this network (0.." + (classes - 1) + ")");
            }
        }
    }

    public static void checkLength(String engine, String call, String what, float[] a, int needed) {
        if (a == null) {
            throw new NullPointerException(engine + "." + call + ": " + what + " is null");
        }
        if (a.length < needed) {
            throw new IllegalArgumentException(engine + "." + call + ": " + what + " has " + a.length + " values, but the batch needs " + needed);
        }
    }

    public static void checkLength(String engine, String call, String what, int[] a, int needed) {
        if (a == null) {
            throw new NullPointerException(engine + "." + call + ": " + what + " is null");
        }
        if (a.length < needed) {
            throw new IllegalArgumentException(engine + "." + call + ": " + what + " has " + a.length + " values, but the batch needs " + needed);
        }
    }

    // ---- non-finite training steps

    /** The index of the first NaN or infinity among the first {@code n} values, or -1. */
    public static int firstNonFinite(float[] a, int n) {
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
     *
     * @param completed the training steps completed before this one
     * @param layerNames, outputs, grads, sizes each layer's name, output, output gradient (null where the backward pass
     *     skipped the layer) and values per image, in forward order
     */
    public static NonFiniteException nonFinite(String engine, long completed, float[] input, int inputSize, int batch, float loss,
            String bad, List<String> layerNames, List<float[]> outputs, List<float[]> grads, List<Integer> sizes) {
        long step = completed + 1;
        String head = engine + ".trainStep: step " + step + " went non-finite (loss " + loss + "); ";
        String tail = ". The update was skipped: weights, optimizer state and running statistics are those after step "
                + completed + ".";
        int at = firstNonFinite(input, batch * inputSize);
        if (at >= 0) {
            return new NonFiniteException(head + "the input holds " + input[at] + " at index " + at + " (image "
                    + at / inputSize + ")" + tail, step, "input");
        }
        for (int i = 0; i < layerNames.size(); i++) {
            at = firstNonFinite(outputs.get(i), batch * sizes.get(i));
            if (at >= 0) {
                return new NonFiniteException(head + "the first non-finite activation is in the output of layer \""
                        + layerNames.get(i) + "\" (image " + at / sizes.get(i) + ", value " + at % sizes.get(i)
                        + " = " + outputs.get(i)[at] + ")" + tail, step, layerNames.get(i));
            }
        }
        for (int i = layerNames.size() - 1; i >= 0; i--) {
            if (grads.get(i) == null) {
                continue; // this layer's backward did not run (nothing at or before it trains)
            }
            at = firstNonFinite(grads.get(i), batch * sizes.get(i));
            if (at >= 0) {
                return new NonFiniteException(head + "every activation is finite; the first non-finite gradient of the "
                        + "backward pass is d loss / d output of layer \"" + layerNames.get(i) + "\" (image "
                        + at / sizes.get(i) + ", value " + at % sizes.get(i) + " = " + grads.get(i)[at] + ")"
                        + tail, step, layerNames.get(i));
            }
        }
        String parameter = bad.startsWith("the gradient of ") ? bad.substring("the gradient of ".length()) : "loss";
        return new NonFiniteException(head + "every activation and output gradient is finite, but " + bad
                + " is not" + tail, step, parameter);
    }

    /** The exception for an update that overflowed {@code parameter} from finite gradients (the update stays applied). */
    public static NonFiniteException overflow(String engine, long step, float loss, String parameter) {
        return new NonFiniteException(engine + ".trainStep: the update of step " + step + " (loss " + loss
                + ", every gradient finite) overflowed parameter \"" + parameter
                + "\" to a non-finite value; the update has been applied (weights and optimizer state are not those of "
                + "the last good step): lower the learning rate and restore saved weights and optimizer", step, parameter);
    }
}
