package dev.strider.tests.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import dev.strider.runtime.engine.GeneratedEngine;
import dev.strider.runtime.engine.Parameter;
import dev.strider.runtime.io.Safetensors;
import dev.strider.runtime.optim.Sgd;
import dev.strider.runtime.report.NetworkReport;
import dev.strider.samples.GoogLeNetEngine;
import dev.strider.samples.MobileNetV2Engine;
import dev.strider.samples.ResNet18Engine;
import dev.strider.samples.ResNet50Engine;
import dev.strider.samples.SqueezeNetEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * The ResNet18, ResNet50, GoogLeNet, SqueezeNet and MobileNetV2 samples against torchvision 0.14's resnet18, resnet50,
 * googlenet (no auxiliary heads), squeezenet1_1 and mobilenet_v2 at 224x224: the same weights
 * (drawn on both sides from per-tensor SplitMix64 streams, see {@code scripts/reference/torchvision_reference.py}),
 * one image, evaluation mode; the 1,000 logits agree within {@code 1e-4 * max|logit|} (PyTorch's in float64; ours in
 * float, summed in another order through up to 57 convolutions). Then a ResNet-18 training step at batch 2 runs and
 * changes the weights. Every layer's output shape in the JSON report also equals that of torchvision's module of the
 * same name.
 */
class TorchvisionReferenceTest {
    @Test
    void resnet50LogitsAgreeWithTorchvision() throws Exception {
        GeneratedEngine e = new ResNet50Engine();
        compare(e, "resnet50", 2048);
    }

    @Test
    void googlenetLogitsAgreeWithTorchvision() throws Exception {
        compare(new GoogLeNetEngine(), "googlenet", 1024);
    }

    @Test
    void mobilenetV2LogitsAgreeWithTorchvision() throws Exception {
        compare(new MobileNetV2Engine(), "mobilenet_v2", 1280);
    }

    @Test
    void squeezenetLogitsAgreeWithTorchvision() throws Exception {
        compare(new SqueezeNetEngine(), "squeezenet1_1", 0);
    }

    @Test
    void resnet18LogitsAgreeWithTorchvisionAndATrainingStepRuns() throws Exception {
        ResNet18Engine e = new ResNet18Engine();
        float[] input = compare(e, "resnet18", 512);

        // one SGD step in training mode (batch statistics) at batch 2
        e.setOptimizer(Sgd.builder(1e-3f).momentum(0.9f).build());
        float before = e.parameter("layer3_0_conv1.weight").data()[7];
        float loss = e.trainStep(input, new int[] {3, 917}, 2);
        assertTrue(Float.isFinite(loss), "loss " + loss);
        assertNotEquals(before, e.parameter("layer3_0_conv1.weight").data()[7]);
        assertEquals(1, e.trainingSteps());
    }

    /** Fills {@code e} and an input as the script does, checks the logits of image 0; returns the input (two images, the second the negative of the first). */
    private static float[] compare(GeneratedEngine e, String model, int fcIn) throws Exception {
        for (Parameter p : e.parameters()) {
            fill(p, fcIn);
        }
        for (Parameter p : e.buffers()) {
            fill(p, fcIn);
        }
        float[] input = new float[Math.min(2, e.maxBatch()) * e.inputSize()];
        float[] u = uniforms("input", e.inputSize());
        for (int i = 0; i < u.length; i++) {
            input[i] = 2f * u[i] - 1f;
            if (e.maxBatch() > 1) {
                input[e.inputSize() + i] = -input[i];
            }
        }
        e.setTraining(false);
        float[] logits = e.forward(input, 1);
        Safetensors.Contents reference = Safetensors.read(Path.of(TorchvisionReferenceTest.class.getResource(
                "/torchvision/" + model + "_logits.safetensors").toURI()));
        float[] torch = reference.tensor("logits").floats();
        checkShapes(e, model, reference.metadata().get("shapes"));
        assertEquals(1000, torch.length);
        float max = 0;
        for (float v : torch) {
            max = Math.max(max, Math.abs(v));
        }
        double worst = 0;
        for (int i = 0; i < 1000; i++) {
            worst = Math.max(worst, Math.abs(logits[i] - torch[i]) / max);
        }
        System.out.printf("%s vs torchvision: max |logit| %.3f, largest difference %.2e of it%n", model, max, worst);
        assertTrue(worst <= 1e-4, model + ": largest logit difference " + worst + " of max|logit| " + max);
        return input;
    }

    /**
     * Every layer's output shape in Strider's JSON report against the output of torchvision's module of the same
     * name; every layer with parameters must have one (the names are torchvision's with dots as underscores).
     */
    private static void checkShapes(GeneratedEngine e, String model, String shapesJson) {
        Map<String, List<Long>> torch = new Gson().fromJson(shapesJson, new TypeToken<Map<String, List<Long>>>() {}.getType());
        String network = e.getClass().getName().substring(0, e.getClass().getName().length() - "Engine".length());
        NetworkReport report = NetworkReport.load(network, TorchvisionReferenceTest.class.getClassLoader());
        int matched = 0;
        for (NetworkReport.LayerReport layer : report.layers()) {
            List<Long> shape = torch.get(layer.name());
            if (shape != null) {
                // torchvision flattens before its classifiers' dropout; Strider's dense layer flattens [C,1,1] itself
                assertEquals(flat(shape), flat(layer.out()), model + ": output shape of " + layer.name());
                matched++;
            } else {
                assertEquals(0, layer.params(), model + ": layer " + layer.name() + " has parameters but no torchvision module of that name");
            }
        }
        System.out.printf("%s: %d of %d layers' output shapes equal torchvision's%n", model, matched, report.layers().size());
        assertTrue(matched >= report.layers().size() / 2, model + ": only " + matched + " layers matched by name");
    }

    /** {@code [C, 1, 1]} as {@code [C]}; any other shape as it is. */
    private static List<Long> flat(List<Long> shape) {
        return shape.size() == 3 && shape.get(1) == 1 && shape.get(2) == 1 ? List.of(shape.get(0)) : shape;
    }

    /** As the reference script fills torchvision's tensor of the same name. */
    private static void fill(Parameter p, int fcIn) {
        float[] u = uniforms(p.name(), p.size());
        float[] d = p.data();
        int[] shape = p.shape();
        String tensor = p.name().substring(p.name().lastIndexOf('.') + 1);
        for (int i = 0; i < d.length; i++) {
            d[i] = switch (tensor) {
                case "weight" -> shape.length > 1 ? (2f * u[i] - 1f) * (float) Math.sqrt(6.0 / (p.size() / shape[0])) : 0.5f + u[i];
                case "bias" -> fcIn > 0 && (p.name().startsWith("fc.") || p.name().startsWith("classifier_1.")) ? (2f * u[i] - 1f) * (float) (1.0 / Math.sqrt(fcIn)) : u[i] - 0.5f;
                case "running_mean" -> (u[i] - 0.5f) * 0.2f;
                case "running_var" -> 0.5f + u[i];
                default -> throw new IllegalArgumentException(p.name());
            };
        }
    }

    /** {@code n} values of SplitMix64 seeded with the CRC-32 of {@code name}, as Strider's {@code Rng.nextFloat}. */
    private static float[] uniforms(String name, int n) {
        CRC32 crc = new CRC32();
        crc.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        dev.strider.runtime.engine.Rng rng = new dev.strider.runtime.engine.Rng(crc.getValue());
        float[] u = new float[n];
        for (int i = 0; i < n; i++) {
            u[i] = rng.nextFloat();
        }
        return u;
    }
}
