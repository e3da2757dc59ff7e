package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The layer's parameters start frozen: the optimizers leave them as they are (they still load and save, and batch
 * norm still updates its running statistics in training mode). On a {@link Use} it freezes every layer of the block,
 * as in transfer learning, where a trained backbone stays fixed under a new head:
 *
 * <pre>{@code
 * @Frozen @Use(Backbone.class) Layer backbone;   // its weights come from a trained network
 * @Dense(units = 10) Layer head;                  // the only layer that learns
 * }</pre>
 *
 * At run time {@code engine.parameter(name).setFrozen(false)} thaws a parameter again (for fine-tuning everything).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Frozen {}
