package dev.strider.runtime.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads that share a large matrix product ({@link VectorGemm}'s packed path): {@code strider.threads - 1}
 * daemon workers (default: one per available processor, the caller being the last), started on first use.
 *
 * <p>It costs nothing where it is not used. Small products (LeNet-5's, anything at batch 1 of a small network)
 * never reach it. A product arriving while another engine's product holds the workers runs on its caller alone,
 * so engines on several threads do not oversubscribe the machine. A call allocates nothing: the job is a set of
 * fields published under a lock, and workers wait parked.
 *
 * <p>Each part writes its own columns of the result, and every sum is added in the same order as on one thread,
 * so results do not depend on the number of threads.
 */
final class GemmThreads {
    /** Threads a product may use, the caller included ({@code -Dstrider.threads=N}; 1 turns the workers off). */
    static final int THREADS = Math.max(1, Integer.getInteger("strider.threads", Runtime.getRuntime().availableProcessors()));

    /** What a part runs: panels {@code [from, to)} of the current product. */
    interface Job {
        void panels(int from, int to);
    }

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final AtomicInteger PENDING = new AtomicInteger();
    private static Worker[] workers;
    private static volatile Job job;
    private static volatile int panels;
    private static volatile Thread caller;
    private static volatile Throwable failure;

    private GemmThreads() {}

    /**
     * Runs {@code job} over {@code total} panels split among the threads, or on the caller alone when there is one
     * thread, one panel, or the workers are busy with another product.
     */
    static void run(Job job, int total) {
        if (THREADS == 1 || total < 2 || !LOCK.tryLock()) {
            job.panels(0, total);
            return;
        }
        try {
            Worker[] w = start();
            int parts = Math.min(THREADS, total);
            GemmThreads.job = job;
            GemmThreads.panels = total;
            GemmThreads.caller = Thread.currentThread();
            failure = null;
            PENDING.set(parts - 1);
            for (int p = 1; p < parts; p++) {
                w[p - 1].go(p, parts);
            }
            Throwable mine = null;
            try {
                job.panels(0, total / parts);
            } catch (RuntimeException | Error e) {
                mine = e;   // still wait for the workers: none may be writing when the pool is handed on
            }
            // the workers' parts are short (a product of at least 4M multiply-adds split in a few): spin, then park
            for (int spins = 0; PENDING.get() > 0; spins++) {
                if (spins < 20_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(50_000);
                }
            }
            GemmThreads.job = null;
            if (mine instanceof RuntimeException e) {
                throw e;
            }
            if (mine instanceof Error e) {
                throw e;
            }
            Throwable f = failure;
            if (f != null) {
                throw new IllegalStateException("a matrix-product worker failed", f);
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

    /** A parked daemon thread that runs part {@code part} of each product it is given. */
    private static final class Worker extends Thread {
        private volatile int generation;
        private int part;
        private int parts;

        Worker(int index) {
            super("strider-gemm-" + index);
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
                    int total = panels;
                    job.panels(total * part / parts, total * (part + 1) / parts);
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
