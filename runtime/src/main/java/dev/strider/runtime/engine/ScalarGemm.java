package dev.strider.runtime.engine;

/**
 * The portable matrix kernel behind the convolutions: {@code y[i][j] += sum_t a(i, t) * x[t][j]}, register-blocked
 * four rows by four columns so that each loaded value feeds four multiply-adds. C2 does not vectorise it; the Vector
 * API kernel ({@link VectorGemm}) replaces it when {@code jdk.incubator.vector} is available.
 */
final class ScalarGemm {
    private ScalarGemm() {}

    /** See {@link Kernels#gemm}. */
    static void gemm(int m, int n, int l, float[] a, int aOff, int ai, int al,
                     float[] x, int xOff, int xs, float[] y, int yOff, int ys) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int a0 = aOff + i * ai;
            int y0 = yOff + i * ys;
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                block4x4(l, a, a0, ai, al, x, xOff + j, xs, y, y0 + j, ys);
            }
            for (; j < n; j++) {
                column4(l, a, a0, ai, al, x, xOff + j, xs, y, y0 + j, ys, false);
            }
        }
        for (; i < m; i++) {
            int a0 = aOff + i * ai;
            int y0 = yOff + i * ys;
            for (int t = 0; t < l; t++) {
                float w = a[a0 + t * al];
                int xt = xOff + t * xs;
                for (int j = 0; j < n; j++) {
                    y[y0 + j] += w * x[xt + j];
                }
            }
        }
    }

    /**
     * One column of four rows: {@code y[r*ys] += sum_t a(r, t) x[t*xs]} for r < 4 (the columns left over by the blocks),
     * with a multiply and an add per term, or with fused multiply-adds ({@code fused}: as {@link VectorGemm}'s other
     * paths, so that an output's value is the same whichever block computes it).
     */
    static void column4(int l, float[] a, int a0, int ai, int al, float[] x, int x0, int xs, float[] y, int y0, int ys, boolean fused) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        for (int t = 0, at = a0, xt = x0; t < l; t++, at += al, xt += xs) {
            float v = x[xt];
            if (fused) {
                s0 = Math.fma(a[at], v, s0);
                s1 = Math.fma(a[at + ai], v, s1);
                s2 = Math.fma(a[at + 2 * ai], v, s2);
                s3 = Math.fma(a[at + 3 * ai], v, s3);
            } else {
                s0 += a[at] * v;
                s1 += a[at + ai] * v;
                s2 += a[at + 2 * ai] * v;
                s3 += a[at + 3 * ai] * v;
            }
        }
        y[y0] += s0;
        y[y0 + ys] += s1;
        y[y0 + 2 * ys] += s2;
        y[y0 + 3 * ys] += s3;
    }

    /** Sixteen accumulators held in registers over the whole inner dimension. */
    private static void block4x4(int l, float[] a, int a0, int ai, int al, float[] x, int x0, int xs,
                                 float[] y, int y0, int ys) {
        float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
        float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
        float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
        float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
        for (int t = 0, at = a0, xt = x0; t < l; t++, at += al, xt += xs) {
            float v0 = x[xt];
            float v1 = x[xt + 1];
            float v2 = x[xt + 2];
            float v3 = x[xt + 3];
            float w0 = a[at];
            float w1 = a[at + ai];
            float w2 = a[at + 2 * ai];
            float w3 = a[at + 3 * ai];
            s00 += w0 * v0; s01 += w0 * v1; s02 += w0 * v2; s03 += w0 * v3;
            s10 += w1 * v0; s11 += w1 * v1; s12 += w1 * v2; s13 += w1 * v3;
            s20 += w2 * v0; s21 += w2 * v1; s22 += w2 * v2; s23 += w2 * v3;
            s30 += w3 * v0; s31 += w3 * v1; s32 += w3 * v2; s33 += w3 * v3;
        }
        y[y0] += s00; y[y0 + 1] += s01; y[y0 + 2] += s02; y[y0 + 3] += s03;
        int y1 = y0 + ys;
        y[y1] += s10; y[y1 + 1] += s11; y[y1 + 2] += s12; y[y1 + 3] += s13;
        int y2 = y1 + ys;
        y[y2] += s20; y[y2 + 1] += s21; y[y2 + 2] += s22; y[y2 + 3] += s23;
        int y3 = y2 + ys;
        y[y3] += s30; y[y3 + 1] += s31; y[y3 + 2] += s32; y[y3 + 3] += s33;
    }

    /** The dot product of {@code n} values, in four partial sums (the scalar kernel's reduction). */
    static float dot(float[] x, int xOff, float[] y, int yOff, int n) {
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
}
