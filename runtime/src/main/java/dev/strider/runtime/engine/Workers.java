package dev.strider.runtime.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads that share a job: the column panels of a large matrix product ({@link VectorGemm}'s packed path), or
 * the images of a batch (the Java engine's forward pass, {@link GeneratedEngine}). {@code strider.threads - 1}
 * daemon workers (default: one per available processor, the caller being the last), started on first use.
 *
 * <p>It costs nothing where it is not used: a job of one item (batch 1; a product of one panel) and small products
 * never reach it. A job arriving while another holds the workers (another engine's, or a product inside an image
 * job: the caller and the workers are all busy) runs on its caller alone, so engines on several threads do not
 * oversubscribe the machine and jobs never wait for each other. A call allocates nothing: the job is a set of fields
 * published under a lock, and workers wait parked.
 *
 * <p>The caller is part 0, the workers parts 1 and up; each takes the next item from a shared counter until none is
 * left (a part may run any items). Each item's results are computed as on one thread (products: every sum in the
 * same order; images: each image by the same code), so results do not depend on the number of threads or on which
 * thread ran which item.
 */
final class Workers {
    /** Threads a product may use, the caller included ({@code -Dstrider.threads=N}; 1 turns the workers off). */
    static final int THREADS = Math.max(1, Integer.getInteger("strider.threads", Runtime.getRuntime().availableProcessors()));

    /** What a part runs: items {@code [from, to)} of the current job, as part {@code part} (0: the caller). */
    interface Job {
        void run(int from, int to, int part);
    }

    /** How long an idle worker spins before it parks: about 100 microseconds (-Dstrider.spin=0 parks at once). */
    static final int SPINS = Integer.getInteger("strider.spin", 20_000);
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final AtomicInteger PENDING = new AtomicInteger();
    /** The next item of the current job not yet taken by a thread. */
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static Worker[] workers;
    private static volatile Job job;
    private static volatile int items;
    private static volatile Thread caller;
    private static volatile Throwable failure;

    private Workers() {}

    /**
     * Runs {@code job} over {@code total} items split among the threads, or on the caller alone (as part 0) when
     * there is one thread, one item, or the workers are busy with another job (this thread's included).
     */
    static void run(Job job, int total) {
        if (THREADS == 1 || total < 2 || LOCK.isHeldByCurrentThread() || !LOCK.tryLock()) {
            job.run(0, total, 0);
            return;
        }
        try {
            Worker[] w = start();
            int parts = Math.min(THREADS, total);
            Workers.job = job;
            Workers.items = total;
            Workers.caller = Thread.currentThread();
            failure = null;
            NEXT.set(0);
            PENDING.set(parts - 1);
            for (int p = 1; p < parts; p++) {
                w[p - 1].go(p);
            }
            Throwable mine = null;
            try {
                take(job, total, 0);
            } catch (RuntimeException | Error e) {
                mine = e;   // still wait for the workers: none may be writing when the pool is handed on
            }
            // the workers' parts are short (a product of at least 4M multiply-adds, a batch split in a few): spin, then park
            for (int spins = 0; PENDING.get() > 0; spins++) {
                if (spins < 20_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(50_000);
                }
            }
            Workers.job = null;
            if (mine instanceof RuntimeException e) {
                throw e;
            }
            if (mine instanceof Error e) {
                throw e;
            }
            Throwable f = failure;
            if (f != null) {
                throw new IllegalStateException("a Strider worker thread failed", f);
            }
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * Runs items of the current job one at a time, as part {@code part}, until none is left: the threads take the
     * next item from a shared counter, so one that was late to start or has slower items does not hold the others up.
     */
    private static void take(Job job, int total, int part) {
        for (int i = NEXT.getAndIncrement(); i < total; i = NEXT.getAndIncrement()) {
            job.run(i, i + 1, part);
        }
    }

    private static Worker[] start() {
        if (workers == null) {
            Worker[] w = new Worker[THREADS - 1];
            for (int i = 0; i < w.length; i++) {
                w[i] = new Worker(i + 1);
                w[i].start();
            }
            workers = w;
        }
        return workers;
    }

    /** A parked daemon thread that runs part {@code part} of each job it is given. */
    private static final class Worker extends Thread {
        private volatile int generation;
        private int part;

        Worker(int index) {
            super("strider-worker-" + index);
            setDaemon(true);
        }

        void go(int part) {
            this.part = part;
            generation++;   // volatile write after the fields: the worker reads them after reading it
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                // a forward pass hands over jobs in quick succession (its products and layers): spin a little before
                // parking, since waking a parked thread takes tens of microseconds
                for (int spins = 0; generation == seen && spins < SPINS; spins++) {
                    Thread.onSpinWait();
                }
                while (generation == seen) {
                    LockSupport.park(this);
                }
                seen = generation;
                try {
                    take(job, items, part);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    if (PENDING.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }
    }
}
