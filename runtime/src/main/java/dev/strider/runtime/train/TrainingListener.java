package dev.strider.runtime.train;

/** Hears about training progress (for consoles and logs); every method has a no-op default. */
public interface TrainingListener {
    /** Epoch {@code epoch} (from 0) of {@code epochs} starts, with {@code batches} batches. */
    default void epochStarted(int epoch, int epochs, int batches) {}

    /** A training step on {@code size} images had mean loss {@code loss} and classified {@code correct} of them right. */
    default void batchDone(int epoch, int batch, int size, float loss, int correct) {}

    /** The epoch ended (after the evaluation on the test set, if any). */
    default void epochDone(EpochResult result) {}

    TrainingListener NONE = new TrainingListener() {};
}
