package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Element-wise sum of two or more inputs of the same shape (residual connections), named with {@link From}; an
 * optional activation applied to the sum ({@code relu(x + f(x))} in ResNet).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface Add {
    Activation activation() default Activation.NONE;

    /** Negative slope of {@link Activation#LEAKY_RELU}; ignored otherwise. */
    double slope() default 0.01;
}
