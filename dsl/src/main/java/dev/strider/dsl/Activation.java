package dev.strider.dsl;

/** An activation fused into a {@link Conv} or {@link Dense} layer. */
public enum Activation {
    NONE,
    RELU,
    /** {@code x > 0 ? x : slope * x}, with the layer's {@code slope}. */
    LEAKY_RELU,
    /** {@code min(max(x, 0), 6)} (MobileNet). */
    RELU6,
    SIGMOID,
    TANH,
    /** Softmax over channels; with {@link Loss#SOFTMAX_CROSS_ENTROPY} only allowed on the last layer. */
    SOFTMAX
}
