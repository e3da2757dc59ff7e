package dev.strider.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both matrix kernels against a plain triple loop in double, over shapes that hit every register block and every
 * remainder (rows mod 4, columns mod 4 and mod the vector width), the vector kernel's packed and unpacked
 * paths, with transposed and offset operands, and the backward pass of the convolutions.
 */
class GemmTest {
    /** A float sum of l products of values in [-1, 1] is within about l * 2^-24 * (sum of |products|) of the exact one. */
    private static final double TOLERANCE_PER_TERM = 1.2e-7;

    interface Kernel {
        void gemm(int m, int n, int l, float[] a, int aOff, int ai, int al,
                  float[] x, int xOff, int xs, float[] y, int yOff, int ys);
    }

    static Stream<Arguments> shapes() {
        int[][] mnl = {
            {1, 1, 1}, {4, 4, 1}, {3, 5, 7}, {4, 16, 9}, {5, 17, 3}, {8, 32, 288}, {7, 33, 2}, {9, 47, 13},
            {32, 784, 9}, {32, 9, 784}, {64, 196, 288}, {196, 288, 64}, {6, 100, 150}, {2, 65, 31},
            // two rows left over (two-by-two blocks, then the columns a row at a time: two vectors, one, an overlapping one)
            {6, 57, 5}, {3, 80, 7}, {6, 784, 25},
            // the packed path (VectorGemm.PACKED_ROWS / PACKED_DEPTH): 4-row blocks, then single rows; whole panels
            // of two vectors and a narrower last one
            {45, 71, 33}, {39, 64, 40}, {32, 32, 32}, {36, 100, 147},
            // large enough to be shared among threads (VectorGemm.THREADED_MACS): whole panels, and a narrower last one
            {64, 256, 288}, {41, 301, 350},
        };
        return Stream.of(mnl).flatMap(s -> Stream.of(
                Arguments.of(s[0], s[1], s[2], false, "scalar"),
                Arguments.of(s[0], s[1], s[2], true, "scalar"),
                Arguments.of(s[0], s[1], s[2], false, "vector"),
                Arguments.of(s[0], s[1], s[2], true, "vector")));
    }

