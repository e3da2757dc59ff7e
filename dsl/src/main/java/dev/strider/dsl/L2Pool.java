package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * L2 pooling: each output is the square root of the sum of squares over its window, as PyTorch's
 * {@code LPPool2d(2, window, stride)} (padded positions add nothing).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface L2Pool {
    int[] window();

    /** Defaults to the window (no overlap). */
    int[] stride() default {};

    int[] padding() default 0;

    Rounding rounding() default Rounding.INHERIT;
}
