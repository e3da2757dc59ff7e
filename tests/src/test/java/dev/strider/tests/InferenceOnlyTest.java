package dev.strider.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.strider.runtime.engine.Engine;
import dev.strider.runtime.engine.Kernels;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.optim.Sgd;
import dev.strider.runtime.report.NetworkReport;
import dev.strider.tests.fuzz.GeneratedClasses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inference-only engines ({@code @Network(inferenceOnly = true)}): every test network of the engine and reference
 * suites (every kind of layer: branches, sums, concatenation, aliases, batch norm, dropout, LRN, padded, grouped,
 * dilated and transposed convolutions, every pool, resampling, softmax) is compiled again with {@code inferenceOnly}
 * set, and the engine, whose layer outputs live in the arrays of the static memory plan, must give the same bits as
 * the engine that trains (built with the test sources) on the same weights: at batch 1, on a batch split among the
 * worker threads (odd, so the threads' shares differ), on one of 20 (the dense layers at the end of a network run on
 * groups of up to 8 images: two whole groups and a part, or groups of a thread's share), and again on a second
 * call (the shared arrays hold the last call's values). Training calls throw and change nothing. The plan's sizes
 * for LeNet-5 are derived by hand below.
 */
class InferenceOnlyTest {
    private static final List<Path> SOURCES = List.of(Path.of("src/test/java/dev/strider/tests/engine/nets"),
            Path.of("src/test/java/dev/strider/tests/reference/nets"));
    private static Compilation compilation;
    private static GeneratedClasses classes;
    private static final List<String> NETWORKS = new ArrayList<>();

    @BeforeAll
    static void compileInferenceOnly() throws IOException {
        List<JavaFileObject> files = new ArrayList<>();
        for (Path dir : SOURCES) {
            try (Stream<Path> list = Files.list(dir)) {
                for (Path f : list.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    String text = Files.readString(f);
                    if (!text.contains("@Network(")) {
                        continue;
                    }
                    String pkg = text.substring(text.indexOf("package ") + 8, text.indexOf(';', text.indexOf("package ")));
                    String name = pkg + "." + f.getFileName().toString().replace(".java", "");
                    files.add(JavaFileObjects.forSourceString(name, text.replace("@Network(", "@Network(inferenceOnly = true, ")));
                    NETWORKS.add(name);
                }
            }
        }
        assertTrue(NETWORKS.size() >= 50, "test networks found: " + NETWORKS);
        compilation = Compilers.compileWith(List.of("-Astrider.summary=true"), files.toArray(JavaFileObject[]::new));
        assertEquals(Compilation.Status.SUCCESS, compilation.status(), () -> Compilers.describe(compilation));
        classes = new GeneratedClasses(compilation);
    }

    private static Engine trainable(String network) throws ReflectiveOperationException {
        var c = Class.forName(network + "Engine").getDeclaredConstructor();
        c.setAccessible(true);
        return (Engine) c.newInstance();
    }

    private static Engine inferenceOnly(String network) throws ReflectiveOperationException {
        return (Engine) classes.instantiate(network + "Engine");
    }

    /** Random weights, and running statistics that are not the identity (variances positive), the same in both engines. */
    private static void sameWeights(Engine from, Engine to, long seed) {
        Random r = new Random(seed);
        List<Parameter> all = new ArrayList<>(from.parameters());
        all.addAll(from.buffers());
        for (Parameter p : all) {
            float[] d = p.data();
            for (int i = 0; i < d.length; i++) {
                float v = (float) r.nextGaussian() * 0.3f;
                d[i] = p.name().endsWith("running_var") ? 0.5f + Math.abs(v) : v;
            }
            System.arraycopy(d, 0, to.parameter(p.name()).data(), 0, d.length);
        }
    }

    private static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + ": value " + i + " is " + actual[i] + " inference-only, " + expected[i] + " in the engine that trains");
            }
        }
    }

    @Test
    void everyNetworkGivesTheBitsOfTheEngineThatTrains() throws ReflectiveOperationException {
        assertTrue(Kernels.threads() >= 1);
        for (String network : NETWORKS) {
            Engine train = trainable(network);
            Engine infer = inferenceOnly(network);
            assertFalse(train.inferenceOnly(), network);
            assertTrue(infer.inferenceOnly(), network);
            sameWeights(train, infer, network.hashCode());
            int in = train.inputSize();
            int out = train.outputSize();
            for (int batch : new int[] {1, Math.min(7, train.maxBatch()), Math.min(20, train.maxBatch())}) {
                for (int round = 0; round < 2; round++) {
                    float[] x = new float[batch * in];
                    Random r = new Random(31L * batch + round);
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    String what = network + " batch " + batch + " round " + round;
                    assertSameBits(train.forward(x, batch), infer.forward(x, batch), what);
                    float[] last = new float[batch * out];
                    infer.lastOutput(last, batch);
                    float[] trainLast = new float[batch * out];
                    train.lastOutput(trainLast, batch);
                    assertSameBits(trainLast, last, what + " lastOutput");
                }
            }
        }
    }

    /**
     * Which networks run their last layers on groups of images (the bits are checked above): LeNet-5's dense layers
     * after s4, whose output is copied into its slot of the group; GcDropout, dense layers from the input on (the
     * group holds copies of the input); GcGraph's head only (the dense layers before the concatenation read other
     * branches and run image by image); not GcAliasLastMse, whose last layers are no dense layer.
     */
    @Test
    void theDenseLayersAtTheEndOfANetworkRunOnGroupsOfImages() {
        String lenet = Compilers.generatedSource(compilation, "dev.strider.tests.reference.nets.LeNet5Engine");
        assertTrue(lenet.contains("s4Forward(0, 1, lane);\n"), lenet);
        assertTrue(lenet.contains("System.arraycopy(planned[5], 0, planned[6], (n - from) * 400, 400);"), lenet);
        assertTrue(lenet.contains("f5Forward(0, to - from, lane);\n        f6Forward(0, to - from, lane);\n"
                + "        outputForward(0, to - from, lane);\n"), lenet);
        assertTrue(lenet.contains("protected int forwardGroup() {\n        return 8;"), lenet);
        String mlp = Compilers.generatedSource(compilation, "dev.strider.tests.engine.nets.GcDropoutEngine");
        assertTrue(mlp.contains("inputRefGroup: 24 floats, steps -1 to 0"), mlp);   // 4 images of 6 values
        assertTrue(mlp.contains("fc1Forward(0, to - from, lane);"), mlp);
        assertTrue(mlp.contains("protected int forwardGroup() {\n        return 4;"), mlp);
        String graph = Compilers.generatedSource(compilation, "dev.strider.tests.engine.nets.GcGraphEngine");
        assertTrue(graph.contains("fcForward(0, 1, lane);") && graph.contains("sideForward(0, 1, lane);"), graph);
        assertTrue(graph.contains("joinedOutGroup: 56 floats"), graph);   // 4 images of 14 values
        assertTrue(graph.contains("headForward(0, to - from, lane);"), graph);
        String alias = Compilers.generatedSource(compilation, "dev.strider.tests.engine.nets.GcAliasLastMseEngine");
        assertFalse(alias.contains("forwardGroup"), alias);
        assertFalse(alias.contains("to - from, lane)"), alias);
    }

    /**
     * A tail whose input is an alias (a flatten) of a buffer written earlier, with a dense layer between them that reads
     * the network's input: the tail is the last dense layer alone, reading the alias. Its group is filled from the
     * aliased buffer; a batch gives the bits of the same images one at a time.
     */
    @Test
    void aTailAfterAnAliasReadsTheAliasedBuffer() throws Exception {
        JavaFileObject source = JavaFileObjects.forSourceString("test.TailAfterAlias", """
                package test;

                import dev.strider.dsl.*;

                @Network(maxBatch = 5, inferenceOnly = true)
                @Input(channels = 2, height = 3, width = 3)
                public abstract class TailAfterAlias {
                    @Conv(filters = 2, kernel = 1, activation = Activation.TANH) Layer c;
                    @SuppressWarnings("strider:unused-output")
                    @Dense(units = 3) @From("input") Layer side;
                    @Flatten @From("c") Layer flat;
                    @Dense(units = 4) Layer head;
                }
                """);
        Compilation c = Compilers.compileWith(List.of(), source);
        assertEquals(Compilation.Status.SUCCESS, c.status(), () -> Compilers.describe(c));
        String engine = Compilers.generatedSource(c, "test.TailAfterAliasEngine");
        assertTrue(engine.contains("headForward(0, to - from, lane);"), engine);
        assertTrue(engine.contains("sideForward(0, 1, lane);"), engine);
        assertTrue(engine.contains("cOutGroup: 90 floats"), engine);   // 5 images of 2 x 3 x 3
        Engine e = (Engine) new GeneratedClasses(c).instantiate("test.TailAfterAliasEngine");
        e.initialize(7);
        int batch = 5;
        float[] x = new float[batch * e.inputSize()];
        Random r = new Random(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] all = e.forward(x, batch);
        for (int n = 0; n < batch; n++) {
            float[] one = e.forward(java.util.Arrays.copyOfRange(x, n * e.inputSize(), (n + 1) * e.inputSize()), 1);
            assertSameBits(java.util.Arrays.copyOfRange(all, n * e.outputSize(), (n + 1) * e.outputSize()), one, "image " + n);
        }
    }

    @Test
    void trainingCallsThrowAndChangeNothing() throws ReflectiveOperationException {
        Engine e = inferenceOnly("dev.strider.tests.engine.nets.GcBatchNorm");
        e.initialize(3);
        int batch = Math.min(4, e.maxBatch());
        float[] x = new float[batch * e.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        float[] before = e.forward(x, batch);
        float[] weights = e.parameters().get(0).data().clone();
        int[] labels = new int[batch];
        e.setOptimizer(Sgd.builder(0.1f).build());
        List<Runnable> calls = List.of(
                () -> e.trainStep(x, labels, batch),
                () -> e.gradients(x, labels, batch, null),
                () -> e.backward(new float[batch * e.outputSize()], batch, null),
                () -> e.setTraining(true));
        for (Runnable call : calls) {
            IllegalStateException t = assertThrows(IllegalStateException.class, call::run);
            assertTrue(t.getMessage().contains("GcBatchNorm is declared @Network(inferenceOnly = true)"), t.getMessage());
            assertTrue(t.getMessage().contains("declare the network without inferenceOnly to train it"), t.getMessage());
        }
        assertFalse(e.isTraining());
        assertArrayEquals(weights, e.parameters().get(0).data());
        assertArrayEquals(before, e.forward(x, batch));
        e.setTraining(false);   // allowed: it is already so
        for (Parameter p : e.parameters()) {
            assertNull(p.grad(), p.name() + " has no gradient in an inference-only engine");
        }
    }

    /**
     * LeNet-5 (maxBatch 8) by hand. Per image: input 784 floats; c1's source, its input zero-padded to 32 x 32 (rows
     * read: (28 - 1) * 1 + (5 - 1) + 1 = 32), 1,024; c1 output 4,704 (6x28x28); s2 1,176; c3 reads s2's output in
     * place (stride 1, no padding): no source; c3 1,600; s4 400; f5 120; f6 84; output 10. Steps 0..6; each buffer
     * lives from its writer to its last reader (c1Source during step 0), the output to after the last step.
     * The tail f5, f6, output (dense layers) runs on groups of min(8, maxBatch) = 8 images: s4's output is copied into
     * the group buffer s4OutGroup (8 x 400 = 3,200), which lives from before the first step to its reader f5 [-1,4],
     * so s4Out itself lives during step 3 only; f5Out 8 x 120 = 960, f6Out 8 x 84 = 672, output 8 x 10 = 80.
     * Largest first: c1Out [0,1] opens array A (4,704); s4OutGroup [-1,4] overlaps it: array B (3,200); c3Out [2,3]
     * fits A; s2Out [1,2] overlaps c1Out and the group: array C (1,176); c1Source [0,0] fits C; f5Out [4,5] fits A;
     * the input [-1,0] overlaps c1Out, the group and c1Source: array D (784); f6Out [5,6] overlaps f5Out, fits B
     * (the group's last reader is step 4); s4Out [3,3] overlaps c3Out and the group, fits C; output [6,7] fits A.
     * So 10 buffers in 4 arrays, 4,704 + 3,200 + 1,176 + 784 = 9,864 floats = 39,456 bytes per thread; unplanned
     * (every layer output its own array at max batch, every padded input its own, no groups):
     * 8 x (4,704 + 1,176 + 1,600 + 400 + 120 + 84 + 10) + 1,024 = 65,776 floats.
     */
    @Test
    void leNet5PlanIsInTheSummaryAndTheReport() {
        String net = "dev.strider.tests.reference.nets.LeNet5";
        NetworkReport r = Compilers.report(compilation, net);
        assertTrue(r.memory().inferenceOnly());
        assertEquals(39_456, r.memory().plannedBytesPerThread());
        assertEquals(4L * 65_776, r.memory().unplannedForwardBytes());
        // weights 61,706 floats, no gradients; the batch output 8 x 10; one thread's planned arrays
        assertEquals(4L * 61_706 + 4L * 8 * 10 + 39_456, r.memory().engineBytes());
        List<String> summaries = Compilers.messages(compilation, Diagnostic.Kind.NOTE, "Strider summary of LeNet5:");
        assertEquals(1, summaries.size());
        String s = summaries.get(0);
        assertTrue(s.contains("Memory plan: 38.5 KiB per thread, the forward pass's 10 buffers in 4 arrays, against 256.9 KiB unplanned"), s);
        assertTrue(s.contains("Engine: 279.9 KiB allocated at max batch 8, inference-only (weights 241.0 KiB, batch output 320 B, "
                + "planned arrays 38.5 KiB per thread)"), s);
        assertFalse(s.contains("Optimizer state"), s);
    }
}
