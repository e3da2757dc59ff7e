package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Max pooling. {@code window}, {@code stride} and {@code padding} take one value (square) or two
 * ({@code {height, width}}); the stride defaults to the window. Padding is at most half the window, and padded
 * cells never win the max.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface MaxPool {
    int[] window();

    /** Defaults to the window (no overlap). */
    int[] stride() default {};

    int[] padding() default 0;

    Rounding rounding() default Rounding.INHERIT;
}
