package dev.strider.runtime.engine;

/**
 * A training step produced a NaN or infinite loss or gradient. Thrown before the optimizer update, so the engine
 * keeps the weights, optimizer state, batch-norm running statistics and dropout stream of the last good step; the
 * message names the step and the first place non-finite values appeared. One exception: an update that overflows a
 * weight from finite gradients is reported after it was applied ({@link #layer()} names the parameter), and then the
 * weights and optimizer state are not those of the last good step.
 */
public final class NonFiniteException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final long step;
    private final String layer;

    public NonFiniteException(String message, long step, String layer) {
        super(message);
        this.step = step;
        this.layer = layer;
    }

    /** The failed step's number, counting from 1 (the engine completed {@code step - 1} updates). */
    public long step() {
        return step;
    }

    /**
     * The first layer whose output (in forward order) or output gradient (in backward order) held a non-finite
     * value, the parameter whose gradient (or, after an overflowing update, whose value) did, {@code "input"}, or
     * {@code "loss"} when only the loss was non-finite.
     */
    public String layer() {
        return layer;
    }

    /** The same failure with {@code context} (e.g. the epoch and batch) in front of the message. */
    public NonFiniteException withContext(String context) {
        NonFiniteException e = new NonFiniteException(context + getMessage(), step, layer);
        e.setStackTrace(getStackTrace());
        return e;
    }
}
