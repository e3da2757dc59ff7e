package dev.strider.tests.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.tests.Agreement;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CUDA kernels, run on the CPU by a small emulator (g++ with {@code strider_emulator.h}), against the
 * Java engine on the same weights and inputs: every buffer both engines have (each layer's output and output
 * gradient, parameter gradients, max-pool switches, batch-norm statistics and running statistics, the input
 * gradient, the loss), forward and backward, in training and in evaluation mode, for every network of the PyTorch
 * reference suite (each layer kind and LeNet-5) and dropout.
 *
 * <p>What the emulator does not cover: real launches with many threads per block and many blocks (the kernels are
 * grid-stride loops with one thread per output and no shared memory, atomics or synchronisation, so the order of
 * threads cannot change a result; the GPU suite checks it on a device), and nvcc's fused multiply-adds (last-bit
 * differences, inside the tolerance).
 *
 * <p>Tolerance as in the PyTorch reference test: {@code |cuda - java| <= 1e-4 * |java| + 1e-5 * max|buffer| + 1e-6}
 * (the two sum in different orders; values that are zero in exact arithmetic are float noise in both). Max-pool
 * switches must agree exactly.
 */
class CudaEmulationTest {
    private static final String PACKAGE = "dev.strider.tests.reference.nets.";

    @TempDir
    static Path dir;

    private static final Map<String, Path> EMULATORS = new HashMap<>();

