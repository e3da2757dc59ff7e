package dev.strider.runtime.engine;

import java.util.Arrays;

/**
 * One named tensor of an engine: a trainable parameter (with its gradient) or a piece of non-trainable state
 * (batch-norm running statistics, {@code grad == null}). Names follow PyTorch's {@code state_dict}:
 * {@code <layer>.weight}, {@code <layer>.bias}, {@code <layer>.running_mean}, {@code <layer>.running_var}. Shapes
 * follow PyTorch too: convolution weights {@code [out, in/groups, kh, kw]}, dense weights {@code [out, in]}.
 *
 * <p>The arrays are the engine's own storage (no copies): writing {@link #data()} changes the engine, from its
 * first operation after the call of {@code Engine.parameters()} or {@code Engine.buffers()} that the writes follow
 * (an engine may keep copies derived from them: see {@code Engine.parameters()}).
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private final float[] data;
    private final float[] grad;
    private boolean frozen;
    private float learningRateScale = 1f;

    public Parameter(String name, int[] shape, float[] data, float[] grad) {
        this.name = name;
        this.shape = shape.clone();
        this.data = data;
        this.grad = grad;
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        if (n != data.length || (grad != null && grad.length != data.length)) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + n + " values, but data has "
                    + data.length + (grad == null ? "" : " and grad " + grad.length));
        }
    }

    public String name() {
        return name;
    }

    /** The dimensions (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return data.length;
    }

    /** The values, in row-major order (the engine's storage). */
    public float[] data() {
        return data;
    }

    /** The gradient of the last backward pass, or {@code null} for non-trainable state. */
    public float[] grad() {
        return grad;
    }

    /** Whether this is a trainable parameter (not running statistics). */
    public boolean trainable() {
        return grad != null;
    }

    /** A frozen parameter keeps its values: optimizers skip it. */
    public boolean frozen() {
        return frozen;
    }

    public void setFrozen(boolean frozen) {
        this.frozen = frozen;
    }

    /** Multiplier on the optimizer's learning rate for this parameter (1 by default). */
    public float learningRateScale() {
        return learningRateScale;
    }

    public void setLearningRateScale(float scale) {
        if (!(scale >= 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException(name + ": learning-rate scale must be finite and >= 0, but it is " + scale);
        }
        this.learningRateScale = scale;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
