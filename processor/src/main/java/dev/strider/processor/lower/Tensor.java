package dev.strider.processor.lower;

import dev.strider.processor.model.Sizes;
import java.util.List;

/**
 * A parameter or buffer the engine owns. {@code name} is the PyTorch-style {@code state_dict} name
 * ({@code c1.weight}); {@code field} the Java field holding it; {@code gradField} its gradient's field (null for
 * non-trainable state).
 */
public record Tensor(String name, String field, String gradField, List<Integer> shape, Role role, Init init, int fanIn, int fanOut) {
    public Tensor {
        shape = List.copyOf(shape);
    }

    public long size() {
        long n = 1;
        for (int d : shape) {
            n = Sizes.mul(n, d);
        }
        return n;
    }

    public boolean trainable() {
        return gradField != null;
    }

    /** What a tensor is to its layer. */
    public enum Role {
        WEIGHT,
        BIAS,
        RUNNING_MEAN,
        RUNNING_VAR
    }

    /** How {@code initialize(seed)} fills a tensor. */
    public enum Init {
        /** Normal with {@code std = sqrt(2 / fanIn)}: for layers followed by ReLU-family activations. */
        HE,
        /** Uniform in {@code +-sqrt(6 / (fanIn + fanOut))}. */
        XAVIER,
        ZERO,
        ONE,
        /** A convolution's or dense layer's bias: zero by default (uniform under the runtime's PyTorch scheme). */
        BIAS
    }
}
