package dev.strider.dsl;

/** The loss a network trains with. */
public enum Loss {
    /**
     * Softmax followed by cross-entropy, fused (the gradient at the logits is {@code p - y}). The network's last
     * layer produces logits; a softmax, if declared at all, may only be the last layer.
     */
    SOFTMAX_CROSS_ENTROPY,
    /** Mean squared error between the network's output and a target of the same size. */
    MEAN_SQUARED_ERROR
}
