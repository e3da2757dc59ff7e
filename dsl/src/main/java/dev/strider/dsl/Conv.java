package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * 2-D convolution (cross-correlation, as in every framework) over an NCHW input.
 *
 * <p>Each of {@code kernel}, {@code stride}, {@code padding} and {@code dilation} takes one value (square) or two
 * ({@code {height, width}}). Output size per dimension: {@code (W - F' + 2P) / S + 1} with
 * {@code F' = D(F - 1) + 1}; see {@link Rounding}. {@code padding = Padding.SAME} gives {@code ceil(W / S)}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Conv {
    /** Output channels. */
    int filters();

    int[] kernel();

    int[] stride() default 1;

    int[] padding() default 0;

    int[] dilation() default 1;

    /** Channel groups: input and output channels must both be divisible by it. */
    int groups() default 1;

    boolean bias() default true;

    Activation activation() default Activation.NONE;

    /** Negative slope of {@link Activation#LEAKY_RELU}; ignored otherwise. */
    double slope() default 0.01;

    Rounding rounding() default Rounding.INHERIT;
}
