package dev.strider.runtime.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise kernels whose scalar form is a data-dependent branch (mispredicted on real activations, about half
 * of which are negative): on the Vector API a compare and a masked blend, no branch. Loaded only when {@link Kernels}
 * runs the Vector API kernels.
 */
final class VectorOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorOps() {}

    /** See {@link Kernels#reluBackward}. */
    static void reluBackward(float[] out, float[] grad, int from, int to) {
        int i = from;
        for (int end = from + S.loopBound(to - from); i < end; i += S.length()) {
            VectorMask<Float> off = FloatVector.fromArray(S, out, i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(S, grad, i).blend(0f, off).intoArray(grad, i);
        }
        for (; i < to; i++) {
            if (out[i] <= 0f) {
                grad[i] = 0f;
            }
        }
    }
}
