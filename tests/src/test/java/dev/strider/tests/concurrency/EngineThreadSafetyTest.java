package dev.strider.tests.concurrency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.data.Dataset;
import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.io.Weights;
import dev.strider.runtime.optim.Adam;
import dev.strider.runtime.optim.LearningRateSchedule;
import dev.strider.runtime.optim.Optimizer;
import dev.strider.runtime.optim.Sgd;
import dev.strider.runtime.train.EpochResult;
import dev.strider.runtime.train.Trainer;
import dev.strider.tests.engine.nets.GcBatchNormEngine;
import dev.strider.tests.engine.nets.GcDropoutEngine;
import dev.strider.tests.reference.nets.LeNet5Engine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The thread-safety contract of generated engines, tested.
 *
 * <p><b>Contract.</b> An engine is not thread-safe: every call, {@code forward} included, writes the engine's own
 * activation, gradient and scratch buffers, and the engine also holds its mode, its dropout random stream, the input
 * of its last forward pass and its optimizer. Use one engine per thread (or guard a shared engine with a lock).
 * Engines share nothing mutable but the runtime's worker threads, which a call uses when they are free and does without
 * when another engine's call holds them, with the same results either way (the work is split by the batch and the
 * thread count, never by which threads are free): any number of engines, of one network or of several, may run at
 * the same time on different threads, and each computes bit for bit what it computes alone. Weights are shared read-only through their source: save them once and
 * {@link Weights#load} the file into each thread's engine (loads of one file may run concurrently), or copy one
 * engine's parameters into the others before starting the threads. Inference in evaluation mode (the default) reads
 * the weights and writes none; training mode also updates the batch-norm running statistics. Give each engine its
 * own {@link Optimizer} (an optimizer binds to the first engine it steps), and do not let a thread change arrays
 * that another thread's engine is using ({@link Parameter#data()}, an input being read).
 *
 * <p>The tests: {@value #THREADS} threads, started together behind a barrier, run inference on their own engines
 * loaded from one weights file, each cycling through the same inputs in a different order, and must reproduce the
 * single-threaded outputs and input gradients bit for bit (as {@link Float#floatToIntBits} compares them); and
 * engines trained in parallel from the same seed (dropout, batch normalisation, Adam, SGD with momentum and Nesterov)
 * must end with the weights, running statistics and losses of the same training run alone, bit for bit.
 */
@Timeout(120)
class EngineThreadSafetyTest {
    @TempDir
    Path dir;

    private static final int THREADS = 8;
    private static final int BATCHES = 24;
    private static final int ROUNDS = 6;

    /** One batch of inputs and labels, of {@code n} images. */
    private record Batch(float[] input, int[] labels, int n) {}

    /** What a thread saw: the outputs and input gradients of every batch, in batch order. */
    private record Results(List<float[]> outputs, List<float[]> inputGradients) {}

    private static float[] gaussian(int n, Random r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    private static List<Batch> batches(Engine e, long seed) {
        Random r = new Random(seed);
        List<Batch> batches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            int n = 1 + b % e.maxBatch(); // every batch size from 1 to maxBatch
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = r.nextInt(e.outputSize());
            }
            batches.add(new Batch(gaussian(n * e.inputSize(), r), labels, n));
        }
        return batches;
    }

    /**
     * Runs every batch through {@code e}, {@link #ROUNDS} times, starting at batch {@code first}: forward, then
     * the loss's gradients with respect to the input. Returns the last round's results, in batch order, after
     * checking that every round gave the same bits.
     */
    private static Results infer(Engine e, List<Batch> batches, int first) {
        float[][] outputs = new float[BATCHES][];
        float[][] gradients = new float[BATCHES][];
        for (int round = 0; round < ROUNDS; round++) {
            for (int k = 0; k < BATCHES; k++) {
                int b = (first + k) % BATCHES;
                Batch batch = batches.get(b);
                float[] out = new float[batch.n * e.outputSize()];
                e.forward(batch.input, batch.n, out);
                float[] grad = new float[batch.n * e.inputSize()];
                e.gradients(batch.input, batch.labels, batch.n, grad);
                if (round > 0) {
                    assertArrayEquals(outputs[b], out, "batch " + b + " changed between rounds");
                    assertArrayEquals(gradients[b], grad, "batch " + b + " changed between rounds");
                }
                outputs[b] = out;
                gradients[b] = grad;
            }
        }
        return new Results(List.of(outputs), List.of(gradients));
    }

    /**
     * Prepares {@code task} on each of {@value #THREADS} threads, releases them together to do the work, and returns
     * what each one's work returned.
     */
    private static <T> List<T> onThreads(Task<T> task) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    Callable<T> work = task.prepare(thread);
                    start.await(30, TimeUnit.SECONDS);
                    return work.call();
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(100, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** What one thread does: prepares (say, loads its engine), then returns the work to run once all are ready. */
    @FunctionalInterface
    private interface Task<T> {
        Callable<T> prepare(int thread) throws Exception;
    }

    @Test
    void enginesOfOneWeightsFileInferOnManyThreadsExactlyAsOnOne() throws Exception {
        LeNet5Engine master = new LeNet5Engine();
        master.initialize(11);
        Path weights = dir.resolve("lenet5.safetensors");
        Weights.save(master, weights);
        List<Batch> batches = batches(master, 12);
        Results alone = infer(master, batches, 0);

        List<Results> parallel = onThreads(thread -> {
            LeNet5Engine engine = new LeNet5Engine();
            Weights.load(engine, weights);
            return () -> infer(engine, batches, thread * BATCHES / THREADS);
        });
        for (int t = 0; t < THREADS; t++) {
            for (int b = 0; b < BATCHES; b++) {
                assertArrayEquals(alone.outputs.get(b), parallel.get(t).outputs.get(b), "thread " + t + ", batch " + b + ": output");
                assertArrayEquals(alone.inputGradients.get(b), parallel.get(t).inputGradients.get(b),
                        "thread " + t + ", batch " + b + ": input gradient");
            }
        }
    }

    /** A network, its optimizer and its training data: everything a training run starts from. */
    private record Run(String name, Supplier<GeneratedEngine> engine, Supplier<Optimizer> optimizer,
            Dataset data, int batchSize) {

        /** Trains a new engine from seed 3 for two epochs; returns every parameter and buffer value, then the losses. */
        float[] train() {
            GeneratedEngine e = engine.get();
            e.initialize(3);
            e.setOptimizer(optimizer.get());
            List<EpochResult> epochs = new Trainer(e, batchSize, 3, LearningRateSchedule.constant()).train(data, null, 2);
            List<Parameter> state = new ArrayList<>(e.parameters());
            state.addAll(e.buffers());
            float[] all = new float[state.stream().mapToInt(Parameter::size).sum() + epochs.size()];
            int at = 0;
            for (Parameter p : state) {
                System.arraycopy(p.data(), 0, all, at, p.size());
                at += p.size();
            }
            for (EpochResult r : epochs) {
                all[at++] = (float) r.trainLoss();
            }
            return all;
        }
    }

    private static Dataset data(int n, int channels, int height, int width, long seed) {
        Random r = new Random(seed);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(3);
        }
        return new Dataset(gaussian(n * channels * height * width, r), labels, channels, height, width, 3);
    }

    @Test
    void trainingInParallelFromOneSeedGivesTheWeightsOfTrainingAlone() throws Exception {
        List<Run> runs = List.of(
                new Run("GcDropout with Adam", GcDropoutEngine::new, () -> Adam.builder().learningRate(0.01f).build(),
                        data(2003, 6, 1, 1, 5), 4),
                new Run("GcBatchNorm with SGD", GcBatchNormEngine::new, () -> Sgd.builder(0.05f).momentum(0.9f).build(),
                        data(1002, 2, 4, 4, 6), 4),
                new Run("LeNet5 with Nesterov SGD", LeNet5Engine::new, () -> Sgd.builder(0.01f).momentum(0.9f).nesterov(true).build(),
                        data(61, 1, 28, 28, 7), 8));
        List<float[]> alone = new ArrayList<>();
        for (Run run : runs) {
            alone.add(run.train());
        }
        List<float[]> parallel = onThreads(thread -> runs.get(thread % runs.size())::train);
        for (int t = 0; t < THREADS; t++) {
            int r = t % runs.size();
            assertEquals(alone.get(r).length, parallel.get(t).length);
            assertTrue(Arrays.equals(alone.get(r), parallel.get(t)),
                    "thread " + t + " (" + runs.get(r).name + "): weights, running statistics and losses differ from training alone");
        }
    }
}
