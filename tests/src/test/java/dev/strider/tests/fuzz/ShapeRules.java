package dev.strider.tests.fuzz;

import dev.strider.dsl.Padding;
import dev.strider.dsl.Rounding;

/**
 * The documented shape rules (README, {@code Conv}, {@code Rounding} and {@code Padding} Javadoc), written here
 * independently of the processor so that the generator can decide a declaration's validity by construction.
 *
 * <p>Per dimension, with the dilated window {@code F' = D(F - 1) + 1}: the output is {@code (W - F' + 2P)/S + 1};
 * under {@code STRICT} it must be a whole number, {@code FLOOR} rounds down, {@code CEIL} rounds up and then drops a
 * last window that would start in the right/bottom padding ({@code (out - 1) S >= W + P}); {@code Padding.SAME} gives
 * {@code ceil(W / S)}. A dilated window larger than the padded input has no output.
 */
final class ShapeRules {
    /** The window does not fit the padded input. */
    static final long TOO_LARGE = -1;
    /** Not a whole number under {@code STRICT}. */
    static final long FRACTIONAL = -2;

    private ShapeRules() {}

    /** The output size of one dimension, or {@link #TOO_LARGE} or {@link #FRACTIONAL}. */
    static long outputSize(long in, int window, int stride, int padding, int dilation, Rounding rounding) {
        if (padding == Padding.SAME) {
            return Math.floorDiv(in + stride - 1, stride);
        }
        long effective = (long) dilation * (window - 1) + 1;
        long padded = in + 2L * padding;
        if (effective > padded) {
            return TOO_LARGE;
        }
        long span = padded - effective;
        if (span % stride == 0) {
            return span / stride + 1;
        }
        switch (rounding) {
            case FLOOR:
                return span / stride + 1;
            case CEIL: {
                long out = span / stride + 2;
                return (out - 1) * stride >= in + padding ? out - 1 : out;
            }
            default:
                return FRACTIONAL;
        }
    }

    /** The rounding that applies to a layer: its own, unless it inherits the network's. */
    static Rounding effective(Rounding layer, Rounding network) {
        return layer == Rounding.INHERIT ? network : layer;
    }

    /** A layer's activation shape: {@code [C, H, W]}, or a flat vector of {@code c} values when {@code flat}. */
    record Shape(long c, long h, long w, boolean flat) {
        static Shape spatial(long c, long h, long w) {
            return new Shape(c, h, w, false);
        }

        static Shape vector(long n) {
            return new Shape(n, 1, 1, true);
        }

        long size() {
            return c * h * w;
        }

        @Override
        public String toString() {
            return flat ? "[" + c + "]" : "[" + c + "," + h + "," + w + "]";
        }
    }
}
