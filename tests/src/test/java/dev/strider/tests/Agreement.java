package dev.strider.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The one tolerance every cross-check of two implementations uses (Java engine, GPU kernels, CPU emulation, ONNX
 * Runtime): value by value, {@code 1e-4} relative plus {@code 1e-5} of the expected array's largest magnitude (so
 * values that cancel to near zero are judged against the scale of the layer) plus {@code 1e-6}. NaN agrees with NaN.
 */
public final class Agreement {
    private Agreement() {}

    /**
     * Fails with the first value outside the tolerance, naming both sides ({@code expectedSide}, {@code actualSide}).
     */
    public static void assertAgree(String what, String expectedSide, float[] expected, String actualSide, float[] actual) {
        assertAgree(what, expectedSide, expected, actualSide, actual, 0);
    }

    /**
     * As {@link #assertAgree(String, String, float[], String, float[])}, with the scale at least {@code minScale}: for
     * an array whose values cancel to near zero as a whole (the gradient of a bias just before batch norm, zero in exact
     * arithmetic), the scale of the sums it came from, such as the network's largest gradient.
     */
    public static void assertAgree(String what, String expectedSide, float[] expected, String actualSide, float[] actual,
                                   double minScale) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = minScale;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            double tolerance = 1e-4 * Math.abs(expected[i]) + 1e-5 * scale + 1e-6;
            if (!(Math.abs(expected[i] - actual[i]) <= tolerance) && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                throw new AssertionError(what + ": value " + i + " of " + expected.length + " differs: " + expectedSide + " " + expected[i]
                        + ", " + actualSide + " " + actual[i] + " (tolerance " + tolerance + ")");
            }
        }
    }
}
