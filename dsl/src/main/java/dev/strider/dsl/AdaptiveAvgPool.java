package dev.strider.dsl;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Average pooling to a fixed output size whatever the input's, as PyTorch's {@code AdaptiveAvgPool2d}: output row
 * {@code i} of {@code O} averages input rows {@code floor(i * I / O)} to {@code ceil((i + 1) * I / O) - 1} (bins may
 * overlap). {@code size = 1} is {@link GlobalAvgPool}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.FIELD)
public @interface AdaptiveAvgPool {
    /** The output's height and width: one value, or {@code {height, width}}. */
    int[] size();
}
