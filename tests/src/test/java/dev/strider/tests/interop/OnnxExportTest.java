package dev.strider.tests.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.onnx.OnnxExport;
import dev.strider.runtime.report.NetworkReport;
import dev.strider.tests.Agreement;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX export against an independent runtime: every layer kind and the sample architectures are written with
 * random weights (and random batch-norm running statistics), run by ONNX Runtime 1.22 (Java) on the same random
 * input, and must equal Strider's forward pass in evaluation mode within 1e-4 (relative, plus 1e-5 of the output's
 * largest magnitude). Every exported file must then pass {@code onnx.checker.check_model} with full shape inference
 * (Debian's python3-onnx). The list covers the forms the export spells out in plainer operators: ceil-rounded
 * pooling (AvgPoolCeil, MaxPoolCeil, GcPools), adaptive pooling with uneven bins (ResampleNet, GcResample), local
 * response normalization over an even number of channels (LrnNet, GcLrn) and a softmax fused into the loss
 * (PassThroughSoftmax, GcDropout).
 */
class OnnxExportTest {
    private static final String REFERENCE = "dev.strider.tests.reference.nets.";
    private static final String ENGINE_NETS = "dev.strider.tests.engine.nets.";
    private static final String SAMPLES = "dev.strider.samples.";

    @TempDir
    static Path dir;
    private static OrtEnvironment ort;
    private static final List<Path> written = new ArrayList<>();

    @BeforeAll
    static void start() {
        ort = OrtEnvironment.getEnvironment();
    }

    @AfterAll
    static void checkEveryModelWithTheOnnxChecker() throws Exception {
        if (written.isEmpty()) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "-c",
                "import sys, onnx\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint('checked', len(sys.argv) - 1)"));
        written.forEach(p -> cmd.add(p.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        int status = p.waitFor();
        if (out.contains("No module named 'onnx'")) {
            throw new AssertionError("the ONNX checker needs Debian's python3-onnx (apt-get install python3-onnx): " + out);
        }
        assertEquals(0, status, "onnx.checker rejected an exported model:\n" + out);
        assertEquals("checked " + written.size(), out);
    }

    static Stream<String> networks() {
        List<String> n = new ArrayList<>();
        for (String s : List.of("LeNet5", "ConvBnNet", "ConvExercise", "TinyFcn", "ResNet18", "SqueezeNet", "GoogLeNet", "MobileNetV2",
                "AlexNet2012", "DilatedContext")) {
            n.add(SAMPLES + s);
        }
        for (String r : List.of("AvgPoolCeil", "AvgPoolPad", "BatchNorm1d", "BatchNorm2d", "ConvDilation", "ConvFusedLeakyRelu",
                "ConvGroups", "ConvNoBiasRelu", "ConvSame", "ConvStridePad", "DenseFusedSoftmaxMse", "DenseFusedTanhSigmoid", "DenseSpatial",
                "GlobalAvgPoolNet", "MaxPoolCeil", "MseDense", "SigmoidNet", "SoftmaxMse", "TanhNet", "Residual", "Branches", "Relu6Net",
                "LrnNet", "ConvTransposeNet", "ResampleNet", "L2PoolNet", "LeNet5")) {
            n.add(REFERENCE + r);
        }
        for (String e : List.of("GcGraph", "GcDropout", "GcBatchNorm", "BnFirst", "SpatialSoftmax", "PassThroughSoftmax", "PassThroughFlatten",
                "GcLrn", "GcConvTranspose", "GcL2Pool", "GcPools", "GcConvDilatedGroups", "GcResample")) {
            n.add(ENGINE_NETS + e);
        }
        n.add("dev.strider.tests.gpu.nets.GpuTiles");
        return n.stream();
    }

    static GeneratedEngine engine(String network) throws ReflectiveOperationException {
        return (GeneratedEngine) Class.forName(network + "Engine").getDeclaredConstructor().newInstance();
    }

    /** Random weights, and running statistics that make batch normalization do something. */
    static GeneratedEngine randomEngine(String network) throws ReflectiveOperationException {
        GeneratedEngine e = engine(network);
        e.initialize(5);
        Random rnd = new Random(17);
        for (Parameter p : e.buffers()) {
            float[] d = p.data();
            for (int i = 0; i < p.size(); i++) {
                d[i] = p.name().endsWith("running_var") ? 0.5f + rnd.nextFloat() : 0.3f * (float) rnd.nextGaussian();
            }
        }
        for (Parameter p : e.parameters()) {
            if (p.name().endsWith(".bias")) {
                float[] d = p.data();
                for (int i = 0; i < p.size(); i++) {
                    d[i] = 0.1f * (float) rnd.nextGaussian();
                }
            }
        }
        e.setTraining(false);
        return e;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void onnxRuntimeComputesWhatTheEngineComputes(String network) throws Exception {
        GeneratedEngine engine = randomEngine(network);
        NetworkReport report = OnnxExport.reportOf(engine);
        int batch = Math.min(2, engine.maxBatch());
        Random rnd = new Random(23);
        float[] input = new float[batch * engine.inputSize()];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) rnd.nextGaussian();
        }
        float[] expected = engine.forward(input, batch);

        Path file = dir.resolve(report.name() + "-" + Integer.toHexString(network.hashCode()) + ".onnx");
        OnnxExport.write(engine, report, file);
        synchronized (written) {
            written.add(file);
        }
        long[] shape = new long[report.input().size() + 1];
        shape[0] = batch;
        for (int i = 0; i < report.input().size(); i++) {
            shape[i + 1] = report.input().get(i);
        }
        try (OrtSession session = ort.createSession(Files.readAllBytes(file), new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(ort, FloatBuffer.wrap(input), shape);
             OrtSession.Result result = session.run(Map.of("input", x))) {
            OnnxTensor y = (OnnxTensor) result.get(0);
            FloatBuffer values = y.getFloatBuffer();
            float[] actual = new float[values.remaining()];
            values.get(actual);
            assertEquals(expected.length, actual.length, network + ": output values");
            Agreement.assertAgree(network, "Strider", expected, "ONNX Runtime", actual);
        }
    }

    @Test
    void aReportWithoutTheLayersOpsIsRefusedWithTheFirstLayerNamed() throws Exception {
        // a report written by a processor older than ONNX export has no "op" per layer
        GeneratedEngine engine = randomEngine(SAMPLES + "LeNet5");
        NetworkReport r = OnnxExport.reportOf(engine);
        List<NetworkReport.LayerReport> bare = r.layers().stream().map(l -> new NetworkReport.LayerReport(l.name(), l.type(), l.details(),
                l.inputs(), l.in(), l.out(), l.params(), l.nonTrainableParams(), l.macs(), l.receptiveField(), l.activations(), null)).toList();
        NetworkReport old = new NetworkReport(r.format(), r.name(), r.qualifiedName(), r.input(), r.output(), r.maxBatch(), r.loss(),
                r.rounding(), r.params(), r.nonTrainableParams(), r.macs(), r.memory(), bare);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxExport.model(engine, old));
        assertEquals("LeNet5: the report of layer c1 has no op; rebuild the network with this version of strider-processor", e.getMessage());
    }

    @Test
    void theModelNamesItsTensorsAfterTheEngine() throws Exception {
        GeneratedEngine engine = randomEngine(SAMPLES + "LeNet5");
        var model = OnnxExport.model(engine, OnnxExport.reportOf(engine));
        assertEquals(OnnxExport.OPSET, model.getOpsetImport(0).getVersion());
        List<String> initializers = model.getGraph().getInitializerList().stream().map(t -> t.getName()).toList();
        List<String> parameters = engine.parameters().stream().map(Parameter::name).toList();
        assertEquals(parameters, initializers);
        assertTrue(model.getGraph().getNodeList().stream().anyMatch(n -> n.getName().equals("c1") && n.getOpType().equals("Conv")));
    }
}
