package dev.strider.runtime.train;

import dev.strider.runtime.data.Batches;
import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.NonFiniteException;
import dev.strider.runtime.optim.LearningRateSchedule;
import java.util.ArrayList;
import java.util.List;

/**
 * The training loop for classifiers trained with softmax cross-entropy: seeded shuffling, mini-batches (the last,
 * partial one included), a learning-rate schedule per epoch, evaluation in evaluation mode after each epoch. The
 * engine's optimizer does the updates. Allocates its batch arrays once.
 */
public final class Trainer {
    private final Engine engine;
    private final int batchSize;
    private final long seed;
    private final LearningRateSchedule schedule;
    private final float baseRate;
    private TrainingListener listener = TrainingListener.NONE;

    /**
     * @param batchSize images per training step, at most the engine's maximum batch
     * @param seed the shuffling seed (the engine's initialisation is the caller's)
     */
    public Trainer(Engine engine, int batchSize, long seed, LearningRateSchedule schedule) {
        if (engine.optimizer() == null) {
            throw new IllegalArgumentException(engine.name() + " has no optimizer: call setOptimizer before training");
        }
        if (batchSize < 1 || batchSize > engine.maxBatch()) {
            throw new IllegalArgumentException("batch size must be between 1 and " + engine.name() + "'s maxBatch = "
                    + engine.maxBatch() + ", but it is " + batchSize);
        }
        this.engine = engine;
        this.batchSize = batchSize;
        this.seed = seed;
        this.schedule = schedule;
        this.baseRate = engine.optimizer().learningRate();
    }

    public Trainer listener(TrainingListener listener) {
        this.listener = listener;
        return this;
    }

    /** Trains {@code epochs} epochs on {@code train}, evaluating on {@code test} (may be null) after each. */
    public List<EpochResult> train(Dataset train, Dataset test, int epochs) {
        checkShape(train);
        Batches batches = Batches.shuffled(train, batchSize, seed);
        float[] x = new float[batchSize * engine.inputSize()];
        int[] y = new int[batchSize];
        float[] out = new float[batchSize * engine.outputSize()];
        List<EpochResult> results = new ArrayList<>();
        for (int epoch = 0; epoch < epochs; epoch++) {
            float rate = schedule.rate(epoch, baseRate);
            engine.optimizer().setLearningRate(rate);
            batches.startEpoch(epoch);
            listener.epochStarted(epoch, epochs, batches.batchCount());
            long start = System.nanoTime();
            double lossSum = 0;
            int correct = 0;
            int seen = 0;
            for (int b = 0; b < batches.batchCount(); b++) {
                int n = batches.copy(b, x, y);
                float loss;
                try {
                    loss = engine.trainStep(x, y, n);
                } catch (NonFiniteException e) {
                    throw e.withContext("epoch " + (epoch + 1) + ", batch " + (b + 1) + " of " + batches.batchCount() + ": ");
                }
                lossSum += (double) loss * n;
                seen += n;
                int right = correctAfterStep(y, n, out);
                correct += right;
                listener.batchDone(epoch, b, n, loss, right);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Evaluation eval = test == null ? null : evaluate(engine, test, batchSize);
            EpochResult r = new EpochResult(epoch + 1, lossSum / seen, (double) correct / seen, eval, rate, seconds, seen / seconds);
            results.add(r);
            listener.epochDone(r);
        }
        return results;
    }

    /**
     * Training accuracy is counted on the step's own forward pass ({@link Engine#lastOutput}), so it costs no second
     * forward; it is the accuracy while the weights were changing, as frameworks report it.
     */
    private int correctAfterStep(int[] y, int n, float[] out) {
        engine.lastOutput(out, n);
        int k = engine.outputSize();
        int correct = 0;
        for (int i = 0; i < n; i++) {
            if (argmax(out, i * k, k) == y[i]) {
                correct++;
            }
        }
        return correct;
    }

    private void checkShape(Dataset d) {
        if (d.imageSize() != engine.inputSize()) {
            throw new IllegalArgumentException(engine.name() + " takes " + engine.inputSize() + " values per image, but the dataset's images have "
                    + d.imageSize() + " (" + d.channels() + "x" + d.height() + "x" + d.width() + ")");
        }
        if (d.classes() > engine.outputSize()) {
            throw new IllegalArgumentException(engine.name() + " has " + engine.outputSize() + " outputs, but the dataset has " + d.classes() + " classes");
        }
    }

    /** Accuracy and mean cross-entropy on {@code data}, in evaluation mode (the engine's mode is restored). */
    public static Evaluation evaluate(Engine engine, Dataset data, int batchSize) {
        int size = Math.min(batchSize, engine.maxBatch());
        boolean mode = engine.isTraining();
        engine.setTraining(false);
        try {
            Batches batches = Batches.inOrder(data, size);
            float[] x = new float[size * engine.inputSize()];
            int[] y = new int[size];
            float[] out = new float[size * engine.outputSize()];
            int k = engine.outputSize();
            int correct = 0;
            double loss = 0;
            for (int b = 0; b < batches.batchCount(); b++) {
                int n = batches.copy(b, x, y);
                engine.forward(x, n, out);
                for (int i = 0; i < n; i++) {
                    if (argmax(out, i * k, k) == y[i]) {
                        correct++;
                    }
                    loss += crossEntropy(out, i * k, k, y[i], engine.outputsProbabilities());
                }
            }
            return new Evaluation(data.size(), correct, loss / data.size());
        } finally {
            engine.setTraining(mode);
        }
    }

    /** Cross-entropy of one row of outputs: probabilities, or logits (through a log-sum-exp). */
    private static double crossEntropy(float[] out, int off, int k, int label, boolean probabilities) {
        if (probabilities) {
            return -Math.log(Math.max(out[off + label], 1e-12));
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, out[off + j]);
        }
        double z = 0;
        for (int j = 0; j < k; j++) {
            z += Math.exp(out[off + j] - max);
        }
        return Math.log(z) + max - out[off + label];
    }

    static int argmax(float[] v, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (v[off + j] > v[off + best]) {
                best = j;
            }
        }
        return best;
    }
}
