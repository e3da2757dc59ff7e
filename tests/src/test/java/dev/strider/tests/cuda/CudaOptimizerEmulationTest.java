package dev.strider.tests.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.optim.Adam;
import dev.strider.runtime.optim.Optimizer;
import dev.strider.runtime.optim.Sgd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated optimizer kernels ({@code strider_sgd}, {@code strider_adam}), emulated on the CPU for four steps,
 * against the runtime's {@link Sgd} and {@link Adam} on the same weights and gradients. They do the same float
 * operations in the same order, so the weights must agree to the last bit or two (the bias corrections go through
 * {@code pow} in C and {@code Math.pow} in Java, each within an ulp): tolerance 4 ulps of the weight's magnitude.
 */
class CudaOptimizerEmulationTest {
    private static final int N = 1000;
    private static final int STEPS = 4;

    @TempDir
    static Path dir;

    private static Path emulator;

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of("plain SGD", 0, new double[] {0.05, 0, 0, 0}),
                Arguments.of("SGD with momentum", 0, new double[] {0.05, 0.9, 0, 0}),
                Arguments.of("SGD, Nesterov, weight decay", 0, new double[] {0.01, 0.9, 1e-3, 1}),
                Arguments.of("Adam", 1, new double[] {1e-3, 0.9, 0.999, 1e-8, 0}),
                Arguments.of("Adam with weight decay", 1, new double[] {2e-3, 0.8, 0.99, 1e-6, 1e-2}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void kernelsAgreeWithTheRuntime(String name, int kind, double[] h) throws Exception {
        if (emulator == null) {
            emulator = Emulator.compile(Emulator.cudaSource(dir, "dev.strider.tests.reference.nets.ReluNet"), "optimizer_main.cpp");
        }
        SplittableRandom rnd = new SplittableRandom(kind * 31L + (long) (h[0] * 1e6));
        float[] w = new float[N];
        for (int i = 0; i < N; i++) {
            w[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        float[][] grads = new float[STEPS][N];
        for (float[] g : grads) {
            for (int i = 0; i < N; i++) {
                g[i] = (float) (rnd.nextDouble() - 0.5) * (i % 7 == 0 ? 0f : 1f);   // some exact zeros too
            }
        }

        ByteBuffer in = ByteBuffer.allocate(12 + 8 * h.length + 4 * N * (STEPS + 1)).order(ByteOrder.LITTLE_ENDIAN);
        in.putInt(kind).putInt(N).putInt(STEPS);
        for (double v : h) {
            in.putDouble(v);
        }
        for (float v : w) {
            in.putFloat(v);
        }
        for (float[] g : grads) {
            for (float v : g) {
                in.putFloat(v);
            }
        }
        Path inFile = dir.resolve(name.replace(' ', '_') + ".in");
        Path outFile = dir.resolve(name.replace(' ', '_') + ".out");
        Files.write(inFile, in.array());
        Emulator.run(emulator, inFile, outFile);
        float[] cuda = new float[N];
        ByteBuffer.wrap(Files.readAllBytes(outFile)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(cuda);

        Optimizer o = kind == 0
                ? Sgd.builder((float) h[0]).momentum((float) h[1]).weightDecay((float) h[2]).nesterov(h[3] != 0).build()
                : Adam.builder().learningRate((float) h[0]).betas(h[1], h[2]).eps(h[3]).weightDecay((float) h[4]).build();
        float[] grad = new float[N];
        Parameter p = new Parameter("w", new int[] {N}, w, grad);
        for (float[] g : grads) {
            System.arraycopy(g, 0, grad, 0, N);
            o.step(List.of(p));
        }
        for (int i = 0; i < N; i++) {
            assertEquals(w[i], cuda[i], 4 * Math.ulp(Math.abs(w[i])) + 1e-12, name + ": w[" + i + "]");
        }
    }
}
