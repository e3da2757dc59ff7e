package dev.strider.tests.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.io.Weights;
import dev.strider.runtime.onnx.ImportedNetwork;
import dev.strider.runtime.onnx.OnnxImport;
import dev.strider.runtime.onnx.OnnxImportException;
import dev.strider.runtime.onnx.proto.Onnx.AttributeProto;
import dev.strider.runtime.onnx.proto.Onnx.GraphProto;
import dev.strider.runtime.onnx.proto.Onnx.ModelProto;
import dev.strider.runtime.onnx.proto.Onnx.NodeProto;
import dev.strider.runtime.onnx.proto.Onnx.OperatorSetIdProto;
import dev.strider.runtime.onnx.proto.Onnx.TensorProto;
import dev.strider.runtime.onnx.proto.Onnx.TensorShapeProto;
import dev.strider.runtime.onnx.proto.Onnx.TypeProto;
import dev.strider.runtime.onnx.proto.Onnx.ValueInfoProto;
import dev.strider.samples.cli.StriderCli;
import dev.strider.tests.Agreement;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX import, end to end: a model becomes a declaration, the declaration compiles with the Strider processor, and the
 * engine it compiles to, loaded with the imported weights, computes what the model's own runtime computes.
 *
 * <ul>
 *   <li>ResNet-18 built by torchvision 0.14 from a fixed seed (with drawn batch-norm statistics), exported by PyTorch
 *       1.13 twice (batch norm folded into the convolutions, and kept as BatchNormalization nodes): the logits of two
 *       images equal PyTorch's within {@link Agreement}'s tolerance ({@code 1e-4 |x| + 1e-5 max|x|}).</li>
 *   <li>A small model written here with the other operators the import maps (MatMul + Add, Gemm without transB,
 *       Clip, LeakyRelu, Sigmoid, LRN, average pooling with ceil rounding and uncounted padding, Concat, Reshape,
 *       Softmax), against ONNX Runtime 1.22 on the same model.</li>
 *   <li>A model with several nodes Strider cannot map: one message lists them all, by position, name and operator.</li>
 * </ul>
 */
class OnnxImportTest {
    @TempDir
    static Path dir;

    private static final int BATCH = 2;

