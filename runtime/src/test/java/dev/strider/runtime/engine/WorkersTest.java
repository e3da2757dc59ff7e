package dev.strider.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * The worker threads (behind large products and a batch's images): every item is computed exactly once, and a part that fails (a bug in a
 * kernel) is reported to the caller after every other part has finished, leaving the pool usable.
 */
class WorkersTest {
    private static final int PANELS = 37;

    @Test
    void everyPanelIsComputedExactlyOnce() {
        AtomicIntegerArray done = new AtomicIntegerArray(PANELS);
        for (int round = 0; round < 50; round++) {
            Workers.run((from, to, part) -> {
                for (int p = from; p < to; p++) {
                    done.incrementAndGet(p);
                }
            }, PANELS);
        }
        for (int p = 0; p < PANELS; p++) {
            assertEquals(50, done.get(p), "panel " + p);
        }
    }

    @Test
    void aFailingPartIsReportedAndThePoolStaysUsable() {
        // the last panel belongs to a worker's part when there are workers, else to the caller's
        for (int failing : new int[] {PANELS - 1, 0}) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> Workers.run((from, to, part) -> {
                if (from <= failing && failing < to) {
                    throw new IllegalArgumentException("panel " + failing);
                }
            }, PANELS));
            Throwable cause = e instanceof IllegalArgumentException ? e : e.getCause();
            assertTrue(cause instanceof IllegalArgumentException && cause.getMessage().equals("panel " + failing), String.valueOf(e));
            everyPanelIsComputedExactlyOnce();
        }
    }
}
