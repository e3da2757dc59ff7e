package dev.strider.runtime.optim;

/**
 * Multiplies the base rate by {@code gamma} every {@code stepEpochs} epochs:
 * {@code rate = base * gamma^(epoch / stepEpochs)} with integer division, as PyTorch's {@code StepLR(step_size,
 * gamma)}. The power is computed in double precision and rounded to float once.
 *
 * @param stepEpochs epochs between decays, >= 1
 * @param gamma the factor, finite and > 0
 */
public record StepDecay(int stepEpochs, float gamma) implements LearningRateSchedule {
    /** Validates the arguments. */
    public StepDecay {
        if (stepEpochs < 1) {
            throw new IllegalArgumentException("StepDecay stepEpochs must be >= 1, but it is " + stepEpochs);
        }
        if (!(gamma > 0) || Float.isInfinite(gamma)) {
            throw new IllegalArgumentException("StepDecay gamma must be finite and > 0, but it is " + gamma);
        }
    }

    @Override
    public float rate(int epoch, float base) {
        checkEpoch(epoch);
        return (float) (base * Math.pow(gamma, epoch / stepEpochs));
    }

    static void checkEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epochs count from 0, but epoch is " + epoch);
        }
    }
}
