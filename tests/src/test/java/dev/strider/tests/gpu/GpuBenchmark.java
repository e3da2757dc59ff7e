package dev.strider.tests.gpu;

import dev.strider.runtime.cuda.CudaEngine;
import dev.strider.runtime.cuda.Device;
import dev.strider.runtime.cuda.JCudaDevice;
import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.optim.Sgd;
import dev.strider.samples.ResNet18CudaEngine;
import dev.strider.samples.ResNet18Engine;
import dev.strider.tests.gpu.nets.LeNet5BenchCudaEngine;
import dev.strider.tests.gpu.nets.LeNet5BenchEngine;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * LeNet-5 on the GPU engine and on the Java engine in one run: inference latency at batch 1, inference throughput
 * at batch 256, training throughput at batch 64 (SGD with momentum). Each figure is the median of 7 timed rounds
 * after a warm-up; the spread (lowest and highest round) is printed too. {@code scripts/gpu_bench_pytorch.py} prints
 * the same figures for PyTorch (cuDNN) in the same format; {@code gpu-bundle/run --bench} runs both. On a real GPU it
 * also measures the ResNet-18 sample's inference latency at batch 1 (224 x 224), GPU and Java engines (not over the
 * CPU emulator, where one image takes seconds).
 *
 * <p>A plain timing harness rather than JMH: it runs from the Java-free GPU bundle, and each round is long (tens of
 * milliseconds and more), so JMH's protection against dead code and timer granularity matters little here.
 */
public final class GpuBenchmark {
    private static final int ROUNDS = 7;

    private GpuBenchmark() {}

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 0.5;
        System.out.println("# Strider LeNet-5 benchmark, " + ROUNDS + " rounds of about " + seconds + " s each; median [min, max]");
        Device device = GpuTestDevices.open();
        try (CudaEngine gpu = new LeNet5BenchCudaEngine(device)) {
            System.out.println("# GPU engine: " + gpu.device());
            run("strider-gpu", gpu, seconds);
        }
        run("strider-java", new LeNet5BenchEngine(), seconds);
        if (GpuTestDevices.real()) {
            // the same GPU engine launching kernel by kernel instead of replaying CUDA graphs: what the graphs save
            System.setProperty(JCudaDevice.GRAPHS_PROPERTY, "false");
            try (CudaEngine gpu = new LeNet5BenchCudaEngine(GpuTestDevices.open())) {
                run("strider-gpu-no-graphs", gpu, seconds);
            }
            System.clearProperty(JCudaDevice.GRAPHS_PROPERTY);
            try (CudaEngine gpu = new ResNet18CudaEngine(GpuTestDevices.open())) {
                resnet18("strider-gpu", gpu, seconds);
            }
            resnet18("strider-java", new ResNet18Engine(), seconds);
        }
    }

    private static void resnet18(String name, Engine e, double seconds) {
        e.initialize(1);
        Random rnd = new Random(3);
        float[] input = new float[e.inputSize()];
        for (int i = 0; i < input.length; i++) {
            input[i] = rnd.nextFloat();
        }
        float[] out = new float[e.outputSize()];
        report(name, "resnet18_batch1_latency_us", rounds(seconds, 1, () -> e.forward(input, 1, out)), true);
    }

    private static void run(String name, Engine e, double seconds) {
        e.initialize(1);
        Random rnd = new Random(3);
        float[] input = new float[256 * e.inputSize()];
        for (int i = 0; i < input.length; i++) {
            input[i] = rnd.nextFloat();
        }
        int[] labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = rnd.nextInt(10);
        }
        float[] out1 = new float[e.outputSize()];
        float[] out256 = new float[256 * e.outputSize()];
        report(name, "inference_batch1_latency_us", rounds(seconds, 1, () -> e.forward(input, 1, out1)), true);
        report(name, "inference_batch256_images_per_s", rounds(seconds, 256, () -> e.forward(input, 256, out256)), false);
        e.setOptimizer(Sgd.builder(0.01f).momentum(0.9f).build());
        report(name, "training_batch64_images_per_s", rounds(seconds, 64, () -> e.trainStep(input, labels, 64)), false);
    }

    /** Seconds per call of each round (after a warm-up round). */
    private static double[] rounds(double seconds, int images, Runnable call) {
        int calls = 1;
        long start = System.nanoTime();
        while (System.nanoTime() - start < seconds * 1e9) {   // warm-up, and how many calls fill a round
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            calls *= 2;
        }
        long perRound = Math.max(1, (long) (calls / 2 / ((System.nanoTime() - start) / 1e9) * seconds));
        double[] t = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long s = System.nanoTime();
            for (long i = 0; i < perRound; i++) {
                call.run();
            }
            t[r] = (System.nanoTime() - s) / 1e9 / perRound;
        }
        Arrays.sort(t);
        return new double[] {t[ROUNDS / 2], t[0], t[ROUNDS - 1], images};
    }

    private static void report(String engine, String metric, double[] r, boolean latency) {
        double images = r[3];
        double median = latency ? r[0] * 1e6 : images / r[0];
        double low = latency ? r[1] * 1e6 : images / r[2];
        double high = latency ? r[2] * 1e6 : images / r[1];
        System.out.printf(Locale.ROOT, "%s %s %.1f [%.1f, %.1f]%n", engine, metric, median, low, high);
    }
}
