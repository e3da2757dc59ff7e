package dev.strider.benchmarks;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.strider.runtime.io.Weights;
import dev.strider.samples.LeNet5Engine;
import dev.strider.samples.ResNet18Engine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * PyTorch, timed by {@code bench_pytorch.py} (in this jar) on the weights and inputs of Strider's engines, which it
 * checks against Strider's outputs before timing. Returns its timings under {@code torch.<workload>}, in microseconds.
 */
final class PyTorchPeer {
    private PyTorchPeer() {}

    static Map<String, Bench.Timing> run(String python) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("strider-bench");
        LeNet5Engine lenet = new LeNet5Engine();
        lenet.initialize(1);
        lenet.setTraining(false);
        float[] x64 = Peers.input(64 * lenet.inputSize(), 2);
        Weights.save(lenet, dir.resolve("lenet5.safetensors"));
        write(dir.resolve("lenet5_input.f32"), x64);
        write(dir.resolve("lenet5_output.f32"), lenet.forward(x64, 64));
        ResNet18Engine resnet = new ResNet18Engine();
        resnet.initialize(1);
        resnet.setTraining(false);
        float[] x1 = Peers.input(resnet.inputSize(), 5);
        Weights.save(resnet, dir.resolve("resnet18.safetensors"));
        write(dir.resolve("resnet18_input.f32"), x1);
        write(dir.resolve("resnet18_output.f32"), resnet.forward(x1, 1));
        Path script = dir.resolve("bench_pytorch.py");
        try (InputStream in = PyTorchPeer.class.getResourceAsStream("/bench_pytorch.py")) {
            Files.copy(in, script);
        }
        System.out.println("PyTorch: " + python + " " + script + " " + dir);
        Process p = new ProcessBuilder(python, script.toString(), dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the PyTorch benchmark failed (exit " + p.exitValue() + "): " + out);
        }
        JsonObject json = JsonParser.parseString(out.substring(out.lastIndexOf('\n') + 1)).getAsJsonObject();
        Map<String, Bench.Timing> t = new HashMap<>();
        for (String k : json.keySet()) {
            if (json.get(k).isJsonObject()) {
                JsonObject v = json.getAsJsonObject(k);
                t.put("torch." + k, new Bench.Timing(v.get("median").getAsDouble(), v.get("min").getAsDouble(), v.get("max").getAsDouble()));
            }
        }
        System.out.println("PyTorch " + json.get("torch").getAsString() + ": outputs agree with Strider's; " + t.size() + " timings");
        return t;
    }

    private static void write(Path file, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        Files.write(file, b.array());
    }
}
