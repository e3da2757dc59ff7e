package dev.strider.runtime.engine;

/**
 * The few kernels generated engines share rather than inline: softmax and the losses. All allocation-free;
 * sums in double for accuracy.
 */
public final class Kernels {
    private Kernels() {}

    /** {@code y[yOff + i] += a * x[xOff + i]} for {@code i < n}: the inner loop of the convolutions, vectorised by C2. */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /**
     * The core of a convolution's forward pass on one image and group: {@code channels} output planes of {@code p}
     * values at {@code out[o ..]}, plane c being {@code bias[biasOff + c] + sum_r w[wOff + c*k + r] * col[r*p ..]}
     * ({@code bias} may be null). Kept out of the generated methods on purpose: compiled on its own, HotSpot
     * vectorises its inner loop; inlined into a deeper loop nest it ran at half the speed (measured on JDK 17).
     */
    public static void convPlanes(float[] w, int wOff, int k, float[] col, int p, float[] out, int o, int channels,
                                  float[] bias, int biasOff) {
        for (int c = 0; c < channels; c++) {
            int plane = o + c * p;
            java.util.Arrays.fill(out, plane, plane + p, bias == null ? 0f : bias[biasOff + c]);
            int row = wOff + c * k;
            for (int r = 0; r < k; r++) {
                axpy(w[row + r], col, r * p, out, plane, p);
            }
        }
    }

    /**
     * The core of a convolution's backward pass on one image and group, over transposed patches {@code colT}
     * ({@code p} rows of {@code k}): for each of {@code channels} output planes at {@code gOut[o ..]}, adds
     * {@code sum_q gOut[q] * colT[q]} to the weight rows at {@code wGrad[wOff ..]}, the plane's sum to
     * {@code biasGrad[biasOff + c]} (if not null), and {@code gOut[q] * w row} to {@code colTGrad[q]} (if not null).
     * A runtime method for the same reason as {@link #convPlanes}.
     */
    public static void convBackwardPlanes(float[] gOut, int o, int channels, int p, float[] colT, int k, float[] w, int wOff,
                                          float[] wGrad, float[] biasGrad, int biasOff, float[] colTGrad) {
        for (int c = 0; c < channels; c++) {
            int plane = o + c * p;
            int row = wOff + c * k;
            if (biasGrad != null) {
                float sum = 0f;
                for (int q = 0; q < p; q++) {
                    sum += gOut[plane + q];
                }
                biasGrad[biasOff + c] += sum;
            }
            for (int q = 0; q < p; q++) {
                float d = gOut[plane + q];
                if (d == 0f) {
                    continue;
                }
                axpy(d, colT, q * k, wGrad, row, k);
                if (colTGrad != null) {
                    axpy(d, w, row, colTGrad, q * k, k);
                }
            }
        }
    }

    /**
     * {@code sum x[xOff + i] * y[yOff + i]} for {@code i < n}, with four independent accumulators (float sums are
     * not reordered by the JIT, so one accumulator would serialise on the adder's latency).
     */
    public static float dot(float[] x, int xOff, float[] y, int yOff, int n) {
        float a0 = 0f;
        float a1 = 0f;
        float a2 = 0f;
        float a3 = 0f;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            a0 += x[xOff + i] * y[yOff + i];
            a1 += x[xOff + i + 1] * y[yOff + i + 1];
            a2 += x[xOff + i + 2] * y[yOff + i + 2];
            a3 += x[xOff + i + 3] * y[yOff + i + 3];
        }
        for (; i < n; i++) {
            a0 += x[xOff + i] * y[yOff + i];
        }
        return (a0 + a1) + (a2 + a3);
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