    @BeforeAll
    static void exportResNet18WithPyTorch() throws Exception {
        Path script = dir.resolve("resnet18_to_onnx.py");
        try (InputStream in = OnnxImportTest.class.getResourceAsStream("/onnx/resnet18_to_onnx.py")) {
            Files.copy(in, script);
        }
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the export timed out");
        assertEquals(0, p.exitValue(), "the PyTorch export needs Debian's python3-torch and python3-torchvision: " + out);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18_folded", "resnet18_bn"})
    void resnet18FromPyTorchRunsAsPyTorchRunsIt(String model) throws Exception {
        String className = model.equals("resnet18_bn") ? "ImportedResNet18Bn" : "ImportedResNet18Folded";
        ImportedNetwork net = OnnxImport.read(dir.resolve(model + ".onnx"), className, BATCH);
        if (model.equals("resnet18_bn")) {
            // the layers of torchvision's module tree, one per module, and torchvision's parameter count
            assertEquals(11_689_512, net.parameters());
            assertEquals(61, net.layers().size());
            assertEquals(List.of("conv1", "bn1", "relu", "maxpool", "layer1_0_conv1"), net.layers().subList(0, 5).stream().map(ImportedNetwork.Layer::name).toList());
            assertTrue(net.javaSource("imported").contains("@Conv(filters = 128, kernel = 1, stride = 2, bias = false) @From(\"layer1_1\") Layer layer2_0_downsample_0;"),
                    net.javaSource("imported"));
        } else {
            // batch norm folded into the convolutions: their biases replace its 9,600 parameters (4,800 of them come back)
            assertEquals(11_689_512 - 9_600 + 4_800, net.parameters());
            assertEquals(32, net.layers().size());
        }
        GeneratedEngine engine = compileAndLoad(net, "imported");
        float[] input = floats(dir.resolve("input.f32"));
        float[] expected = floats(dir.resolve("logits.f32"));
        engine.setTraining(false);
        float[] actual = engine.forward(input, BATCH);
        Agreement.assertAgree(model + " logits", "PyTorch", expected, "Strider (imported)", actual);
    }

    @Test
    void theOtherOperatorsComputeWhatOnnxRuntimeComputes() throws Exception {
        ModelProto model = smallModel();
        ImportedNetwork net = OnnxImport.read(model, "small.onnx", "ImportedSmall", BATCH);
        String source = net.javaSource("imported");
        // what each node became
        assertTrue(source.contains("@Conv(filters = 6, kernel = 3, padding = 1, activation = Activation.LEAKY_RELU, slope = 0.2) Layer conv;"), source);
        assertTrue(source.contains("@AvgPool(window = 3, stride = 2, padding = 1, countPadding = false, rounding = Rounding.CEIL) Layer pool;"), source);
        assertTrue(source.contains("@LRN(size = 3, alpha = 0.001, beta = 0.5, k = 2.0) Layer lrn;"), source);
        assertTrue(source.contains("@Conv(filters = 2, kernel = 1, bias = false, activation = Activation.RELU) @From(\"pool\") Layer side;"), source);
        assertTrue(source.contains("@Concat @From({\"lrn\", \"side\"}) Layer joined;"), source);
        assertTrue(source.contains("@Dense(units = 8, activation = Activation.RELU6) Layer hidden;"), source);
        assertTrue(source.contains("@Dense(units = 5, activation = Activation.SIGMOID) Layer head;"), source);
        GeneratedEngine engine = compileAndLoad(net, "imported");

        float[] input = new float[BATCH * net.inputSize()];
        Random rnd = new Random(9);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rnd.nextGaussian();
        }
        OrtEnvironment ort = OrtEnvironment.getEnvironment();
        float[] expected;
        try (OrtSession session = ort.createSession(model.toByteArray(), new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(ort, FloatBuffer.wrap(input), new long[] {BATCH, 3, 9, 9});
             OrtSession.Result result = session.run(Map.of("x", x))) {
            FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
            expected = new float[y.remaining()];
            y.get(expected);
        }
        engine.setTraining(false);
        Agreement.assertAgree("small model", "ONNX Runtime", expected, "Strider (imported)", engine.forward(input, BATCH));
    }

    @Test
    void everyNodeStriderCannotMapIsListedInOneMessage() {
        GraphProto.Builder g = GraphProto.newBuilder().addInput(input("x", 3, 8, 8)).addOutput(output("y"));
        g.addInitializer(tensor("w", new long[] {4, 3, 3, 3}, new float[108]));
        g.addNode(node("Conv", "/stem/Conv", List.of("x", "w"), "a", ints("pads", 1, 1, 1, 1)));
        g.addNode(node("Erf", "/gelu/Erf", List.of("a"), "b"));
        g.addNode(node("Conv", "/odd/Conv", List.of("a", "w"), "c", ints("pads", 0, 0, 1, 1)));
        g.addNode(node("Concat", "/cat/Concat", List.of("a", "a"), "d", integer("axis", 3)));
        g.addNode(node("Resize", "", List.of("d"), "y"));
        ModelProto model = model(g);
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxImport.read(model, "bad.onnx", "Bad", 1));
        assertEquals("bad.onnx cannot be imported: 4 nodes Strider cannot map:\n"
                + "  node 1 \"/gelu/Erf\" (Erf): Strider has no layer for Erf\n"
                + "  node 2 \"/odd/Conv\" (Conv): asymmetric padding [0, 0, 1, 1] (top, left, bottom, right): Strider pads both sides alike\n"
                + "  node 3 \"/cat/Concat\" (Concat): a concatenation along axis 3: only the channel axis (1) is a layer\n"
                + "  node 4 (unnamed) (Resize): Strider has no layer for Resize\n"
                + "Strider maps " + String.join(", ", OnnxImport.OPERATORS) + ".", e.getMessage());
    }

