package dev.strider.runtime.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD matrix kernel behind the convolutions, on the Vector API (an incubator module in Java 17: the JVM must be
 * started with {@code --add-modules jdk.incubator.vector}, otherwise {@link Kernels} never loads this class and uses
 * {@link ScalarGemm}). Four rows by two vectors of columns are accumulated in registers over the whole inner
 * dimension: per step two vector loads and four broadcasts feed eight fused multiply-adds.
 */
final class VectorGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private VectorGemm() {}

    /** Floats per vector. */
    static int lanes() {
        return L;
    }

    /** The vector width in bits, for reports. */
    static int bits() {
        return S.vectorBitSize();
    }

    /** The smallest products computed on packed operands (LeNet-5's 6 and 16 filters over 25 and 150 taps are faster unpacked). */
    static final int PACKED_ROWS = 32;
    static final int PACKED_DEPTH = 32;

    /**
     * Per thread: the packed copies of the operands (grown, never shrunk: a call allocates nothing once warm), a
     * narrow panel's tile, and one vector's lanes.
     */
    private static final ThreadLocal<float[][]> PACKS = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0], new float[8 * L], new float[L]});

    /**
     * See {@link Kernels#gemm}. Products with at least {@link #PACKED_ROWS} rows, {@link #PACKED_DEPTH} terms and two
     * vectors of columns are computed on packed operands: each panel of {@code x} two vectors wide, contiguous, and,
     * when {@code a} is read across its rows (a transposed matrix, in the backward pass), the rows of {@code a} four
     * at a time, interleaved ({@code t}-major). The same register block ({@link #block4x2}) then walks them with
     * constant strides, so the JIT drops the bounds checks and the hardware prefetcher sees sequential reads; every
     * sum is still added in the same order.
     */
    static void gemm(int m, int n, int l, float[] a, int aOff, int ai, int al,
                     float[] x, int xOff, int xs, float[] y, int yOff, int ys) {
        // packing pays when its copies (m l + l n) are small against the product (m l n): many rows and columns
        if (m >= PACKED_ROWS && n >= 2 * L && l >= PACKED_DEPTH) {
            packed(m, n, l, a, aOff, ai, al, x, xOff, xs, y, yOff, ys);
            return;
        }
        unpacked(m, n, l, a, aOff, ai, al, x, xOff, xs, y, yOff, ys);
    }

    /** The smallest product shared among threads ({@link Workers}): about 4 M multiply-adds, tens of microseconds. */
    static final long THREADED_MACS = 1L << 22;

    private static final ThreadLocal<PackedProduct> PRODUCTS = ThreadLocal.withInitial(PackedProduct::new);

    private static void packed(int m, int n, int l, float[] a, int aOff, int ai, int al,
                               float[] x, int xOff, int xs, float[] y, int yOff, int ys) {
        int blocks = m / 4;
        int rows = 4 * blocks;
        float[] ap;
        int apOff;
        int blockStep;
        int pi;
        int pl;
        if (al == 1) {
            // rows of a contiguous (the forward pass's weights): four sequential streams, read in place. Packing them
            // too measured slower, most on products of few panels (ResNet-18's last stage: 50 against 85 GFLOP/s)
            ap = a;
            apOff = aOff;
            blockStep = 4 * ai;
            pi = ai;
            pl = 1;
        } else {
            float[][] packs = PACKS.get();
            if (packs[0].length < rows * l) {
                packs[0] = new float[rows * l];
            }
            ap = packs[0];
            // block b holds rows 4b .. 4b + 3, t-major: ap[4bl + 4t + r]
            for (int b = 0; b < blocks; b++) {
                for (int r = 0; r < 4; r++) {
                    int from = aOff + (4 * b + r) * ai;
                    int to = 4 * b * l + r;
                    for (int t = 0; t < l; t++) {
                        ap[to + 4 * t] = a[from + t * al];
                    }
                }
            }
            apOff = 0;
            blockStep = 4 * l;
            pi = 1;
            pl = 4;
        }
        PackedProduct product = PRODUCTS.get();
        product.set(n, l, ap, apOff, blockStep, pi, pl, blocks, x, xOff, xs, y, yOff, ys);
        int panels = (n + 2 * L - 1) / (2 * L);
        try {
            if ((long) rows * n * l >= THREADED_MACS) {
                Workers.run(product, panels);
            } else {
                product.run(0, panels, 0);
            }
        } finally {
            product.clear();
        }
        if (rows < m) {
            int i = rows;
            unpacked(m - i, n, l, a, aOff + i * ai, ai, al, x, xOff, xs, y, yOff + i * ys, ys);
        }
    }

    /**
     * One packed product's arguments (one holder per calling thread, reused: a call allocates nothing), and its
     * column panels, which any thread may compute: each packs its panels of {@code x} into its own buffer and writes
     * only their columns of {@code y}.
     */
    private static final class PackedProduct implements Workers.Job {
        private int n;
        private int l;
        private float[] ap;
        private int apOff;
        private int blockStep;
        private int pi;
        private int pl;
        private int blocks;
        private float[] x;
        private int xOff;
        private int xs;
        private float[] y;
        private int yOff;
        private int ys;

        void set(int n, int l, float[] ap, int apOff, int blockStep, int pi, int pl, int blocks, float[] x, int xOff, int xs,
                 float[] y, int yOff, int ys) {
            this.n = n;
            this.l = l;
            this.ap = ap;
            this.apOff = apOff;
            this.blockStep = blockStep;
            this.pi = pi;
            this.pl = pl;
            this.blocks = blocks;
            this.x = x;
            this.xOff = xOff;
            this.xs = xs;
            this.y = y;
            this.yOff = yOff;
            this.ys = ys;
        }

        /** Drops the references to the caller's arrays. */
        void clear() {
            ap = null;
            x = null;
            y = null;
        }

        @Override
        public void run(int first, int end, int part) {
            compute(first, end, n, l, ap, apOff, blockStep, pi, pl, blocks, x, xOff, xs, y, yOff, ys);
        }

        /** The panels, from locals (the JIT keeps them in registers across the loops). */
        private static void compute(int first, int end, int n, int l, float[] ap, int apOff, int blockStep, int pi, int pl,
                                    int blocks, float[] x, int xOff, int xs, float[] y, int yOff, int ys) {
            int w = 2 * L;
            float[][] packs = PACKS.get();
            if (packs[1].length < w * l) {
                packs[1] = new float[w * l];
            }
            float[] xp = packs[1];
            float[] tile = packs[2];
            for (int panel = first; panel < end; panel++) {
                int j = panel * w;
                int width = Math.min(w, n - j);
                // two vector copies a row (a System.arraycopy call per 32 floats cost a third of a product of 64 rows,
                // ResNet-18's first stage). A narrower last panel copies the values past its columns too (the next
                // row's, or whatever the array holds there; the array's last row copies only its own): every lane of
                // a vector is computed alone, and only the tile's first width columns reach y
                for (int t = 0, src = xOff + j, dst = 0; t < l; t++, src += xs, dst += w) {
                    if (src + w <= x.length) {
                        FloatVector.fromArray(S, x, src).intoArray(xp, dst);
                        FloatVector.fromArray(S, x, src + L).intoArray(xp, dst + L);
                    } else {
                        System.arraycopy(x, src, xp, dst, width);
                    }
                }
                for (int b = 0; b < blocks; b++) {
                    int y0 = yOff + 4 * b * ys + j;
                    if (width == w) {
                        block4x2(l, ap, apOff + b * blockStep, pi, pl, xp, 0, 2 * L, y, y0, ys);
                    } else {
                        // the last, narrower panel: the block into a zeroed tile, then only its columns into y
                        java.util.Arrays.fill(tile, 0f);
                        block4x2(l, ap, apOff + b * blockStep, pi, pl, xp, 0, 2 * L, tile, 0, w);
                        addTile(tile, 4, width, y, y0, ys);
                    }
                }
            }
        }
    }

    private static final ThreadLocal<ImplicitProduct> IMPLICIT = ThreadLocal.withInitial(ImplicitProduct::new);

    /**
     * The product of {@link ImplicitConv}: {@code y[yOff + i*ys + q] = bias_i + sum_{t<l} a[aOff + i*ai + t] * x[xOff + taps[t]
     * + pos(q)]}, where panel {@code p}'s columns are the runs {@code (dst, pos, len)} of {@code segments[3*panelStart[p]
     * .. 3*panelStart[p+1])}: columns {@code p*2L + dst ..} read {@code len} consecutive values from {@code pos} on;
     * {@code tapMax} is the largest of {@code taps}; {@code bias_i} is {@code bias[biasOff + i]} (0 when {@code bias} is
     * null), written first, then the sum added to it.
     * Each thread packs its panels from {@code x} and computes them with the same register blocks as {@link #packed}.
     * A product of few panels for the threads is also cut by rows (each part packs the panel again), so that every
     * thread has work: ResNet-18's last stage has two panels, its third seven.
     */
    static void implicit(int m, int n, int l, float[] a, int aOff, int ai, float[] x, int xOff, int[] taps, int tapMax,
                         int[] panelStart, int[] segments, float[] y, int yOff, int ys, float[] bias, int biasOff) {
        ImplicitProduct product = IMPLICIT.get();
        int panels = panelStart.length - 1;
        boolean threaded = (long) m * n * l >= THREADED_MACS && Workers.THREADS > 1;
        // parts of whole four-row blocks, enough for four items a thread where the rows allow
        int blocks = Math.max(1, m / 4);
        int parts = threaded ? Math.min(blocks, Math.max(1, (4 * Workers.THREADS + panels - 1) / panels)) : 1;
        product.set(m, n, l, a, aOff, ai, x, xOff, taps, tapMax, panelStart, segments, y, yOff, ys, bias, biasOff, parts);
        try {
            if (threaded) {
                Workers.run(product, panels * parts);
            } else {
                product.run(0, panels * parts, 0);
            }
        } finally {
            product.clear();
        }
    }

    /** One implicit product's arguments (one holder per calling thread, reused), and its items for any thread. */
    private static final class ImplicitProduct implements Workers.Job {
        /** A packed row's stride: the panel's two vectors and a spare one for the last run's spill. */
        private static final int XS = 3 * L;
        private int m;
        private int n;
        private int l;
        private float[] a;
        private int aOff;
        private int ai;
        private float[] x;
        private int xOff;
        private int[] taps;
        private int tapMax;
        private int[] panelStart;
        private int[] segments;
        private float[] y;
        private int yOff;
        private int ys;
        private float[] bias;
        private int biasOff;
        private int parts;

        void set(int m, int n, int l, float[] a, int aOff, int ai, float[] x, int xOff, int[] taps, int tapMax, int[] panelStart,
                 int[] segments, float[] y, int yOff, int ys, float[] bias, int biasOff, int parts) {
            this.m = m;
            this.n = n;
            this.l = l;
            this.a = a;
            this.aOff = aOff;
            this.ai = ai;
            this.x = x;
            this.xOff = xOff;
            this.taps = taps;
            this.tapMax = tapMax;
            this.panelStart = panelStart;
            this.segments = segments;
            this.y = y;
            this.yOff = yOff;
            this.ys = ys;
            this.bias = bias;
            this.biasOff = biasOff;
            this.parts = parts;
        }

        /** Drops the references to the caller's arrays. */
        void clear() {
            a = null;
            x = null;
            taps = null;
            panelStart = null;
            segments = null;
            y = null;
            bias = null;
        }

        /** Item {@code i}: panel {@code i / parts}, rows of part {@code i % parts} (whole four-row blocks, the last part the rest). */
        @Override
        public void run(int first, int end, int part) {
            float[][] packs = PACKS.get();
            if (packs[1].length < XS * l) {
                packs[1] = new float[XS * l];
            }
            int blocks = m / 4;
            for (int item = first; item < end; item++) {
                int panel = item / parts;
                int p = item % parts;
                int r0 = 4 * (blocks * p / parts);
                int r1 = p + 1 == parts ? m : 4 * (blocks * (p + 1) / parts);
                fillBias(panel, r0, r1);
                pack(panel, packs[1]);
                computePanel(panel, r0, r1, packs[1], packs[2]);
            }
        }

        /** Rows {@code [r0, r1)} of the panel's columns, set to their bias (0 without one), before the sums are added. */
        private void fillBias(int panel, int r0, int r1) {
            int j = panel * 2 * L;
            int width = Math.min(2 * L, n - j);
            for (int i = r0; i < r1; i++) {
                int row = yOff + i * ys + j;
                float b = bias == null ? 0f : bias[biasOff + i];
                if (width == 2 * L) {
                    // two vector stores (a call to Arrays.fill for 32 values cost 2% of ResNet-18)
                    FloatVector v = FloatVector.broadcast(S, b);
                    v.intoArray(y, row);
                    v.intoArray(y, row + L);
                } else {
                    for (int c = 0; c < width; c++) {
                        y[row + c] = b;
                    }
                }
            }
        }

        /**
         * Panel {@code panel}'s rows from the source, a run at a time for every row (a short loop per run and row
         * measured three times slower: C2's loop set-up for one or two iterations). Each run is copied in whole vectors,
         * its last one spilling past the run into the next run's columns (written after it) or the row's spare vector.
         */
        private void pack(int panel, float[] xp) {
            float[] x = this.x;
            int[] taps = this.taps;
            int[] seg = this.segments;
            int l = this.l;
            int xOff = this.xOff;
            for (int s = 3 * panelStart[panel], s1 = 3 * panelStart[panel + 1]; s < s1; s += 3) {
                int dst = seg[s];
                int pos = xOff + seg[s + 1];
                int len = seg[s + 2];
                if (pos + tapMax + 2 * L > x.length) {
                    // near the end of the array: exact copies
                    for (int t = 0; t < l; t++) {
                        System.arraycopy(x, pos + taps[t], xp, t * XS + dst, len);
                    }
                } else if (len <= L) {
                    for (int t = 0; t < l; t++) {
                        FloatVector.fromArray(S, x, pos + taps[t]).intoArray(xp, t * XS + dst);
                    }
                } else {
                    for (int t = 0; t < l; t++) {
                        int src = pos + taps[t];
                        int d = t * XS + dst;
                        FloatVector.fromArray(S, x, src).intoArray(xp, d);
                        FloatVector.fromArray(S, x, src + L).intoArray(xp, d + L);
                    }
                }
            }
        }

        /** The panel's rows {@code [r0, r1)} ({@code r0} a multiple of 4): four-row blocks, then two rows, then one. */
        private void computePanel(int panel, int r0, int r1, float[] xp, float[] tile) {
            int w = 2 * L;
            int j = panel * w;
            int width = Math.min(w, n - j);
            int blocks = (r1 - r0) / 4;
            for (int b = r0 / 4, bEnd = r0 / 4 + blocks; b < bEnd; b++) {
                int y0 = yOff + 4 * b * ys + j;
                int a0 = aOff + 4 * b * ai;
                if (width == w) {
                    block4x2(l, a, a0, ai, 1, xp, 0, XS, y, y0, ys);
                } else {
                    // the last, narrower panel: the block into a zeroed tile, then only its columns into y
                    java.util.Arrays.fill(tile, 0f);
                    block4x2(l, a, a0, ai, 1, xp, 0, XS, tile, 0, w);
                    addTile(tile, 4, width, y, y0, ys);
                }
            }
            int i = r0 + 4 * blocks;
            if (i + 2 <= r1) {
                if (width == w) {
                    block2x2(l, a, aOff + i * ai, ai, 1, xp, 0, XS, y, yOff + i * ys + j, ys);
                } else {
                    java.util.Arrays.fill(tile, 0f);
                    block2x2(l, a, aOff + i * ai, ai, 1, xp, 0, XS, tile, 0, w);
                    addTile(tile, 2, width, y, yOff + i * ys + j, ys);
                }
                i += 2;
            }
            if (i < r1) {
                if (width == w) {
                    block1x2(l, a, aOff + i * ai, 1, xp, 0, XS, y, yOff + i * ys + j);
                } else {
                    java.util.Arrays.fill(tile, 0f);
                    block1x2(l, a, aOff + i * ai, 1, xp, 0, XS, tile, 0);
                    addTile(tile, 1, width, y, yOff + i * ys + j, ys);
                }
            }
        }
    }

    /** {@code y[yOff ..]} = {@code x[xOff ..]} for one vector. */
    static void copy(float[] x, int xOff, float[] y, int yOff) {
        FloatVector.fromArray(S, x, xOff).intoArray(y, yOff);
    }

    /** Output positions per register block of {@link #filterMajor}: seven positions by two vectors of filters. */
    static final int BLOCK_POSITIONS = 7;

    private static final ThreadLocal<FilterMajorProduct> FILTER_MAJOR = ThreadLocal.withInitial(FilterMajorProduct::new);

    /**
     * A convolution's product with the filters on the lanes (ImplicitConv's filter-major mode):
     * {@code y[yOff + f*ys + q] = max(bias_f + sum_{t<l} wp[(f / 2L * l + t) * 2L + f % 2L] * xb[t*xs + q], floor)}
     * for {@code f < m} (a multiple of {@code 2L}) and {@code q < n}. {@code wp} holds the weights packed once, two
     * vectors of filters a tap ({@link ImplicitConv#packWeights}); {@code xb} the patches, a row of positions a tap
     * ({@code xs >= n} rounded up to whole blocks of {@link #BLOCK_POSITIONS}). The register block broadcasts seven
     * positions' patch values against two vectors of weights: fourteen accumulators, two vector loads for fourteen
     * FMAs. Where the positions do not fill the other kernel's panels (ResNet-18's 7 x 7 outputs: 49 columns in 64
     * lanes), the filters do. Each sum has the terms in the order of the other kernels, from 0, then the bias is added
     * to it: the same bits. Products of at least {@link #THREADED_MACS} are shared among the threads by panels of
     * filters (cut by blocks of positions too when there are fewer than four panels a thread).
     */
    static void filterMajor(int m, int n, int l, float[] wp, float[] xb, int xs, float[] y, int yOff, int ys,
                            float[] bias, int biasOff, float floor) {
        FilterMajorProduct product = FILTER_MAJOR.get();
        int panels = m / (2 * L);
        int blocks = (n + BLOCK_POSITIONS - 1) / BLOCK_POSITIONS;
        boolean threaded = (long) m * n * l >= THREADED_MACS && Workers.THREADS > 1;
        int parts = threaded ? Math.min(blocks, Math.max(1, (4 * Workers.THREADS + panels - 1) / panels)) : 1;
        product.set(n, l, wp, xb, xs, y, yOff, ys, bias, biasOff, floor, blocks, parts);
        try {
            if (threaded) {
                Workers.run(product, panels * parts);
            } else {
                product.run(0, panels * parts, 0);
            }
        } finally {
            product.clear();
        }
    }

    /** One filter-major product's arguments (one holder per calling thread, reused), and its items for any thread. */
    private static final class FilterMajorProduct implements Workers.Job {
        private static final ThreadLocal<float[]> TILES = ThreadLocal.withInitial(() -> new float[0]);
        private int n;
        private int l;
        private float[] wp;
        private float[] xb;
        private int xs;
        private float[] y;
        private int yOff;
        private int ys;
        private float[] bias;
        private int biasOff;
        private float floor;
        private int blocks;
        private int parts;

        void set(int n, int l, float[] wp, float[] xb, int xs, float[] y, int yOff, int ys, float[] bias, int biasOff, float floor,
                 int blocks, int parts) {
            this.n = n;
            this.l = l;
            this.wp = wp;
            this.xb = xb;
            this.xs = xs;
            this.y = y;
            this.yOff = yOff;
            this.ys = ys;
            this.bias = bias;
            this.biasOff = biasOff;
            this.floor = floor;
            this.blocks = blocks;
            this.parts = parts;
        }

        /** Drops the references to the caller's arrays. */
        void clear() {
            wp = null;
            xb = null;
            y = null;
            bias = null;
        }

        /** Item {@code i}: filter panel {@code i / parts}, the blocks of positions of part {@code i % parts}. */
        @Override
        public void run(int first, int end, int part) {
            int w = 2 * L;
            float[] tile = TILES.get();
            int most = ((blocks + parts - 1) / parts + 1) * BLOCK_POSITIONS * w;
            if (tile.length < most) {
                tile = new float[most];
                TILES.set(tile);
            }
            for (int item = first; item < end; item++) {
                int panel = item / parts;
                int p = item % parts;
                int b0 = blocks * p / parts;
                int b1 = blocks * (p + 1) / parts;
                int w0 = panel * l * w;
                for (int b = b0; b < b1; b++) {
                    lanes2x7(l, wp, w0, xb, b * BLOCK_POSITIONS, xs, tile, (b - b0) * BLOCK_POSITIONS * w);
                }
                // the tile's positions to the filters' rows: bias, sum, floor
                int q0 = b0 * BLOCK_POSITIONS;
                int q1 = Math.min(n, b1 * BLOCK_POSITIONS);
                for (int f = 0; f < w; f++) {
                    int filter = panel * w + f;
                    float b = bias == null ? 0f : bias[biasOff + filter];
                    for (int q = q0, row = yOff + filter * ys, t = f; q < q1; q++, t += w) {
                        y[row + q] = Math.max(b + tile[t], floor);
                    }
                }
            }
        }
    }

    /**
     * Seven positions by two vectors of filters: {@code t[t0 + j*2L + i] = sum_{k<l} wp[w0 + k*2L + i] * xb[x0 +
     * k*xs + j]}. Fourteen accumulators in one loop without other control flow (C2 keeps them in registers).
     */
    private static void lanes2x7(int l, float[] wp, int w0, float[] xb, int x0, int xs, float[] t, int t0) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c02 = FloatVector.zero(S);
        FloatVector c12 = FloatVector.zero(S);
        FloatVector c03 = FloatVector.zero(S);
        FloatVector c13 = FloatVector.zero(S);
        FloatVector c04 = FloatVector.zero(S);
        FloatVector c14 = FloatVector.zero(S);
        FloatVector c05 = FloatVector.zero(S);
        FloatVector c15 = FloatVector.zero(S);
        FloatVector c06 = FloatVector.zero(S);
        FloatVector c16 = FloatVector.zero(S);
        for (int k = 0, wk = w0, xk = x0; k < l; k++, wk += 2 * L, xk += xs) {
            FloatVector a0 = FloatVector.fromArray(S, wp, wk);
            FloatVector a1 = FloatVector.fromArray(S, wp, wk + L);
            FloatVector v = FloatVector.broadcast(S, xb[xk]);
            c00 = a0.fma(v, c00);
            c10 = a1.fma(v, c10);
            v = FloatVector.broadcast(S, xb[xk + 1]);
            c01 = a0.fma(v, c01);
            c11 = a1.fma(v, c11);
            v = FloatVector.broadcast(S, xb[xk + 2]);
            c02 = a0.fma(v, c02);
            c12 = a1.fma(v, c12);
            v = FloatVector.broadcast(S, xb[xk + 3]);
            c03 = a0.fma(v, c03);
            c13 = a1.fma(v, c13);
            v = FloatVector.broadcast(S, xb[xk + 4]);
            c04 = a0.fma(v, c04);
            c14 = a1.fma(v, c14);
            v = FloatVector.broadcast(S, xb[xk + 5]);
            c05 = a0.fma(v, c05);
            c15 = a1.fma(v, c15);
            v = FloatVector.broadcast(S, xb[xk + 6]);
            c06 = a0.fma(v, c06);
            c16 = a1.fma(v, c16);
        }
        c00.intoArray(t, t0);
        c10.intoArray(t, t0 + L);
        c01.intoArray(t, t0 + 2 * L);
        c11.intoArray(t, t0 + 3 * L);
        c02.intoArray(t, t0 + 4 * L);
        c12.intoArray(t, t0 + 5 * L);
        c03.intoArray(t, t0 + 6 * L);
        c13.intoArray(t, t0 + 7 * L);
        c04.intoArray(t, t0 + 8 * L);
        c14.intoArray(t, t0 + 9 * L);
        c05.intoArray(t, t0 + 10 * L);
        c15.intoArray(t, t0 + 11 * L);
        c06.intoArray(t, t0 + 12 * L);
        c16.intoArray(t, t0 + 13 * L);
    }

    /**
     * The product of a small stride-1 convolution without packing ({@link ImplicitConv}'s wide mode). Output row
     * {@code r}, column {@code c} is <em>wide position</em> {@code p = r * rowStride + c} of the source's row layout,
     * so every tap reads a contiguous run for all positions at once: {@code acc[i*as + p] = sum_{t<l} a[aOff + i*ai
     * + t] * x[xOff + taps[t] + p]} for {@code p < wide} (the positions past a row's outputs are computed and never
     * read). The whole source and the weights stay in L1, so the registers are fed straight from them. Positions go
     * in vectors from 0; the last vector ends at {@code wide} (overlapping the one before it: its lanes are computed
     * again, to the same bits), so nothing is read past the last value an output reads. Each sum has the terms of the
     * packed kernels in the same order, so the results are the same bits. Needs {@code wide >= lanes()}.
     */
    static void wide(int m, int l, float[] a, int aOff, int ai, float[] x, int xOff, int[] taps, int wide, float[] acc, int as) {
        int vectors = (wide + L - 1) / L;
        int v = 0;
        for (; v + 2 <= vectors; v += 2) {
            int s0 = Math.min(v * L, wide - L);
            int s1 = Math.min(s0 + L, wide - L);
            int i = 0;
            for (; i + 8 <= m; i += 8) {
                wide8x2(l, a, aOff + i * ai, ai, x, xOff + s0, xOff + s1, taps, acc, i * as + s0, i * as + s1, as);
            }
            for (; i + 6 <= m; i += 6) {
                wide6x2(l, a, aOff + i * ai, ai, x, xOff + s0, xOff + s1, taps, acc, i * as + s0, i * as + s1, as);
            }
            for (; i + 4 <= m; i += 4) {
                wide4x2(l, a, aOff + i * ai, ai, x, xOff + s0, xOff + s1, taps, acc, i * as + s0, i * as + s1, as);
            }
            for (; i + 2 <= m; i += 2) {
                wide2x2(l, a, aOff + i * ai, ai, x, xOff + s0, xOff + s1, taps, acc, i * as + s0, i * as + s1, as);
            }
            for (; i < m; i++) {
                wide1x2(l, a, aOff + i * ai, x, xOff + s0, xOff + s1, taps, acc, i * as + s0, i * as + s1);
            }
        }
        if (v < vectors) {
            int s0 = wide - L;
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                wide4x1(l, a, aOff + i * ai, ai, x, xOff + s0, taps, acc, i * as + s0, as);
            }
            for (; i < m; i++) {
                wide1x1(l, a, aOff + i * ai, x, xOff + s0, taps, acc, i * as + s0);
            }
        }
    }

    /**
     * The outputs of {@link #wide}: {@code out[o + (f*oh + r)*ow + c] = bias[biasOff + f] + acc[f*as + r*rowStride + c]}
     * ({@code bias} null: 0), a vector at a time. A row of at least a vector ends with a vector at its end; a shorter
     * row is one vector spilling into the rows after it, which are written after it, or, where that vector would reach
     * past the image's outputs, single values: nothing outside the outputs is written (another thread may own what
     * follows). {@code acc} holds at least a vector past {@code filters * as}. Each output is then
     * {@code Math.max(v, floor)}: 0 for a fused ReLU; -infinity, which leaves every float as it is, for none.
     */
    static void addRows(float[] acc, int as, int rowStride, float[] bias, int biasOff, int filters, int oh, int ow,
                        float[] out, int o, float floor) {
        FloatVector lowest = FloatVector.broadcast(S, floor);
        if (ow >= L) {
            // each row in whole vectors, the last one ending at the row's end (it overlaps the one before it and
            // writes the same values there): nothing outside the row is written
            int last = ow - L;
            for (int f = 0; f < filters; f++) {
                FloatVector b = FloatVector.broadcast(S, bias == null ? 0f : bias[biasOff + f]);
                for (int r = 0, src = f * as, dst = o + f * oh * ow; r < oh; r++, src += rowStride, dst += ow) {
                    for (int c = 0; c < last; c += L) {
                        b.add(FloatVector.fromArray(S, acc, src + c)).max(lowest).intoArray(out, dst + c);
                    }
                    b.add(FloatVector.fromArray(S, acc, src + last)).max(lowest).intoArray(out, dst + last);
                }
            }
            return;
        }
        // rows shorter than a vector: one vector a row, spilling into the rows after it (written after it); the rows
        // whose vector would reach past the image's outputs go value by value
        int end = o + filters * oh * ow;
        for (int f = 0; f < filters; f++) {
            float bs = bias == null ? 0f : bias[biasOff + f];
            FloatVector b = FloatVector.broadcast(S, bs);
            for (int r = 0, src = f * as, dst = o + f * oh * ow; r < oh; r++, src += rowStride, dst += ow) {
                if (dst + L <= end) {
                    b.add(FloatVector.fromArray(S, acc, src)).max(lowest).intoArray(out, dst);
                } else {
                    for (int c = 0; c < ow; c++) {
                        out[dst + c] = Math.max(bs + acc[src + c], floor);
                    }
                }
            }
        }
    }

    /**
     * The weight gradient of a wide-mode convolution, with the filters on the lanes: {@code dwt[t*fs + f] = sum_{p <
     * wide} x[xOff + taps[t] + p] * g[p*fs + f]} for every tap {@code t < l} and lane {@code f < fs} ({@code fs}: the
     * filters rounded up to whole vectors; {@code g} is d out at the wide positions, 0 between the rows and past the
     * filters). Eight taps at a time: per position one vector of {@code g} and eight values of the source, broadcast.
     * Each sum runs over the positions in order from 0, as the product over transposed patches does (the zeros between
     * the rows add nothing), so the results are the same bits.
     */
    static void wideTapGradients(int l, int[] taps, float[] x, int xOff, int wide, float[] g, int fs, float[] dwt) {
        for (int v = 0; v < fs; v += L) {
            int t = 0;
            for (; t + 8 <= l; t += 8) {
                taps8(t, taps, x, xOff, wide, g, v, fs, dwt);
            }
            for (; t < l; t += 4) {
                // the last taps, four at a time (four chains cover the FMA latency; one would not): a tap past the
                // last repeats it and is not stored
                taps4(t, Math.min(4, l - t), taps, x, xOff, wide, g, v, fs, dwt);
            }
        }
    }

    private static void taps8(int t, int[] taps, float[] x, int xOff, int wide, float[] g, int v, int fs, float[] dwt) {
        int x0 = xOff + taps[t];
        int x1 = xOff + taps[t + 1];
        int x2 = xOff + taps[t + 2];
        int x3 = xOff + taps[t + 3];
        int x4 = xOff + taps[t + 4];
        int x5 = xOff + taps[t + 5];
        int x6 = xOff + taps[t + 6];
        int x7 = xOff + taps[t + 7];
        FloatVector d0 = FloatVector.zero(S);
        FloatVector d1 = FloatVector.zero(S);
        FloatVector d2 = FloatVector.zero(S);
        FloatVector d3 = FloatVector.zero(S);
        FloatVector d4 = FloatVector.zero(S);
        FloatVector d5 = FloatVector.zero(S);
        FloatVector d6 = FloatVector.zero(S);
        FloatVector d7 = FloatVector.zero(S);
        for (int p = 0, gp = v; p < wide; p++, gp += fs) {
            FloatVector gv = FloatVector.fromArray(S, g, gp);
            d0 = gv.fma(FloatVector.broadcast(S, x[x0 + p]), d0);
            d1 = gv.fma(FloatVector.broadcast(S, x[x1 + p]), d1);
            d2 = gv.fma(FloatVector.broadcast(S, x[x2 + p]), d2);
            d3 = gv.fma(FloatVector.broadcast(S, x[x3 + p]), d3);
            d4 = gv.fma(FloatVector.broadcast(S, x[x4 + p]), d4);
            d5 = gv.fma(FloatVector.broadcast(S, x[x5 + p]), d5);
            d6 = gv.fma(FloatVector.broadcast(S, x[x6 + p]), d6);
            d7 = gv.fma(FloatVector.broadcast(S, x[x7 + p]), d7);
        }
        int o = t * fs + v;
        d0.intoArray(dwt, o);
        d1.intoArray(dwt, o + fs);
        d2.intoArray(dwt, o + 2 * fs);
        d3.intoArray(dwt, o + 3 * fs);
        d4.intoArray(dwt, o + 4 * fs);
        d5.intoArray(dwt, o + 5 * fs);
        d6.intoArray(dwt, o + 6 * fs);
        d7.intoArray(dwt, o + 7 * fs);
    }

    private static void taps4(int t, int n, int[] taps, float[] x, int xOff, int wide, float[] g, int v, int fs, float[] dwt) {
        int last = t + n - 1;
        int x0 = xOff + taps[t];
        int x1 = xOff + taps[Math.min(t + 1, last)];
        int x2 = xOff + taps[Math.min(t + 2, last)];
        int x3 = xOff + taps[Math.min(t + 3, last)];
        FloatVector d0 = FloatVector.zero(S);
        FloatVector d1 = FloatVector.zero(S);
        FloatVector d2 = FloatVector.zero(S);
        FloatVector d3 = FloatVector.zero(S);
        for (int p = 0, gp = v; p < wide; p++, gp += fs) {
            FloatVector gv = FloatVector.fromArray(S, g, gp);
            d0 = gv.fma(FloatVector.broadcast(S, x[x0 + p]), d0);
            d1 = gv.fma(FloatVector.broadcast(S, x[x1 + p]), d1);
            d2 = gv.fma(FloatVector.broadcast(S, x[x2 + p]), d2);
            d3 = gv.fma(FloatVector.broadcast(S, x[x3 + p]), d3);
        }
        int o = t * fs + v;
        d0.intoArray(dwt, o);
        if (n > 1) {
            d1.intoArray(dwt, o + fs);
        }
        if (n > 2) {
            d2.intoArray(dwt, o + 2 * fs);
        }
        if (n > 3) {
            d3.intoArray(dwt, o + 3 * fs);
        }
    }

    /** Eight filters by two vectors of wide positions: sixteen accumulators (LeNet-5's c3 as 8 + 8). */
    private static void wide8x2(int l, float[] a, int a0, int ai, float[] x, int x0, int x1, int[] taps,
                                float[] acc, int c0, int c1, int as) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        for (int t = 0; t < l; t++) {
            int tap = taps[t];
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + tap);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + tap);
            int at = a0 + t;
            FloatVector w = FloatVector.broadcast(S, a[at]);
            c00 = v0.fma(w, c00);
            c01 = v1.fma(w, c01);
            w = FloatVector.broadcast(S, a[at + 1 * ai]);
            c10 = v0.fma(w, c10);
            c11 = v1.fma(w, c11);
            w = FloatVector.broadcast(S, a[at + 2 * ai]);
            c20 = v0.fma(w, c20);
            c21 = v1.fma(w, c21);
            w = FloatVector.broadcast(S, a[at + 3 * ai]);
            c30 = v0.fma(w, c30);
            c31 = v1.fma(w, c31);
            w = FloatVector.broadcast(S, a[at + 4 * ai]);
            c40 = v0.fma(w, c40);
            c41 = v1.fma(w, c41);
            w = FloatVector.broadcast(S, a[at + 5 * ai]);
            c50 = v0.fma(w, c50);
            c51 = v1.fma(w, c51);
            w = FloatVector.broadcast(S, a[at + 6 * ai]);
            c60 = v0.fma(w, c60);
            c61 = v1.fma(w, c61);
            w = FloatVector.broadcast(S, a[at + 7 * ai]);
            c70 = v0.fma(w, c70);
            c71 = v1.fma(w, c71);
        }
        c00.intoArray(acc, c0);
        c01.intoArray(acc, c1);
        c10.intoArray(acc, c0 + 1 * as);
        c11.intoArray(acc, c1 + 1 * as);
        c20.intoArray(acc, c0 + 2 * as);
        c21.intoArray(acc, c1 + 2 * as);
        c30.intoArray(acc, c0 + 3 * as);
        c31.intoArray(acc, c1 + 3 * as);
        c40.intoArray(acc, c0 + 4 * as);
        c41.intoArray(acc, c1 + 4 * as);
        c50.intoArray(acc, c0 + 5 * as);
        c51.intoArray(acc, c1 + 5 * as);
        c60.intoArray(acc, c0 + 6 * as);
        c61.intoArray(acc, c1 + 6 * as);
        c70.intoArray(acc, c0 + 7 * as);
        c71.intoArray(acc, c1 + 7 * as);
    }

    /**
     * Six filters by two vectors of wide positions: twelve accumulators, two loads of the source for twelve FMAs
     * (LeNet-5's c1 in one block; c3's sixteen filters as 6 + 6 + 4). The weights are broadcast one at a time, each
     * used by its two FMAs at once, so C2 keeps the accumulators in registers.
     */
    private static void wide6x2(int l, float[] a, int a0, int ai, float[] x, int x0, int x1, int[] taps,
                                float[] acc, int c0, int c1, int as) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        for (int t = 0; t < l; t++) {
            int tap = taps[t];
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + tap);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + tap);
            int at = a0 + t;
            FloatVector w = FloatVector.broadcast(S, a[at]);
            c00 = v0.fma(w, c00);
            c01 = v1.fma(w, c01);
            w = FloatVector.broadcast(S, a[at + ai]);
            c10 = v0.fma(w, c10);
            c11 = v1.fma(w, c11);
            w = FloatVector.broadcast(S, a[at + 2 * ai]);
            c20 = v0.fma(w, c20);
            c21 = v1.fma(w, c21);
            w = FloatVector.broadcast(S, a[at + 3 * ai]);
            c30 = v0.fma(w, c30);
            c31 = v1.fma(w, c31);
            w = FloatVector.broadcast(S, a[at + 4 * ai]);
            c40 = v0.fma(w, c40);
            c41 = v1.fma(w, c41);
            w = FloatVector.broadcast(S, a[at + 5 * ai]);
            c50 = v0.fma(w, c50);
            c51 = v1.fma(w, c51);
        }
        c00.intoArray(acc, c0);
        c01.intoArray(acc, c1);
        c10.intoArray(acc, c0 + as);
        c11.intoArray(acc, c1 + as);
        c20.intoArray(acc, c0 + 2 * as);
        c21.intoArray(acc, c1 + 2 * as);
        c30.intoArray(acc, c0 + 3 * as);
        c31.intoArray(acc, c1 + 3 * as);
        c40.intoArray(acc, c0 + 4 * as);
        c41.intoArray(acc, c1 + 4 * as);
        c50.intoArray(acc, c0 + 5 * as);
        c51.intoArray(acc, c1 + 5 * as);
    }

    /** Four filters by two vectors of wide positions (at {@code x0} and {@code x1}): eight accumulators. */
    private static void wide4x2(int l, float[] a, int a0, int ai, float[] x, int x0, int x1, int[] taps,
                                float[] acc, int c0, int c1, int as) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        for (int t = 0; t < l; t++) {
            int tap = taps[t];
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + tap);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + tap);
            int at = a0 + t;
            FloatVector w0 = FloatVector.broadcast(S, a[at]);
            FloatVector w1 = FloatVector.broadcast(S, a[at + ai]);
            FloatVector w2 = FloatVector.broadcast(S, a[at + 2 * ai]);
            FloatVector w3 = FloatVector.broadcast(S, a[at + 3 * ai]);
            c00 = v0.fma(w0, c00);
            c01 = v1.fma(w0, c01);
            c10 = v0.fma(w1, c10);
            c11 = v1.fma(w1, c11);
            c20 = v0.fma(w2, c20);
            c21 = v1.fma(w2, c21);
            c30 = v0.fma(w3, c30);
            c31 = v1.fma(w3, c31);
        }
        c00.intoArray(acc, c0);
        c01.intoArray(acc, c1);
        c10.intoArray(acc, c0 + as);
        c11.intoArray(acc, c1 + as);
        c20.intoArray(acc, c0 + 2 * as);
        c21.intoArray(acc, c1 + 2 * as);
        c30.intoArray(acc, c0 + 3 * as);
        c31.intoArray(acc, c1 + 3 * as);
    }

    /** Two filters by two vectors of wide positions. */
    private static void wide2x2(int l, float[] a, int a0, int ai, float[] x, int x0, int x1, int[] taps,
                                float[] acc, int c0, int c1, int as) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        for (int t = 0; t < l; t++) {
            int tap = taps[t];
            FloatVector v0 = FloatVector.fromArray(S, x, x0 + tap);
            FloatVector v1 = FloatVector.fromArray(S, x, x1 + tap);
            int at = a0 + t;
            FloatVector w0 = FloatVector.broadcast(S, a[at]);
            FloatVector w1 = FloatVector.broadcast(S, a[at + ai]);
            c00 = v0.fma(w0, c00);
            c01 = v1.fma(w0, c01);
            c10 = v0.fma(w1, c10);
            c11 = v1.fma(w1, c11);
        }
        c00.intoArray(acc, c0);
        c01.intoArray(acc, c1);
        c10.intoArray(acc, c0 + as);
        c11.intoArray(acc, c1 + as);
    }

    /** Four filters by the last vector of wide positions. */
    private static void wide4x1(int l, float[] a, int a0, int ai, float[] x, int x0, int[] taps, float[] acc, int c0, int as) {
        FloatVector d0 = FloatVector.zero(S);
        FloatVector d1 = FloatVector.zero(S);
        FloatVector d2 = FloatVector.zero(S);
        FloatVector d3 = FloatVector.zero(S);
        for (int t = 0; t < l; t++) {
            FloatVector v = FloatVector.fromArray(S, x, x0 + taps[t]);
            int at = a0 + t;
            d0 = v.fma(FloatVector.broadcast(S, a[at]), d0);
            d1 = v.fma(FloatVector.broadcast(S, a[at + ai]), d1);
            d2 = v.fma(FloatVector.broadcast(S, a[at + 2 * ai]), d2);
            d3 = v.fma(FloatVector.broadcast(S, a[at + 3 * ai]), d3);
        }
        d0.intoArray(acc, c0);
        d1.intoArray(acc, c0 + as);
        d2.intoArray(acc, c0 + 2 * as);
        d3.intoArray(acc, c0 + 3 * as);
    }

    /** One filter by two vectors of wide positions. */
    private static void wide1x2(int l, float[] a, int a0, float[] x, int x0, int x1, int[] taps, float[] acc, int c0, int c1) {
        FloatVector d0 = FloatVector.zero(S);
        FloatVector d1 = FloatVector.zero(S);
        for (int t = 0; t < l; t++) {
            int tap = taps[t];
            FloatVector w = FloatVector.broadcast(S, a[a0 + t]);
            d0 = FloatVector.fromArray(S, x, x0 + tap).fma(w, d0);
            d1 = FloatVector.fromArray(S, x, x1 + tap).fma(w, d1);
        }
        d0.intoArray(acc, c0);
        d1.intoArray(acc, c1);
    }

    /** One filter by the last vector of wide positions. */
    private static void wide1x1(int l, float[] a, int a0, float[] x, int x0, int[] taps, float[] acc, int c0) {
        FloatVector d = FloatVector.zero(S);
        for (int t = 0; t < l; t++) {
            d = FloatVector.fromArray(S, x, x0 + taps[t]).fma(FloatVector.broadcast(S, a[a0 + t]), d);
        }
        d.intoArray(acc, c0);
    }

    /** {@code y[r][c] += tile[r][c]} for a tile's first {@code width} columns (a narrow last panel's block). */
    private static void addTile(float[] tile, int rows, int width, float[] y, int y0, int ys) {
        int w = 2 * L;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                y[y0 + r * ys + c] += tile[r * w + c];
            }
        }
    }

    private static void unpacked(int m, int n, int l, float[] a, int aOff, int ai, int al,
                                 float[] x, int xOff, int xs, float[] y, int yOff, int ys) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            rows4(n, l, a, aOff + i * ai, ai, al, x, xOff, xs, y, yOff + i * ys, ys);
        }
        if (i + 2 <= m) {
            rows2(n, l, a, aOff + i * ai, ai, al, x, xOff, xs, y, yOff + i * ys, ys);
            i += 2;
        }
        for (; i < m; i++) {
            row1(n, l, a, aOff + i * ai, al, x, xOff, xs, y, yOff + i * ys);
        }
    }

    /** Two rows (left over by the four-row blocks): two by two vectors, the other columns a row at a time. */
    private static void rows2(int n, int l, float[] a, int a0, int ai, int al,
                              float[] x, int xOff, int xs, float[] y, int y0, int ys) {
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            block2x2(l, a, a0, ai, al, x, xOff + j, xs, y, y0 + j, ys);
        }
        if (j < n) {
            row1(n - j, l, a, a0, al, x, xOff + j, xs, y, y0 + j);
            row1(n - j, l, a, a0 + ai, al, x, xOff + j, xs, y, y0 + ys + j);
        }
    }

    /** Two rows by two vectors: four accumulators, enough to cover the FMA latency. */
    private static void block2x2(int l, float[] a, int a0, int ai, int al, float[] x, int x0, int xs,
                                 float[] y, int y0, int ys) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        for (int t = 0, at = a0, xt = x0; t < l; t++, at += al, xt += xs) {
            FloatVector v0 = FloatVector.fromArray(S, x, xt);
            FloatVector v1 = FloatVector.fromArray(S, x, xt + L);
            FloatVector w0 = FloatVector.broadcast(S, a[at]);
            FloatVector w1 = FloatVector.broadcast(S, a[at + ai]);
            c00 = v0.fma(w0, c00);
            c01 = v1.fma(w0, c01);
            c10 = v0.fma(w1, c10);
            c11 = v1.fma(w1, c11);
        }
        add(c00, y, y0);
        add(c01, y, y0 + L);
        add(c10, y, y0 + ys);
        add(c11, y, y0 + ys + L);
    }

    private static void rows4(int n, int l, float[] a, int a0, int ai, int al,
                              float[] x, int xOff, int xs, float[] y, int y0, int ys) {
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            block4x2(l, a, a0, ai, al, x, xOff + j, xs, y, y0 + j, ys);
        }
        for (; j + L <= n; j += L) {
            block4x1(l, a, a0, ai, al, x, xOff + j, xs, y, y0 + j, ys, 0);
        }
        if (j < n && n >= L) {
            // the last columns: one more vector block ending at column n, adding only the lanes not done above
            block4x1(l, a, a0, ai, al, x, xOff + n - L, xs, y, y0 + n - L, ys, j - (n - L));
            return;
        }
        for (; j < n; j++) {
            ScalarGemm.column4(l, a, a0, ai, al, x, xOff + j, xs, y, y0 + j, ys, true);   // fused, as every path here
        }
    }


    /**
     * Four rows by two vectors: one loop, eight accumulators, no other control flow (C2 keeps vectors in registers
     * only where it can see all their uses; a merge with other paths makes it box them on the heap).
     */
    private static void block4x2(int l, float[] a, int a0, int ai, int al, float[] x, int x0, int xs,
                                 float[] y, int y0, int ys) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        for (int t = 0, at = a0, xt = x0; t < l; t++, at += al, xt += xs) {
            FloatVector v0 = FloatVector.fromArray(S, x, xt);
            FloatVector v1 = FloatVector.fromArray(S, x, xt + L);
            FloatVector w0 = FloatVector.broadcast(S, a[at]);
            FloatVector w1 = FloatVector.broadcast(S, a[at + ai]);
            FloatVector w2 = FloatVector.broadcast(S, a[at + 2 * ai]);
            FloatVector w3 = FloatVector.broadcast(S, a[at + 3 * ai]);
            c00 = v0.fma(w0, c00);
            c01 = v1.fma(w0, c01);
            c10 = v0.fma(w1, c10);
            c11 = v1.fma(w1, c11);
            c20 = v0.fma(w2, c20);
            c21 = v1.fma(w2, c21);
            c30 = v0.fma(w3, c30);
            c31 = v1.fma(w3, c31);
        }
        int y1 = y0 + ys;
        int y2 = y1 + ys;
        int y3 = y2 + ys;
        FloatVector.fromArray(S, y, y0).add(c00).intoArray(y, y0);
        FloatVector.fromArray(S, y, y0 + L).add(c01).intoArray(y, y0 + L);
        FloatVector.fromArray(S, y, y1).add(c10).intoArray(y, y1);
        FloatVector.fromArray(S, y, y1 + L).add(c11).intoArray(y, y1 + L);
        FloatVector.fromArray(S, y, y2).add(c20).intoArray(y, y2);
        FloatVector.fromArray(S, y, y2 + L).add(c21).intoArray(y, y2 + L);
        FloatVector.fromArray(S, y, y3).add(c30).intoArray(y, y3);
        FloatVector.fromArray(S, y, y3 + L).add(c31).intoArray(y, y3 + L);
    }

    /**
     * Four rows by one vector, for the columns left over by {@link #block4x2}; with {@code first > 0}, the block that
     * ends at the last column adds only its lanes from {@code first} on (the ones before were done by full blocks).
     */
    private static void block4x1(int l, float[] a, int a0, int ai, int al, float[] x, int x0, int xs,
                                 float[] y, int y0, int ys, int first) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        for (int t = 0, at = a0, xt = x0; t < l; t++, at += al, xt += xs) {
            FloatVector v = FloatVector.fromArray(S, x, xt);
            c0 = v.fma(FloatVector.broadcast(S, a[at]), c0);
            c1 = v.fma(FloatVector.broadcast(S, a[at + ai]), c1);
            c2 = v.fma(FloatVector.broadcast(S, a[at + 2 * ai]), c2);
            c3 = v.fma(FloatVector.broadcast(S, a[at + 3 * ai]), c3);
        }
        if (first == 0) {
            add(c0, y, y0);
            add(c1, y, y0 + ys);
            add(c2, y, y0 + 2 * ys);
            add(c3, y, y0 + 3 * ys);
        } else {
            addLanes(c0, y, y0, first);
            addLanes(c1, y, y0 + ys, first);
            addLanes(c2, y, y0 + 2 * ys, first);
            addLanes(c3, y, y0 + 3 * ys, first);
        }
    }

    private static void add(FloatVector c, float[] y, int off) {
        FloatVector.fromArray(S, y, off).add(c).intoArray(y, off);
    }

    private static void row1(int n, int l, float[] a, int a0, int al, float[] x, int xOff, int xs, float[] y, int y0) {
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            block1x2(l, a, a0, al, x, xOff + j, xs, y, y0 + j);
        }
        for (; j + L <= n; j += L) {
            block1x1(l, a, a0, al, x, xOff + j, xs, y, y0 + j);
        }
        if (j < n && n >= L) {
            FloatVector c = FloatVector.zero(S);
            for (int t = 0, at = a0, xt = xOff + n - L; t < l; t++, at += al, xt += xs) {
                c = FloatVector.fromArray(S, x, xt).fma(FloatVector.broadcast(S, a[at]), c);
            }
            addLanes(c, y, y0 + n - L, j - (n - L));
            return;
        }
        for (; j < n; j++) {
            float s = 0f;
            for (int t = 0, at = a0, xt = xOff + j; t < l; t++, at += al, xt += xs) {
                s = Math.fma(a[at], x[xt], s);
            }
            y[y0 + j] += s;
        }
    }

    /** {@code y[off + i] += c[i]} for lanes {@code i >= first}. */
    private static void addLanes(FloatVector c, float[] y, int off, int first) {
        // through an array: c.lane(i) with a variable i is not intrinsified in Java 17, and boxes c on every call
        float[] lanes = PACKS.get()[3];
        c.intoArray(lanes, 0);
        for (int i = first; i < L; i++) {
            y[off + i] += lanes[i];
        }
    }

    /**
     * {@code sum x[xOff + i] * y[yOff + i]} for {@code i < n}: four vector accumulators, then single vectors, then
     * the last values (fewer than a vector).
     */
    static float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        FloatVector c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S);
        int i = 0;
        for (; i + 4 * L <= n; i += 4 * L) {
            c0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), c0);
            c1 = FloatVector.fromArray(S, x, xOff + i + L).fma(FloatVector.fromArray(S, y, yOff + i + L), c1);
            c2 = FloatVector.fromArray(S, x, xOff + i + 2 * L).fma(FloatVector.fromArray(S, y, yOff + i + 2 * L), c2);
            c3 = FloatVector.fromArray(S, x, xOff + i + 3 * L).fma(FloatVector.fromArray(S, y, yOff + i + 3 * L), c3);
        }
        for (; i + L <= n; i += L) {
            c0 = FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.fromArray(S, y, yOff + i), c0);
        }
        float sum = c0.add(c1).add(c2.add(c3)).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < n; i++) {
            sum += x[xOff + i] * y[yOff + i];
        }
        return sum;
    }

    /**
     * {@code y[yOff + j] = sum_i a[aOff + j*n + i] * x[xOff + i]} for {@code j < rows}: a dense layer's product for one
     * image. Four rows at a time share each vector of {@code x}, two chains a row (even and odd vectors), so a step
     * is five loads for four fused multiply-adds instead of eight; the rows left over go one at a time. Each row's sum
     * is its two chains added, reduced across the lanes, then the last {@code n mod lanes} terms one by one, in every
     * block alike.
     */
    static void matVec(float[] a, int aOff, float[] x, int xOff, float[] y, int yOff, int rows, int n) {
        matVecs(a, aOff, x, xOff, 0, y, yOff, 0, rows, n, 1);
    }

    /**
     * {@link #matVec} on {@code images} inputs ({@code x} at {@code xOff + m*xs}, {@code y} at {@code yOff + m*ys}):
     * each block of four rows goes over every image while it is in L1, two images at a time, so the weights are read
     * from L2 once for all the images instead of once an image. Each sum as {@link #matVec}'s.
     */
    static void matVecs(float[] a, int aOff, float[] x, int xOff, int xs, float[] y, int yOff, int ys, int rows, int n, int images) {
        int j = 0;
        for (; j + 4 <= rows; j += 4) {
            int m = 0;
            for (; m + 2 <= images; m += 2) {
                rows4Images2(a, aOff + j * n, n, x, xOff + m * xs, xs, y, yOff + m * ys + j, ys);
            }
            if (m < images) {
                rows4(a, aOff + j * n, n, x, xOff + m * xs, y, yOff + m * ys + j);
            }
        }
        for (; j < rows; j++) {
            for (int m = 0; m < images; m++) {
                y[yOff + m * ys + j] = row(a, aOff + j * n, x, xOff + m * xs, n);
            }
        }
    }

    private static void rows4(float[] a, int a0, int n, float[] x, int xOff, float[] y, int y0) {
        FloatVector e0 = FloatVector.zero(S);
        FloatVector e1 = FloatVector.zero(S);
        FloatVector e2 = FloatVector.zero(S);
        FloatVector e3 = FloatVector.zero(S);
        FloatVector o0 = FloatVector.zero(S);
        FloatVector o1 = FloatVector.zero(S);
        FloatVector o2 = FloatVector.zero(S);
        FloatVector o3 = FloatVector.zero(S);
        int a1 = a0 + n;
        int a2 = a1 + n;
        int a3 = a2 + n;
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            e0 = FloatVector.fromArray(S, a, a0 + i).fma(v, e0);
            e1 = FloatVector.fromArray(S, a, a1 + i).fma(v, e1);
            e2 = FloatVector.fromArray(S, a, a2 + i).fma(v, e2);
            e3 = FloatVector.fromArray(S, a, a3 + i).fma(v, e3);
            FloatVector u = FloatVector.fromArray(S, x, xOff + i + L);
            o0 = FloatVector.fromArray(S, a, a0 + i + L).fma(u, o0);
            o1 = FloatVector.fromArray(S, a, a1 + i + L).fma(u, o1);
            o2 = FloatVector.fromArray(S, a, a2 + i + L).fma(u, o2);
            o3 = FloatVector.fromArray(S, a, a3 + i + L).fma(u, o3);
        }
        if (i + L <= n) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            e0 = FloatVector.fromArray(S, a, a0 + i).fma(v, e0);
            e1 = FloatVector.fromArray(S, a, a1 + i).fma(v, e1);
            e2 = FloatVector.fromArray(S, a, a2 + i).fma(v, e2);
            e3 = FloatVector.fromArray(S, a, a3 + i).fma(v, e3);
            i += L;
        }
        float s0 = e0.add(o0).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float s1 = e1.add(o1).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float s2 = e2.add(o2).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float s3 = e3.add(o3).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < n; i++) {
            float xi = x[xOff + i];
            s0 += a[a0 + i] * xi;
            s1 += a[a1 + i] * xi;
            s2 += a[a2 + i] * xi;
            s3 += a[a3 + i] * xi;
        }
        y[y0] = s0;
        y[y0 + 1] = s1;
        y[y0 + 2] = s2;
        y[y0 + 3] = s3;
    }

    /**
     * {@link #rows4} on two images at once ({@code x} at {@code xOff} and {@code xOff + xs}, {@code y} at {@code y0} and
     * {@code y0 + ys}): each vector of the weights is loaded once for both, a step is twelve loads for sixteen fused
     * multiply-adds instead of twenty. Sixteen accumulators, each sum as {@link #rows4}'s.
     */
    private static void rows4Images2(float[] a, int a0, int n, float[] x, int xOff, int xs, float[] y, int y0, int ys) {
        FloatVector e0 = FloatVector.zero(S);
        FloatVector e1 = FloatVector.zero(S);
        FloatVector e2 = FloatVector.zero(S);
        FloatVector e3 = FloatVector.zero(S);
        FloatVector o0 = FloatVector.zero(S);
        FloatVector o1 = FloatVector.zero(S);
        FloatVector o2 = FloatVector.zero(S);
        FloatVector o3 = FloatVector.zero(S);
        FloatVector f0 = FloatVector.zero(S);
        FloatVector f1 = FloatVector.zero(S);
        FloatVector f2 = FloatVector.zero(S);
        FloatVector f3 = FloatVector.zero(S);
        FloatVector g0 = FloatVector.zero(S);
        FloatVector g1 = FloatVector.zero(S);
        FloatVector g2 = FloatVector.zero(S);
        FloatVector g3 = FloatVector.zero(S);
        int a1 = a0 + n;
        int a2 = a1 + n;
        int a3 = a2 + n;
        int x1 = xOff + xs;
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector u = FloatVector.fromArray(S, x, x1 + i);
            FloatVector w = FloatVector.fromArray(S, a, a0 + i);
            e0 = w.fma(v, e0);
            f0 = w.fma(u, f0);
            w = FloatVector.fromArray(S, a, a1 + i);
            e1 = w.fma(v, e1);
            f1 = w.fma(u, f1);
            w = FloatVector.fromArray(S, a, a2 + i);
            e2 = w.fma(v, e2);
            f2 = w.fma(u, f2);
            w = FloatVector.fromArray(S, a, a3 + i);
            e3 = w.fma(v, e3);
            f3 = w.fma(u, f3);
            v = FloatVector.fromArray(S, x, xOff + i + L);
            u = FloatVector.fromArray(S, x, x1 + i + L);
            w = FloatVector.fromArray(S, a, a0 + i + L);
            o0 = w.fma(v, o0);
            g0 = w.fma(u, g0);
            w = FloatVector.fromArray(S, a, a1 + i + L);
            o1 = w.fma(v, o1);
            g1 = w.fma(u, g1);
            w = FloatVector.fromArray(S, a, a2 + i + L);
            o2 = w.fma(v, o2);
            g2 = w.fma(u, g2);
            w = FloatVector.fromArray(S, a, a3 + i + L);
            o3 = w.fma(v, o3);
            g3 = w.fma(u, g3);
        }
        if (i + L <= n) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + i);
            FloatVector u = FloatVector.fromArray(S, x, x1 + i);
            FloatVector w = FloatVector.fromArray(S, a, a0 + i);
            e0 = w.fma(v, e0);
            f0 = w.fma(u, f0);
            w = FloatVector.fromArray(S, a, a1 + i);
            e1 = w.fma(v, e1);
            f1 = w.fma(u, f1);
            w = FloatVector.fromArray(S, a, a2 + i);
            e2 = w.fma(v, e2);
            f2 = w.fma(u, f2);
            w = FloatVector.fromArray(S, a, a3 + i);
            e3 = w.fma(v, e3);
            f3 = w.fma(u, f3);
            i += L;
        }
        float s0 = e0.add(o0).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float s1 = e1.add(o1).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float s2 = e2.add(o2).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float s3 = e3.add(o3).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float t0 = f0.add(g0).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float t1 = f1.add(g1).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float t2 = f2.add(g2).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        float t3 = f3.add(g3).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < n; i++) {
            float xi = x[xOff + i];
            float ui = x[x1 + i];
            s0 += a[a0 + i] * xi;
            s1 += a[a1 + i] * xi;
            s2 += a[a2 + i] * xi;
            s3 += a[a3 + i] * xi;
            t0 += a[a0 + i] * ui;
            t1 += a[a1 + i] * ui;
            t2 += a[a2 + i] * ui;
            t3 += a[a3 + i] * ui;
        }
        y[y0] = s0;
        y[y0 + 1] = s1;
        y[y0 + 2] = s2;
        y[y0 + 3] = s3;
        int z = y0 + ys;
        y[z] = t0;
        y[z + 1] = t1;
        y[z + 2] = t2;
        y[z + 3] = t3;
    }

    /** One row of {@link #matVec}, summed as a row of a four-row block is. */
    private static float row(float[] a, int a0, float[] x, int xOff, int n) {
        FloatVector e = FloatVector.zero(S);
        FloatVector o = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            e = FloatVector.fromArray(S, a, a0 + i).fma(FloatVector.fromArray(S, x, xOff + i), e);
            o = FloatVector.fromArray(S, a, a0 + i + L).fma(FloatVector.fromArray(S, x, xOff + i + L), o);
        }
        if (i + L <= n) {
            e = FloatVector.fromArray(S, a, a0 + i).fma(FloatVector.fromArray(S, x, xOff + i), e);
            i += L;
        }
        float s = e.add(o).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[a0 + i] * x[xOff + i];
        }
        return s;
    }

    /** One row by two vectors: two independent chains (one chain waits on the FMA latency). */
    private static void block1x2(int l, float[] a, int a0, int al, float[] x, int x0, int xs, float[] y, int y0) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = FloatVector.zero(S);
        for (int t = 0, at = a0, xt = x0; t < l; t++, at += al, xt += xs) {
            FloatVector w = FloatVector.broadcast(S, a[at]);
            c0 = FloatVector.fromArray(S, x, xt).fma(w, c0);
            c1 = FloatVector.fromArray(S, x, xt + L).fma(w, c1);
        }
        add(c0, y, y0);
        add(c1, y, y0 + L);
    }

    /** One row by one vector, for the columns left over by {@link #block1x2}. */
    private static void block1x1(int l, float[] a, int a0, int al, float[] x, int x0, int xs, float[] y, int y0) {
        FloatVector c = FloatVector.zero(S);
        for (int t = 0, at = a0, xt = x0; t < l; t++, at += al, xt += xs) {
            c = FloatVector.fromArray(S, x, xt).fma(FloatVector.broadcast(S, a[at]), c);
        }
        FloatVector.fromArray(S, y, y0).add(c).intoArray(y, y0);
    }
}
