package dev.strider.processor.model;

/** Size arithmetic that saturates at {@link Long#MAX_VALUE} instead of wrapping, so overflow stays reportable. */
public final class Sizes {
    private Sizes() {}

    /** The product of non-negative factors, or {@code Long.MAX_VALUE} if it does not fit a long. */
    public static long mul(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f != 0 && p > Long.MAX_VALUE / f) {
                return Long.MAX_VALUE;
            }
            p *= f;
        }
        return p;
    }

    /** The sum of non-negative terms, saturating. */
    public static long add(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }
}
