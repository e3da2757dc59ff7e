package dev.strider.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchesTest {

    /** {@code n} images of 1x1x2 where image i holds (i, -i), labelled i mod 10. */
    private static Dataset numbered(int n) {
        float[] images = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            images[2 * i] = i;
            images[2 * i + 1] = -i;
            labels[i] = i % 10;
        }
        return new Dataset(images, labels, 1, 1, 2, 10);
    }

    @Test
    void theLastPartialBatchIsIncluded() {
        Batches b = Batches.inOrder(numbered(10), 4);
        assertEquals(3, b.batchCount());
        assertEquals(4, b.sizeOf(0));
        assertEquals(4, b.sizeOf(1));
        assertEquals(2, b.sizeOf(2));
        float[] x = new float[8];
        int[] y = new int[4];
        assertEquals(4, b.copy(1, x, y));
        assertArrayEquals(new float[] {4, -4, 5, -5, 6, -6, 7, -7}, x);
        assertArrayEquals(new int[] {4, 5, 6, 7}, y);
        assertEquals(2, b.copy(2, x, y));
        assertArrayEquals(new float[] {8, -8, 9, -9}, Arrays.copyOf(x, 4));
        assertArrayEquals(new int[] {8, 9}, Arrays.copyOf(y, 2));
    }

    @Test
    void exactMultipleAndTinyDatasets() {
        assertEquals(2, Batches.inOrder(numbered(8), 4).batchCount());
        assertEquals(1, Batches.inOrder(numbered(3), 64).batchCount());
        assertEquals(3, Batches.inOrder(numbered(3), 64).sizeOf(0));
        assertEquals(0, Batches.shuffled(numbered(0), 4, 1).batchCount());
    }

    /** The documented shuffle, written out independently. */
    private static int[] documentedOrder(int n, long seed, int epoch) {
        SplittableRandom seeds = new SplittableRandom(seed);
        long s = 0;
        for (int e = 0; e <= epoch; e++) {
            s = seeds.nextLong();
        }
        SplittableRandom r = new SplittableRandom(s);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static int[] order(Batches b) {
        int[] o = new int[b.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = b.indexAt(i);
        }
        return o;
    }

    @Test
    void shufflingFollowsTheDocumentedRuleAndIsReproducible() {
        Batches b = Batches.shuffled(numbered(23), 5, 42);
        assertArrayEquals(documentedOrder(23, 42, 0), order(b));
        int[] epoch0 = order(b);
        b.startEpoch(3);
        assertArrayEquals(documentedOrder(23, 42, 3), order(b));
        assertFalse(Arrays.equals(epoch0, order(b)), "epochs differ");
        b.startEpoch(0);
        assertArrayEquals(epoch0, order(b), "an epoch's order depends only on the seed and the epoch");
        assertArrayEquals(epoch0, order(Batches.shuffled(numbered(23), 5, 42)), "same seed, same order");
        assertFalse(Arrays.equals(epoch0, order(Batches.shuffled(numbered(23), 5, 43))), "another seed, another order");
    }

    @Test
    void everyEpochVisitsEveryImageOnce() {
        Dataset data = numbered(23);
        Batches b = Batches.shuffled(data, 5, 7);
        float[] x = new float[10];
        int[] y = new int[5];
        for (int epoch = 0; epoch < 3; epoch++) {
            b.startEpoch(epoch);
            boolean[] seen = new boolean[23];
            int total = 0;
            for (int k = 0; k < b.batchCount(); k++) {
                int n = b.copy(k, x, y);
                for (int i = 0; i < n; i++) {
                    int image = (int) x[2 * i];
                    assertEquals(-image, x[2 * i + 1]);
                    assertEquals(image % 10, y[i], "label travels with its image");
                    assertFalse(seen[image], "image " + image + " twice");
                    seen[image] = true;
                }
                total += n;
            }
            assertEquals(23, total);
        }
    }

    @Test
    void iteratingAnEpochAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Dataset data = numbered(1000);
        Batches b = Batches.shuffled(data, 32, 1);
        float[] x = new float[32 * 2];
        int[] y = new int[32];
        long id = Thread.currentThread().getId();
        threads.getThreadAllocatedBytes(id);
        long least = Long.MAX_VALUE;
        // as in the optimizer's allocation test, the JIT may allocate a few hundred bytes on this thread once in a
        // while; a real allocation per batch would show in every round (32 batches x 16 bytes at the very least)
        for (int round = 0; round < 5 && least > 256; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int k = 0; k < b.batchCount(); k++) {
                b.copy(k, x, y);
            }
            least = Math.min(least, threads.getThreadAllocatedBytes(id) - before);
        }
        assertTrue(least <= 256, "an epoch of copies allocated " + least + " bytes");
    }

    @Test
    void rejectsBadArguments() {
        Batches b = Batches.inOrder(numbered(10), 4);
        assertEquals("batch size must be >= 1, but it is 0",
                assertThrows(IllegalArgumentException.class, () -> Batches.inOrder(numbered(3), 0)).getMessage());
        assertEquals("batch 3 of 3 (10 images in batches of 4)",
                assertThrows(IndexOutOfBoundsException.class, () -> b.sizeOf(3)).getMessage());
        assertEquals("images holds 7 floats, but batch 0 needs 4 x 2 = 8",
                assertThrows(IllegalArgumentException.class, () -> b.copy(0, new float[7], new int[4])).getMessage());
        assertEquals("labels holds 3 ints, but batch 0 has 4 images",
                assertThrows(IllegalArgumentException.class, () -> b.copy(0, new float[8], new int[3])).getMessage());
        // the last batch needs only its own size
        assertEquals(2, b.copy(2, new float[4], new int[2]));
        assertEquals("epochs count from 0, but epoch is -1",
                assertThrows(IllegalArgumentException.class, () -> b.startEpoch(-1)).getMessage());
    }
}
