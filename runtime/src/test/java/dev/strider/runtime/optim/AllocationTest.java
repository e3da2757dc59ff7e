package dev.strider.runtime.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.engine.Parameter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** After the first step, optimizer steps allocate nothing on the heap. */
class AllocationTest {
    /**
     * Tolerance for the JVM's own allocations on this thread, which have nothing to do with the optimizer: while the
     * loop runs, the JIT swaps interpreted for compiled code (on-stack replacement, deoptimisation), and such a
     * transition now and then allocates a few hundred bytes on the running thread (seen here: 88 to 680 bytes in a
     * round, in one round of several, not growing with the number of steps). So the test measures up to
     * {@link #ROUNDS} rounds of 1,000 steps, the first right after the first step, and needs one round within
     * 256 bytes. A real allocation in {@code step} would show in every round: a single 16-byte object per step adds
     * 16,000 bytes per round, and re-allocating the state of the 600-element parameter 2,400 bytes per step.
     */
    private static final long NOISE_BYTES = 256;

    private static final int ROUNDS = 5;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        ps.add(new Parameter("conv.weight", new int[] {6, 1, 10, 10}, new float[600], new float[600]));
        ps.add(new Parameter("conv.bias", new int[] {6}, new float[6], new float[6]));
        ps.add(new Parameter("bn.running_mean", new int[] {6}, new float[6], null));
        ps.add(new Parameter("frozen.weight", new int[] {4}, new float[4], new float[4]));
        ps.get(3).setFrozen(true);
        for (Parameter p : ps) {
            if (p.grad() != null) {
                Arrays.fill(p.grad(), 0.01f);
            }
        }
        return ps;
    }

    /** Bytes allocated by each round of 1,000 steps after the first step, stopping at the first quiet round. */
    private static List<Long> allocatedPerThousandSteps(Optimizer optimizer) {
        List<Parameter> ps = parameters();
        long id = Thread.currentThread().getId();
        THREADS.getThreadAllocatedBytes(id); // the first call may initialise the bean
        optimizer.step(ps); // allocates the state
        List<Long> rounds = new ArrayList<>();
        for (int r = 0; r < ROUNDS; r++) {
            long before = THREADS.getThreadAllocatedBytes(id);
            for (int i = 0; i < 1000; i++) {
                optimizer.step(ps);
            }
            long bytes = THREADS.getThreadAllocatedBytes(id) - before;
            rounds.add(bytes);
            if (bytes <= NOISE_BYTES) {
                break;
            }
        }
        return rounds;
    }

    @Test
    void sgdWithNesterovMomentumAllocatesNothingAfterTheFirstStep() {
        List<Long> rounds = allocatedPerThousandSteps(Sgd.builder(0.01f).momentum(0.9f).nesterov(true).weightDecay(1e-4f).build());
        assertTrue(rounds.get(rounds.size() - 1) <= NOISE_BYTES, "bytes allocated by each round of 1000 SGD steps: " + rounds);
    }

    @Test
    void adamAllocatesNothingAfterTheFirstStep() {
        List<Long> rounds = allocatedPerThousandSteps(Adam.builder().weightDecay(1e-4f).build());
        assertTrue(rounds.get(rounds.size() - 1) <= NOISE_BYTES, "bytes allocated by each round of 1000 Adam steps: " + rounds);
    }
}
