package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A multiplier of the optimizer's learning rate for this layer's parameters (on a {@link Use}: for every layer of
 * the block; nested multipliers multiply), e.g. a small rate for pretrained layers and the full rate for a new head.
 * It must be positive and finite; to stop a layer learning, use {@link Frozen}.
 *
 * <pre>{@code
 * @LearningRate(0.1) @Use(Backbone.class) Layer backbone;   // fine-tuned ten times more gently than the head
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface LearningRate {
    /** The multiplier. */
    double value();
}
