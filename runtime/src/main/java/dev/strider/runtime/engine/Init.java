package dev.strider.runtime.engine;

/** How {@link Engine#initialize(long)} fills a tensor. */
public enum Init {
    /** Normal, {@code std = sqrt(2 / fanIn)} (He et al. 2015): layers followed by ReLU-family activations. */
    HE,
    /** Uniform in {@code +-sqrt(6 / (fanIn + fanOut))} (Glorot and Bengio 2010). */
    XAVIER,
    ZERO,
    ONE,
    /** A convolution's or dense layer's bias: zero, or uniform in {@code +-1/sqrt(fan_in)} under {@link InitScheme#PYTORCH}. */
    BIAS
}
