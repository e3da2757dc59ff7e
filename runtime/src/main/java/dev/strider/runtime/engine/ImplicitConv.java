package dev.strider.runtime.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A convolution's forward product without an im2col matrix (implicit GEMM). The product is still the weights
 * ({@code filters x K}, {@code K = channels * kh * kw}) times the patches ({@code K x P}, {@code P = oh * ow}), but
 * the patches are never laid out: each thread packs the column panel of the product it is about to compute straight
 * from the input, as the matrix kernel packs any operand, so the patch values are copied once, into a panel that
 * stays in cache, instead of twice through a {@code K x P} array.
 *
 * <p>For that, tap {@code t = (c*kh + i)*kw + j} must read every output row's values from one contiguous run of a
 * <em>source</em>: the input itself when the stride is 1 and no padding is reached; otherwise a copy of the input,
 * zero-padded and split into the stride's phases (plane {@code (py, px)} holds the padded input's rows
 * {@code py, py + sh, ...} and columns {@code px, px + sw, ...}), so that tap (i, j) reads phase
 * {@code (i*dh mod sh, j*dw mod sw)} from row {@code i*dh / sh} and column {@code j*dw / sw} on, one value per
 * output column. Only the phases some tap reads are kept. The source is about the input's size; the im2col
 * matrix it replaces is {@code kh * kw} times it.
 *
 * <p>A panel of output positions crosses output rows: its <em>segments</em> (one per output row it touches, each a
 * contiguous run of the source) are worked out here once, for every panel. Every output's sum has the same terms in
 * the same order as through im2col, so the results are the same bits.
 *
 * <p>Immutable and shared: generated engines keep one per convolution layer in a static field.
 */
public final class ImplicitConv {
    /**
     * The largest source (floats) of the <em>wide</em> mode: a stride-1 convolution whose whole source fits in L1
     * (with its weights) skips the packing. Its product runs over wide positions {@code r * rowStride + c}, the
     * source's own row layout, where every tap reads one contiguous run ({@link VectorGemm#wide}), and only the
     * columns that are outputs are added to them. LeNet-5's c1 and c3 (1,024 and 1,176 floats): the packing was as
     * long as the product. Only when the outputs are at least half of each source row.
     */
    static final int WIDE_SOURCE = 8192;

    /** Columns per panel: two vectors on the Vector API kernel (its register block's width), else 32. */
    static final int PANEL = Kernels.vectorized() ? 2 * VectorGemm.lanes() : 32;

    private final int channels;
    private final int ih;
    private final int iw;
    private final int sh;
    private final int sw;
    private final int padTop;
    private final int padLeft;
    private final int hp;
    private final int wp;
    private final int filters;
    private final int positions;
    private final boolean direct;
    private final int phH;
    private final int phW;
    private final int[] phaseRows;
    private final int[] phaseCols;
    private final int sourceLength;
    private final int[] taps;
    private final int tapMax;
    private final int[] panelStart;
    private final int[] segments;
    private final int ow;
    private final int oh;
    private final int wide;
    /** Whether the product runs with the filters on the lanes, from weights packed once ({@link #packWeights}). */
    private final boolean filterMajor;
    /** Filter-major mode: each output row's first position in the source, and a tap's row of patch values in the blocks. */
    private final int[] rowStarts;
    private final int blockStride;

    /**
     * The geometry of one group of a convolution: {@code channels} input channels of {@code ih x iw}, a
     * {@code kh x kw} kernel with strides {@code sh, sw}, dilations {@code dh, dw} and top and left padding
     * {@code padTop, padLeft}, giving {@code oh x ow} outputs for each of {@code filters} filters.
     *
     * @throws IllegalArgumentException if the sizes do not describe a convolution (the processor never emits one)
     */
    public ImplicitConv(int channels, int ih, int iw, int kh, int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft,
                        int oh, int ow, int filters) {
        this(channels, ih, iw, kh, kw, sh, sw, dh, dw, padTop, padLeft, oh, ow, filters, false);
    }

