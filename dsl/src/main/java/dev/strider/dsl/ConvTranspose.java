package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Transposed convolution (PyTorch's {@code ConvTranspose2d}), the learned upsampling of fully convolutional
 * networks: output {@code (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1} per
 * dimension; weight {@code [in channels, filters / groups, kh, kw]}. Pairs take one value or {@code {height, width}}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface ConvTranspose {
    int filters();

    int[] kernel();

    int[] stride() default 1;

    int[] padding() default 0;

    /** Added to one side of the output: picks among the sizes a stride above 1 maps to the same input size. */
    int[] outputPadding() default 0;

    int[] dilation() default 1;

    int groups() default 1;

    boolean bias() default true;

    Activation activation() default Activation.NONE;

    /** Negative slope of {@link Activation#LEAKY_RELU}; ignored otherwise. */
    double slope() default 0.01;
}
