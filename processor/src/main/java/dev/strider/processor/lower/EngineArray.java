package dev.strider.processor.lower;

import dev.strider.processor.model.Sizes;
import java.util.ArrayList;
import java.util.List;

/**
 * One array the generated engine allocates in its constructor: a field, its element type, its length and what it
 * holds. The lowering decides them all, so the engine's memory is known (and limited) before any code is written.
 * Lengths are longs, computed without wrapping: one longer than {@link #MAX_LENGTH} is reported by
 * {@link EnginePlan#checkArrayLengths}, never allocated.
 */
public record EngineArray(String field, Type type, long length, Role role, String doc) {
    /**
     * The longest array an engine may allocate: {@code Integer.MAX_VALUE}, the bound the size-overflow rule states
     * for activations and weights too. (HotSpot refuses the last few lengths below it; an array that long takes
     * 8 GiB, over the default engine-memory limit.)
     */
    public static final long MAX_LENGTH = Integer.MAX_VALUE;

    /** The element type. */
    public enum Type {
        FLOAT,
        INT
    }

    /** What the array is for, to break the engine's memory down in reports. */
    public enum Role {
        /** Parameters, their gradients and running statistics. */
        WEIGHTS,
        /** Layer outputs and their gradients, at max batch. */
        ACTIVATIONS,
        /** What layers keep for their backward pass (masks, switches, normalised inputs) and per-image scratch. */
        SCRATCH
    }

    /** Bytes on the heap, array header aside (both element types take 4 bytes). */
    public long bytes() {
        return Sizes.mul(4, length);
    }

    /** Every array of one step, in the order the constructor allocates them. */
    static List<EngineArray> of(EnginePlan.Step s, int maxBatch) {
        List<EngineArray> a = new ArrayList<>();
        Kernel k = s.kernel();
        long perBatch = Sizes.mul(maxBatch, k.outSize());
        if (!(k instanceof Kernel.Alias)) {
            a.add(floats(s.out(), perBatch, Role.ACTIVATIONS, s.name() + " output, " + s.layer().out() + " per image"));
            a.add(floats(s.outGrad(), perBatch, Role.ACTIVATIONS, "d loss / d " + s.name() + " output"));
        }
        for (Tensor t : s.tensors()) {
            a.add(floats(t.field(), t.size(), Role.WEIGHTS, t.name() + " " + t.shape()));
            if (t.trainable()) {
                a.add(floats(t.gradField(), t.size(), Role.WEIGHTS, "d loss / d " + t.name()));
            }
        }
        for (EnginePlan.GradAdd g : s.accumulate()) {
            a.add(floats(g.scratch(), Sizes.mul(maxBatch, g.size()), Role.ACTIVATIONS,
                    "d loss / d " + g.target() + " from " + s.name() + ", added to it after " + s.name() + "'s backward"));
        }
        if (k instanceof Kernel.Conv conv) {
            long patches = Sizes.mul(conv.inPerGroup(), conv.w().kh(), conv.w().kw(), conv.w().oh(), conv.w().ow());
            a.add(floats(s.name() + "Col", Math.max(patches, conv.sourceLength()), Role.SCRATCH,
                    "im2col scratch: one image's patches for one group (the backward pass's), and the forward product's padded input"));
            a.add(floats(s.name() + "ColGrad", patches, Role.SCRATCH, "d loss / d patches, scratch of the backward pass"));
        } else if (k instanceof Kernel.Pool p && p.max()) {
            a.add(new EngineArray(s.name() + "Argmax", Type.INT, perBatch, Role.SCRATCH,
                    "Index into the input of each output's maximum, for the backward pass"));
        } else if (k instanceof Kernel.BatchNorm bn) {
            a.add(floats(s.name() + "Xhat", perBatch, Role.SCRATCH, "normalised input, kept for the backward pass"));
            a.add(floats(s.name() + "InvStd", bn.channels(), Role.SCRATCH, "1 / sqrt(variance + eps) per channel of the last forward"));
        } else if (k instanceof Kernel.Lrn) {
            a.add(floats(s.name() + "Scale", perBatch, Role.SCRATCH, "k + alpha / size * (sum of squares) per value, kept for the backward pass"));
        } else if (k instanceof Kernel.Dropout) {
            a.add(floats(s.name() + "Mask", perBatch, Role.SCRATCH, "the last training forward's mask (0 or 1/keep)"));
        }
        return a;
    }

    private static EngineArray floats(String field, long length, Role role, String doc) {
        return new EngineArray(field, Type.FLOAT, length, role, doc);
    }
}
