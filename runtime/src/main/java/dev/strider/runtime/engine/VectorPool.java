package dev.strider.runtime.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling on the Vector API (loaded only when {@link Kernels#vectorized()}): the maxima of whole input rows for
 * {@link Kernels#maxPool}, and 2x2 windows at stride 2, all inside the input. Each output row's two input rows are compared a vector at a time (their maximum per column), then the
 * columns by pairs: 1.25 comparisons an output instead of 3 (LeNet-5's s2: 2.8 to 1.5 µs an image; s4: 1.2 to
 * 0.7 µs). {@code Math.max} is commutative and associative, NaN propagating, so the values are those of the scalar
 * loop.
 */
final class VectorPool {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Per thread: one output row's column maxima. */
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    private VectorPool() {}

    /**
     * {@code row[x] = max_h in[first + h*iw + x]} for {@code h < rows}, {@code x < iw} ({@link Kernels#maxPool}): whole
     * vectors, the last one ending at the row's end (overlapping the one before with the same values); a row shorter
     * than a vector value by value.
     */
    static void maxRows(float[] in, int first, int iw, int rows, float[] row) {
        if (iw < L) {
            System.arraycopy(in, first, row, 0, iw);
            for (int h = 1; h < rows; h++) {
                for (int x = 0, at = first + h * iw; x < iw; x++) {
                    row[x] = Math.max(row[x], in[at + x]);
                }
            }
            return;
        }
        int last = iw - L;
        for (int x = 0; ; x += L) {
            int c = Math.min(x, last);
            FloatVector m = FloatVector.fromArray(S, in, first + c);
            for (int h = 1, at = first + iw + c; h < rows; h++, at += iw) {
                m = m.max(FloatVector.fromArray(S, in, at));
            }
            m.intoArray(row, c);
            if (c == last) {
                break;
            }
        }
    }

    /** See {@link Kernels#maxPool2x2}. */
    static void maxPool2x2(float[] in, int inOff, float[] out, int outOff, int planes, int ih, int iw, int oh, int ow) {
        int cols = 2 * ow;
        float[] row = ROW.get();
        if (row.length < Math.max(cols, L)) {
            row = new float[Math.max(cols, L)];
            ROW.set(row);
        }
        for (int p = 0; p < planes; p++) {
            int plane = inOff + p * ih * iw;
            int o = outOff + p * oh * ow;
            for (int r = 0; r < oh; r++, o += ow) {
                int b0 = plane + 2 * r * iw;
                int b1 = b0 + iw;
                if (cols >= L) {
                    // whole vectors, the last one ending at the last column read (it overlaps the one before)
                    int last = cols - L;
                    for (int x = 0; x < last; x += L) {
                        FloatVector.fromArray(S, in, b0 + x).max(FloatVector.fromArray(S, in, b1 + x)).intoArray(row, x);
                    }
                    FloatVector.fromArray(S, in, b0 + last).max(FloatVector.fromArray(S, in, b1 + last)).intoArray(row, last);
                } else if (b1 + L <= in.length) {
                    // a row shorter than a vector: one vector, the lanes past the columns read and ignored
                    FloatVector.fromArray(S, in, b0).max(FloatVector.fromArray(S, in, b1)).intoArray(row, 0);
                } else {
                    for (int x = 0; x < cols; x++) {
                        row[x] = Math.max(in[b0 + x], in[b1 + x]);
                    }
                }
                for (int c = 0; c < ow; c++) {
                    out[o + c] = Math.max(row[2 * c], row[2 * c + 1]);
                }
            }
        }
    }
}
