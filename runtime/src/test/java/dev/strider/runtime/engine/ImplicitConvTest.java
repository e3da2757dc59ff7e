package dev.strider.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolution without an im2col matrix against two references: a direct convolution summed in double (within
 * the float sum's rounding bound), and the same kernel run on an explicit im2col matrix, which it must match bit for
 * bit (the same terms in the same order). Geometries cover the input read in place, padding, strides split into
 * phases (with the phases no tap reads left out), dilation, output rows shorter and longer than a panel, filters
 * leaving every remainder of the four-row blocks, and products large enough to be shared among the threads.
 */
class ImplicitConvTest {
    private static final double TOLERANCE_PER_TERM = 1.2e-7;

    record Geometry(int c, int ih, int iw, int kh, int kw, int sh, int sw, int dh, int dw, int pt, int pl, int pb, int pr, int filters) {
        int oh() {
            return (ih + pt + pb - (kh - 1) * dh - 1) / sh + 1;
        }

        int ow() {
            return (iw + pl + pr - (kw - 1) * dw - 1) / sw + 1;
        }

        ImplicitConv conv() {
            return new ImplicitConv(c, ih, iw, kh, kw, sh, sw, dh, dw, pt, pl, oh(), ow(), filters);
        }

        @Override
        public String toString() {
            return c + "x" + ih + "x" + iw + " k" + kh + "x" + kw + " s" + sh + "x" + sw + " d" + dh + "x" + dw + " p" + pt + "," + pl + ","
                    + pb + "," + pr + " -> " + filters + "x" + oh() + "x" + ow();
        }
    }

    static Stream<Arguments> geometries() {
        Geometry[] g = {
            new Geometry(1, 28, 28, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 6),        // LeNet-5's c1: padding, rows of 28
            new Geometry(6, 14, 14, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 16),       // c3: read in place, rows of 10
            new Geometry(8, 9, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 5),          // rows of 9, 4 + 1 filters
            new Geometry(3, 23, 23, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 7),        // a stem: four phases, 4 + 2 + 1 filters
            new Geometry(16, 14, 14, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 10),      // a 1x1 downsample: one phase of four
            new Geometry(4, 13, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3),        // odd sizes, stride 2
            new Geometry(5, 12, 12, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 4),        // dilation 2
            new Geometry(3, 17, 40, 3, 5, 2, 3, 1, 2, 1, 0, 0, 4, 9),        // unequal strides, dilation and padding
            new Geometry(2, 5, 70, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 2),         // rows longer than two panels
            new Geometry(32, 8, 8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 33),        // 1x1, read in place
            new Geometry(7, 6, 6, 6, 6, 1, 1, 1, 1, 0, 0, 0, 0, 2),          // one output
            new Geometry(64, 34, 34, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64),      // shared among threads: 64 x 1156 x 576
            new Geometry(48, 20, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 130),     // threads, stride 2, a narrow last panel
            new Geometry(64, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 162),       // two panels for the threads: cut by rows too
            new Geometry(4, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 3),          // wide mode, rows of 6: a vector spans rows
            new Geometry(2, 12, 4, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0, 5),         // wide mode, rows of 3: five rows a vector
            new Geometry(3, 10, 18, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 3),        // wide mode, rows of 16: one 512-bit vector, two 256-bit
            new Geometry(4, 9, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 15),        // wide mode, 15 filters: blocks of 8, 6 and 1
        };
        return Stream.of(g).flatMap(x -> Stream.of(Arguments.of(x, true), Arguments.of(x, false)));
    }

    @ParameterizedTest(name = "{0}, vector kernel {1}")
    @MethodSource("geometries")
    void agreesWithIm2colAndADirectConvolution(Geometry g, boolean vector) {
        SplittableRandom rnd = new SplittableRandom(g.hashCode());
        int k = g.c() * g.kh() * g.kw();
        int p = g.oh() * g.ow();
        int inOff = 7;
        int wOff = 3;
        int o = 5;
        float[] in = random(rnd, inOff + g.c() * g.ih() * g.iw() + 2);
        float[] w = random(rnd, wOff + g.filters() * k);
        float[] bias = random(rnd, g.filters() + 1);
        ImplicitConv conv = g.conv();
        // past the outputs: two vectors' worth of values that must stay as they are (the next image's, in an engine)
        float[] out = new float[o + g.filters() * p + 40];
        java.util.Arrays.fill(out, 42f);
        float[] source = new float[conv.sourceLength()];
        java.util.Arrays.fill(source, Float.NaN);   // whatever the scratch held before: every value read is written
        conv.forward(w, wOff, in, inOff, source, out, o, bias, 1, vector, false);

        // the same kernel over an explicit im2col matrix: the same bits
        float[] col = im2col(g, in, inOff);
        float[] viaCol = new float[out.length];
        java.util.Arrays.fill(viaCol, 42f);
        for (int f = 0; f < g.filters(); f++) {
            java.util.Arrays.fill(viaCol, o + f * p, o + (f + 1) * p, bias[1 + f]);
        }
        if (vector) {
            VectorGemm.gemm(g.filters(), p, k, w, wOff, k, 1, col, 0, p, viaCol, o, p);
        } else {
            ScalarGemm.gemm(g.filters(), p, k, w, wOff, k, 1, col, 0, p, viaCol, o, p);
        }
        assertArrayEquals(viaCol, out, "against the biases plus the same kernel on im2col (values outside the output stay 42)");

        // with a fused ReLU: Math.max(v, 0f) of the same values, nothing else written
        float[] relu = out.clone();
        java.util.Arrays.fill(relu, 42f);
        conv.forward(w, wOff, in, inOff, source, relu, o, bias, 1, vector, true);
        for (int q = 0; q < out.length; q++) {
            boolean output = q >= o && q < o + g.filters() * p;
            assertEquals(Float.floatToRawIntBits(output ? Math.max(out[q], 0f) : 42f), Float.floatToRawIntBits(relu[q]), "value " + q);
        }

        // a direct convolution in double
        for (int f = 0; f < g.filters(); f++) {
            for (int y = 0; y < g.oh(); y++) {
                for (int xx = 0; xx < g.ow(); xx++) {
                    double exact = bias[1 + f];
                    double magnitude = Math.abs(exact);
                    for (int c = 0; c < g.c(); c++) {
                        for (int i = 0; i < g.kh(); i++) {
                            for (int j = 0; j < g.kw(); j++) {
                                int iy = y * g.sh() - g.pt() + i * g.dh();
                                int ix = xx * g.sw() - g.pl() + j * g.dw();
                                if (iy < 0 || iy >= g.ih() || ix < 0 || ix >= g.iw()) {
                                    continue;
                                }
                                double t = (double) w[wOff + ((f * g.c() + c) * g.kh() + i) * g.kw() + j]
                                        * in[inOff + (c * g.ih() + iy) * g.iw() + ix];
                                exact += t;
                                magnitude += Math.abs(t);
                            }
                        }
                    }
                    assertEquals(exact, out[o + f * p + y * g.ow() + xx], (k + 1) * TOLERANCE_PER_TERM * magnitude,
                            "filter " + f + " at (" + y + ", " + xx + ")");
                }
            }
        }
    }

    @Test
    void forwardWritesTheBiasesThenTheProduct() {
        Geometry g = new Geometry(3, 10, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 5);
        SplittableRandom rnd = new SplittableRandom(5);
        ImplicitConv conv = g.conv();
        float[] in = random(rnd, 300);
        float[] w = random(rnd, 5 * 27);
        float[] bias = random(rnd, 5);
        int p = g.oh() * g.ow();
        float[] out = random(rnd, 5 * p);   // stale values: forward overwrites them
        conv.forward(w, 0, in, 0, new float[conv.sourceLength()], out, 0, bias, 0);
        float[] expected = new float[5 * p];
        for (int f = 0; f < 5; f++) {
            java.util.Arrays.fill(expected, f * p, (f + 1) * p, bias[f]);
        }
        Kernels.gemm(5, p, 27, w, 0, 27, 1, im2col(g, in, 0), 0, p, expected, 0, p);
        assertArrayEquals(expected, out);
        // no bias: the product alone
        conv.forward(w, 0, in, 0, new float[conv.sourceLength()], out, 0, null, 0);
        java.util.Arrays.fill(expected, 0f);
        Kernels.gemm(5, p, 27, w, 0, 27, 1, im2col(g, in, 0), 0, p, expected, 0, p);
        assertArrayEquals(expected, out);
    }

    @Test
    void sourceSizes() {
        // stride 1, no padding: the input in place
        assertEquals(0, new Geometry(6, 14, 14, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 16).conv().sourceLength());
        // 3x3, padding 1 on 56x56: one padded copy, 58 x 58 per channel
        assertEquals(64 * 58 * 58, new Geometry(64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64).conv().sourceLength());
        // 7x7, stride 2, padding 3 on 224x224: the padded rows and columns read are 0 .. 2*111 + 6 = 228 (229),
        // four phases of 115 x 115
        assertEquals(3 * 4 * 115 * 115, new Geometry(3, 224, 224, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3, 64).conv().sourceLength());
        // 1x1, stride 2: only the even rows and columns, 28 x 28 of 56 x 56
        assertEquals(64 * 28 * 28, new Geometry(64, 56, 56, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 128).conv().sourceLength());
        assertTrue(new Geometry(64, 56, 56, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 64).conv().readsInPlace());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void theWeightGradientFromTheSourceIsTheProductOverTransposedPatches(Geometry g, boolean vector) {
        ImplicitConv conv = g.conv();
        if (!vector || !conv.weightGradientFromSource()) {
            return;   // the backward pass multiplies by the transposed patches (the reference below)
        }
        SplittableRandom rnd = new SplittableRandom(g.hashCode() + 1);
        int k = g.c() * g.kh() * g.kw();
        int p = g.oh() * g.ow();
        int inOff = 3;
        int o = 6;
        int wOff = 2;
        float[] in = random(rnd, inOff + g.c() * g.ih() * g.iw() + 5);
        float[] gOut = random(rnd, o + g.filters() * p + 7);
        for (int i = 0; i < gOut.length; i += 3) {
            gOut[i] = 0f;   // as behind ReLU
        }
        float[] start = random(rnd, wOff + g.filters() * k + 4);   // a gradient summed over earlier images
        float[] wGrad = start.clone();
        float[] scratch = new float[conv.sourceLength() + 3];
        java.util.Arrays.fill(scratch, Float.NaN);
        conv.addWeightGradient(gOut, o, in, inOff, scratch, wGrad, wOff);

        float[] col = im2col(g, in, inOff);
        float[] colT = new float[p * k];
        for (int t = 0; t < k; t++) {
            for (int q = 0; q < p; q++) {
                colT[q * k + t] = col[t * p + q];
            }
        }
        float[] expected = start.clone();
        VectorGemm.gemm(g.filters(), k, p, gOut, o, p, 1, colT, 0, k, expected, wOff, k);
        assertArrayEquals(expected, wGrad, "the same bits as d out times the transposed patches, added (values outside stay)");
    }

    /**
     * Geometries whose output positions fill the panels poorly, at 256- and 512-bit vectors alike, and whose sources
     * are too large for the wide mode, so that a convolution made with packed weights puts the filters on the lanes:
     * 49 positions (ResNet-18's last stage, a multiple of the seven-position block), 20 and 40 (the last block part
     * padding), rows longer than a vector (20 columns), stride 2 and a 1x1 downsample, one panel of filters and
     * several, and a product shared among the threads.
     */
    static Stream<Geometry> filterMajorGeometries() {
        return Stream.of(
            new Geometry(192, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64),       // 49 positions, 3x3 with padding
            new Geometry(400, 6, 7, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0, 32),       // 4 x 5 = 20 positions, read in place
            new Geometry(512, 2, 20, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 96),      // 2 rows of 20 (longer than a 512-bit vector)
            new Geometry(32, 14, 14, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 96),      // stride 2: four phases, three panels at 512 bits
            new Geometry(48, 14, 14, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 64),      // a 1x1 downsample, one phase of four
            new Geometry(128, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 128));     // 7.2 M multiply-adds: shared among the threads
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("filterMajorGeometries")
    void filtersOnTheLanesFromPackedWeightsGiveTheBitsOfThePanels(Geometry g) {
        ImplicitConv packedConv = new ImplicitConv(g.c(), g.ih(), g.iw(), g.kh(), g.kw(), g.sh(), g.sw(), g.dh(), g.dw(), g.pt(), g.pl(),
                g.oh(), g.ow(), g.filters(), true);
        ImplicitConv plain = g.conv();
        assertEquals(0, plain.packedLength(), "made without packed weights: reads them in place");
        if (!Kernels.vectorized()) {
            assertEquals(0, packedConv.packedLength(), "the scalar kernel reads the weights in place");
            return;
        }
        int k = g.c() * g.kh() * g.kw();
        int p = g.oh() * g.ow();
        assertEquals(g.filters() * k, packedConv.packedLength(), "filters on the lanes: the weights packed");
        SplittableRandom rnd = new SplittableRandom(g.hashCode());
        int inOff = 5;
        int wOff = 9;
        int o = 3;
        float[] in = random(rnd, inOff + g.c() * g.ih() * g.iw() + 1);
        float[] w = random(rnd, wOff + g.filters() * k);
        float[] bias = random(rnd, g.filters() + 2);
        float[] packed = new float[packedConv.packedLength()];
        java.util.Arrays.fill(packed, Float.NaN);
        packedConv.packWeights(w, wOff, packed);
        for (float v : packed) {
            assertFalse(Float.isNaN(v), "every packed value written");
        }
        for (boolean relu : new boolean[] {false, true}) {
            for (float[] b : new float[][] {bias, null}) {
                float[] expected = new float[o + g.filters() * p + 40];
                java.util.Arrays.fill(expected, 42f);
                float[] actual = expected.clone();
                float[] source = new float[Math.max(1, plain.sourceLength())];
                plain.forward(w, wOff, in, inOff, source, expected, o, b, 2, true, relu);
                java.util.Arrays.fill(source, Float.NaN);
                packedConv.forward(w, wOff, packed, in, inOff, source, actual, o, b, 2, true, relu);
                assertArrayEquals(expected, actual, "relu " + relu + ", bias " + (b != null) + ": the panels' bits, nothing else written");
            }
        }
        // without the packed array (an engine that keeps none), the same product from the weights in place
        float[] inPlace = new float[o + g.filters() * p];
        float[] viaPacked = inPlace.clone();
        packedConv.forward(w, wOff, null, in, inOff, new float[Math.max(1, plain.sourceLength())], inPlace, o, bias, 0, true, false);
        packedConv.forward(w, wOff, packed, in, inOff, new float[Math.max(1, plain.sourceLength())], viaPacked, o, bias, 0, true, false);
        assertArrayEquals(inPlace, viaPacked);
    }

    @Test
    void onlyPoorlyFilledPanelsTakeTheFiltersOnTheLanes() {
        boolean vector = Kernels.vectorized();
        int lanes = vector ? VectorGemm.lanes() : 0;
        // ResNet-18's 7 x 7 outputs (49 positions in 64 lanes at 512 bits, 64 at 256 bits)
        assertEquals(vector, packed(new Geometry(512, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 512)).packedLength() > 0);
        // its 14 x 14 outputs: 196 positions in 224 lanes at 512 bits (12.5% empty); 208 at 256 bits (6%)
        assertEquals(vector && lanes == 16, packed(new Geometry(256, 14, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 256)).packedLength() > 0);
        // 28 x 28: 784 positions in 800 lanes (2%); 32 x 32 fills them
        assertEquals(0, packed(new Geometry(128, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 128)).packedLength());
        assertEquals(0, packed(new Geometry(16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64)).packedLength());
        // filters that are not whole pairs of vectors (48 = 1.5 x 32 at 512 bits); a source small enough for the wide mode
        assertEquals(vector && lanes == 8, packed(new Geometry(192, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 48)).packedLength() > 0);
        assertEquals(0, packed(new Geometry(64, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64)).packedLength());
        // a short packed array is refused before anything is written
        ImplicitConv conv = packed(new Geometry(192, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64));
        if (vector) {
            float[] out = new float[64 * 49];
            java.util.Arrays.fill(out, 7f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(new float[64 * 1728], 0,
                    new float[64 * 1728 - 1], new float[192 * 49], 0, new float[conv.sourceLength()], out, 0, null, 0));
            assertEquals("the packed weights hold 110591 floats, this convolution's need 110592", e.getMessage());
            for (float v : out) {
                assertEquals(7f, v);
            }
        }
    }

    private static ImplicitConv packed(Geometry g) {
        return new ImplicitConv(g.c(), g.ih(), g.iw(), g.kh(), g.kw(), g.sh(), g.sw(), g.dh(), g.dw(), g.pt(), g.pl(), g.oh(), g.ow(),
                g.filters(), true);
    }

    @Test
    void smallStrideOneConvolutionsTakeTheWideMode() {
        boolean vector = Kernels.vectorized();
        // LeNet-5's c1 (a 32 x 32 padded source) and c3 (6 x 14 x 14 read in place)
        assertEquals(vector, new Geometry(1, 28, 28, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2, 6).conv().wide());
        assertEquals(vector, new Geometry(6, 14, 14, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 16).conv().wide());
        // a source over 8,192 floats (64 x 58 x 58), a stride of 2, fewer than a vector of wide positions (one output)
        assertFalse(new Geometry(64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 64).conv().wide());
        assertFalse(new Geometry(4, 13, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3).conv().wide());
        assertFalse(new Geometry(7, 6, 6, 6, 6, 1, 1, 1, 1, 0, 0, 0, 0, 2).conv().wide());
        // outputs under half of each source row (5 of 15 columns)
        assertFalse(new Geometry(1, 20, 15, 3, 11, 1, 1, 1, 1, 0, 0, 0, 0, 2).conv().wide());
        ImplicitConv strided = new Geometry(4, 13, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3).conv();
        assertFalse(strided.weightGradientFromSource());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> strided.addWeightGradient(new float[3 * 42], 0, new float[4 * 143], 0, new float[strided.sourceLength()], new float[108], 0));
        assertEquals("this convolution's weight gradient is not computed from the source", e.getMessage());
    }

    @Test
    void aShortScratchIsRefusedBeforeAnythingIsWritten() {
        ImplicitConv conv = new Geometry(3, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4).conv();   // 3 x 12 x 12 = 432
        float[] out = new float[4 * 100];
        java.util.Arrays.fill(out, 7f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(new float[4 * 27], 0, new float[300], 0, new float[431], out, 0, null, 0));
        assertEquals("the source scratch holds 431 floats, this convolution's padded input needs 432", e.getMessage());
        for (float v : out) {
            assertEquals(7f, v);
        }
    }

    @Test
    void rejectsSizesThatAreNoConvolution() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ImplicitConv(3, 8, 8, 3, 3, 0, 1, 1, 1, 0, 0, 6, 6, 4));
        assertEquals("not a convolution: 3x8x8 input, 3x3 kernel, stride 0x1, dilation 1x1, padding 0/0, 6x6 output", e.getMessage());
    }

    /** The patches as a K x P matrix, written the plain way (0 in the padding). */
    private static float[] im2col(Geometry g, float[] in, int inOff) {
        int p = g.oh() * g.ow();
        float[] col = new float[g.c() * g.kh() * g.kw() * p];
        for (int c = 0, t = 0; c < g.c(); c++) {
            for (int i = 0; i < g.kh(); i++) {
                for (int j = 0; j < g.kw(); j++, t++) {
                    for (int y = 0; y < g.oh(); y++) {
                        for (int x = 0; x < g.ow(); x++) {
                            int iy = y * g.sh() - g.pt() + i * g.dh();
                            int ix = x * g.sw() - g.pl() + j * g.dw();
                            boolean inside = iy >= 0 && iy < g.ih() && ix >= 0 && ix < g.iw();
                            col[t * p + y * g.ow() + x] = inside ? in[inOff + (c * g.ih() + iy) * g.iw() + ix] : 0f;
                        }
                    }
                }
            }
        }
        return col;
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }
}
