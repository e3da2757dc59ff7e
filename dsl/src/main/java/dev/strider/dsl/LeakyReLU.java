package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Element-wise leaky ReLU as a layer of its own: {@code x > 0 ? x : slope * x}. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface LeakyReLU {
    /** Negative slope, in {@code [0, 1)}. */
    double slope() default 0.01;
}
