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
 * <p>Part {@code p} of {@code parts} gets items {@code [total * p / parts, total * (p + 1) / parts)}, part 0 on the
 * caller. Each item's results are computed as on one thread (products: every sum in the same order; images: each
 * image by the same code), so results do not depend on the number of threads.
 */
final class Workers {
    /** Threads a product may use, the caller included ({@code -Dstrider.threads=N}; 1 turns the workers off). */
    static final int THREADS = Math.max(1, Integer.getInteger("strider.threads", Runtime.getRuntime().availableProcessors()));

    /** What a part runs: items {@code [from, to)} of the current job, as part {@code part} (0: the caller). */
    interface Job {
        void run(int from, int to, int part);
    }

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final AtomicInteger PENDING = new AtomicInteger();
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
            PENDING.set(parts - 1);
            for (int p = 1; p < parts; p++) {
                w[p - 1].go(p, parts);
            }
            Throwable mine = null;
            try {
                job.run(0, total / parts, 0);
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
        private int parts;

        Worker(int index) {
            super("strider-worker-" + index);
            setDaemon(true);
        }

        void go(int part, int parts) {
            this.part = part;
            this.parts = parts;
            generation++;   // volatile write after the fields: the worker reads them after reading it
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                while (generation == seen) {
                    LockSupport.park(this);
                }
                seen = generation;
                try {
                    int total = items;
                    job.run(total * part / parts, total * (part + 1) / parts, part);
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
