package dev.strider.dsl;

/**
 * What a spatial layer does when {@code (W - F + 2P) / S + 1} is not a whole number (with dilation D the window
 * is {@code F' = D(F - 1) + 1}).
 */
public enum Rounding {
    /** Use the network's {@link Network#rounding()}. Only meaningful on a layer. */
    INHERIT,
    /** A fractional output size is a compile error: the strides do not tile the input. */
    STRICT,
    /** Round down, dropping the input rows/columns the last window does not reach (PyTorch's default). */
    FLOOR,
    /**
     * Round up (PyTorch's {@code ceil_mode}); as in PyTorch, a last window that would start entirely in the
     * right/bottom padding is dropped.
     */
    CEIL
}
