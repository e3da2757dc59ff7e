package dev.strider.runtime.engine;

/** How {@link GeneratedEngine#initialize(long, InitScheme)} draws the initial parameters. */
public enum InitScheme {
    /**
     * He (normal, {@code std = sqrt(2 / fan_in)}) for layers followed by a ReLU-family activation, Xavier/Glorot
     * (uniform) otherwise, zero biases: the engine's default.
     */
    HE_XAVIER,
    /**
     * PyTorch's defaults for {@code nn.Conv2d} and {@code nn.Linear}: weights and biases uniform in
     * {@code +-1/sqrt(fan_in)} ({@code kaiming_uniform_(a = sqrt(5))}), for reproducing a PyTorch recipe.
     */
    PYTORCH
}
