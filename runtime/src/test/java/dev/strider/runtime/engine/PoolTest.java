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
 * Nothing outside the outputs is written. Any max pooling ({@link Kernels#maxPool}: each output row's input rows
 * first) against a loop over each window clipped to the input, bit for bit, on the kernel the JVM runs: padding,
 * strides of 1 to 3, windows past the input's last row and column (ceil mode), rows shorter than a vector.
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
    @ParameterizedTest(name = "{0} planes of {1}x{2}, {3}x{4} windows, stride {5}x{6}, padding {7},{8} -> {9}x{10}")
    @CsvSource({
        "2, 112, 112, 3, 3, 2, 2, 1, 1, 56, 56",     // ResNet's stem
        "3, 55, 55, 3, 3, 2, 2, 0, 0, 27, 27",       // AlexNet's, every window inside
        "3, 14, 14, 3, 3, 1, 1, 1, 1, 14, 14",       // stride 1, padding 1 (GoogLeNet's pool branches)
        "2, 14, 14, 3, 3, 2, 2, 0, 0, 7, 7",         // ceil mode: the last windows past the last row and column
        "4, 5, 7, 2, 3, 1, 2, 0, 1, 4, 4",           // rows shorter than a vector, unequal windows and strides
        "1, 20, 33, 5, 5, 3, 3, 2, 2, 7, 11",        // 5x5 windows at stride 3
        "2, 9, 9, 2, 2, 2, 2, 1, 1, 5, 5"            // 2x2 with padding (not the inside-only kernel)
    })
    void maxPoolingIsTheMaximumOfEachWindowsInputCells(int planes, int ih, int iw, int kh, int kw, int sh, int sw, int pt, int pl,
                                                       int oh, int ow) {
        SplittableRandom rnd = new SplittableRandom(planes * 7919L + ih * 131L + iw * 17L + kh + 3L * sh + 5L * pt);
        float[] special = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int inOff = 2;
        float[] in = new float[inOff + planes * ih * iw];   // no slack after the last plane
        for (int i = 0; i < in.length; i++) {
            in[i] = rnd.nextInt(25) == 0 ? special[rnd.nextInt(special.length)] : (float) (rnd.nextDouble() * 2 - 1);
        }
        int outOff = 4;
        float[] expected = new float[outOff + planes * oh * ow + 9];
        java.util.Arrays.fill(expected, 42f);
        for (int p = 0; p < planes; p++) {
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    float best = Float.NEGATIVE_INFINITY;
                    for (int y = r * sh - pt; y < r * sh - pt + kh; y++) {
                        for (int x = c * sw - pl; x < c * sw - pl + kw; x++) {
                            if (y >= 0 && y < ih && x >= 0 && x < iw) {
                                best = Math.max(best, in[inOff + (p * ih + y) * iw + x]);
                            }
                        }
                    }
                    expected[outOff + (p * oh + r) * ow + c] = best;
                }
            }
        }
        float[] actual = new float[expected.length];
        java.util.Arrays.fill(actual, 42f);
        Kernels.maxPool(in, inOff, actual, outOff, planes, ih, iw, oh, ow, kh, kw, sh, sw, pt, pl);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), "value " + i);
        }
    }
}
