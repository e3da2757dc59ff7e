package dev.strider.runtime.data;

import java.util.SplittableRandom;

/**
 * Mini-batches over a {@link Dataset}, copied into arrays the caller owns and reuses, so that iterating allocates
 * nothing per batch. Every epoch covers every image exactly once: {@link #batchCount()} is
 * {@code ceil(size / batchSize)} and the last batch holds the remainder ({@link #sizeOf(int)}); it is never dropped.
 *
 * <pre>{@code
 * Batches batches = Batches.shuffled(train, 64, 42);
 * float[] x = new float[64 * train.imageSize()];
 * int[] y = new int[64];
 * for (int epoch = 0; epoch < epochs; epoch++) {
 *     batches.startEpoch(epoch);
 *     for (int b = 0; b < batches.batchCount(); b++) {
 *         int n = batches.copy(b, x, y);
 *         engine.trainStep(x, y, n);
 *     }
 * }
 * }</pre>
 *
 * <p>Shuffling is reproducible: the order of epoch {@code e} depends only on the seed and {@code e}. It is a
 * Fisher-Yates shuffle of {@code 0 .. size-1} (for {@code i} from {@code size-1} down to 1, swap {@code i} with
 * {@code nextInt(i + 1)}) driven by {@code new SplittableRandom(s)}, where {@code s} is the {@code (e+1)}-th
 * {@code nextLong()} of {@code new SplittableRandom(seed)}. {@link SplittableRandom}'s algorithm is specified, so the
 * same seed gives the same order on every JVM.
 */
public final class Batches {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int[] order;
    private int epoch;

    private Batches(Dataset data, int batchSize, boolean shuffle, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, but it is " + batchSize);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.order = new int[data.size()];
        startEpoch(0);
    }

    /** Batches of {@code batchSize} images in an order shuffled from {@code seed}, anew for each epoch. */
    public static Batches shuffled(Dataset data, int batchSize, long seed) {
        return new Batches(data, batchSize, true, seed);
    }

    /** Batches of {@code batchSize} images in the dataset's order (for evaluation). */
    public static Batches inOrder(Dataset data, int batchSize) {
        return new Batches(data, batchSize, false, 0);
    }

    /**
     * Sets the order of epoch {@code epoch} (>= 0; epoch 0 is set on creation). Allocates two small objects when
     * shuffling, nothing per batch.
     */
    public void startEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epochs count from 0, but epoch is " + epoch);
        }
        this.epoch = epoch;
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (!shuffle) {
            return;
        }
        SplittableRandom seeds = new SplittableRandom(seed);
        long epochSeed = seeds.nextLong();
        for (int e = 0; e < epoch; e++) {
            epochSeed = seeds.nextLong();
        }
        SplittableRandom random = new SplittableRandom(epochSeed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** The current epoch. */
    public int epoch() {
        return epoch;
    }

    /** The nominal batch size (every batch but possibly the last). */
    public int batchSize() {
        return batchSize;
    }

    /** {@code ceil(size / batchSize)}: the last, partial batch included. */
    public int batchCount() {
        return (order.length + batchSize - 1) / batchSize;
    }

    /** The number of images per epoch. */
    public int size() {
        return order.length;
    }

    /** How many images batch {@code batch} holds: {@link #batchSize()}, or the remainder for the last batch. */
    public int sizeOf(int batch) {
        checkBatch(batch);
        return Math.min(batchSize, order.length - batch * batchSize);
    }

    /** The index in the dataset of the image at {@code position} (0 to {@code size() - 1}) of this epoch's order. */
    public int indexAt(int position) {
        if (position < 0 || position >= order.length) {
            throw new IndexOutOfBoundsException("position " + position + " of an epoch of " + order.length + " images");
        }
        return order[position];
    }

    /**
     * Copies batch {@code batch} of this epoch into the start of {@code images} ({@code sizeOf(batch) *
     * imageSize} floats) and {@code labels}, and returns its size. Allocates nothing.
     */
    public int copy(int batch, float[] images, int[] labels) {
        int n = sizeOf(batch);
        int size = data.imageSize();
        if (images.length < (long) n * size) {
            throw new IllegalArgumentException("images holds " + images.length + " floats, but batch " + batch + " needs " + n + " x "
                    + size + " = " + (long) n * size);
        }
        if (labels.length < n) {
            throw new IllegalArgumentException("labels holds " + labels.length + " ints, but batch " + batch + " has " + n + " images");
        }
        float[] source = data.images();
        int[] sourceLabels = data.labels();
        for (int k = 0, at = batch * batchSize; k < n; k++) {
            int index = order[at + k];
            System.arraycopy(source, index * size, images, k * size, size);
            labels[k] = sourceLabels[index];
        }
        return n;
    }

    private void checkBatch(int batch) {
        if (batch < 0 || batch >= batchCount()) {
            throw new IndexOutOfBoundsException("batch " + batch + " of " + batchCount() + " (" + order.length + " images in batches of "
                    + batchSize + ")");
        }
    }
}
