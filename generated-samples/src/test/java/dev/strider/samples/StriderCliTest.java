package dev.strider.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strider.samples.cli.StriderCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

class StriderCliTest {
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = StriderCli.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void summaryPrintsTheGeneratedTable() {
        Run r = run("summary", "lenet5");
        assertEquals(0, r.code(), r.err());
        assertEquals(LeNet5Spec.summary(), r.out());
    }

    @Test
    void listShowsEverySample() {
        Run r = run("list");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("61,706"), r.out());
        assertTrue(r.out().contains("138,357,544"), r.out());
    }

    /**
     * The Fashion-MNIST files: $FASHION_MNIST_DIR, else shared/ beside the repository (as developers have it), else
     * Debian's dataset-fashion-mnist (which .ci/run installs when shared/ is not there).
     */
    static String data() {
        String env = System.getenv("FASHION_MNIST_DIR");
        if (env != null) {
            return env;
        }
        Path shared = Path.of("").toAbsolutePath().getParent().getParent().resolve("shared/datasets/fashion-mnist");
        if (Files.isDirectory(shared)) {
            return shared.toString();
        }
        Path debian = dev.strider.runtime.data.DataLocation.DEBIAN_DIR;
        assertTrue(dev.strider.runtime.data.DataLocation.holdsData(debian),
                "Fashion-MNIST not found at " + shared + " nor at " + debian + " (set FASHION_MNIST_DIR)");
        return debian.toString();
    }

    @Test
    void trainEvaluateAndPredictEndToEnd(@TempDir Path dir) {
        Path weights = dir.resolve("lenet5.safetensors");
        Run train = run("train", "lenet5", "--data", data(), "--limit", "6000", "--epochs", "1", "--quiet", "--save", weights.toString());
        assertEquals(0, train.code(), train.err());
        String[] lines = train.out().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.matches("test_accuracy=0\\.[0-9]{4}"), last);
        double accuracy = Double.parseDouble(last.substring("test_accuracy=".length()));
        // 6,000 images, one epoch: chance is 0.10; a LeNet-5 that learns is well above 0.6 by then.
        assertTrue(accuracy > 0.6, "LeNet-5 did not learn: " + accuracy);
        assertTrue(Files.exists(weights));

        Run evaluate = run("evaluate", "lenet5", "--data", data(), "--weights", weights.toString());
        assertEquals(0, evaluate.code(), evaluate.err());
        assertTrue(evaluate.out().contains(String.format(java.util.Locale.ROOT, "test_accuracy=%.4f", accuracy)),
                "the saved weights give the accuracy training reported:\n" + evaluate.out());

        Run predict = run("predict", "lenet5", "--data", data(), "--weights", weights.toString(), "--count", "5");
        assertEquals(0, predict.code(), predict.err());
        assertEquals(6, predict.out().strip().split("\n").length, predict.out());
        assertTrue(predict.out().contains("true: Ankle boot"), predict.out()); // test image 0 is an ankle boot
    }

    @Test
    void weightsOfAnotherNetworkAreRejectedWithEveryMismatch(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("w.safetensors");
        dev.strider.runtime.engine.GeneratedEngine other = new ConvExerciseEngine();
        dev.strider.runtime.io.Weights.save(other, weights);
        Run r = run("evaluate", "lenet5", "--data", data(), "--weights", weights.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(r.err().contains("c1.weight"), r.err());
        assertTrue(r.err().contains("conv.weight"), r.err());
    }

    @Test
    void exportWritesTheNetworkAsAnOnnxModel(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lenet5.onnx");
        Run r = run("export", "lenet5", "--seed", "3", "-o", file.toString());
        assertEquals(0, r.code(), r.err());
        var model = dev.strider.runtime.onnx.proto.Onnx.ModelProto.parseFrom(Files.readAllBytes(file));
        assertEquals("input", model.getGraph().getInput(0).getName());
        assertEquals("output", model.getGraph().getOutput(0).getName());
        assertEquals(10, model.getGraph().getInitializerCount());   // weight and bias of five layers
        assertTrue(r.out().startsWith("wrote " + file + ": LeNet5, opset 13, "), r.out());
        assertTrue(r.out().contains("weights initialised from seed 3"), r.out());
    }

    @Test
    void checkWeightsListsEveryMismatchWithoutLoading(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lenet5.safetensors");
        dev.strider.runtime.io.Weights.save(Samples.LENET5.newEngine(), file);
        Run fits = run("check-weights", "lenet5", file.toString());
        assertEquals(0, fits.code(), fits.err());
        assertEquals(file + " fits LeNet5: 10 tensors, every name, dtype and shape as declared", fits.out().strip());
        // the same file against ConvBnNet, named by its class this time
        Run not = run("check-weights", "dev.strider.samples.ConvBnNet", file.toString());
        assertEquals(1, not.code(), not.err());
        assertTrue(not.out().startsWith(file + " does not fit ConvBnNet ("), not.out());
        assertTrue(not.out().contains("\n  missing: "), not.out());
        assertTrue(not.out().contains("\n  unexpected: c1.weight F32[6, 1, 5, 5] (ConvBnNet has no such parameter or buffer)"), not.out());
    }

    @Test
    void diagramDrawsTheNetworkAsDotAndSvg(@TempDir Path dir) throws Exception {
        Path dot = dir.resolve("resnet18.dot");
        Run r = run("diagram", "resnet18", "-o", dot.toString());
        assertEquals(0, r.code(), r.err());
        String text = Files.readString(dot);
        // a residual connection is a merge node with both of its inputs, each edge labelled with its shape
        assertTrue(text.contains("\"layer1_0\" [shape=circle"), text);
        assertTrue(text.contains("\"layer1_0_bn2\" -> \"layer1_0\" [label=\" 64x56x56\"];"), text);
        assertTrue(text.contains("\"maxpool\" -> \"layer1_0\" [label=\" 64x56x56\"];"), text);
        assertTrue(text.contains("\"conv1\" [fillcolor=\"#cfe0f7\", label=\"conv1\\nConv 64 filters 7x7, stride 2, pad 3, no bias\\n9,408 params\"];"), text);
        assertTrue(r.out().startsWith("wrote " + dot + ": ResNet18, "), r.out());

        Path svg = dir.resolve("lenet5.svg");
        r = run("diagram", "lenet5", "-o", svg.toString());
        assertEquals(0, r.code(), r.err());
        String drawing = Files.readString(svg);
        assertTrue(drawing.contains("<svg"), drawing);
        assertTrue(drawing.contains(">c1</text>"), drawing);
        assertTrue(drawing.contains(">6x28x28</text>") || drawing.contains("> 6x28x28</text>"), drawing);

        r = run("diagram", "lenet5", "-o", dir.resolve("lenet5.pdf").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("end the name with .svg, .png or .dot"), r.err());
    }

    @Test
    void transferFineTunesANewHeadOverTheFrozenBackbone() {
        Run r = run("transfer", "--data", data(), "--limit", "3000", "--quiet");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        // the backbone's 8 tensors (4 weighted layers) load; the new head keeps its own; the old head goes unused
        assertTrue(out.contains("FashionSecondHalf from its weights: 8 tensors loaded, 2 kept, 2 in the file unused"), out);
        assertTrue(out.contains("kept: secondHead.weight [10, 84]: not in the file"), out);
        assertTrue(out.contains("unused: firstHead.weight F32[10, 84]"), out);
        assertTrue(out.contains("frozen backbone unchanged: true"), out);
        String[] lines = out.strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.matches("transfer_before=0\\.[0-9]{4} transfer_after=0\\.[0-9]{4}"), last);
        double before = Double.parseDouble(last.substring("transfer_before=".length(), last.indexOf(' ')));
        double after = Double.parseDouble(last.substring(last.indexOf("transfer_after=") + "transfer_after=".length()));
        // a random head over five unseen classes is near chance (0.2 at best); a head trained on 3,000 images is far above
        assertTrue(before < 0.4, last);
        assertTrue(after > 0.7 && after > before + 0.3, last);
    }

    @Test
    void missingDataIsOneClearLine(@TempDir Path dir) {
        Run r = run("train", "lenet5", "--data", dir.resolve("nowhere").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: Fashion-MNIST not found in"), r.err());
        assertTrue(r.err().contains("apt-get install dataset-fashion-mnist"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void unknownNetworkIsAClearErrorNotAStackTrace() {
        Run r = run("summary", "lenet6");
        assertEquals(2, r.code());
        assertEquals("Unknown network 'lenet6'. Known networks: lenet5, lenet5-serving, convbn, conv-exercise, alexnet, vgg16, resnet18, resnet18-serving, resnet50, googlenet, squeezenet, mobilenetv2, alexnet2012, tiny-fcn, dilated-context.\n", r.err());
    }
}
