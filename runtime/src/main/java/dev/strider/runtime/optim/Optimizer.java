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

    /** The current base learning rate. */
    float learningRate();

    /** Sets the base learning rate (schedules call this between epochs). */
    void setLearningRate(float learningRate);
}