    /**
     * As {@link #ImplicitConv(int, int, int, int, int, int, int, int, int, int, int, int, int, int)}; {@code packedWeights}:
     * the engine keeps a copy of the weights in the layout {@link #packWeights} writes, made again whenever they change
     * (an inference-only engine), so that a geometry whose output positions fill the vector kernel's panels poorly can
     * put the filters on the lanes instead ({@link #packedLength()} > 0 then).
     */
    public ImplicitConv(int channels, int ih, int iw, int kh, int kw, int sh, int sw, int dh, int dw, int padTop, int padLeft,
                        int oh, int ow, int filters, boolean packedWeights) {
        if (Math.min(Math.min(channels, Math.min(ih, iw)), Math.min(Math.min(kh, kw), Math.min(oh, ow))) < 1
                || Math.min(Math.min(sh, sw), Math.min(dh, dw)) < 1 || Math.min(padTop, padLeft) < 0 || filters < 1) {
            throw new IllegalArgumentException("not a convolution: " + channels + "x" + ih + "x" + iw + " input, " + kh + "x" + kw
                    + " kernel, stride " + sh + "x" + sw + ", dilation " + dh + "x" + dw + ", padding " + padTop + "/" + padLeft
                    + ", " + oh + "x" + ow + " output");
        }
        this.channels = channels;
        this.ih = ih;
        this.iw = iw;
        this.sh = sh;
        this.sw = sw;
        this.padTop = padTop;
        this.padLeft = padLeft;
        this.filters = filters;
        this.positions = oh * ow;
        // the padded input's rows and columns some output reads (padding past them is never read)
        this.hp = (oh - 1) * sh + (kh - 1) * dh + 1;
        this.wp = (ow - 1) * sw + (kw - 1) * dw + 1;
        this.direct = sh == 1 && sw == 1 && padTop == 0 && padLeft == 0 && hp <= ih && wp <= iw;
        if (direct) {
            phH = ih;
            phW = iw;
            phaseRows = new int[] {0};
            phaseCols = new int[] {0};
            sourceLength = 0;
        } else {
            phH = (hp + sh - 1) / sh;
            phW = (wp + sw - 1) / sw;
            phaseRows = phases(kh, dh, sh);
            phaseCols = phases(kw, dw, sw);
            sourceLength = Math.multiplyExact(Math.multiplyExact(channels, phaseRows.length * phaseCols.length), phH * phW);
        }
        int plane = phH * phW;
        int channelStride = direct ? ih * iw : phaseRows.length * phaseCols.length * plane;
        taps = new int[channels * kh * kw];
        for (int c = 0, t = 0; c < channels; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, t++) {
                    int dy = i * dh;
                    int dx = j * dw;
                    int phase = index(phaseRows, dy % sh) * phaseCols.length + index(phaseCols, dx % sw);
                    taps[t] = c * channelStride + phase * plane + (dy / sh) * phW + dx / sw;
                }
            }
        }
        tapMax = Arrays.stream(taps).max().getAsInt();
        this.oh = oh;
        this.ow = ow;
        int wideLength = (oh - 1) * phW + ow;
        boolean small = (long) channels * phaseRows.length * phaseCols.length * phH * phW <= WIDE_SOURCE;
        this.wide = Kernels.vectorized() && sh == 1 && sw == 1 && small && 2 * ow >= phW && wideLength >= VectorGemm.lanes()
                ? wideLength : 0;
        int panels = (positions + PANEL - 1) / PANEL;
        panelStart = new int[panels + 1];
        List<int[]> runs = new ArrayList<>();
        for (int p = 0; p < panels; p++) {
            panelStart[p] = runs.size();
            int end = Math.min(positions, (p + 1) * PANEL);
            for (int q = p * PANEL; q < end; ) {
                int row = q / ow;
                int col = q % ow;
                int len = Math.min(ow - col, end - q);
                runs.add(new int[] {q - p * PANEL, row * phW + col, len});
                q += len;
            }
        }
        panelStart[panels] = runs.size();
        segments = new int[3 * runs.size()];
        for (int r = 0; r < runs.size(); r++) {
            System.arraycopy(runs.get(r), 0, segments, 3 * r, 3);
        }
        // (the vector kernel's class is only loaded where it runs)
        int lanes = Kernels.vectorized() ? VectorGemm.lanes() : 1;
        long waste = (long) panels * PANEL - positions;
        this.filterMajor = packedWeights && Kernels.vectorized() && wide == 0 && filters % (2 * lanes) == 0
                && waste * FILTER_MAJOR_WASTE > (long) panels * PANEL;
        this.rowStarts = new int[oh];
        for (int r = 0; r < oh; r++) {
            rowStarts[r] = r * phW;
        }
        int blocks = (positions + VectorGemm.BLOCK_POSITIONS - 1) / VectorGemm.BLOCK_POSITIONS;
        // a row of the blocks: whole blocks, and a vector spilling past the last position (see packBlocks)
        this.blockStride = blocks * VectorGemm.BLOCK_POSITIONS + lanes;
    }

    /**
     * The filter-major mode is taken where more than {@code 1 / FILTER_MAJOR_WASTE} of the panels' lanes would hold no
     * output position: ResNet-18's 7 x 7 outputs (49 columns in 64 lanes) and 14 x 14 (196 in 224).
     */
    static final int FILTER_MAJOR_WASTE = 9;

    /** The offsets (mod {@code stride}) at which a kernel of {@code k} taps dilated by {@code d} reads, ascending. */
    private static int[] phases(int k, int d, int stride) {
        boolean[] used = new boolean[stride];
        for (int i = 0; i < k; i++) {
            used[i * d % stride] = true;
        }
        int[] p = new int[stride];
        int n = 0;
        for (int r = 0; r < stride; r++) {
            if (used[r]) {
                p[n++] = r;
            }
        }
        return Arrays.copyOf(p, n);
    }

    private static int index(int[] values, int v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        throw new IllegalStateException("phase " + v + " not kept");
    }

    /** Floats of scratch {@link #forward} needs for the source: 0 when it reads the input in place. */
    public int sourceLength() {
        return sourceLength;
    }

    /** Whether the product reads the input in place (stride 1, no padding reached). */
    public boolean readsInPlace() {
        return direct;
    }

    /**
     * One image and group: {@code out[o + f*P + q] = bias[biasOff + f] + sum_t w[wOff + f*K + t] * patch(t, q)} for
     * every filter {@code f} and output position {@code q} ({@code bias} may be null: 0). The input's channels start
     * at {@code in[inOff]}; {@code source} (at least {@link #sourceLength()} floats, unused when the input is read in
     * place) is overwritten. Large products are shared among the worker threads by panels.
     */
    public void forward(float[] w, int wOff, float[] in, int inOff, float[] source, float[] out, int o, float[] bias, int biasOff) {
        forward(w, wOff, in, inOff, source, out, o, bias, biasOff, Kernels.vectorized(), false);
    }

    /**
     * {@link #forward}, then ReLU ({@code Math.max(v, 0f)}) on the outputs; in the wide mode as they are written,
     * without another pass over them.
     */
    public void forwardRelu(float[] w, int wOff, float[] in, int inOff, float[] source, float[] out, int o, float[] bias, int biasOff) {
        forward(w, wOff, in, inOff, source, out, o, bias, biasOff, Kernels.vectorized(), true);
    }

    /**
     * {@link #forward}, from the weights packed by {@link #packWeights} where this convolution's product takes them
     * ({@link #packedLength()} > 0; {@code packed} is not read otherwise): the same bits either way.
     */
    public void forward(float[] w, int wOff, float[] packed, float[] in, int inOff, float[] source, float[] out, int o,
                        float[] bias, int biasOff) {
        forward(w, wOff, packed, in, inOff, source, out, o, bias, biasOff, Kernels.vectorized(), false);
    }

    /** {@link #forward(float[], int, float[], float[], int, float[], float[], int, float[], int)}, then ReLU. */
    public void forwardRelu(float[] w, int wOff, float[] packed, float[] in, int inOff, float[] source, float[] out, int o,
                            float[] bias, int biasOff) {
        forward(w, wOff, packed, in, inOff, source, out, o, bias, biasOff, Kernels.vectorized(), true);
    }

    /**
     * Floats of the packed weights this convolution's product reads ({@link #packWeights}): 0 where it reads the
     * weights in place. Only a convolution made with {@code packedWeights} packs them.
     */
    public int packedLength() {
        return filterMajor ? filters * taps.length : 0;
    }

    /**
     * Writes the weights {@code w[wOff + f*K + t]} ({@code K} taps a filter) in the filter-major layout: panels of two
     * vectors of filters, a row of the panel's filters for each tap ({@code packed[(f / 2L * K + t) * 2L + f % 2L]}).
     * Nothing to do where {@link #packedLength()} is 0.
     */
    public void packWeights(float[] w, int wOff, float[] packed) {
        if (!filterMajor) {
            return;
        }
        requirePacked(packed);
        int k = taps.length;
        int width = 2 * VectorGemm.lanes();
        for (int f = 0; f < filters; f++) {
            int dst = (f / width) * k * width + f % width;
            for (int t = 0, src = wOff + f * k; t < k; t++, dst += width) {
                packed[dst] = w[src + t];
            }
        }
    }

    /** Throws unless {@code packed} holds the weights packed ({@link #packedLength()} floats at least). */
    private void requirePacked(float[] packed) {
        int needed = filters * taps.length;
        if (packed == null || packed.length < needed) {
            throw new IllegalArgumentException("the packed weights hold " + (packed == null ? "nothing" : packed.length + " floats")
                    + ", this convolution's need " + needed);
        }
    }

    /** {@link #forward} on the vector kernel or the scalar one, with ReLU or not. */
    void forward(float[] w, int wOff, float[] in, int inOff, float[] source, float[] out, int o, float[] bias, int biasOff,
                 boolean vector, boolean relu) {
        forward(w, wOff, null, in, inOff, source, out, o, bias, biasOff, vector, relu);
    }

    /** {@link #forward} on the vector kernel or the scalar one, with ReLU or not; from {@code packed} in the filter-major mode. */
    void forward(float[] w, int wOff, float[] packed, float[] in, int inOff, float[] source, float[] out, int o, float[] bias,
                 int biasOff, boolean vector, boolean relu) {
        if (!direct && (source == null || source.length < sourceLength)) {
            throw new IllegalArgumentException("the source scratch holds " + (source == null ? "nothing" : source.length + " floats")
                    + ", this convolution's padded input needs " + sourceLength);
        }
        boolean fromPacked = vector && filterMajor && packed != null;
        if (fromPacked) {
            requirePacked(packed);
        }
        if (vector && wide > 0) {
            if (!direct) {
                prepare(in, inOff, source);
            }
            float[] acc = WIDE_ACC.get();
            if (acc.length < filters * wide + VectorGemm.lanes()) {
                acc = new float[filters * wide + VectorGemm.lanes()];
                WIDE_ACC.set(acc);
            }
            int k = taps.length;
            VectorGemm.wide(filters, k, w, wOff, k, direct ? in : source, direct ? inOff : 0, taps, wide, acc, wide);
            VectorGemm.addRows(acc, wide, phW, bias, biasOff, filters, oh, ow, out, o, relu ? 0f : Float.NEGATIVE_INFINITY);
            return;
        }
        float[] x = in;
        int xOff = inOff;
        if (!direct) {
            prepareShared(in, inOff, source);
            x = source;
            xOff = 0;
        }
        if (fromPacked) {
            int k = taps.length;
            float[] xb = BLOCKS.get();
            if (xb.length < k * blockStride) {
                xb = new float[k * blockStride];
                BLOCKS.set(xb);
            }
            packBlocksShared(x, xOff, xb);
            VectorGemm.filterMajor(filters, positions, k, packed, xb, blockStride, out, o, positions, bias, biasOff,
                    relu ? 0f : Float.NEGATIVE_INFINITY);
            return;
        }
        product(w, wOff, x, xOff, out, o, bias, biasOff, vector);
        if (relu) {
            for (int q = o, end = o + filters * positions; q < end; q++) {
                out[q] = Math.max(out[q], 0f);
            }
        }
    }

    /**
     * The biases plus the product into {@code out} from the source at {@code x[xOff]}, on either kernel (the vector one
     * writes each panel's biases in the panel's own job, on the thread that adds the sums to them).
     */
    void product(float[] w, int wOff, float[] x, int xOff, float[] out, int o, float[] bias, int biasOff, boolean vector) {
        int k = taps.length;
        if (vector) {
            VectorGemm.implicit(filters, positions, k, w, wOff, k, x, xOff, taps, tapMax, panelStart, segments, out, o, positions,
                    bias, biasOff);
            return;
        }
        for (int f = 0; f < filters; f++) {
            int plane = o + f * positions;
            Arrays.fill(out, plane, plane + positions, bias == null ? 0f : bias[biasOff + f]);
        }
        float[] xp = SCALAR_PANEL.get();
        if (xp.length < PANEL * k) {
            xp = new float[PANEL * k];
            SCALAR_PANEL.set(xp);
        }
        for (int p = 0; p + 1 < panelStart.length; p++) {
            int first = p * PANEL;
            int width = Math.min(PANEL, positions - first);
            for (int t = 0; t < k; t++) {
                int base = xOff + taps[t];
                for (int s = 3 * panelStart[p]; s < 3 * panelStart[p + 1]; s += 3) {
                    System.arraycopy(x, base + segments[s + 1], xp, t * PANEL + segments[s], segments[s + 2]);
                }
            }
            ScalarGemm.gemm(filters, width, k, w, wOff, k, 1, xp, 0, PANEL, out, o + first, positions);
        }
    }

    /**
     * Whether {@link #addWeightGradient} computes this convolution's weight gradient straight from the source (the
     * wide mode, on the vector kernel); otherwise the backward pass multiplies d out by the transposed patches.
     */
    public boolean weightGradientFromSource() {
        return wide > 0;
    }

    /**
     * One image and group's weight gradient, added: {@code wGrad[wOff + f*K + t] += sum_q gOut[o + f*P + q] *
     * patch(t, q)}, with the patches read from the input at {@code in[inOff]} (or from its zero-padded copy, written
     * into {@code scratch}, at least {@link #sourceLength()} floats) instead of laid out. Only when
     * {@link #weightGradientFromSource()}. d out goes to the wide positions with the filters on the lanes (zeros
     * between the rows), {@link VectorGemm#wideTapGradients} sums each tap's products, and the sums are added to the
     * gradient rows: the same bits as the product over transposed patches (for finite inputs: an infinite input value
     * between the rows would meet a zero).
     */
    public void addWeightGradient(float[] gOut, int o, float[] in, int inOff, float[] scratch, float[] wGrad, int wOff) {
        if (wide == 0) {
            throw new IllegalStateException("this convolution's weight gradient is not computed from the source");
        }
        float[] x = in;
        int xOff = inOff;
        if (!direct) {
            if (scratch == null || scratch.length < sourceLength) {
                throw new IllegalArgumentException("the source scratch holds " + (scratch == null ? "nothing" : scratch.length + " floats")
                        + ", this convolution's padded input needs " + sourceLength);
            }
            prepare(in, inOff, scratch);
            x = scratch;
            xOff = 0;
        }
        int lanes = VectorGemm.lanes();
        int fs = (filters + lanes - 1) / lanes * lanes;
        int k = taps.length;
        float[][] buffers = GRADIENT.get();
        if (buffers[0].length < wide * fs) {
            buffers[0] = new float[wide * fs];
        }
        if (buffers[1].length < k * fs) {
            buffers[1] = new float[k * fs];
        }
        float[] g = buffers[0];
        float[] dwt = buffers[1];
        Arrays.fill(g, 0, wide * fs, 0f);
        for (int f = 0; f < filters; f++) {
            for (int r = 0; r < oh; r++) {
                int src = o + f * positions + r * ow;
                int dst = r * phW * fs + f;
                for (int c = 0; c < ow; c++, dst += fs) {
                    g[dst] = gOut[src + c];
                }
            }
        }
        VectorGemm.wideTapGradients(k, taps, x, xOff, wide, g, fs, dwt);
        for (int f = 0; f < filters; f++) {
            int row = wOff + f * k;
            for (int t = 0; t < k; t++) {
                wGrad[row + t] += dwt[t * fs + f];
            }
        }
    }

    /** Per thread: d out at the wide positions, and the taps' sums ({@link #addWeightGradient}). */
    private static final ThreadLocal<float[][]> GRADIENT = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    private static final ThreadLocal<float[]> SCALAR_PANEL = ThreadLocal.withInitial(() -> new float[0]);
    /** Per calling thread: the filter-major mode's patch values, a row of positions a tap. */
    private static final ThreadLocal<float[]> BLOCKS = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * The filter-major mode's patches: {@code xb[t*blockStride + q] = x[xOff + taps[t] + pos(q)]} for every tap
     * {@code t} and output position {@code q}. An output row's values are one contiguous run of the source, copied a
     * vector at a time where the row fits in one; a vector running past the row spills into the next row's positions
     * (written after it) or the spare vector, so the positions past the last hold whatever the source held there
     * (their sums are never written). Near the end of the source, and for longer rows, value by value. Taps
     * {@code [t0, t1)} only (each tap's row is written by its own copies: the spare vector past its last position takes
     * the last row's spill).
     */
    private void packBlocks(float[] x, int xOff, float[] xb, int t0, int t1) {
        int lanes = VectorGemm.lanes();
        int limit = x.length - lanes;
        for (int t = t0; t < t1; t++) {
            int base = xOff + taps[t];
            int dst = t * blockStride;
            for (int r = 0; r < oh; r++, dst += ow) {
                int src = base + rowStarts[r];
                if (ow <= lanes && src <= limit) {
                    VectorGemm.copy(x, src, xb, dst);
                } else {
                    for (int c = 0; c < ow; c++) {
                        xb[dst + c] = x[src + c];
                    }
                }
            }
        }
    }
    private static final ThreadLocal<float[]> WIDE_ACC = ThreadLocal.withInitial(() -> new float[0]);

    /** Whether the vector kernel computes this convolution in the wide mode (see {@link #WIDE_SOURCE}). */
    boolean wide() {
        return wide > 0;
    }

    /**
     * The smallest source (floats) written by the worker threads, a share of its channels each ({@link #prepareShared}):
     * at batch 1 the copy ran on one thread while the others waited for the product (ResNet-18's first stage: 215,296
     * floats).
     */
    static final int SHARED_SOURCE = 1 << 15;

    /** Taps per item of a shared {@link #packBlocks}. */
    private static final int PACK_TAPS = 64;

    private static final ThreadLocal<SharedCopy> SHARED_COPY = ThreadLocal.withInitial(SharedCopy::new);

    /**
     * One copy shared among the worker threads (one holder per calling thread, reused): the padded source, item c
     * channel c ({@link #prepare}); or the filter-major patches, item i taps {@code [64i, 64i + 64)} ({@link #packBlocks}).
     */
    private static final class SharedCopy implements Workers.Job {
        private ImplicitConv conv;
        private boolean blocks;
        private float[] from;
        private int fromOff;
        private float[] to;

        @Override
        public void run(int first, int end, int part) {
            if (blocks) {
                conv.packBlocks(from, fromOff, to, first * PACK_TAPS, Math.min(conv.taps.length, end * PACK_TAPS));
            } else {
                conv.prepare(from, fromOff, to, first, end);
            }
        }
    }

    /** Runs {@code items} items of a {@link SharedCopy} among the worker threads. */
    private void shared(boolean blocks, float[] from, int fromOff, float[] to, int items) {
        SharedCopy job = SHARED_COPY.get();
        job.conv = this;
        job.blocks = blocks;
        job.from = from;
        job.fromOff = fromOff;
        job.to = to;
        try {
            Workers.run(job, items);
        } finally {
            job.conv = null;
            job.from = null;
            job.to = null;
        }
    }

    /**
     * {@link #packBlocks} for every tap, shared among the worker threads when the copy is large (ResNet-18's last two
     * stages: 226,000 and 451,000 values, 6% of the caller's time on two threads when it copied them alone).
     */
    private void packBlocksShared(float[] x, int xOff, float[] xb) {
        int k = taps.length;
        int items = (k + PACK_TAPS - 1) / PACK_TAPS;
        if ((long) k * positions < SHARED_SOURCE || items < 2 || Workers.THREADS == 1) {
            packBlocks(x, xOff, xb, 0, k);
            return;
        }
        shared(true, x, xOff, xb, items);
    }

    /** {@link #prepare}, its channels shared among the worker threads when the source is large. */
    private void prepareShared(float[] in, int inOff, float[] source) {
        if (sourceLength < SHARED_SOURCE || channels < 2 || Workers.THREADS == 1) {
            prepare(in, inOff, source, 0, channels);
            return;
        }
        shared(false, in, inOff, source, channels);
    }

    /** Writes the zero-padded, phase-split copy of the input's channels at {@code in[inOff]} into {@code source}. */
    void prepare(float[] in, int inOff, float[] source) {
        prepare(in, inOff, source, 0, channels);
    }

    /** {@link #prepare} for channels {@code [c0, c1)} only (each channel's copy is a block of its own in the source). */
    private void prepare(float[] in, int inOff, float[] source, int c0, int c1) {
        int dst = c0 * phaseRows.length * phaseCols.length * phH * phW;
        for (int c = c0; c < c1; c++) {
            int channel = inOff + c * ih * iw;
            for (int py : phaseRows) {
                for (int px : phaseCols) {
                    // the phase's columns q with 0 <= q*sw + px - padLeft < iw and q*sw + px < wp: the same in every row
                    int qFirst = Math.max(0, Math.floorDiv(padLeft - px + sw - 1, sw));
                    int qEnd = Math.min(phW, Math.min(Math.floorDiv(iw - 1 + padLeft - px, sw), Math.floorDiv(wp - 1 - px, sw)) + 1);
                    int ix0 = qFirst * sw + px - padLeft;
                    for (int r = 0; r < phH; r++, dst += phW) {
                        int y = r * sh + py;
                        int iy = y - padTop;
                        if (y >= hp || iy < 0 || iy >= ih || qEnd <= qFirst) {
                            Arrays.fill(source, dst, dst + phW, 0f);
                            continue;
                        }
                        int row = channel + iy * iw;
                        // the row's few padding values in plain loops (a call each cost more than the copy)
                        for (int q = 0; q < qFirst; q++) {
                            source[dst + q] = 0f;
                        }
                        for (int q = qEnd; q < phW; q++) {
                            source[dst + q] = 0f;
                        }
                        if (sw == 1) {
                            System.arraycopy(in, row + ix0, source, dst + qFirst, qEnd - qFirst);
                        } else {
                            for (int q = qFirst, ix = ix0; q < qEnd; q++, ix += sw) {
                                source[dst + q] = in[row + ix];
                            }
                        }
                    }
                }
            }
        }
    }
}
