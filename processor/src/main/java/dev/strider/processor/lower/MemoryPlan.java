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
 * <p>A network that ends in dense layers (with activations, dropout and flattening between them: the <em>tail</em>)
 * runs them on a <em>group</em> of up to {@link #GROUP} images at once: each image of the group goes through the
 * layers before the tail alone, and the output of the last of them is copied into its slot of the group buffer
 * ({@link #groupBuffer}); then the tail runs once for the whole group, so each dense layer's weights are read once
 * per group instead of once per image (LeNet-5's f5: 188 KiB, more than L1 holds). The group buffer lives through
 * every step up to its last reader (it is filled while the layers before the tail run, image after image), and the
 * tail's outputs hold a group each.
 *
 * @param buffers every buffer and scratch the forward pass uses, input first, in the order the steps write them
 * @param arrays the length in floats of each shared array
 * @param naiveFloats what the forward pass takes without the plan: every layer output its own array at max batch,
 *     and every convolution's padded input its own
 * @param group images per group of the tail; 1 when the network has no tail (or a max batch of 1)
 * @param tailSteps the names of the tail's steps, in order; empty when there is none
 * @param tailInput the buffer the tail reads, whose copies fill the group buffer; null when there is no tail
 */
public record MemoryPlan(List<Buffer> buffers, List<Long> arrays, long naiveFloats, int group, List<String> tailSteps, String tailInput) {
    /** The most images in a group of the tail: eight of LeNet-5's s4 outputs and f5's rows stay in L1 together. */
    public static final int GROUP = 8;

    public MemoryPlan {
        buffers = List.copyOf(buffers);
        arrays = List.copyOf(arrays);
        tailSteps = List.copyOf(tailSteps);
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

    /**
     * The index among {@link #buffers} of what {@code step} reads or writes as {@code field}: the group buffer for
     * the tail's input in a tail step, otherwise {@link #index(String)}.
     */
    public int index(String field, EnginePlan.Step step) {
        return field.equals(tailInput) && tailSteps.contains(step.name()) ? index(groupBuffer(tailInput)) : index(field);
    }

    /** Whether the network's tail runs on groups of images (see the class comment). */
    public boolean grouped() {
        return group > 1;
    }

    /** The buffer of a group's copies of {@code tailInput}. */
    public static String groupBuffer(String tailInput) {
        return tailInput + "Group";
    }

    /** The buffer of convolution {@code s}'s padded input (its forward product's source), when it has one. */
    public static String source(EnginePlan.Step s) {
        return s.name() + "Source";
    }

    /** The plan of {@code plan}'s forward pass. */
    static MemoryPlan of(EnginePlan plan) {
        List<EnginePlan.Step> steps = plan.steps();
        int end = steps.size();
        int tail = tail(steps);
        int group = tail < end ? Math.min(GROUP, plan.maxBatch()) : 1;
        if (group == 1) {
            tail = end;
        }
        String tailInput = tail == end ? null : tail == 0 ? EnginePlan.INPUT : steps.get(tail - 1).out();
        // each buffer's length, first and last use, in the order the steps write them
        Map<String, long[]> life = new LinkedHashMap<>();
        Map<String, String> what = new HashMap<>();
        life.put(EnginePlan.INPUT, new long[] {plan.inputSize(), -1, -1});
        what.put(EnginePlan.INPUT, "the network's input");
        long naive = 0;
        for (int i = 0; i < end; i++) {
            EnginePlan.Step s = steps.get(i);
            if (i == tail) {
                // filled image by image while the steps before the tail run: it lives through all of them
                String g = groupBuffer(tailInput);
                life.put(g, new long[] {Sizes.mul(group, life.get(tailInput)[0]), -1, -1});
                what.put(g, what.get(tailInput) + ", a group of " + group + " images for the dense layers after it");
            }
            for (String in : s.ins()) {
                life.get(i >= tail && in.equals(tailInput) ? groupBuffer(in) : in)[2] = i;
            }
            Kernel k = s.kernel();
            if (k instanceof Kernel.Alias) {
                continue;   // shares its input's buffer, whose life its readers extend
            }
            boolean inTail = i >= tail;
            life.put(s.out(), new long[] {inTail ? Sizes.mul(group, k.outSize()) : k.outSize(), i, i});
            what.put(s.out(), s.name() + " output" + (inTail ? ", a group of " + group + " images" : ""));
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
        return new MemoryPlan(buffers, arrays, naive, group, steps.subList(tail, end).stream().map(EnginePlan.Step::name).toList(),
                tailInput);
    }

    /**
     * The first step of the network's tail: the longest run of dense layers, activations, dropout and aliases at its
     * end that holds a dense layer and reads nothing from before it but the output of the step just before it; the
     * number of steps when there is none.
     */
    static int tail(List<EnginePlan.Step> steps) {
        int end = steps.size();
        int first = end;
        while (first > 0 && tailKind(steps.get(first - 1).kernel())) {
            first--;
        }
        // a dense layer in it, and no input from before it other than the buffer just before it
        for (; first < end; first++) {
            String before = first == 0 ? EnginePlan.INPUT : steps.get(first - 1).out();
            java.util.Set<String> readable = new java.util.HashSet<>(List.of(before));
            boolean dense = false;
            boolean closed = true;
            for (int i = first; i < end; i++) {
                EnginePlan.Step s = steps.get(i);
                closed &= readable.containsAll(s.ins());
                readable.add(s.out());
                dense |= s.kernel() instanceof Kernel.Dense;
            }
            if (closed && dense) {
                return first;
            }
        }
        return end;
    }

    private static boolean tailKind(Kernel k) {
        return k instanceof Kernel.Dense || k instanceof Kernel.Act || k instanceof Kernel.Dropout || k instanceof Kernel.Alias;
    }
}