    static Stream<Arguments> networks() {
        List<String> names = List.of("AvgPoolCeil", "AvgPoolNoPadCount", "AvgPoolPad", "BatchNorm1d", "BatchNorm2d", "ConvBasic",
                "ConvDilation", "ConvFusedLeakyRelu", "ConvGroups", "ConvNoBiasRelu", "ConvSame", "ConvStridePad",
                "DenseFusedSoftmaxMse", "DenseFusedTanhSigmoid", "DenseSpatial", "GlobalAvgPoolNet", "LeNet5", "LeakyReluNet",
                "MaxPoolCeil", "MaxPoolNet", "MseDense", "ReluNet", "SigmoidNet", "SoftmaxMse", "TanhNet", "Residual", "Branches", "Relu6Net", "LrnNet", "ConvTransposeNet", "ResampleNet", "L2PoolNet");
        List<Arguments> cases = new ArrayList<>();
        for (String n : names) {
            cases.add(Arguments.of(PACKAGE + n, true, true));
            cases.add(Arguments.of(PACKAGE + n, false, true));
            cases.add(Arguments.of(PACKAGE + n, true, false));   // as trainStep runs: no input gradient
        }
        cases.add(Arguments.of("dev.strider.tests.engine.nets.GcDropout", true, true));
        cases.add(Arguments.of("dev.strider.tests.engine.nets.GcBatchNorm", true, true));
        cases.add(Arguments.of("dev.strider.tests.engine.nets.GcBatchNorm", true, false));
        cases.add(Arguments.of("dev.strider.tests.engine.nets.GcSoftmaxMse", true, true));
        cases.add(Arguments.of("dev.strider.tests.engine.nets.BnFirst", true, true));
        cases.add(Arguments.of("dev.strider.tests.engine.nets.BnFirst", true, false));
        cases.add(Arguments.of("dev.strider.tests.engine.nets.GcGraph", true, true));
        cases.add(Arguments.of("dev.strider.tests.engine.nets.GcGraph", true, false));
        cases.add(Arguments.of("dev.strider.tests.gpu.nets.GpuTiles", true, true));
        cases.add(Arguments.of("dev.strider.tests.gpu.nets.GpuTiles", false, false));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, training {1}, input gradient {2}")
    @MethodSource("networks")
    void emulatedKernelsAgreeWithTheJavaEngine(String network, boolean training, boolean wantInputGrad) throws Exception {
        Path cu = Emulator.cudaSource(dir, network);
        Table table = Table.parse(Files.readString(cu));
        Path emulator = EMULATORS.computeIfAbsent(network, n -> Emulator.compile(cu, "emulator_main.cpp"));

        GeneratedEngine engine = (GeneratedEngine) Class.forName(network + "Engine").getDeclaredConstructor().newInstance();
        engine.initialize(7);
        int batch = Math.min(3, engine.maxBatch());
        Random rnd = new Random(11);
        float[] input = new float[batch * engine.inputSize()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rnd.nextGaussian();
        }
        int[] labels = new int[batch];
        float[] targets = new float[batch * engine.outputSize()];
        for (int n = 0; n < batch; n++) {
            labels[n] = rnd.nextInt(engine.outputSize());
        }
        for (int i = 0; i < targets.length; i++) {
            targets[i] = rnd.nextFloat();
        }
        boolean mse = table.names.contains("targets");
        Map<String, Object> before = fields(engine, table);
        engine.setTraining(training);
        float[] inputGrad = wantInputGrad ? new float[input.length] : null;
        float loss = mse ? engine.gradients(input, targets, batch, inputGrad) : engine.gradients(input, labels, batch, inputGrad);
        Map<String, Object> after = fields(engine, table);

        // the emulator starts from the Java engine's state before the call, with the dropout masks it drew
        List<Object> in = new ArrayList<>();
        for (String name : table.names) {
            in.add(switch (name) {
                case "input" -> input;
                case "labels" -> labels;
                case "targets" -> targets;
                case "inputGrad", "lossPerImage" -> new float[0];
                // the GPU engine's own scratch (batch means, partial weight gradients) starts zeroed, as on a device
                default -> name.endsWith("Mask") ? after.get(name) : before.getOrDefault(name, new float[0]);
            });
        }
        List<Object> out = run(emulator, batch, training, wantInputGrad, in, table);

        for (int i = 0; i < table.names.size(); i++) {
            String name = table.names.get(i);
            Object cuda = out.get(i);
            Object java = switch (name) {
                case "input", "labels", "targets" -> null;
                case "inputGrad" -> inputGrad;
                case "lossPerImage" -> null;
                default -> after.get(name);
            };
            // the C host schedule runs every backward kernel; without an input gradient the Java engine's backward
            // plan skips the layers with nothing trainable at or before them, and the scratch of the input's gradient,
            // and leaves those buffers as they were (the Java engine's max-pool switches, too: its backward pass
            // computes them, its forward pass writes only the maxima)
            boolean skippable = !wantInputGrad || engine.backwardSignature().contains("-");
            if (java instanceof float[] && skippable && Arrays.equals((float[]) before.get(name), (float[]) java)) {
                continue;
            }
            if (java instanceof int[] && skippable && Arrays.equals((int[]) before.get(name), (int[]) java)) {
                continue;
            }
            if (java instanceof int[] ints) {
                assertArrayEquals(pad(ints, ((int[]) cuda).length), (int[]) cuda, network + ": " + name);
            } else if (java instanceof float[] floats) {
                assertClose(pad(floats, ((float[]) cuda).length), (float[]) cuda, network + ": " + name);
            }
        }
        float[] perImage = (float[]) out.get(table.names.indexOf("lossPerImage"));
        double total = 0;
        for (int n = 0; n < batch; n++) {
            total += perImage[n];
        }
        double cudaLoss = mse ? total / (batch * engine.outputSize()) : total / batch;
        assertEquals(loss, cudaLoss, 1e-4 * Math.abs(loss) + 1e-6, network + ": loss");
    }

    private static void assertClose(float[] java, float[] cuda, String what) {
        Agreement.assertAgree(what, "java", java, "cuda", cuda);
    }

    private static float[] pad(float[] a, int length) {
        return a.length == length ? a : java.util.Arrays.copyOf(a, length);
    }

    private static int[] pad(int[] a, int length) {
        return a.length == length ? a : java.util.Arrays.copyOf(a, length);
    }

    /** Copies of the Java engine's arrays named like the CUDA buffers. */
    private static Map<String, Object> fields(GeneratedEngine engine, Table table) throws IllegalAccessException {
        Map<String, Object> values = new HashMap<>();
        for (String name : table.names) {
            try {
                Field f = engine.getClass().getDeclaredField(name);
                f.setAccessible(true);
                Object v = f.get(engine);
                values.put(name, v instanceof float[] fl ? fl.clone() : ((int[]) v).clone());
            } catch (NoSuchFieldException e) {
                // input, labels, targets, inputGrad, lossPerImage: the caller's arrays in the Java engine
            }
        }
        return values;
    }

    private static List<Object> run(Path emulator, int batch, boolean training, boolean wantInputGrad, List<Object> buffers, Table table)
            throws IOException {
        Path in = Files.createTempFile(dir, "in", ".bin");
        Path out = Files.createTempFile(dir, "out", ".bin");
        int bytes = 16;
        for (Object b : buffers) {
            bytes += 8 + 4 * (b instanceof float[] f ? f.length : ((int[]) b).length);
        }
        ByteBuffer buf = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(batch).putInt(training ? 1 : 0).putInt(wantInputGrad ? 1 : 0).putInt(1);
        for (Object b : buffers) {
            if (b instanceof float[] f) {
                buf.putLong(f.length);
                for (float v : f) {
                    buf.putFloat(v);
                }
            } else {
                int[] ints = (int[]) b;
                buf.putLong(ints.length);
                for (int v : ints) {
                    buf.putInt(v);
                }
            }
        }
        Files.write(in, buf.array());
        Emulator.run(emulator, in, out);
        ByteBuffer r = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        r.position(16);
        List<Object> result = new ArrayList<>();
        for (int i = 0; i < table.names.size(); i++) {
            int count = (int) r.getLong();
            assertEquals(table.lengths.get(i).intValue(), count, table.names.get(i));
            if (table.isInt.get(i)) {
                int[] v = new int[count];
                r.asIntBuffer().get(v);
                result.add(v);
            } else {
                float[] v = new float[count];
                r.asFloatBuffer().get(v);
                result.add(v);
            }
            r.position(r.position() + 4 * count);
        }
        return result;
    }

    /** The buffer table of a generated .cu file: names, lengths, element types. */
    record Table(List<String> names, List<Long> lengths, List<Boolean> isInt) {
        static Table parse(String cu) {
            List<String> names = new ArrayList<>();
            for (String s : list(cu, "names")) {
                names.add(s.substring(1, s.length() - 1));
            }
            List<Long> lengths = list(cu, "lengths").stream().map(s -> Long.parseLong(s.substring(0, s.length() - 1))).toList();
            List<Boolean> isInt = list(cu, "isInt").stream().map(s -> s.equals("1")).toList();
            return new Table(names, lengths, isInt);
        }

        private static List<String> list(String cu, String array) {
            int at = cu.indexOf(" " + array + "[] = {");
            assertTrue(at >= 0, "no table " + array);
            int start = cu.indexOf('{', at) + 1;
            return List.of(cu.substring(start, cu.indexOf('}', start)).split(", "));
        }
    }
}
