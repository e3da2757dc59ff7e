package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Fully connected layer. A spatial input {@code [C, H, W]} is flattened implicitly (C-major, as PyTorch's
 * {@code flatten}); the summary shows the flattening.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Dense {
    int units();

    boolean bias() default true;

    Activation activation() default Activation.NONE;

    /** Negative slope of {@link Activation#LEAKY_RELU}; ignored otherwise. */
    double slope() default 0.01;
}
