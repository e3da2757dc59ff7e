package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Local response normalization across channels (Krizhevsky et al. 2012), as PyTorch's {@code LocalResponseNorm}:
 * {@code b_c = a_c / (k + alpha / size * sum of a_j^2 over the size channels j around c)^beta}, channels outside the
 * map counting as zero. Note PyTorch's {@code alpha / size}: the paper's alpha = 1e-4 with n = 5 is
 * {@code alpha = 5e-4} here.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface LRN {
    /** Channels in the window (the paper's n). */
    int size();

    double alpha() default 1e-4;

    double beta() default 0.75;

    double k() default 1.0;
}
