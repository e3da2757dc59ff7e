package dev.strider.runtime.optim;

/**
 * The learning rate of each epoch, from the base rate. Epochs count from 0, as PyTorch's schedulers count
 * {@code last_epoch}. A training loop calls {@link #apply} before each epoch.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The learning rate for {@code epoch} (>= 0), given the base rate. */
    float rate(int epoch, float base);

    /** Sets {@code optimizer}'s learning rate to {@link #rate rate(epoch, base)}. */
    default void apply(Optimizer optimizer, int epoch, float base) {
        optimizer.setLearningRate(rate(epoch, base));
    }

    /** The base rate in every epoch. */
    static LearningRateSchedule constant() {
        return (epoch, base) -> {
            StepDecay.checkEpoch(epoch);
            return base;
        };
    }

    /** {@code base * gamma^(epoch / stepEpochs)} (integer division), as PyTorch's {@code StepLR}. */
    static LearningRateSchedule stepDecay(int stepEpochs, float gamma) {
        return new StepDecay(stepEpochs, gamma);
    }
}
