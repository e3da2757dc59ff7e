package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Upsampling by a whole factor per dimension, as PyTorch's {@code Upsample(scale_factor, mode)} with
 * {@code align_corners = False}: {@code NEAREST} repeats each value, {@code BILINEAR} interpolates between the four
 * nearest inputs (edges clamped). No parameters.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Upsample {
    /** The factor: one value, or {@code {height, width}}. */
    int[] scale();

    Mode mode() default Mode.NEAREST;

    /** How new values are computed. */
    enum Mode {
        NEAREST,
        BILINEAR
    }
}