    @ParameterizedTest(name = "{4}: m={0} n={1} l={2} transposedA={3}")
    @MethodSource("shapes")
    void agreesWithATripleLoop(int m, int n, int l, boolean transposedA, String which) {
        Kernel kernel = which.equals("scalar") ? ScalarGemm::gemm : VectorGemm::gemm;
        SplittableRandom rnd = new SplittableRandom(m * 31L + n * 7L + l);
        int aOff = 3;
        int xOff = 5;
        int yOff = 2;
        int ai = transposedA ? 1 : l;
        int al = transposedA ? m : 1;
        int xs = n + 1;   // a padded row stride: the kernel must not assume xs == n
        int ys = n + 2;
        float[] a = random(rnd, aOff + m * l);
        float[] x = random(rnd, xOff + l * xs);
        float[] y = random(rnd, yOff + m * ys + 3);
        float[] before = y.clone();

        kernel.gemm(m, n, l, a, aOff, ai, al, x, xOff, xs, y, yOff, ys);

        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = before[yOff + i * ys + j];
                double magnitude = Math.abs(exact);
                for (int t = 0; t < l; t++) {
                    double p = (double) a[aOff + i * ai + t * al] * x[xOff + t * xs + j];
                    exact += p;
                    magnitude += Math.abs(p);
                }
                double tolerance = (l + 1) * TOLERANCE_PER_TERM * magnitude;
                assertEquals(exact, y[yOff + i * ys + j], tolerance, "y[" + i + "][" + j + "]");
            }
        }
        // nothing outside the m x n block is touched (the padding columns between rows, and the array's ends)
        for (int idx = 0; idx < y.length; idx++) {
            int rel = idx - yOff;
            boolean inside = rel >= 0 && rel / ys < m && rel % ys < n;
            if (!inside) {
                assertEquals(before[idx], y[idx], "y outside the block at " + idx);
            }
        }
    }

    @Test
    void aSharedProductIsTheSameOnAnyNumberOfThreadsAndUnderContention() throws Exception {
        // callers on four threads at once: one of them gets the workers at a time, the others compute alone; every
        // result must be bit-identical, since each output's sum runs in the same order whoever computes it
        int m = 48;
        int n = 300;
        int l = 320;
        assertTrue((long) m * n * l >= VectorGemm.THREADED_MACS);
        SplittableRandom rnd = new SplittableRandom(7);
        float[] a = random(rnd, m * l);
        float[] x = random(rnd, l * n);
        float[][] results = new float[16][];
        Thread[] threads = new Thread[4];
        Throwable[] failed = new Throwable[1];
        for (int t = 0; t < threads.length; t++) {
            int first = t;
            threads[t] = new Thread(() -> {
                try {
                    for (int r = first; r < results.length; r += threads.length) {
                        float[] y = new float[m * n];
                        VectorGemm.gemm(m, n, l, a, 0, l, 1, x, 0, n, y, 0, n);
                        results[r] = y;
                    }
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(null, failed[0]);
        for (float[] y : results) {
            assertTrue(java.util.Arrays.equals(results[0], y), "results differ between calls");
        }
    }

    @ParameterizedTest(name = "n={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 1, 15, 16, 63, 64, 65, 84, 120, 200, 400, 3136})
    void dotProductsOfBothKernelsAgreeWithDouble(int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        float[] x = random(rnd, n + 3);
        float[] y = random(rnd, n + 5);
        double exact = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            double p = (double) x[3 + i] * y[5 + i];
            exact += p;
            magnitude += Math.abs(p);
        }
        double tolerance = (n + 1) * TOLERANCE_PER_TERM * magnitude + 1e-30;
        assertEquals(exact, VectorGemm.dot(x, 3, y, 5, n), tolerance, "vector");
        assertEquals(exact, ScalarGemm.dot(x, 3, y, 5, n), tolerance, "scalar");
        assertEquals(Kernels.vectorized() ? VectorGemm.dot(x, 3, y, 5, n) : ScalarGemm.dot(x, 3, y, 5, n), Kernels.dot(x, 3, y, 5, n),
                "Kernels.dot runs the kernel Kernels.implementation() names");
    }

    /**
     * A dense layer's product on a group of images ({@code matVecs}): within the float tolerance of a double sum, the
     * same bits as {@code matVec} image by image (the engines' outputs must not depend on how a batch is grouped), and
     * nothing written between the images' outputs (strides larger than the rows).
     */
    @ParameterizedTest(name = "rows={0} n={1} images={2}")
    @org.junit.jupiter.params.provider.CsvSource({
        "1, 1, 1", "3, 15, 2", "4, 16, 3", "5, 17, 8", "7, 33, 5", "10, 84, 8", "84, 120, 8", "120, 400, 8", "120, 400, 1", "6, 47, 4"})
    void aDenseProductOnAGroupOfImagesIsTheProductImageByImage(int rows, int n, int images) {
        SplittableRandom rnd = new SplittableRandom(rows * 131L + n * 17L + images);
        int xs = n + 3;
        int ys = rows + 2;
        float[] a = random(rnd, 5 + rows * n);
        float[] x = random(rnd, 7 + images * xs);
        float[] grouped = new float[11 + images * ys];
        java.util.Arrays.fill(grouped, 42f);
        float[] viaKernels = grouped.clone();
        float[] single = grouped.clone();
        VectorGemm.matVecs(a, 5, x, 7, xs, grouped, 11, ys, rows, n, images);
        for (int m = 0; m < images; m++) {
            VectorGemm.matVec(a, 5, x, 7 + m * xs, single, 11 + m * ys, rows, n);
        }
        assertTrue(java.util.Arrays.equals(single, grouped), "matVecs differs from matVec image by image");
        Kernels.matVecs(a, 5, x, 7, xs, viaKernels, 11, ys, rows, n, images);
        if (Kernels.vectorized()) {
            assertTrue(java.util.Arrays.equals(grouped, viaKernels), "Kernels.matVecs runs the vector kernel");
        }
        for (int i = 0; i < grouped.length; i++) {
            int m = (i - 11) / ys;
            int j = (i - 11) % ys;
            if (i < 11 || j >= rows) {
                assertEquals(42f, grouped[i], "written outside the outputs at " + i);
                assertEquals(42f, viaKernels[i], "written outside the outputs at " + i);
                continue;
            }
            double exact = 0;
            double magnitude = 0;
            for (int t = 0; t < n; t++) {
                double p = (double) a[5 + j * n + t] * x[7 + m * xs + t];
                exact += p;
                magnitude += Math.abs(p);
            }
            double tolerance = (n + 1) * TOLERANCE_PER_TERM * magnitude + 1e-30;
            assertEquals(exact, grouped[i], tolerance, "image " + m + ", row " + j);
            assertEquals(exact, viaKernels[i], tolerance, "Kernels.matVecs, image " + m + ", row " + j);
        }
    }

    @Test
    void theTestJvmRunsTheVectorKernel() {
        // surefire starts the JVM with --add-modules jdk.incubator.vector (parent pom), so engines tested here run
        // the SIMD path; the scalar path is covered by the parameterised test above
        assertTrue(Kernels.vectorized(), Kernels.implementation());
        assertTrue(Kernels.implementation().startsWith("Vector API, "), Kernels.implementation());
    }

    @Test
    void convolutionBackwardIsTheProductsItClaims() {
        // one image, 5 output channels, k = 7 patch values, p = 11 positions (the forward pass: ImplicitConvTest)
        int channels = 5;
        int k = 7;
        int p = 11;
        SplittableRandom rnd = new SplittableRandom(9);
        float[] w = random(rnd, channels * k);
        float[] col = random(rnd, k * p);
        float[] gOut = random(rnd, channels * p);
        float[] colT = new float[p * k];
        for (int r = 0; r < k; r++) {
            for (int q = 0; q < p; q++) {
                colT[q * k + r] = col[r * p + q];
            }
        }
        float[] wGrad = new float[channels * k];
        float[] biasGrad = new float[channels];
        float[] colTGrad = new float[p * k];
        Kernels.convBackwardPlanes(gOut, 0, channels, p, colT, k, w, 0, wGrad, biasGrad, 0, colTGrad);
        for (int c = 0; c < channels; c++) {
            double db = 0;
            for (int q = 0; q < p; q++) {
                db += gOut[c * p + q];
            }
            assertEquals(db, biasGrad[c], 1e-5, "d bias");
            for (int r = 0; r < k; r++) {
                double dw = 0;
                for (int q = 0; q < p; q++) {
                    dw += (double) gOut[c * p + q] * col[r * p + q];
                }
                assertEquals(dw, wGrad[c * k + r], 1e-5, "d weight");
            }
        }
        for (int q = 0; q < p; q++) {
            for (int r = 0; r < k; r++) {
                double dx = 0;
                for (int c = 0; c < channels; c++) {
                    dx += (double) gOut[c * p + q] * w[c * k + r];
                }
                assertEquals(dx, colTGrad[q * k + r], 1e-5, "d patch");
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }
}
