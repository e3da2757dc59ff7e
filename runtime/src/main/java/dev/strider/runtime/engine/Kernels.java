package dev.strider.runtime.engine;

import java.util.Arrays;

/**
 * The kernels generated engines share rather than inline: the matrix kernel of the convolutions, softmax and the
 * losses. All allocation-free; the losses sum in double for accuracy.
 */
public final class Kernels {
    /** Set to {@code false} to force the scalar kernel (for comparisons). */
    public static final String VECTOR_PROPERTY = "strider.vector";

    private static final String VECTOR_REASON;
    private static final boolean VECTOR;

    static {
        String reason = null;
        if (!Boolean.parseBoolean(System.getProperty(VECTOR_PROPERTY, "true"))) {
            reason = "-D" + VECTOR_PROPERTY + "=false";
        } else if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            reason = "start java with --add-modules jdk.incubator.vector for the SIMD kernel";
        } else {
            try {
                reason = selfCheck();
            } catch (LinkageError e) {
                reason = "the Vector API is not usable here: " + e;
            }
        }
        VECTOR_REASON = reason;
        VECTOR = reason == null;
    }

    private Kernels() {}

    /**
     * Null when the Vector API kernel computes a small product exactly as the scalar kernel does, else why not. The
     * sizes reach every register block, full vector lanes and the tails (5 rows, two vectors and 3 columns, 7 deep);
     * the values are small integers, so both results are exact.
     */
    private static String selfCheck() {
        int m = 5;
        int n = 2 * VectorGemm.lanes() + 3;
        int l = 7;
        float[] a = new float[m * l];
        float[] x = new float[l * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = i % 7 - 3;
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 5 - 2;
        }
        float[] vector = new float[m * n];
        float[] scalar = new float[m * n];
        VectorGemm.gemm(m, n, l, a, 0, l, 1, x, 0, n, vector, 0, n);
        ScalarGemm.gemm(m, n, l, a, 0, l, 1, x, 0, n, scalar, 0, n);
        float vd = VectorGemm.dot(a, 0, x, 0, a.length);
        float sd = ScalarGemm.dot(a, 0, x, 0, a.length);
        if (!java.util.Arrays.equals(vector, scalar) || vd != sd) {
            return "the Vector API kernel's self-check disagreed with the scalar kernel (" + m + "x" + n + "x" + l + ")";
        }
        return null;
    }

    /**
     * Backward through a ReLU fused into the layer that wrote {@code out}: {@code grad[i] = 0} where
     * {@code out[i] <= 0} (a NaN output passes its gradient on), for {@code i} in {@code [from, to)}.
     */
    public static void reluBackward(float[] out, float[] grad, int from, int to) {
        if (VECTOR) {
            VectorOps.reluBackward(out, grad, from, to);
            return;
        }
        for (int i = from; i < to; i++) {
            if (out[i] <= 0f) {
                grad[i] = 0f;
            }
        }
    }

    /** {@code y[yOff + i] += a * x[xOff + i]} for {@code i < n}: the inner loop of the dense layers' updates. */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /**
     * The matrix kernel behind every convolution: {@code y[yOff + i*ys + j] += sum_{t<l} a[aOff + i*ai + t*al] *
     * x[xOff + t*xs + j]} for {@code i < m}, {@code j < n}. {@code a} is read through two strides, so the same kernel
     * serves a matrix and its transpose; rows of {@code x} and {@code y} are contiguous. Runs on the Vector API when
     * the JVM has {@code jdk.incubator.vector} (see {@link #implementation()}), else on a portable scalar kernel.
     */
    public static void gemm(int m, int n, int l, float[] a, int aOff, int ai, int al,
                            float[] x, int xOff, int xs, float[] y, int yOff, int ys) {
        if (VECTOR) {
            VectorGemm.gemm(m, n, l, a, aOff, ai, al, x, xOff, xs, y, yOff, ys);
        } else {
            ScalarGemm.gemm(m, n, l, a, aOff, ai, al, x, xOff, xs, y, yOff, ys);
        }
    }

    /**
     * Which matrix kernel this JVM runs, in words: the Vector API with its width, or the scalar kernel and how to
     * get the vector one.
     */
    public static String implementation() {
        return VECTOR ? "Vector API, " + VectorGemm.bits() + "-bit"
                : "scalar (" + VECTOR_REASON + ")";
    }

    /** Whether the Vector API kernel is in use. */
    public static boolean vectorized() {
        return VECTOR;
    }

    /** Threads a large matrix product or a batch may use, the caller included ({@code -Dstrider.threads}, default: the processors). */
    public static int threads() {
        return Workers.THREADS;
    }

    /**
     * The core of a convolution's backward pass on one image and group, over transposed patches {@code colT}
     * ({@code p} rows of {@code k}): adds d out ({@code channels x p} at {@code gOut[o ..]}) times the patches to the
     * weight gradient rows at {@code wGrad[wOff ..]} (if not null: a frozen layer skips it), each plane's sum to {@code biasGrad[biasOff + c]} (if not
     * null), and d out transposed times the weights to the patch gradients {@code colTGrad} (if not null).
     */
    public static void convBackwardPlanes(float[] gOut, int o, int channels, int p, float[] colT, int k, float[] w, int wOff,
                                          float[] wGrad, float[] biasGrad, int biasOff, float[] colTGrad) {
        if (biasGrad != null) {
            for (int c = 0; c < channels; c++) {
                biasGrad[biasOff + c] += sum(gOut, o + c * p, p);
            }
        }
        if (VECTOR || zeros(gOut, o, channels * p) * 2 < channels * p) {
            if (wGrad != null) {
                gemm(channels, k, p, gOut, o, p, 1, colT, 0, k, wGrad, wOff, k);
            }
            if (colTGrad != null) {
                gemm(p, k, channels, gOut, o, 1, p, w, wOff, k, colTGrad, 0, k);
            }
            return;
        }
        // Scalar and mostly zero (behind ReLU and max pooling, 3 in 4 after 2x2 pooling): row updates that skip the
        // zeros beat the dense scalar kernel (LeNet-5 trains 1.4x faster this way without the Vector API; behind batch
        // normalisation d out is dense and the dense kernel wins).
        for (int c = 0; c < channels; c++) {
            int plane = o + c * p;
            int row = wOff + c * k;
            for (int q = 0; q < p; q++) {
                float d = gOut[plane + q];
                if (d == 0f) {
                    continue;
                }
                if (wGrad != null) {
                    axpy(d, colT, q * k, wGrad, row, k);
                }
                if (colTGrad != null) {
                    axpy(d, w, row, colTGrad, q * k, k);
                }
            }
        }
    }

    private static int zeros(float[] x, int off, int n) {
        int count = 0;
        for (int i = off; i < off + n; i++) {
            if (x[i] == 0f) {
                count++;
            }
        }
        return count;
    }

    /** {@code sum x[off + i]} for {@code i < n}, with four accumulators. */
    public static float sum(float[] x, int off, int n) {
        float a0 = 0f;
        float a1 = 0f;
        float a2 = 0f;
        float a3 = 0f;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            a0 += x[off + i];
            a1 += x[off + i + 1];
            a2 += x[off + i + 2];
            a3 += x[off + i + 3];
        }
        for (; i < n; i++) {
            a0 += x[off + i];
        }
        return (a0 + a1) + (a2 + a3);
    }

    /**
     * A dense layer's product for one image: {@code y[yOff + j] = sum_i a[aOff + j*n + i] * x[xOff + i]} for
     * {@code j < rows} ({@code a} row-major, {@code rows x n}). On the vector kernel, four rows share each load of
     * {@code x}; on the scalar one, a {@link #dot} a row.
     */
    public static void matVec(float[] a, int aOff, float[] x, int xOff, float[] y, int yOff, int rows, int n) {
        if (VECTOR) {
            VectorGemm.matVec(a, aOff, x, xOff, y, yOff, rows, n);
            return;
        }
        for (int j = 0; j < rows; j++) {
            y[yOff + j] = ScalarGemm.dot(a, aOff + j * n, x, xOff, n);
        }
    }

    /**
     * Max pooling with 2x2 windows at stride 2, every window inside the input: {@code planes} planes of {@code ih x iw}
     * from {@code in[inOff]}, each to {@code oh x ow} outputs from {@code out[outOff]}, {@code out = Math.max} of the
     * window's four cells (NaN propagating). On the vector kernel the two rows of each output row are compared a vector
     * at a time first; the values are the same.
     */
    public static void maxPool2x2(float[] in, int inOff, float[] out, int outOff, int planes, int ih, int iw, int oh, int ow) {
        if (VECTOR) {
            VectorPool.maxPool2x2(in, inOff, out, outOff, planes, ih, iw, oh, ow);
            return;
        }
        for (int p = 0; p < planes; p++) {
            int plane = inOff + p * ih * iw;
            int o = outOff + p * oh * ow;
            for (int r = 0; r < oh; r++, o += ow) {
                int at = plane + 2 * r * iw;
                for (int c = 0; c < ow; c++, at += 2) {
                    out[o + c] = Math.max(Math.max(in[at], in[at + 1]), Math.max(in[at + iw], in[at + iw + 1]));
                }
            }
        }
    }

    /** Per thread: one output row's maxima over its window's input rows ({@link #maxPool}). */
    private static final ThreadLocal<float[]> POOL_ROW = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Max pooling of {@code planes} planes of {@code ih x iw} from {@code in[inOff]} into {@code oh x ow} outputs each
     * from {@code out[outOff]}: windows of {@code kh x kw} cells at strides {@code sh, sw}, starting at
     * {@code (r*sh - padTop, c*sw - padLeft)}, each output the maximum of its window's input cells (padding never
     * wins; NaN propagates; a window without input cells gives -infinity). Each output row's input rows are compared
     * first, whole rows at a time (a vector at a time on the vector kernel), then each output's columns among those
     * maxima: about {@code (kh - 1) * iw / ow + kw - 1} comparisons an output instead of {@code kh * kw - 1}.
     * {@code Math.max} is commutative and associative, so the values are those of a loop over each window.
     */
    public static void maxPool(float[] in, int inOff, float[] out, int outOff, int planes, int ih, int iw, int oh, int ow,
                               int kh, int kw, int sh, int sw, int padTop, int padLeft) {
        float[] row = POOL_ROW.get();
        if (row.length < iw) {
            row = new float[iw];
            POOL_ROW.set(row);
        }
        // the output columns whose windows lie inside the row: c*sw - padLeft >= 0 and c*sw - padLeft + kw <= iw
        int cFirst = Math.min(ow, (padLeft + sw - 1) / sw);
        int cEnd = Math.max(cFirst, Math.min(ow, Math.floorDiv(iw - kw + padLeft, sw) + 1));
        for (int p = 0; p < planes; p++) {
            int plane = inOff + p * ih * iw;
            int o = outOff + p * oh * ow;
            for (int r = 0; r < oh; r++, o += ow) {
                int h0 = r * sh - padTop;
                int hFirst = Math.max(h0, 0);
                int hEnd = Math.min(h0 + kh, ih);
                if (hEnd <= hFirst) {
                    Arrays.fill(out, o, o + ow, Float.NEGATIVE_INFINITY);
                    continue;
                }
                int first = plane + hFirst * iw;
                if (VECTOR) {
                    VectorPool.maxRows(in, first, iw, hEnd - hFirst, row);
                } else {
                    System.arraycopy(in, first, row, 0, iw);
                    for (int h = 1; h < hEnd - hFirst; h++) {
                        for (int x = 0, at = first + h * iw; x < iw; x++) {
                            row[x] = Math.max(row[x], in[at + x]);
                        }
                    }
                }
                for (int c = 0; c < cFirst; c++) {
                    out[o + c] = maxClipped(row, c * sw - padLeft, kw, iw);
                }
                if (kw == 3) {
                    for (int c = cFirst, w = cFirst * sw - padLeft; c < cEnd; c++, w += sw) {
                        out[o + c] = Math.max(Math.max(row[w], row[w + 1]), row[w + 2]);
                    }
                } else {
                    for (int c = cFirst; c < cEnd; c++) {
                        out[o + c] = maxClipped(row, c * sw - padLeft, kw, iw);
                    }
                }
                for (int c = cEnd; c < ow; c++) {
                    out[o + c] = maxClipped(row, c * sw - padLeft, kw, iw);
                }
            }
        }
    }

    /** The maximum of {@code row[w0 .. w0 + kw)} within {@code [0, iw)}; -infinity for none. */
    private static float maxClipped(float[] row, int w0, int kw, int iw) {
        float best = Float.NEGATIVE_INFINITY;
        for (int w = Math.max(w0, 0), end = Math.min(w0 + kw, iw); w < end; w++) {
            best = Math.max(best, row[w]);
        }
        return best;
    }

    /**
     * {@link #matVec} for {@code images} inputs at once: {@code y[yOff + m*ys + j] = sum_i a[aOff + j*n + i] *
     * x[xOff + m*xs + i]} for {@code m < images}, {@code j < rows}. Every sum is computed as {@link #matVec} computes
     * it (the same bits), but on the vector kernel a block of rows is read once for all the images, while it is in L1.
     */
    public static void matVecs(float[] a, int aOff, float[] x, int xOff, int xs, float[] y, int yOff, int ys, int rows, int n,
                               int images) {
        if (VECTOR) {
            VectorGemm.matVecs(a, aOff, x, xOff, xs, y, yOff, ys, rows, n, images);
            return;
        }
        for (int m = 0; m < images; m++) {
            matVec(a, aOff, x, xOff + m * xs, y, yOff + m * ys, rows, n);
        }
    }

    /**
     * {@code sum x[xOff + i] * y[yOff + i]} for {@code i < n}, with four independent accumulators (float sums are
     * not reordered by the JIT, so one accumulator would serialise on the adder's latency).
     */
    public static float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        return VECTOR ? VectorGemm.dot(x, xOff, y, yOff, n) : ScalarGemm.dot(x, xOff, y, yOff, n);
    }

    /**
     * Softmax in place over {@code channels} values at each of {@code plane} positions of one image starting at
     * {@code off} (value {@code (c, p)} at {@code off + c * plane + p}).
     */
    public static void softmax(float[] x, int off, int channels, int plane) {
        for (int p = 0; p < plane; p++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < channels; c++) {
                max = Math.max(max, x[off + c * plane + p]);
            }
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                int i = off + c * plane + p;
                float e = (float) Math.exp(x[i] - max);
                x[i] = e;
                sum += e;
            }
            float inv = (float) (1 / sum);
            for (int c = 0; c < channels; c++) {
                x[off + c * plane + p] *= inv;
            }
        }
    }

    /** Softmax of {@code src} into {@code dst} (same layout), leaving {@code src} unchanged. */
    public static void softmax(float[] src, float[] dst, int off, int channels, int plane) {
        System.arraycopy(src, off, dst, off, channels * plane);
        softmax(dst, off, channels, plane);
    }

    /**
     * Back through a softmax with output {@code y}: {@code dx = y * (dy - sum(dy * y))} per position. {@code dx} may
     * be {@code dy} (in place).
     */
    public static void softmaxBackward(float[] y, float[] dy, float[] dx, int off, int channels, int plane) {
        for (int p = 0; p < plane; p++) {
            double dot = 0;
            for (int c = 0; c < channels; c++) {
                int i = off + c * plane + p;
                dot += (double) dy[i] * y[i];
            }
            for (int c = 0; c < channels; c++) {
                int i = off + c * plane + p;
                dx[i] = (float) (y[i] * (dy[i] - dot));
            }
        }
    }

    /**
     * Mean softmax cross-entropy of {@code batch} rows of {@code classes} logits against {@code labels}; writes
     * d loss / d logits {@code = (softmax - onehot) / batch} into {@code grad}.
     */
    public static float softmaxCrossEntropy(float[] logits, int[] labels, int batch, int classes, float[] grad) {
        double total = 0;
        for (int n = 0; n < batch; n++) {
            int off = n * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                max = Math.max(max, logits[off + j]);
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(logits[off + j] - max);
            }
            double logSum = Math.log(sum) + max;
            total += logSum - logits[off + labels[n]];
            for (int j = 0; j < classes; j++) {
                double p = Math.exp(logits[off + j] - logSum);
                grad[off + j] = (float) ((p - (j == labels[n] ? 1 : 0)) / batch);
            }
        }
        return (float) (total / batch);
    }

    /** Mean squared error over all {@code batch * size} values; writes {@code 2 (y - t) / (batch * size)} into {@code grad}. */
    public static float meanSquaredError(float[] y, float[] target, int batch, int size, float[] grad) {
        int count = batch * size;
        double total = 0;
        for (int i = 0; i < count; i++) {
            double d = (double) y[i] - target[i];
            total += d * d;
            grad[i] = (float) (2 * d / count);
        }
        return (float) (total / count);
    }
}
