package dev.strider.runtime.optim;

import dev.strider.runtime.engine.Parameter;
import java.util.List;

/**
 * Updates parameters from their gradients. An optimizer is bound to one engine's parameter list: it allocates its
 * state (momentum, moments) once, on the first {@link #step}, and never again, so training steps allocate nothing.
 * Frozen parameters and non-trainable state are skipped.
 */
public interface Optimizer {
    /** Applies one update to every trainable, unfrozen parameter, using {@link Parameter#grad()}. */
    void step(List<Parameter> parameters);

    /**
     * Binds to {@code parameters} (allocating its state) on first use, or checks that they are the ones it is bound
     * to, and changes nothing else. Engines call it before a training step computes anything, so that an optimizer
     * bound to another engine is rejected while the engine is still untouched.
     */
    void prepare(List<Parameter> parameters);

    /** The current base learning rate. */
    float learningRate();

    /** Sets the base learning rate (schedules call this between epochs). */
    void setLearningRate(float learningRate);
}
