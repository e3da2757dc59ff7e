package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a fixed-size convolutional network. The annotated class lists its layers as fields of type
 * {@link Layer}, in declaration order; each field's name is the layer's name in errors, reports, generated
 * code and weight files. The input shape is given by {@link Input} on the same class.
 *
 * <pre>{@code
 * @Network(maxBatch = 64, expectParams = 61_706)
 * @Input(channels = 1, height = 28, width = 28)
 * abstract class LeNet5 {
 *     @Conv(filters = 6, kernel = 5, padding = 2, activation = Activation.RELU) Layer c1;
 *     @MaxPool(window = 2) Layer s2;
 *     ...
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Network {
    /** Largest batch the engine is built for; a call may pass fewer images. */
    int maxBatch();

    /**
     * Expected number of trainable parameters. When set, a different computed total is a compile error
     * that lists the per-layer counts. {@link #UNCHECKED} (the default) disables the check.
     */
    long expectParams() default UNCHECKED;

    /** The loss the engine trains with. */
    Loss loss() default Loss.SOFTMAX_CROSS_ENTROPY;

    /**
     * How spatial layers treat an output size that is not a whole number, unless a layer says otherwise.
     * {@link Rounding#STRICT} (the default) makes it a compile error.
     */
    Rounding rounding() default Rounding.STRICT;

    /**
     * Whether the engine only runs the network forward. An inference-only engine keeps no gradients and no
     * backward-pass state, and its layer outputs share arrays by a memory plan the processor computes: each worker
     * thread takes one image at a time through a few arrays sized for one image, and only the network's output is
     * kept for the whole batch. Its summary gives the planned bytes against an engine without the plan. Training
     * calls ({@code backward}, {@code gradients}, {@code trainStep}, {@code setTraining(true)}) throw
     * {@code IllegalStateException}. False (the default) builds an engine that trains.
     */
    boolean inferenceOnly() default false;

    /** The value of {@link #expectParams()} that disables the check. */
    long UNCHECKED = -1;
}
