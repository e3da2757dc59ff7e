package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Batch normalization over channels (per channel of a spatial input, per unit of a flat one). Learns a scale and
 * a shift (2 parameters per channel) and keeps running mean and variance (non-trainable state, as PyTorch
 * counts it): {@code running = (1 - momentum) * running + momentum * batchStatistic}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface BatchNorm {
    double epsilon() default 1e-5;

    double momentum() default 0.1;
}
