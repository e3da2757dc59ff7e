package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Average pooling. {@code window}, {@code stride} and {@code padding} take one value (square) or two
 * ({@code {height, width}}); the stride defaults to the window.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface AvgPool {
    int[] window();

    /** Defaults to the window (no overlap). */
    int[] stride() default {};

    int[] padding() default 0;

    /** Whether padded zeros count in the divisor (PyTorch's {@code count_include_pad}, default true). */
    boolean countPadding() default true;

    Rounding rounding() default Rounding.INHERIT;
}
