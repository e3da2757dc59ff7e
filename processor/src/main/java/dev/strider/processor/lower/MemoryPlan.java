package dev.strider.processor.lower;

import dev.strider.processor.model.Sizes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The static memory plan of an inference-only engine: which of the forward pass's buffers share an array.
 *
 * <p>An inference-only engine takes one image at a time through every layer on each worker thread, so each
 * thread needs the buffers of one image only. A buffer lives from the step that writes it to the last step that reads
 * it ({@link Buffer#first()} to {@link Buffer#last()}); a convolution's padded input (the source its product packs
 * its panels from; none when it reads its input in place) lives during its own step.
 * Nothing is kept for a backward pass (no dropout mask, batch-norm normalised input or LRN scale). Two buffers whose lives do not overlap may share an array. The plan assigns them greedily by size,
 * largest first, each to the first array none of whose buffers it overlaps, or to a new array sized for it: the
 * arrays' lengths are those of their largest buffers. Each thread gets its own set of arrays.
 *
 * <p>The network's input is buffer 0: in place for the batch's first image (the caller's array), copied into its
 * array for the others. The network's output is copied out after the last step, into the engine's batch output.
 *
 * @param buffers every buffer and scratch the forward pass uses, input first, in the order the steps write them
 * @param arrays the length in floats of each shared array
 * @param naiveFloats what the forward pass takes without the plan: every layer output its own array at max batch,
 *     and every convolution's padded input its own
 */
public record MemoryPlan(List<Buffer> buffers, List<Long> arrays, long naiveFloats) {
    public MemoryPlan {
        buffers = List.copyOf(buffers);
        arrays = List.copyOf(arrays);
    }

    /**
     * A buffer: its field name in the training engine (the local that holds it in an inference-only one), its length
     * per image, the first and last steps that use it (-1: before the first step; the step count: after the last)
     * and the array it is in.
     */
    public record Buffer(String field, long length, int first, int last, int array, String what) {
        boolean overlaps(Buffer o) {
            return first <= o.last && o.first <= last;
        }
    }

    /** The bytes of one thread's arrays. */
    public long plannedBytes() {
        long floats = 0;
        for (long a : arrays) {
            floats = Sizes.add(floats, a);
        }
        return Sizes.mul(4, floats);
    }

    /** The bytes of the forward pass's buffers without the plan (see {@link #naiveFloats}). */
    public long naiveBytes() {
        return Sizes.mul(4, naiveFloats);
    }

    /** The index of {@code field} among {@link #buffers}, or -1. */
    public int index(String field) {
        for (int i = 0; i < buffers.size(); i++) {
            if (buffers.get(i).field().equals(field)) {
                return i;
            }
        }
        return -1;
    }

    /** The buffer of convolution {@code s}'s padded input (its forward product's source), when it has one. */
    public static String source(EnginePlan.Step s) {
        return s.name() + "Source";
    }

    /** The plan of {@code plan}'s forward pass. */
    static MemoryPlan of(EnginePlan plan) {
        List<EnginePlan.Step> steps = plan.steps();
        int end = steps.size();
        // each buffer's length, first and last use, in the order the steps write them
        Map<String, long[]> life = new LinkedHashMap<>();
        Map<String, String> what = new HashMap<>();
        life.put(EnginePlan.INPUT, new long[] {plan.inputSize(), -1, -1});
        what.put(EnginePlan.INPUT, "the network's input");
        long naive = 0;
        for (int i = 0; i < end; i++) {
            EnginePlan.Step s = steps.get(i);
            for (String in : s.ins()) {
                life.get(in)[2] = i;
            }
            Kernel k = s.kernel();
            if (k instanceof Kernel.Alias) {
                continue;   // shares its input's buffer, whose life its readers extend
            }
            life.put(s.out(), new long[] {k.outSize(), i, i});
            what.put(s.out(), s.name() + " output");
            naive = Sizes.add(naive, Sizes.mul(plan.maxBatch(), k.outSize()));
            if (k instanceof Kernel.Conv conv && conv.sourceLength() > 0) {
                // the convolution's padded input, during this step only
                String source = source(s);
                life.put(source, new long[] {conv.sourceLength(), i, i});
                what.put(source, s.name() + "'s input, zero-padded" + (conv.phaseSplit() ? " and split by the stride's phases" : ""));
                naive = Sizes.add(naive, conv.sourceLength());
            }
        }
        life.get(plan.outputBuffer())[2] = end;   // copied into the batch output after the last step
        List<String> order = new ArrayList<>(life.keySet());
        List<Buffer> sorted = new ArrayList<>();
        for (String f : order) {
            long[] l = life.get(f);
            sorted.add(new Buffer(f, l[0], (int) l[1], (int) l[2], -1, what.get(f)));
        }
        // largest first (a stable sort: ties keep the order the steps write them), each into the first array it
        // overlaps nothing in
        sorted.sort(Comparator.comparingLong(Buffer::length).reversed());
        List<List<Buffer>> shared = new ArrayList<>();
        List<Long> arrays = new ArrayList<>();
        Map<String, Integer> arrayOf = new HashMap<>();
        for (Buffer b : sorted) {
            int chosen = -1;
            for (int a = 0; a < shared.size() && chosen < 0; a++) {
                if (shared.get(a).stream().noneMatch(b::overlaps)) {
                    chosen = a;
                }
            }
            if (chosen < 0) {
                chosen = shared.size();
                shared.add(new ArrayList<>());
                arrays.add(b.length());
            }
            shared.get(chosen).add(b);
            arrayOf.put(b.field(), chosen);
        }
        List<Buffer> buffers = new ArrayList<>();
        for (String f : order) {
            long[] l = life.get(f);
            buffers.add(new Buffer(f, l[0], (int) l[1], (int) l[2], arrayOf.get(f), what.get(f)));
        }
        return new MemoryPlan(buffers, arrays, naive);
    }
}
