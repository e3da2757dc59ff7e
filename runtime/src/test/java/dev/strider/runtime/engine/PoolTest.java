package dev.strider.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * 2x2 max pooling at stride 2 ({@link Kernels#maxPool2x2}): the vector kernel and the scalar one give, bit for bit,
 * the maximum of each window's four cells as a plain loop of {@code Math.max} does, with NaN, both zeros and infinities
 * among the values; rows shorter and longer than a vector, odd sizes (the last column and row unread), planes at an
 * offset, and an input array that ends with the last plane (the short rows near its end cannot read a whole vector).
 * Nothing outside the outputs is written.
 */
class PoolTest {
    @ParameterizedTest(name = "{0} planes of {1}x{2}")
    @CsvSource({"6, 28, 28", "16, 10, 10", "3, 7, 9", "2, 40, 41", "1, 2, 2", "4, 6, 34", "5, 4, 4"})
    void twoByTwoMaxPoolingIsTheMaximumOfEachWindow(int planes, int ih, int iw) {
        int oh = ih / 2;
        int ow = iw / 2;
        SplittableRandom rnd = new SplittableRandom(planes * 1000L + ih * 31L + iw);
        float[] special = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int inOff = 3;
        float[] in = new float[inOff + planes * ih * iw];   // no slack after the last plane
        for (int i = 0; i < in.length; i++) {
            in[i] = rnd.nextInt(20) == 0 ? special[rnd.nextInt(special.length)] : (float) (rnd.nextDouble() * 2 - 1);
        }
        int outOff = 5;
        float[] expected = new float[outOff + planes * oh * ow + 7];
        java.util.Arrays.fill(expected, 42f);
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    int at = inOff + p * ih * iw + 2 * r * iw + 2 * c;
                    float best = Float.NEGATIVE_INFINITY;
                    for (int cell : new int[] {at, at + 1, at + iw, at + iw + 1}) {
                        best = Math.max(best, in[cell]);
                    }
                    expected[outOff + (p * oh + r) * ow + c] = best;
                }
            }
        }
        float[] vector = new float[expected.length];
        java.util.Arrays.fill(vector, 42f);
        VectorPool.maxPool2x2(in, inOff, vector, outOff, planes, ih, iw, oh, ow);
        float[] viaKernels = new float[expected.length];
        java.util.Arrays.fill(viaKernels, 42f);
        Kernels.maxPool2x2(in, inOff, viaKernels, outOff, planes, ih, iw, oh, ow);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(vector[i]), "vector kernel, value " + i);
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(viaKernels[i]), "Kernels.maxPool2x2, value " + i);
        }
    }
}