    @Test
    void theCommandWritesTheDeclarationAndTheWeights() throws Exception {
        Path file = dir.resolve("tiny-net.onnx");
        Files.write(file, smallModel().toByteArray());
        Path out = dir.resolve("cli");
        String printed = cli("import", file.toString(), "--package", "com.acme", "--max-batch", "4", "-o", out.toString());
        Path source = out.resolve("com/acme/TinyNet.java");
        assertTrue(Files.readString(source).contains("@Network(maxBatch = 4, expectParams = "), Files.readString(source));
        assertTrue(Files.exists(dir.resolve("TinyNet.safetensors")), "the weights, next to the model");
        assertTrue(printed.contains("wrote " + source + ": 9 layers"), printed);

        Path bad = dir.resolve("bad.onnx");
        Files.write(bad, new byte[] {1, 2, 3});
        StringWriter err = new StringWriter();
        int code = new picocli.CommandLine(new StriderCli()).setErr(new java.io.PrintWriter(err)).execute("import", bad.toString(), "-o", out.toString());
        assertEquals(2, code);
        assertTrue(err.toString().startsWith("error: " + bad + " is not an ONNX model"), err.toString());
    }

    private static String cli(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, StriderCli.run(args), () -> "exit code; output: " + bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    // ---- compiling an imported declaration

    /** Writes {@code net}'s declaration and weights, compiles it with the Strider processor, and loads its engine with the weights. */
    private static GeneratedEngine compileAndLoad(ImportedNetwork net, String pkg) throws Exception {
        Path src = dir.resolve("src-" + net.className());
        Path classes = dir.resolve("classes-" + net.className());
        Path file = src.resolve(pkg).resolve(net.className() + ".java");
        Files.createDirectories(file.getParent());
        Files.createDirectories(classes);
        Files.writeString(file, net.javaSource(pkg));
        Path weights = dir.resolve(net.className() + ".safetensors");
        net.writeWeights(weights);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String classpath = System.getProperty("java.class.path");
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-Xlint:all,-processing", "-Astrider.nvcc=off", "-classpath", classpath,
                    "-processorpath", classpath, "-d", classes.toString());
            boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(file.toFile())).call();
            List<String> problems = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING || d.getKind() == Diagnostic.Kind.MANDATORY_WARNING) {
                    problems.add(d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
                }
            }
            assertTrue(ok && problems.isEmpty(), "the imported declaration must compile without errors or warnings:\n"
                    + String.join("\n", problems) + "\n" + net.javaSource(pkg));
        }
        URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, OnnxImportTest.class.getClassLoader());
        GeneratedEngine engine = (GeneratedEngine) loader.loadClass(pkg + "." + net.className() + "Engine").getDeclaredConstructor().newInstance();
        Weights.load(engine, weights);
        return engine;
    }

    private static float[] floats(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }

    // ---- a small model with the other operators

    /**
     * x [3,9,9] -> Conv 6x3x3 pad 1 -> LeakyRelu 0.2 -> AveragePool 3 stride 2 pad 1 (ceil, padding not counted) [6,5,5];
     * from it LRN 3 [6,5,5] and a 1x1 Conv + Relu [2,5,5], concatenated [8,5,5] -> Reshape [0,-1] [200] -> MatMul 200x8
     * + Add -> Clip [0,6] -> Gemm (B is [in, out], alpha 1.5, beta 0.5) 8 -> 5 -> Sigmoid -> Softmax.
     */
    private static ModelProto smallModel() {
        Random rnd = new Random(4);
        GraphProto.Builder g = GraphProto.newBuilder().addInput(input("x", 3, 9, 9)).addOutput(output("y"));
        g.addInitializer(tensor("conv.weight", new long[] {6, 3, 3, 3}, gaussian(rnd, 162, 0.3)));
        g.addInitializer(tensor("conv.bias", new long[] {6}, gaussian(rnd, 6, 0.1)));
        g.addInitializer(tensor("side.weight", new long[] {2, 6, 1, 1}, gaussian(rnd, 12, 0.4)));
        g.addInitializer(tensor("flat.shape", new long[] {2}, new long[] {0, -1}));
        g.addInitializer(tensor("hidden.weight", new long[] {200, 8}, gaussian(rnd, 1600, 0.1)));
        g.addInitializer(tensor("hidden.bias", new long[] {8}, gaussian(rnd, 8, 0.1)));
        g.addInitializer(tensor("clip.min", new long[] {}, new float[] {0f}));
        g.addInitializer(tensor("clip.max", new long[] {}, new float[] {6f}));
        g.addInitializer(tensor("head.weight", new long[] {8, 5}, gaussian(rnd, 40, 0.5)));
        g.addInitializer(tensor("head.bias", new long[] {5}, gaussian(rnd, 5, 0.1)));
        g.addNode(node("Conv", "/conv/Conv", List.of("x", "conv.weight", "conv.bias"), "c", ints("pads", 1, 1, 1, 1), ints("kernel_shape", 3, 3)));
        g.addNode(node("LeakyRelu", "/act/LeakyRelu", List.of("c"), "a", real("alpha", 0.2f)));
        g.addNode(node("AveragePool", "/pool/AveragePool", List.of("a"), "p", ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                ints("pads", 1, 1, 1, 1), integer("ceil_mode", 1), integer("count_include_pad", 0)));
        g.addNode(node("LRN", "/lrn/LRN", List.of("p"), "l", integer("size", 3), real("alpha", 1e-3f), real("beta", 0.5f), real("bias", 2f)));
        g.addNode(node("Conv", "/side/Conv", List.of("p", "side.weight"), "s0"));
        g.addNode(node("Relu", "/side/Relu", List.of("s0"), "s"));
        g.addNode(node("Concat", "/joined/Concat", List.of("l", "s"), "j", integer("axis", 1)));
        g.addNode(node("Reshape", "/flat/Reshape", List.of("j", "flat.shape"), "f"));
        g.addNode(node("MatMul", "/hidden/MatMul", List.of("f", "hidden.weight"), "m"));
        g.addNode(node("Add", "/hidden/Add", List.of("m", "hidden.bias"), "h"));
        g.addNode(node("Clip", "/clip/Clip", List.of("h", "clip.min", "clip.max"), "r"));
        g.addNode(node("Gemm", "/head/Gemm", List.of("r", "head.weight", "head.bias"), "o", real("alpha", 1.5f), real("beta", 0.5f)));
        g.addNode(node("Sigmoid", "/sig/Sigmoid", List.of("o"), "q"));
        g.addNode(node("Softmax", "/softmax/Softmax", List.of("q"), "y", integer("axis", 1)));
        return model(g);
    }

    private static float[] gaussian(Random rnd, int n, double scale) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (float) (rnd.nextGaussian() * scale);
        }
        return f;
    }

    private static ModelProto model(GraphProto.Builder g) {
        return ModelProto.newBuilder().setIrVersion(7).setProducerName("OnnxImportTest")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13)).setGraph(g.setName("test")).build();
    }

    private static ValueInfoProto input(String name, int c, int h, int w) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (int d : new int[] {c, h, w}) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    private static ValueInfoProto output(String name) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1))).build();
    }

    private static TensorProto tensor(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return TensorProto.newBuilder().setName(name).setDataType(1).addAllDims(Arrays.stream(dims).boxed().toList())
                .setRawData(ByteString.copyFrom(b.array())).build();
    }

    private static TensorProto tensor(String name, long[] dims, long[] values) {
        return TensorProto.newBuilder().setName(name).setDataType(7).addAllDims(Arrays.stream(dims).boxed().toList())
                .addAllInt64Data(Arrays.stream(values).boxed().toList()).build();
    }

    private static NodeProto node(String op, String name, List<String> inputs, String output, AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output).addAllAttribute(List.of(attributes)).build();
    }

    private static AttributeProto ints(String name, long... v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS).addAllInts(Arrays.stream(v).boxed().toList()).build();
    }

    private static AttributeProto integer(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    private static AttributeProto real(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }
}
